//! The public suffix list (publicsuffix.org, ICANN and private sections): is a cookie's
//! `Domain` attribute a suffix under which anyone can register names (`co.uk`,
//! `github.io`)?
//!
//! The list ships in the binary compressed (`data/public_suffix_list.zst`, 39 kB for 158 kB
//! of rules, read with the zstd decoder rq has for response bodies) and is unpacked only
//! the first time a cookie names a `Domain`: nothing is paid for it at start-up or by a
//! request without such a cookie. The rules compiled in as code took 0.7 MB of the binary.
//! The file holds one rule per line (`com`, `*.ck`, `!www.ck`), as in `psl` 2.1.247;
//! to update it, take the list's rule lines (no comments, no blank lines) and
//! `zstd -19` them.

use std::collections::HashSet;
use std::io::Read;
use std::sync::OnceLock;

const LIST: &[u8] = include_bytes!("../data/public_suffix_list.zst");

/// The rules as written (`com`, `*.ck`, `!www.ck`), and each internationalised one also in
/// the ASCII form hosts have in URLs (`公司.cn` and `xn--55qx5d.cn`).
fn rules() -> &'static HashSet<String> {
    static RULES: OnceLock<HashSet<String>> = OnceLock::new();
    RULES.get_or_init(|| {
        let mut text = String::new();
        // The list is part of the binary: a failure here is a broken build, and an empty
        // set only means no domain is taken for a public suffix.
        if let Ok(mut list) = ruzstd::decoding::StreamingDecoder::new(LIST) {
            let _ = list.read_to_string(&mut text);
        }
        let mut rules = HashSet::with_capacity(12_000);
        for rule in text.lines().map(str::trim).filter(|r| !r.is_empty()) {
            if !rule.is_ascii() {
                if let Some(ascii) = ascii_rule(rule) {
                    rules.insert(ascii);
                }
            }
            rules.insert(rule.to_string());
        }
        rules
    })
}

/// `rule` with its domain in IDNA (punycode) form, keeping a leading `*.` or `!`.
fn ascii_rule(rule: &str) -> Option<String> {
    let (mark, name) = match rule.strip_prefix("*.") {
        Some(name) => ("*.", name),
        None => match rule.strip_prefix('!') {
            Some(name) => ("!", name),
            None => ("", rule),
        },
    };
    match url::Host::parse(name).ok()? {
        url::Host::Domain(ascii) => Some(format!("{mark}{ascii}")),
        _ => None,
    }
}

/// Is `domain` (lower case, no leading dot) itself a public suffix the list names? True
/// when a rule names it (`co.uk`, or `*.ck` for `foo.ck`) and no exception rule (`!www.ck`)
/// takes it out. A name no rule mentions (`localhost`, an internal TLD) is not one: the
/// list's implicit `*` rule does not count.
pub fn is_public_suffix(domain: &str) -> bool {
    let rules = rules();
    let parent = domain.split_once('.').map(|(_, parent)| parent);
    let named = rules.contains(domain) || parent.is_some_and(|p| rules.contains(&format!("*.{p}")));
    // An exception for the domain or for any name it ends with.
    let mut at = Some(domain);
    while let Some(name) = at {
        if rules.contains(&format!("!{name}")) {
            return false;
        }
        at = name.split_once('.').map(|(_, rest)| rest);
    }
    named
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffixes_from_every_kind_of_rule() {
        for (domain, want) in [
            ("com", true),
            ("co.uk", true),
            ("example.co.uk", false),
            ("github.io", true), // private section
            ("a.github.io", false),
            ("foo.ck", true),  // *.ck
            ("www.ck", false), // !www.ck
            ("ck", false),     // only *.ck and !www.ck name it
            // *.futurecms.at names it, though *.ex.futurecms.at is a rule too (the list's
            // algorithm; psl 2 missed this one).
            ("ex.futurecms.at", true),
            ("公司.cn", true),
            ("xn--55qx5d.cn", true), // the same, as a URL has it
            ("localhost", false),
            ("intranet", false),
            ("", false),
        ] {
            assert_eq!(is_public_suffix(domain), want, "{domain}");
        }
    }
}
