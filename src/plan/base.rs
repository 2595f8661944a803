//! The request a command line goes on top of: a request file's (`--http-file`) or a curl
//! command's (`--from-curl`). The command line's method, URL, headers and items override it.

use crate::httpfile::FileRequest;
use crate::upload::Body;

/// A request the command line's goes on top of: a request file's, or a curl command's.
pub struct Base {
    pub method: String,
    /// Absolute, or typed like the command line's URL (the scheme is chosen the same way).
    pub url: String,
    /// In order; `Host` and `Content-Length` are rq's to write.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Default headers the request goes without (a curl command's `-H 'Name:'`).
    pub removed: Vec<String>,
    pub body: Option<Body>,
}

impl From<FileRequest> for Base {
    fn from(file: FileRequest) -> Base {
        Base {
            method: file.method,
            url: file.url,
            headers: file.headers,
            removed: Vec::new(),
            body: file.body.map(Body::Bytes),
        }
    }
}
