//! TLS: rq's rustls client over ureq's transport traits.
//!
//! ureq's own TLS connector offers every TLS version and passes rustls errors through as
//! they are; rq needs `--ssl` to pin a version and one-line reasons a person can act on
//! ("expired on 2024-03-01", "is for a.test, not b.test"). The rustls configuration is built
//! on the first https connection only, so plain-http requests do no TLS set-up at all.
//! Certificates and keys named on the command line are read while planning, so a bad file
//! is a usage error before anything is sent.

use std::fmt;
use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::{CertifiedKey, SingleCertAndKey};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, ClientConnection, DigitallySignedStruct,
    RootCertStore, SignatureScheme, StreamOwned,
};
use ureq::unversioned::transport::{
    Buffers, ConnectionDetails, LazyBuffers, NextTimeout, Transport, TransportAdapter,
};
use ureq::Error;

use super::conn::{buffers, explained, remaining, usage_error};
use super::date::format_utc;
use super::link::{Link, Unwrapped};
use super::settings::{Identity, TlsOptions, TlsVersion, Verify};
use super::timing::RECORDER;

fn read(path: &Path, what: &str) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("can't read {what} '{}': {e}", path.display()))
}

/// The CA certificates in a PEM file; `from` names the option or variable for errors.
fn load_roots(path: &Path, from: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let pem = read(path, &format!("{from} CA file"))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{from}: bad PEM in '{}': {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{from}: no certificates in '{}' (expected PEM \"BEGIN CERTIFICATE\" blocks)",
            path.display()
        ));
    }
    Ok(certs)
}

impl Identity {
    /// The certificate chain and the key, decrypted when need be.
    fn load(&self) -> Result<(Vec<CertificateDer<'static>>, PrivateKeyDer<'static>), String> {
        let pem = read(&self.cert, "--cert file")?;
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("--cert: bad PEM in '{}': {e}", self.cert.display()))?;
        if certs.is_empty() {
            return Err(format!(
                "--cert: no certificate in '{}'",
                self.cert.display()
            ));
        }
        let key_path = self.key.as_deref().unwrap_or(&self.cert);
        let key_pem = match &self.key {
            Some(k) => read(k, "--cert-key file")?,
            None => pem,
        };
        let key = load_key(&key_pem, key_path, self.password.as_deref())?;
        Ok((certs, key))
    }
}

fn load_key(
    pem: &[u8],
    path: &Path,
    password: Option<&str>,
) -> Result<PrivateKeyDer<'static>, String> {
    let shown = path.display();
    let text = String::from_utf8_lossy(pem);
    if let Some(block) = pem_block(&text, "ENCRYPTED PRIVATE KEY") {
        let Some(password) = password else {
            return Err(format!(
                "the key in '{shown}' is encrypted: pass --cert-key-pass"
            ));
        };
        let (_, der) = pkcs8::der::pem::decode_vec(block.as_bytes())
            .map_err(|e| format!("--cert-key: bad PEM in '{shown}': {e}"))?;
        let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice())
            .map_err(|e| format!("--cert-key: bad encrypted key in '{shown}': {e}"))?;
        let plain = info.decrypt(password).map_err(|_| {
            format!("couldn't decrypt the key in '{shown}': wrong --cert-key-pass, or an unsupported cipher")
        })?;
        return Ok(PrivatePkcs8KeyDer::from(plain.as_bytes().to_vec()).into());
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Err(format!(
            "the key in '{shown}' uses the legacy OpenSSL encryption rq can't read: convert it with \
             `openssl pkcs8 -topk8 -in KEY -out KEY.p8`"
        ));
    }
    PrivateKeyDer::from_pem_slice(pem)
        .map_err(|_| format!("no private key in '{shown}': pass the key file with --cert-key"))
}

/// The whole `-----BEGIN LABEL-----` … `-----END LABEL-----` block in `text`.
fn pem_block<'a>(text: &'a str, label: &str) -> Option<&'a str> {
    let begin = format!("-----BEGIN {label}-----");
    let end = format!("-----END {label}-----");
    let start = text.find(&begin)?;
    let stop = text[start..].find(&end)? + start + end.len();
    Some(&text[start..stop])
}

/// A connection with TLS, and the protocol the server picked by ALPN, if it picked one.
pub type Secured = (Box<dyn Link>, Option<Vec<u8>>);

/// Builds the rustls configuration on first use and wraps connections in TLS.
#[derive(Debug)]
pub struct Client {
    opts: TlsOptions,
    /// Built on first use, with whether the client certificate is X.509 v1; an error is kept
    /// as its message and whether it is a usage error.
    config: OnceLock<Result<Built, (String, bool)>>,
}

/// A rustls configuration, and whether its client certificate is X.509 v1.
type Built = (Arc<ClientConfig>, bool);

impl Client {
    pub fn new(opts: TlsOptions) -> Client {
        Client {
            opts,
            config: OnceLock::new(),
        }
    }

    /// The configuration, built on first use. Most errors are the user's files (a bad CA
    /// bundle, key or password): usage errors, raised before anything was sent.
    fn config(&self) -> Result<Built, Error> {
        let built = self
            .config
            .get_or_init(|| build(&self.opts).map(|(c, v1)| (Arc::new(c), v1)));
        match built {
            Ok((config, v1)) => Ok((config.clone(), *v1)),
            Err((message, true)) => Err(usage_error(message.clone())),
            Err((message, false)) => Err(explained(message.clone())),
        }
    }

    /// Run the TLS handshake for `host` over `transport`, within the connect budget,
    /// offering the application protocols in `alpn` (none for a proxy). Returns the
    /// connection and the protocol the server picked, if it picked one.
    pub fn wrap(
        &self,
        transport: Box<dyn Link>,
        host: &str,
        details: &ConnectionDetails,
        alpn: &[&[u8]],
    ) -> Result<Secured, Error> {
        let (config, cert_v1) = self.config()?;
        let name = ServerName::try_from(host.to_string())
            .map_err(|_| explained(format!("'{host}' is not a valid TLS server name")))?;
        let started = Instant::now();
        let protocols = alpn.iter().map(|p| p.to_vec()).collect();
        let conn = ClientConnection::new_with_alpn(config, name, protocols)
            .map_err(|e| explained(e.to_string()))?;
        let mut sock = TransportAdapter::new(transport, details.current_time.clone());
        sock.set_timeout(remaining(details));
        let mut stream = StreamOwned::new(conn, sock);
        let why = Why {
            host: host.to_string(),
            sent_cert: self.opts.identity.is_some(),
            cert_v1,
        };
        while stream.conn.is_handshaking() {
            stream
                .conn
                .complete_io(&mut stream.sock)
                .map_err(|e| why.error(e))?;
        }
        RECORDER.add_tls(started.elapsed());
        let picked = stream.conn.alpn_protocol().map(<[u8]>::to_vec);
        let transport = TlsTransport {
            buffers: buffers(details),
            stream,
            why,
            write_failed: false,
        };
        Ok((Box::new(transport), picked))
    }
}

/// The rustls configuration, and whether the client certificate is X.509 v1.
fn build(opts: &TlsOptions) -> Result<(ClientConfig, bool), (String, bool)> {
    let usage = |message: String| (message, true);
    let mut provider = rustls::crypto::ring::default_provider();
    if !opts.ciphers.is_empty() {
        // `--ciphers`: those suites, in the order given (the client's preference).
        let suites = rustls::crypto::ring::ALL_CIPHER_SUITES;
        provider.cipher_suites = (opts.ciphers.iter())
            .filter_map(|name| suites.iter().find(|s| s.suite().as_str() == Some(name)))
            .copied()
            .collect();
    }
    let provider = Arc::new(provider);
    let versions: &[&rustls::SupportedProtocolVersion] = match opts.version {
        None => rustls::DEFAULT_VERSIONS,
        Some(TlsVersion::Tls12) => &[&rustls::version::TLS12],
        Some(TlsVersion::Tls13) => &[&rustls::version::TLS13],
    };
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .map_err(|e| (e.to_string(), false))?;
    let builder = match &opts.verify {
        Verify::Platform => {
            let verifier =
                rustls_platform_verifier::Verifier::new(provider.clone()).map_err(|e| {
                    let message = format!(
                    "couldn't load the system's trusted certificates ({e}): pass --verify CA_FILE"
                );
                    (message, false)
                })?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
        }
        Verify::Roots { file, from } => {
            let mut roots = RootCertStore::empty();
            roots.add_parsable_certificates(load_roots(file, from).map_err(usage)?);
            builder.with_root_certificates(roots)
        }
        Verify::Off => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerifier(provider.clone()))),
    };
    let Some(id) = &opts.identity else {
        return Ok((builder.with_no_client_auth(), false));
    };
    let (certs, key) = id.load().map_err(usage)?;
    let v1 = certs.first().is_some_and(|c| is_x509_v1(c));
    let shown = id.cert.display();
    let key = provider
        .key_provider
        .load_private_key(key)
        .map_err(|e| usage(format!("--cert '{shown}': the key can't sign: {e}")))?;
    let certified = CertifiedKey::new(certs, key);
    // A certificate rustls can't read (an X.509 v1 one, say) can't be checked against the
    // key, and is still sent as it is: the server decides (OpenSSL takes v1 client
    // certificates; rustls and Go refuse them).
    let mismatch = rustls::Error::InconsistentKeys(rustls::InconsistentKeys::KeyMismatch);
    if certified.keys_match() == Err(mismatch) {
        return Err(usage(format!(
            "--cert '{shown}': the key is not the certificate's (--cert-key)"
        )));
    }
    let resolver = Arc::new(SingleCertAndKey::from(certified));
    Ok((builder.with_client_cert_resolver(resolver), v1))
}

/// Whether a DER certificate is X.509 v1: its TBSCertificate has no `[0]` version field.
fn is_x509_v1(der: &[u8]) -> bool {
    // SEQUENCE (Certificate) > SEQUENCE (TBSCertificate) > first element's tag.
    fn inner(der: &[u8]) -> Option<&[u8]> {
        let (&tag, rest) = der.split_first()?;
        let (&len, rest) = rest.split_first()?;
        let skip = match len {
            0..=0x7f => 0,
            0x81..=0x84 => usize::from(len & 0x7f),
            _ => return None,
        };
        (tag == 0x30).then(|| rest.get(skip..)).flatten()
    }
    inner(der)
        .and_then(inner)
        .is_some_and(|tbs| tbs.first() != Some(&0xa0))
}

/// What a TLS failure means, for the host it happened with.
#[derive(Debug)]
struct Why {
    host: String,
    sent_cert: bool,
    /// The client certificate sent is X.509 v1, which many servers refuse.
    cert_v1: bool,
}

impl Why {
    /// A one-line explanation for a rustls error inside `e`; other errors pass through.
    fn error(&self, e: io::Error) -> Error {
        match e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>()) {
            Some(tls) => explained(self.explain(tls)),
            None => Error::from(e),
        }
    }

    fn explain(&self, err: &rustls::Error) -> String {
        use rustls::Error as E;
        let host = &self.host;
        match err {
            E::InvalidCertificate(cert) => format!("certificate of {host} {}", certificate(cert, host)),
            E::AlertReceived(AlertDescription::CertificateRequired) if !self.sent_cert => {
                format!("{host} requires a client certificate: pass --cert FILE (and --cert-key FILE)")
            }
            E::AlertReceived(AlertDescription::HandshakeFailure) if !self.sent_cert => format!(
                "TLS handshake with {host} failed (the server may require a client certificate: --cert; or a TLS version: --ssl)"
            ),
            E::AlertReceived(
                AlertDescription::BadCertificate
                | AlertDescription::UnsupportedCertificate
                | AlertDescription::UnknownCA
                | AlertDescription::CertificateUnknown
                | AlertDescription::DecryptError,
            ) if self.sent_cert => match self.cert_v1 {
                true => format!(
                    "{host} rejected the client certificate (--cert): it is an X.509 v1 \
                     certificate, which many servers refuse; reissue it as v3"
                ),
                false => format!("{host} rejected the client certificate (--cert)"),
            },
            E::AlertReceived(AlertDescription::ProtocolVersion) => {
                format!("{host} doesn't speak the TLS version chosen with --ssl")
            }
            E::AlertReceived(AlertDescription::NoApplicationProtocol) => format!(
                "{host} speaks none of the HTTP versions offered (--http-version)"
            ),
            E::InvalidMessage(_) => format!(
                "TLS with {host} failed: the server doesn't speak TLS there (an http:// URL?)"
            ),
            E::PeerIncompatible(why) => format!("TLS with {host} impossible: {why:?}"),
            other => format!("TLS with {host} failed: {other}"),
        }
    }
}

/// Why a server certificate was refused, after "certificate of HOST".
fn certificate(err: &CertificateError, host: &str) -> String {
    let date = |t: &UnixTime| format_utc(t.as_secs());
    match err {
        CertificateError::ExpiredContext { not_after, .. } => {
            format!("expired on {}", date(not_after))
        }
        CertificateError::Expired => "has expired".into(),
        CertificateError::NotValidYetContext { not_before, .. } => {
            format!("is not valid until {} (check the clock)", date(not_before))
        }
        CertificateError::NotValidYet => "is not valid yet (check the clock)".into(),
        CertificateError::NotValidForNameContext { presented, .. } => {
            let names: Vec<&str> = presented.iter().map(|n| name_of(n)).collect();
            match names.is_empty() {
                true => format!("names no hosts, so not {host}"),
                false => format!("is for {}, not {host}", names.join(", ")),
            }
        }
        CertificateError::NotValidForName => format!("is not for {host}"),
        CertificateError::UnknownIssuer => "was issued by an unknown authority (self-signed, or a \
             private CA): trust its CA with --verify CA_FILE, or skip checks with --verify no"
            .into(),
        CertificateError::Revoked => "has been revoked".into(),
        CertificateError::BadSignature => "has a bad signature".into(),
        CertificateError::Other(e) if e.to_string().contains("CaUsedAsEndEntity") => {
            "is a CA certificate, not a server certificate".into()
        }
        CertificateError::Other(e) => format!("was refused: {e}"),
        other => format!("was refused: {other:?}"),
    }
}

/// `a.test` from webpki's `DnsName("a.test")`, `10.0.0.1` from `IpAddress(10.0.0.1)`.
fn name_of(presented: &str) -> &str {
    match (presented.find('('), presented.rfind(')')) {
        (Some(open), Some(close)) if open < close => presented[open + 1..close].trim_matches('"'),
        _ => presented,
    }
}

/// An established TLS connection; like ureq's, with errors explained by [`Why`].
struct TlsTransport {
    buffers: LazyBuffers,
    stream: StreamOwned<ClientConnection, TransportAdapter<Box<dyn Link>>>,
    why: Why,
    /// A write failed (the server went away, perhaps after answering): what it sent is
    /// still read, without trying to send the records left over first.
    write_failed: bool,
}

/// Plain text from the records the server sent, writing nothing (not even the records
/// left over from a failed write, as reading through the stream would).
fn read_only(
    stream: &mut StreamOwned<ClientConnection, TransportAdapter<Box<dyn Link>>>,
    buf: &mut [u8],
) -> io::Result<usize> {
    loop {
        match stream.conn.reader().read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            other => return other,
        }
        if stream.conn.read_tls(&mut stream.sock)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        stream
            .conn
            .process_new_packets()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    }
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TlsTransport({})", self.why.host)
    }
}

impl Transport for TlsTransport {
    fn buffers(&mut self) -> &mut dyn Buffers {
        &mut self.buffers
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), Error> {
        self.stream.sock.set_timeout(timeout);
        let output = &self.buffers.output()[..amount];
        let written = self.stream.write_all(output);
        self.write_failed |= written.is_err();
        written.map_err(|e| self.why.error(e))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, Error> {
        self.stream.sock.set_timeout(timeout);
        let input = self.buffers.input_append_buf();
        // A TLS 1.3 server that wants a client certificate says so only now, after the
        // handshake looked complete to us.
        let read = match self.write_failed {
            true => read_only(&mut self.stream, input),
            false => self.stream.read(input),
        };
        let amount = read.map_err(|e| self.why.error(e))?;
        self.buffers.input_appended(amount);
        Ok(amount > 0)
    }

    fn is_open(&mut self) -> bool {
        self.stream.sock.get_mut().is_open()
    }

    fn is_tls(&self) -> bool {
        true
    }
}

impl Link for TlsTransport {
    fn unwrap(self: Box<Self>) -> Unwrapped {
        let pending = self.buffers.input().to_vec();
        let StreamOwned { conn, sock } = self.stream;
        Unwrapped::Tls {
            conn: Box::new(conn),
            inner: Box::new(sock.into_inner().unwrap()),
            pending,
        }
    }
}

/// `--verify no`: any certificate is accepted, but the handshake signature must still be
/// made by the certificate's key (as curl `-k` does).
#[derive(Debug)]
struct NoVerifier(Arc<CryptoProvider>);

impl ServerCertVerifier for NoVerifier {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(message, cert, dss, algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = &self.0.signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(message, cert, dss, algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn why(sent_cert: bool) -> Why {
        Why {
            host: "b.test".into(),
            sent_cert,
            cert_v1: false,
        }
    }

    #[test]
    fn certificate_errors_name_the_reason() {
        let expired = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_800_000_000)),
            not_after: UnixTime::since_unix_epoch(std::time::Duration::from_secs(1_709_294_400)),
        });
        assert_eq!(
            why(false).explain(&expired),
            "certificate of b.test expired on 2024-03-01 12:00:00 UTC"
        );
        let wrong = rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
            expected: ServerName::try_from("b.test").unwrap().to_owned(),
            presented: vec!["DnsName(\"a.test\")".into(), "IpAddress(10.0.0.1)".into()],
        });
        assert_eq!(
            why(false).explain(&wrong),
            "certificate of b.test is for a.test, 10.0.0.1, not b.test"
        );
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        assert!(why(false).explain(&unknown).contains("--verify CA_FILE"));
    }

    #[test]
    fn a_missing_client_certificate_is_named() {
        let alert = rustls::Error::AlertReceived(AlertDescription::CertificateRequired);
        assert!(why(false)
            .explain(&alert)
            .contains("requires a client certificate"));
        let bad = rustls::Error::AlertReceived(AlertDescription::BadCertificate);
        assert!(why(true)
            .explain(&bad)
            .contains("rejected the client certificate"));
    }

    #[test]
    fn pem_blocks_are_found_among_others() {
        let text = "junk\n-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n\
                    -----BEGIN ENCRYPTED PRIVATE KEY-----\nBBB\n-----END ENCRYPTED PRIVATE KEY-----\n";
        let block = pem_block(text, "ENCRYPTED PRIVATE KEY").unwrap();
        assert!(block.starts_with("-----BEGIN ENCRYPTED") && block.contains("BBB"));
        assert!(pem_block(text, "PRIVATE KEY").is_none());
    }
}
