//! Text encodings of bodies shown on a terminal.
//!
//! A terminal gets UTF-8 whatever the server sent: the charset is taken from
//! `--response-charset`, else the Content-Type's `charset` parameter, else a byte-order mark,
//! else UTF-8 for JSON (RFC 8259 says it is UTF-8), else a guess from the first bytes (chardetng, the detector Firefox uses), and anything that
//! is not UTF-8 is decoded as it streams. UTF-8 itself is never decoded: invalid bytes then
//! reach the sanitiser, which shows them as `\xNN` instead of hiding them behind U+FFFD.
//! Redirected output is never decoded at all (it stays byte-exact), so nothing here runs then.

use std::io::{self, Read};

use encoding_rs::{Decoder, Encoding, UTF_16BE, UTF_16LE, UTF_8};

/// Raw bytes decoded per read.
const CHUNK: usize = 64 * 1024;

/// The encoding a label names (`utf-8`, `latin1`, `windows-1252`, `shift_jis`, `utf-16` …),
/// by the WHATWG Encoding Standard's label list, as browsers read them.
pub fn for_label(label: &str) -> Option<&'static Encoding> {
    Encoding::for_label(label.trim().trim_matches('"').as_bytes())
}

/// The `charset` parameter of a Content-Type value, as written (not yet looked up).
pub fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (name, value) = param.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// The encoding of a body whose Content-Type is `content_type` and which starts with `head`:
/// the declared charset (when it is a known label), then a byte-order mark, then UTF-8 for
/// a type that is UTF-8 by definition (`utf8_type`: JSON, RFC 8259 §8.1), then a guess.
/// `complete` says whether `head` is the whole body (it sharpens the guess).
pub fn choose(
    content_type: Option<&str>,
    head: &[u8],
    complete: bool,
    utf8_type: bool,
) -> &'static Encoding {
    if let Some(enc) = content_type.and_then(charset_param).and_then(for_label) {
        return enc;
    }
    if let Some((enc, _)) = Encoding::for_bom(head) {
        return enc;
    }
    if utf8_type {
        // A guess would turn one bad byte into mojibake everywhere else; as UTF-8 the
        // text reads right and the bad byte shows as `\xNN`.
        return UTF_8;
    }
    detect(head, complete)
}

/// UTF-8 when `head` is (a prefix of) UTF-8, else chardetng's guess.
fn detect(head: &[u8], complete: bool) -> &'static Encoding {
    match std::str::from_utf8(head) {
        Ok(_) => return UTF_8,
        // A character cut at the end of the head is still UTF-8.
        Err(e) if e.error_len().is_none() && !complete => return UTF_8,
        Err(_) => {}
    }
    let mut detector = chardetng::EncodingDetector::new();
    detector.feed(head, complete);
    detector.guess(None, true)
}

/// UTF-16 text is full of NUL bytes, so the binary check must not count them.
pub fn is_utf16(enc: &'static Encoding) -> bool {
    enc == UTF_16LE || enc == UTF_16BE
}

/// Reads bytes in some encoding from `inner` (after `head`, already read from it) and yields
/// them as UTF-8. Malformed input becomes U+FFFD; a BOM for the encoding is dropped.
pub struct Utf8Reader<'a> {
    inner: &'a mut dyn Read,
    decoder: Decoder,
    /// Raw bytes not decoded yet: the head at first, then each chunk read from `inner`.
    raw: Vec<u8>,
    /// Decoded bytes not handed out yet, from `pos`.
    text: Vec<u8>,
    pos: usize,
    done: bool,
}

impl<'a> Utf8Reader<'a> {
    pub fn new(enc: &'static Encoding, head: Vec<u8>, inner: &'a mut dyn Read) -> Self {
        Utf8Reader {
            inner,
            // No BOM sniffing: a declared charset wins over a BOM (SPEC §2's order).
            decoder: enc.new_decoder_with_bom_removal(),
            raw: head,
            text: Vec::new(),
            pos: 0,
            done: false,
        }
    }

    /// Decode the next raw chunk into `text`; false at the end.
    fn refill(&mut self) -> io::Result<bool> {
        if self.done {
            return Ok(false);
        }
        let last = if self.raw.is_empty() {
            self.raw.resize(CHUNK, 0);
            let n = loop {
                match self.inner.read(&mut self.raw) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other?,
                }
            };
            self.raw.truncate(n);
            n == 0
        } else {
            false
        };
        let room = self
            .decoder
            .max_utf8_buffer_length(self.raw.len())
            .unwrap_or(usize::MAX / 4)
            .max(16);
        self.text.clear();
        self.text.resize(room, 0);
        let (_, read, written, _) = self.decoder.decode_to_utf8(&self.raw, &mut self.text, last);
        debug_assert_eq!(
            read,
            self.raw.len(),
            "the buffer is sized for the worst case"
        );
        self.text.truncate(written);
        self.raw.clear();
        self.pos = 0;
        self.done = last;
        Ok(true)
    }
}

impl Read for Utf8Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.text.len() {
            if !self.refill()? {
                return Ok(0);
            }
        }
        let n = buf.len().min(self.text.len() - self.pos);
        buf[..n].copy_from_slice(&self.text[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(enc: &'static Encoding, head: &[u8], rest: &[u8]) -> String {
        let mut rest = rest;
        let mut out = String::new();
        Utf8Reader::new(enc, head.to_vec(), &mut rest)
            .read_to_string(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn charset_order_is_declared_then_bom_then_detection() {
        let latin = "caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e, d\u{e9}j\u{e0} vu";
        let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(latin);
        let cases: &[(Option<&str>, &[u8], &str)] = &[
            (
                Some("text/plain; charset=ISO-8859-1"),
                b"abc",
                "windows-1252",
            ),
            (
                Some("text/plain; charset=\"utf-8\""),
                b"\xff\xfeabc",
                "UTF-8",
            ),
            (Some("text/plain; charset=shift_jis"), b"abc", "Shift_JIS"),
            // Unknown labels are ignored, not trusted.
            (
                Some("text/plain; charset=klingon"),
                b"\xef\xbb\xbfok",
                "UTF-8",
            ),
            (Some("text/plain"), b"\xff\xfea\0", "UTF-16LE"),
            (None, b"\xfe\xff\0a", "UTF-16BE"),
            (None, "plain \u{263a}".as_bytes(), "UTF-8"),
            (None, &bytes, "windows-1252"),
        ];
        for (ct, head, want) in cases {
            assert_eq!(
                choose(*ct, head, true, false).name(),
                *want,
                "{ct:?} {head:?}"
            );
        }
    }

    #[test]
    fn json_without_a_charset_is_utf8_even_with_a_bad_byte() {
        let bytes = b"{\"name\":\"caf\xc3\xa9 na\xc3\xafve \xe2\x82\xac\",\"bad\":\"\xff\"}";
        assert_eq!(choose(Some("application/json"), bytes, true, true), UTF_8);
        assert_ne!(choose(Some("application/json"), bytes, true, false), UTF_8);
        // A declared charset and a BOM still come first.
        let latin = Some("application/json; charset=latin1");
        assert_eq!(choose(latin, b"{}", true, true).name(), "windows-1252");
        assert_eq!(choose(None, b"\xff\xfe{\0}\0", true, true), UTF_16LE);
    }

    #[test]
    fn a_character_cut_at_the_end_of_the_head_is_still_utf8() {
        assert_eq!(choose(None, b"caf\xc3", false, false), UTF_8);
    }

    #[test]
    fn decodes_to_utf8_across_chunks() {
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("\u{65e5}\u{672c}\u{8a9e} text");
        for split in 0..sjis.len() {
            let (head, rest) = sjis.split_at(split);
            assert_eq!(
                decode(encoding_rs::SHIFT_JIS, head, rest),
                "\u{65e5}\u{672c}\u{8a9e} text"
            );
        }
        // The BOM of the encoding is dropped; malformed input becomes U+FFFD.
        assert_eq!(decode(UTF_16LE, b"\xff\xfeh\0", b"i\0"), "hi");
        assert_eq!(decode(UTF_16LE, b"h\0i", b""), "h\u{fffd}");
    }

    #[test]
    fn charset_param_table() {
        for (ct, want) in [
            ("text/html; charset=utf-8", Some("utf-8")),
            ("text/html;CHARSET=\"latin1\"", Some("latin1")),
            ("text/html; q=1; charset = koi8-r ", Some("koi8-r")),
            ("text/html", None),
            ("charset=utf-8", None),
        ] {
            assert_eq!(charset_param(ct), want, "{ct}");
        }
    }
}
