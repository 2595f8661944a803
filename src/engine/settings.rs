//! The transport settings: what the plan decides about TLS, proxies, name resolution and
//! the socket, as plain data with its parsing and no I/O.
//!
//! The layers that act on a setting read it from here: reading the files a TLS setting names
//! is `tls.rs`'s part, looking names up is `resolve.rs`'s.

use std::fmt;
use std::path::PathBuf;

/// The TLS settings from the command line and environment. Files are named here and read
/// when the first https connection needs them.
#[derive(Debug, Clone, Default)]
pub struct TlsOptions {
    pub verify: Verify,
    /// `--cert` / `--cert-key`: the client certificate, when the server asks for one.
    pub identity: Option<Identity>,
    /// `--ssl`: the one TLS version to use (default: 1.2 or 1.3, whichever the server prefers).
    pub version: Option<TlsVersion>,
}

/// How server certificates are checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Verify {
    /// Against the platform's trust store (the default).
    #[default]
    Platform,
    /// Against the CA certificates (PEM) in a file only, like curl's `--cacert`. `from`
    /// names where the file came from (`--verify`, `$SSL_CERT_FILE`, `$REQUESTS_CA_BUNDLE`).
    Roots { file: PathBuf, from: String },
    /// Not at all (`--verify no`). Handshake signatures are still checked.
    Off,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsVersion {
    Tls12,
    Tls13,
}

/// A client certificate chain (PEM), its key (PEM; from the certificate file when no key
/// file is given) and the key's password. `Debug` hides the password.
#[derive(Clone)]
pub struct Identity {
    pub cert: PathBuf,
    pub key: Option<PathBuf>,
    pub password: Option<String>,
}

impl fmt::Debug for Identity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = self.key.as_ref().unwrap_or(&self.cert);
        let pass = if self.password.is_some() {
            ", password redacted"
        } else {
            ""
        };
        write!(
            f,
            "Identity({}, key {}{pass})",
            self.cert.display(),
            key.display()
        )
    }
}
