//! Content-Encoding decoding, done by rq rather than ureq so the headers rq prints are the
//! ones the server sent. Decoders stream: a compressed body is never held in memory.

use std::io::{self, BufRead, BufReader, Read};

/// Wrap `raw` in decoders for `content_encoding` (e.g. `gzip`, `br`, `gzip, zstd`), undoing
/// them in reverse order. `identity` and empty tokens are skipped. Unknown codings leave the
/// body as received and are reported in the returned list so the caller can warn.
pub fn decoded_reader(
    raw: Box<dyn Read + Send>,
    content_encoding: Option<&str>,
) -> (Box<dyn Read + Send>, Vec<String>) {
    let mut reader = raw;
    let mut unknown = Vec::new();
    let codings: Vec<String> = content_encoding
        .unwrap_or("")
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty() && t != "identity")
        .collect();
    for coding in codings.iter().rev() {
        reader = match coding.as_str() {
            "gzip" | "x-gzip" => Box::new(flate2::read::MultiGzDecoder::new(reader)),
            "deflate" => Box::new(Deflate::new(reader)),
            "br" => Box::new(brotli_decompressor::Decompressor::new(reader, 64 * 1024)),
            "zstd" => match ruzstd::decoding::StreamingDecoder::new(reader) {
                Ok(d) => Box::new(d),
                Err(e) => Box::new(Failing(Some(io::Error::other(format!("zstd: {e}"))))),
            },
            other => {
                unknown.push(other.to_string());
                // Leave everything outside this coding undecoded too.
                return (reader, unknown);
            }
        };
    }
    (reader, unknown)
}

/// `deflate` is meant to be zlib-wrapped, but some servers send raw deflate: look at the
/// first byte and pick.
struct Deflate {
    inner: Option<BufReader<Box<dyn Read + Send>>>,
    decoder: Option<Box<dyn Read + Send>>,
}

impl Deflate {
    fn new(inner: Box<dyn Read + Send>) -> Self {
        Deflate {
            inner: Some(BufReader::new(inner)),
            decoder: None,
        }
    }
}

impl Read for Deflate {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.decoder.is_none() {
            let mut inner = self
                .inner
                .take()
                .expect("deflate source present until decided");
            let zlib = inner.fill_buf()?.first().is_some_and(|b| b & 0x0f == 8);
            self.decoder = Some(if zlib {
                Box::new(flate2::bufread::ZlibDecoder::new(inner))
            } else {
                Box::new(flate2::bufread::DeflateDecoder::new(inner))
            });
        }
        self.decoder.as_mut().expect("decoder set above").read(buf)
    }
}

/// A reader that fails once with the error it holds (a decoder that could not start).
struct Failing(Option<io::Error>);

impl Read for Failing {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(e) => Err(e),
            None => Ok(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn decode(data: Vec<u8>, enc: &str) -> Vec<u8> {
        let (mut r, unknown) = decoded_reader(Box::new(io::Cursor::new(data)), Some(enc));
        assert!(unknown.is_empty());
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn gzip_deflate_and_raw_deflate_decode() {
        let text = b"hello hello hello hello".to_vec();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&text).unwrap();
        assert_eq!(decode(gz.finish().unwrap(), "gzip"), text);
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&text).unwrap();
        assert_eq!(decode(z.finish().unwrap(), "deflate"), text);
        let mut d = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        d.write_all(&text).unwrap();
        assert_eq!(decode(d.finish().unwrap(), "deflate"), text);
    }

    #[test]
    fn stacked_codings_are_undone_in_reverse() {
        let text = b"abc".to_vec();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(&text).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(&z.finish().unwrap()).unwrap();
        assert_eq!(decode(gz.finish().unwrap(), "deflate, gzip"), text);
    }

    #[test]
    fn unknown_coding_is_reported_and_left_alone() {
        let (mut r, unknown) =
            decoded_reader(Box::new(io::Cursor::new(b"xyz".to_vec())), Some("compress"));
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, b"xyz");
        assert_eq!(unknown, ["compress"]);
    }
}
