//! Request bodies that stream: bytes built in memory, a file sent from disk, a multipart form
//! whose file parts are read from disk as they are sent, or standard input.
//!
//! Files are described (path and length), never loaded: the engine, the printer (`-v`,
//! `--offline`) and a 307/308 redirect each open them afresh through [`Body::reader`].
//! Lengths are taken when the request is planned, so `Content-Length` is known up front; a
//! file that shrinks while it is being sent is an I/O error, not a silently short body.
//! Only one file is open at a time, and memory stays at ureq's send buffer whatever the size.

use std::fmt;
use std::fs::File;
use std::io::{self, Cursor, Read};
use std::path::{Path, PathBuf};

/// Standard input up to this size is read into memory and sent with a `Content-Length`;
/// beyond it the rest streams from stdin (chunked, unless stdin is a regular file).
pub const STDIN_IN_MEMORY: usize = 1024 * 1024;

/// A request body.
#[derive(Clone)]
pub enum Body {
    /// Built in memory: JSON, urlencoded forms, `--raw`, small stdin.
    Bytes(Vec<u8>),
    /// `@path`: a regular file, sent from disk.
    File { path: PathBuf, len: u64 },
    /// A multipart/form-data body with at least one file part.
    Multipart(Multipart),
    /// Standard input larger than [`STDIN_IN_MEMORY`]: the part read already, then the rest
    /// straight from stdin. It can be sent only once. `len` is known when stdin is a regular
    /// file (`< file`); otherwise the body goes out chunked.
    Stdin { head: Vec<u8>, len: Option<u64> },
}

/// A multipart/form-data body, described; its bytes are produced while it is sent.
#[derive(Debug, Clone)]
pub struct Multipart {
    pub boundary: String,
    pub parts: Vec<Part>,
}

/// One multipart field.
#[derive(Debug, Clone)]
pub struct Part {
    /// The field name.
    pub name: String,
    /// `filename=` of a file part; `None` for a text field.
    pub filename: Option<String>,
    /// `Content-Type` of a file part.
    pub mime: Option<String>,
    pub content: Content,
}

/// The value of a multipart field.
#[derive(Debug, Clone)]
pub enum Content {
    Text(Vec<u8>),
    /// A regular file, read when the part is sent.
    File {
        path: PathBuf,
        len: u64,
    },
}

impl Content {
    fn len(&self) -> u64 {
        match self {
            Content::Text(t) => t.len() as u64,
            Content::File { len, .. } => *len,
        }
    }
}

impl Body {
    /// True when the body is known to be empty.
    pub fn is_empty(&self) -> bool {
        self.len() == Some(0)
    }

    /// The length on the wire, when known before sending.
    pub fn len(&self) -> Option<u64> {
        match self {
            Body::Bytes(b) => Some(b.len() as u64),
            Body::File { len, .. } => Some(*len),
            Body::Multipart(m) => Some(m.len()),
            Body::Stdin { len, .. } => *len,
        }
    }

    /// Whether the body can be read more than once (printed, then sent, then re-sent on a
    /// 307/308 redirect). Only a streamed stdin body cannot.
    pub fn replayable(&self) -> bool {
        !matches!(self, Body::Stdin { .. })
    }

    /// A reader over the body's bytes, opening files as they are reached. For a stdin body
    /// this consumes stdin: call it once, to send.
    pub fn reader(&self) -> Box<dyn Read + Send + '_> {
        match self {
            Body::Bytes(b) => Box::new(&b[..]),
            Body::File { path, len } => Box::new(FileReader::new(path, *len)),
            Body::Multipart(m) => Box::new(m.reader()),
            Body::Stdin { head, len } => {
                let rest = len.map(|l| l.saturating_sub(head.len() as u64));
                let stdin: Box<dyn Read + Send> = match rest {
                    Some(rest) => Box::new(Exact::new(io::stdin(), rest, Path::new("stdin"))),
                    None => Box::new(io::stdin()),
                };
                Box::new(Cursor::new(&head[..]).chain(stdin))
            }
        }
    }

    /// Describe `path` as a body: regular files are sent from disk; anything else (a pipe,
    /// `/dev/stdin`, a process substitution) has no length up front and is read now.
    pub fn from_path(path: &Path) -> io::Result<Body> {
        Ok(match regular_len(path)? {
            Some(len) => Body::File {
                path: path.to_path_buf(),
                len,
            },
            None => Body::Bytes(std::fs::read(path)?),
        })
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Bytes(b) => write!(f, "Bytes({} bytes)", b.len()),
            Body::File { path, len } => write!(f, "File({path:?}, {len} bytes)"),
            Body::Multipart(m) => write!(
                f,
                "Multipart({} parts, {} bytes, boundary {:?})",
                m.parts.len(),
                m.len(),
                m.boundary
            ),
            Body::Stdin { len, .. } => match len {
                Some(n) => write!(f, "Stdin({n} bytes)"),
                None => write!(f, "Stdin(length unknown)"),
            },
        }
    }
}

/// The length of a regular file, `None` for anything else that can be read.
fn regular_len(path: &Path) -> io::Result<Option<u64>> {
    let meta = File::open(path)?.metadata()?;
    if meta.is_dir() {
        return Err(io::Error::other("it is a directory"));
    }
    Ok(meta.is_file().then_some(meta.len()))
}

impl Content {
    /// A file field: a regular file is sent from disk, anything else is read now.
    pub fn from_path(path: &Path) -> io::Result<Content> {
        Ok(match regular_len(path)? {
            Some(len) => Content::File {
                path: path.to_path_buf(),
                len,
            },
            None => Content::Text(std::fs::read(path)?),
        })
    }
}

impl Multipart {
    /// Never true: even a form without parts has its closing boundary line.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole body's length: every part's head, content and CRLF, and the closing line.
    pub fn len(&self) -> u64 {
        let parts: u64 = self
            .parts
            .iter()
            .map(|p| self.head(p).len() as u64 + p.content.len() + 2)
            .sum();
        parts + self.closing().len() as u64
    }

    /// True when a part is sent from a file (the body is then not built in memory).
    pub fn has_files(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p.content, Content::File { .. }))
    }

    /// The body in memory; for forms without file parts.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        // Reading from memory can't fail; file parts are read here too, for completeness.
        let _ = self.reader().read_to_end(&mut out);
        out
    }

    /// The boundary line, Content-Disposition (and Content-Type for files), blank line.
    fn head(&self, part: &Part) -> String {
        let mut head = format!(
            "--{}\r\nContent-Disposition: form-data; name=\"{}\"",
            self.boundary,
            quote(&part.name)
        );
        if let Some(filename) = &part.filename {
            head.push_str(&format!("; filename=\"{}\"", quote(filename)));
        }
        head.push_str("\r\n");
        if let Some(mime) = &part.mime {
            head.push_str(&format!("Content-Type: {mime}\r\n"));
        }
        head.push_str("\r\n");
        head
    }

    fn closing(&self) -> String {
        format!("--{}--\r\n", self.boundary)
    }

    fn reader(&self) -> Pieces<'_> {
        let mut pieces = Vec::with_capacity(self.parts.len() * 3 + 1);
        for part in &self.parts {
            pieces.push(Piece::Owned(self.head(part).into_bytes()));
            pieces.push(match &part.content {
                Content::Text(t) => Piece::Borrowed(t),
                Content::File { path, len } => Piece::File(path, *len),
            });
            pieces.push(Piece::Borrowed(b"\r\n"));
        }
        pieces.push(Piece::Owned(self.closing().into_bytes()));
        Pieces {
            pieces: pieces.into_iter(),
            current: None,
        }
    }
}

/// Quote a multipart parameter value: `"` and line breaks are percent-encoded, as browsers do.
fn quote(s: &str) -> String {
    s.replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

enum Piece<'a> {
    Owned(Vec<u8>),
    Borrowed(&'a [u8]),
    File(&'a Path, u64),
}

/// Reads the pieces of a multipart body one after another; a file is opened only when
/// its turn comes, so at most one is open.
struct Pieces<'a> {
    pieces: std::vec::IntoIter<Piece<'a>>,
    current: Option<Box<dyn Read + Send + 'a>>,
}

impl Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            if let Some(current) = &mut self.current {
                let n = current.read(buf)?;
                if n > 0 || buf.is_empty() {
                    return Ok(n);
                }
            }
            self.current = match self.pieces.next() {
                None => return Ok(0),
                Some(Piece::Owned(v)) => Some(Box::new(Cursor::new(v))),
                Some(Piece::Borrowed(b)) => Some(Box::new(b)),
                Some(Piece::File(path, len)) => Some(Box::new(FileReader::new(path, len))),
            };
        }
    }
}

/// A file read to exactly the length announced; opened on the first read so that an error
/// names the file when it happens.
struct FileReader<'a> {
    path: &'a Path,
    len: u64,
    open: Option<Exact<File>>,
}

impl<'a> FileReader<'a> {
    fn new(path: &'a Path, len: u64) -> Self {
        FileReader {
            path,
            len,
            open: None,
        }
    }
}

impl Read for FileReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.open.is_none() {
            let file = File::open(self.path).map_err(|e| {
                io::Error::new(
                    e.kind(),
                    format!("couldn't read '{}': {e}", self.path.display()),
                )
            })?;
            self.open = Some(Exact::new(file, self.len, self.path));
        }
        self.open.as_mut().map_or(Ok(0), |r| r.read(buf))
    }
}

/// Exactly `remaining` bytes from `inner`: more are not read, fewer is an error, since
/// `Content-Length` has been promised already.
struct Exact<R> {
    inner: R,
    remaining: u64,
    name: PathBuf,
}

impl<R: Read> Exact<R> {
    fn new(inner: R, remaining: u64, name: &Path) -> Self {
        Exact {
            inner,
            remaining,
            name: name.to_path_buf(),
        }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.remaining == 0 || buf.is_empty() {
            return Ok(0);
        }
        let max = buf
            .len()
            .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..max])?;
        if n == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "'{}' got shorter while it was being sent ({} bytes missing)",
                    self.name.display(),
                    self.remaining
                ),
            ));
        }
        self.remaining -= n as u64;
        Ok(n)
    }
}

/// Standard input as a body: `None` when empty; in memory up to [`STDIN_IN_MEMORY`];
/// streamed beyond. `prefix` is what a glance at stdin read already. `warn` is called once
/// if nothing arrives for a while, and the wait ends at the deadline (see `stdin.rs`).
pub fn from_stdin(
    prefix: Vec<u8>,
    wait: crate::stdin::Wait,
    warn: impl FnOnce(),
) -> io::Result<Option<Body>> {
    // Measured before reading: what is left of a regular file from the current offset,
    // plus what the glance took from it.
    let len = stdin_file_len().map(|n| n + prefix.len() as u64);
    let (head, complete) = crate::stdin::read_head(prefix, STDIN_IN_MEMORY, wait, warn)?;
    Ok(match (head.is_empty(), complete) {
        (true, true) => None,
        (false, true) => Some(Body::Bytes(head)),
        (_, false) => Some(Body::Stdin { head, len }),
    })
}

/// The bytes left in stdin when it is a regular file (`rq … < file`), else `None`.
fn stdin_file_len() -> Option<u64> {
    use std::io::Seek;
    use std::os::fd::AsFd;
    let fd = io::stdin().as_fd().try_clone_to_owned().ok()?;
    let mut file = File::from(fd);
    let meta = file.metadata().ok()?;
    let offset = file.stream_position().ok()?;
    meta.is_file().then(|| meta.len().saturating_sub(offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(body: &Body) -> Vec<u8> {
        let mut out = Vec::new();
        body.reader().read_to_end(&mut out).unwrap();
        out
    }

    fn form(dir: &Path) -> Multipart {
        let file = dir.join("a.txt");
        std::fs::write(&file, "hello").unwrap();
        Multipart {
            boundary: "B".into(),
            parts: vec![
                Part {
                    name: "x".into(),
                    filename: None,
                    mime: None,
                    content: Content::Text(b"1".to_vec()),
                },
                Part {
                    name: "up".into(),
                    filename: Some("a.txt".into()),
                    mime: Some("text/plain".into()),
                    content: Content::from_path(&file).unwrap(),
                },
            ],
        }
    }

    #[test]
    fn multipart_streams_the_same_bytes_its_length_announces() {
        let dir = tempfile::tempdir().unwrap();
        let body = Body::Multipart(form(dir.path()));
        let bytes = read_all(&body);
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "--B\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n\
             --B\r\nContent-Disposition: form-data; name=\"up\"; filename=\"a.txt\"\r\n\
             Content-Type: text/plain\r\n\r\nhello\r\n--B--\r\n"
        );
        assert_eq!(body.len(), Some(bytes.len() as u64));
    }

    #[test]
    fn file_body_is_read_again_for_every_reader() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.bin");
        std::fs::write(&path, b"abc").unwrap();
        let body = Body::from_path(&path).unwrap();
        assert!(matches!(body, Body::File { len: 3, .. }));
        assert_eq!(read_all(&body), b"abc");
        assert_eq!(read_all(&body), b"abc");
    }

    #[test]
    fn a_file_that_shrinks_after_planning_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.bin");
        std::fs::write(&path, b"abcdef").unwrap();
        let body = Body::from_path(&path).unwrap();
        std::fs::write(&path, b"ab").unwrap();
        let err = body.reader().read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("c.bin"), "{err}");
        assert!(err.to_string().contains("4 bytes missing"), "{err}");
    }

    #[test]
    fn a_file_that_grows_after_planning_sends_the_announced_length() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("d.bin");
        std::fs::write(&path, b"ab").unwrap();
        let body = Body::from_path(&path).unwrap();
        std::fs::write(&path, b"abcdef").unwrap();
        assert_eq!(read_all(&body), b"ab");
    }

    #[test]
    fn a_directory_is_not_a_body() {
        let dir = tempfile::tempdir().unwrap();
        assert!(Body::from_path(dir.path()).is_err());
    }
}
