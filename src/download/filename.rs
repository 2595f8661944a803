//! The name of a downloaded file, when `-o` does not give one (SPEC §6).
//!
//! Order: `Content-Disposition` (`filename*` of RFC 5987 before `filename`, RFC 6266), else
//! the last segment of the URL the user typed (not a redirect target) plus an extension from
//! `Content-Type` when it has none, else `index` plus that extension. Whatever the server
//! says is reduced to a bare, visible file name: no directories, no leading dots (no hidden
//! files, no `..`), no control or bidirectional-override characters, at most 255 bytes.

use percent_encoding::percent_decode_str;
use url::Url;

/// The longest file name most file systems accept, in bytes.
const NAME_MAX: usize = 255;

/// The name to save a response under, before any `-1`, `-2` … suffix.
pub fn choose(url: &Url, disposition: Option<&[u8]>, content_type: Option<&str>) -> String {
    if let Some(name) = disposition
        .and_then(from_disposition)
        .and_then(|n| sanitize(&n))
    {
        return name;
    }
    let segment = url
        .path_segments()
        .and_then(|mut s| s.next_back())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .and_then(|s| sanitize(&s));
    let name = segment.unwrap_or_else(|| "index".to_string());
    match content_type.and_then(extension_for) {
        Some(ext) if !name.contains('.') => fit(&name, &format!(".{ext}")),
        _ => name,
    }
}

/// The file name a `Content-Disposition` value suggests, as sent (not yet sanitised).
/// `filename*` (RFC 5987: `UTF-8''%e2%82%ac.txt`) wins over `filename`.
pub fn from_disposition(value: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(value) {
        Ok(s) => s.to_string(),
        // Header bytes outside UTF-8 are taken as ISO-8859-1, as RFC 6266 allows.
        Err(_) => value.iter().map(|&b| b as char).collect(),
    };
    let params = parameters(&text);
    let extended = params
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("filename*"))
        .and_then(|(_, v)| decode_ext_value(v));
    extended.or_else(|| {
        params
            .into_iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("filename"))
            .map(|(_, v)| v)
    })
}

/// `type; name=value; name="quoted \" value"` → the parameters, quotes and escapes removed.
fn parameters(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    // Skip the disposition type.
    for c in chars.by_ref() {
        if c == ';' {
            break;
        }
    }
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ';').is_some() {}
        let mut name = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && *c != ';') {
            name.push(c);
        }
        if chars.next_if_eq(&'=').is_none() {
            if chars.peek().is_none() {
                return out;
            }
            continue;
        }
        while chars.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'"').is_some() {
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => value.extend(chars.next()),
                    c => value.push(c),
                }
            }
        } else {
            while let Some(c) = chars.next_if(|c| *c != ';') {
                value.push(c);
            }
            value.truncate(value.trim_end().len());
        }
        out.push((name.trim().to_string(), value));
    }
}

/// RFC 5987 `charset'language'percent-encoded`; UTF-8 and ISO-8859-1 are understood.
fn decode_ext_value(value: &str) -> Option<String> {
    let mut fields = value.splitn(3, '\'');
    let (charset, _language, encoded) = (fields.next()?, fields.next()?, fields.next()?);
    let bytes: Vec<u8> = percent_decode_str(encoded).collect();
    if charset.eq_ignore_ascii_case("utf-8") {
        String::from_utf8(bytes).ok()
    } else if charset.eq_ignore_ascii_case("iso-8859-1") {
        Some(bytes.iter().map(|&b| b as char).collect())
    } else {
        None
    }
}

/// Reduce a name from the server to a bare, visible file name, or `None` if nothing is left.
pub fn sanitize(raw: &str) -> Option<String> {
    // Only the last path component (either separator): the server never picks a directory.
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .map(|c| if safe(c) { c } else { '_' })
        .collect();
    // No hidden files and no `.`/`..`: dots and spaces at the front go, and at the end too
    // (`name.` and `name ` are traps on some file systems).
    let name = cleaned.trim_matches(|c: char| c == '.' || c.is_whitespace());
    if name.is_empty() {
        return None;
    }
    Some(match name.rfind('.') {
        Some(dot) if name.len() - dot <= 16 => fit(&name[..dot], &name[dot..]),
        _ => fit(name, ""),
    })
}

/// Characters allowed in a saved name: no controls, no characters with a meaning to shells
/// on other systems or to file managers (`:` `*` `?` `"` `<` `>` `|`), and no invisible
/// direction overrides that make `exe.txt` display as `txt.exe`.
fn safe(c: char) -> bool {
    !c.is_control()
        && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|')
        && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `stem` + `ext`, cutting the stem so the whole fits in [`NAME_MAX`] bytes.
fn fit(stem: &str, ext: &str) -> String {
    let room = NAME_MAX.saturating_sub(ext.len());
    let mut end = stem.len().min(room);
    while !stem.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}{ext}", &stem[..end])
}

/// `name` with `-n` before its extension: `report-1.pdf`, `data-2.tar.gz`, `index-3`.
pub fn numbered(name: &str, n: u32) -> String {
    let ext_start = match name.rfind('.') {
        Some(dot) if dot > 0 => {
            // Keep compound archive extensions together: `x.tar.gz` → `x-1.tar.gz`.
            match name[..dot].strip_suffix(".tar") {
                Some(stem) if !stem.is_empty() => stem.len(),
                _ => dot,
            }
        }
        _ => name.len(),
    };
    let (stem, ext) = name.split_at(ext_start);
    fit(stem, &format!("-{n}{ext}"))
}

/// A file extension for a media type: common types from a short list (mime_guess lists
/// several, alphabetically), others when mime_guess knows exactly one or one matches the
/// subtype. `application/octet-stream` gets none: it says nothing about the content.
fn extension_for(content_type: &str) -> Option<&'static str> {
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    let preferred = match essence.as_str() {
        "application/octet-stream" | "" => return None,
        "text/html" => "html",
        "text/plain" => "txt",
        "image/jpeg" => "jpg",
        "audio/mpeg" => "mp3",
        "application/javascript" | "text/javascript" => "js",
        "application/xml" | "text/xml" => "xml",
        "application/x-ndjson" => "ndjson",
        _ => "",
    };
    if !preferred.is_empty() {
        return Some(preferred);
    }
    let known = mime_guess::get_mime_extensions_str(&essence)?;
    if let [only] = known {
        return Some(only);
    }
    let subtype = essence.split('/').nth(1)?;
    let subtype = subtype.trim_start_matches("x-");
    let subtype = subtype.split('+').next().unwrap_or(subtype);
    known.iter().copied().find(|ext| *ext == subtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// url, Content-Disposition, Content-Type, the name chosen.
    const NAME_CASES: &[(&str, Option<&str>, Option<&str>, &str)] = &[
        // url, Content-Disposition, Content-Type, expected
        (
            "http://h/files/report.pdf",
            None,
            Some("application/pdf"),
            "report.pdf",
        ),
        (
            "http://h/files/report",
            None,
            Some("application/pdf"),
            "report.pdf",
        ),
        (
            "http://h/files/report",
            None,
            Some("text/html; charset=utf-8"),
            "report.html",
        ),
        ("http://h/files/report", None, None, "report"),
        (
            "http://h/files/report",
            None,
            Some("application/octet-stream"),
            "report",
        ),
        (
            "http://h/dl.php?id=3",
            None,
            Some("application/zip"),
            "dl.php",
        ),
        ("http://h/", None, Some("text/html"), "index.html"),
        ("http://h/", None, None, "index"),
        ("http://h/a%20b.txt", None, None, "a b.txt"),
        ("http://h/..%2F..%2Fetc%2Fpasswd", None, None, "passwd"),
        ("http://h/.hidden", None, None, "hidden"),
        (
            "http://h/x",
            Some(r#"attachment; filename="cv.pdf""#),
            None,
            "cv.pdf",
        ),
        (
            "http://h/x",
            Some(r#"attachment; filename="../../x""#),
            None,
            "x",
        ),
        (
            "http://h/x",
            Some(r#"attachment; filename="/etc/passwd""#),
            None,
            "passwd",
        ),
        (
            "http://h/x",
            Some(r#"attachment; filename="..\..\win.ini""#),
            None,
            "win.ini",
        ),
        (
            "http://h/x",
            Some(r#"attachment; filename=".bashrc""#),
            None,
            "bashrc",
        ),
        (
            "http://h/x",
            Some(r#"attachment; filename="..""#),
            Some("text/plain"),
            "x.txt",
        ),
        (
            "http://h/x",
            Some("attachment; filename=plain.txt"),
            None,
            "plain.txt",
        ),
        ("http://h/x", Some("attachment"), Some("image/png"), "x.png"),
        (
            "http://h/x",
            Some("inline; filename=\"a\\\"b.txt\""),
            None,
            "a_b.txt",
        ),
        (
            "http://h/x",
            Some("attachment; filename=\"fallback.txt\"; filename*=UTF-8''%e2%82%ac%20rates.txt"),
            None,
            "€ rates.txt",
        ),
        (
            "http://h/x",
            Some("attachment; filename*=iso-8859-1'en'%A3%20rates.txt"),
            None,
            "£ rates.txt",
        ),
        (
            "http://h/x",
            Some("attachment; filename*=UTF-8''..%2F..%2Fevil.sh"),
            None,
            "evil.sh",
        ),
        (
            "http://h/x",
            Some("attachment; filename=\"a\u{202e}txt.exe\""),
            None,
            "a_txt.exe",
        ),
        (
            "http://h/x",
            Some("attachment; filename=\"tab\there\""),
            None,
            "tab_here",
        ),
        (
            "http://h/x",
            Some("attachment; filename=\"c:name?.txt\""),
            None,
            "c_name_.txt",
        ),
    ];

    #[test]
    fn name_choice_table() {
        for (url, disposition, content_type, want) in NAME_CASES {
            let url = Url::parse(url).unwrap();
            let got = choose(&url, disposition.map(str::as_bytes), *content_type);
            assert_eq!(&got, want, "url {url}, disposition {disposition:?}");
        }
    }

    #[test]
    fn latin1_bytes_in_a_quoted_filename_are_decoded() {
        let value = b"attachment; filename=\"caf\xe9.txt\"";
        assert_eq!(from_disposition(value).as_deref(), Some("café.txt"));
    }

    #[test]
    fn numbered_names_put_the_number_before_the_extension() {
        for (name, n, want) in [
            ("report.pdf", 1, "report-1.pdf"),
            ("report.pdf", 12, "report-12.pdf"),
            ("data.tar.gz", 2, "data-2.tar.gz"),
            ("index", 1, "index-1"),
            ("v1.2.3", 1, "v1.2-1.3"),
        ] {
            assert_eq!(numbered(name, n), want);
        }
    }

    #[test]
    fn long_names_are_cut_to_255_bytes_keeping_the_extension() {
        let long = format!("{}.txt", "é".repeat(200));
        let name = sanitize(&long).unwrap();
        assert!(name.len() <= NAME_MAX, "{}", name.len());
        assert!(name.ends_with("é.txt"), "{name}");
        let numbered = numbered(&name, 7);
        assert!(numbered.len() <= NAME_MAX && numbered.ends_with("-7.txt"));
    }

    #[test]
    fn nothing_left_after_sanitising_is_none() {
        for raw in ["", ".", "..", "../", "/", " . "] {
            assert_eq!(sanitize(raw), None, "{raw:?}");
        }
    }
}
