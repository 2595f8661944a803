//! TLS for the integration tests and the bench: certificates made at test time (rcgen) and
//! an in-process rustls server that answers HTTP like [`super::server::Server::http`].
//!
//! [`Ca`] issues server and client certificates (valid, expired, not yet valid, for other
//! names); [`TlsServer`] serves on 127.0.0.1 with a given certificate, optionally demanding
//! a client certificate from a CA, and records the requests and whether a client
//! certificate was presented.
#![allow(dead_code)]

use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{RootCertStore, ServerConfig, ServerConnection, StreamOwned};

use super::server::{read_request, write_response, Request, Response};

/// A certificate authority made for one test.
pub struct Ca {
    cert: rcgen::Certificate,
    key: KeyPair,
}

/// A certificate and its key, in PEM and DER.
pub struct Leaf {
    pub cert_pem: String,
    pub key_pem: String,
    pub cert_der: CertificateDer<'static>,
    pub key_der: Vec<u8>,
}

/// Validity of an issued certificate.
#[derive(Clone, Copy)]
pub enum Validity {
    /// From 1975 to 4096 (rcgen's defaults).
    Now,
    /// 2020-01-01 to 2021-01-01.
    Expired,
    /// 2090-01-01 to 2091-01-01.
    Future,
}

impl Ca {
    pub fn new(name: &str) -> Ca {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.distinguished_name.push(DnType::CommonName, name);
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        Ca { cert, key }
    }

    pub fn pem(&self) -> String {
        self.cert.pem()
    }

    pub fn der(&self) -> CertificateDer<'static> {
        self.cert.der().clone()
    }

    /// Write the CA certificate to `dir/name` and return the path.
    pub fn write_pem(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, self.pem()).expect("write CA PEM");
        path
    }

    /// A server certificate for `names` (DNS names or IP addresses), valid now.
    pub fn server(&self, names: &[&str]) -> Leaf {
        self.issue(names, Validity::Now, ExtendedKeyUsagePurpose::ServerAuth)
    }

    /// A client certificate, valid now.
    pub fn client(&self, name: &str) -> Leaf {
        self.issue(&[name], Validity::Now, ExtendedKeyUsagePurpose::ClientAuth)
    }

    pub fn issue(
        &self,
        names: &[&str],
        validity: Validity,
        usage: ExtendedKeyUsagePurpose,
    ) -> Leaf {
        let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        let mut params = CertificateParams::new(names).expect("leaf params");
        params.extended_key_usages = vec![usage];
        match validity {
            Validity::Now => {}
            Validity::Expired => {
                params.not_before = rcgen::date_time_ymd(2020, 1, 1);
                params.not_after = rcgen::date_time_ymd(2021, 1, 1);
            }
            Validity::Future => {
                params.not_before = rcgen::date_time_ymd(2090, 1, 1);
                params.not_after = rcgen::date_time_ymd(2091, 1, 1);
            }
        }
        let key = KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("sign leaf");
        Leaf {
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            cert_der: cert.der().clone(),
            key_der: key.serialize_der(),
        }
    }
}

/// A self-signed server certificate for `names`: no CA anyone trusts.
pub fn self_signed(names: &[&str]) -> Leaf {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let key = KeyPair::generate().expect("key");
    let cert = CertificateParams::new(names)
        .expect("params")
        .self_signed(&key)
        .expect("self-signed certificate");
    Leaf {
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
        cert_der: cert.der().clone(),
        key_der: key.serialize_der(),
    }
}

/// A self-signed X.509 v1 client certificate (no version field, no extensions), as
/// `openssl x509 -req` makes one without an extensions file. rcgen writes v3 only, so the
/// DER is put together here and signed with the key through rustls.
pub fn client_v1(name: &str) -> Leaf {
    fn der(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
        let content = parts.concat();
        let mut out = vec![tag];
        match content.len() {
            n @ 0..=0x7f => out.push(n as u8),
            n @ 0x80..=0xff => out.extend([0x81, n as u8]),
            n => out.extend([0x82, (n >> 8) as u8, n as u8]),
        }
        out.extend(content);
        out
    }
    const ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];
    const COMMON_NAME: &[u8] = &[0x55, 0x04, 0x03];
    let key = KeyPair::generate().expect("key");
    let algorithm = der(0x30, &[&der(0x06, &[ECDSA_SHA256])]);
    let cn = der(
        0x30,
        &[&der(0x06, &[COMMON_NAME]), &der(0x0c, &[name.as_bytes()])],
    );
    let dn = der(0x30, &[&der(0x31, &[&cn])]);
    let validity = der(
        0x30,
        &[
            &der(0x17, &[b"200101000000Z"]),
            &der(0x18, &[b"20990101000000Z"]),
        ],
    );
    let tbs = der(
        0x30,
        &[
            &der(0x02, &[&[0x01]]),
            &algorithm,
            &dn,
            &validity,
            &dn,
            &key.public_key_der(),
        ],
    );
    let pkcs8 = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    let signing = rustls::crypto::ring::sign::any_ecdsa_type(&pkcs8).expect("an ECDSA key");
    let signer = signing
        .choose_scheme(&[rustls::SignatureScheme::ECDSA_NISTP256_SHA256])
        .expect("P-256");
    let signature = signer.sign(&tbs).expect("signed");
    let cert = der(0x30, &[&tbs, &algorithm, &der(0x03, &[&[0], &signature])]);
    let b64 = base64::engine::Engine::encode(&base64::engine::general_purpose::STANDARD, &cert);
    let lines: Vec<&str> = (0..b64.len())
        .step_by(64)
        .map(|i| &b64[i..(i + 64).min(b64.len())])
        .collect();
    let cert_pem = format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        lines.join("\n")
    );
    Leaf {
        cert_pem,
        key_pem: key.serialize_pem(),
        cert_der: CertificateDer::from(cert),
        key_der: key.serialize_der(),
    }
}

/// A rustls server configuration for `leaf`; with `client_ca`, a client certificate from
/// that CA is required.
pub fn server_config(leaf: &Leaf, client_ca: Option<&Ca>) -> ServerConfig {
    server_config_for(leaf, client_ca, rustls::DEFAULT_VERSIONS)
}

/// Like [`server_config`], speaking only the given TLS versions.
pub fn server_config_for(
    leaf: &Leaf,
    client_ca: Option<&Ca>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> ServerConfig {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ServerConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .expect("TLS versions");
    let builder = match client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let mut roots = RootCertStore::empty();
            roots.add(ca.der()).expect("client CA");
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider)
                .build()
                .expect("client verifier");
            builder.with_client_cert_verifier(verifier)
        }
    };
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
    builder
        .with_single_cert(vec![leaf.cert_der.clone()], key)
        .expect("server certificate")
}

/// A server configuration that asks for a client certificate and takes any without
/// checking it, as a server that reads X.509 v1 client certificates (OpenSSL) would.
pub fn server_config_any_client(leaf: &Leaf) -> ServerConfig {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone()));
    ServerConfig::builder()
        .with_client_cert_verifier(Arc::new(AnyClient))
        .with_single_cert(vec![leaf.cert_der.clone()], key)
        .expect("server certificate")
}

/// See [`server_config_any_client`].
#[derive(Debug)]
struct AnyClient;

impl rustls::server::danger::ClientCertVerifier for AnyClient {
    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn verify_tls13_signature(
        &self,
        _: &[u8],
        _: &CertificateDer<'_>,
        _: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        Ok(rustls::client::danger::HandshakeSignatureValid::assertion())
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        let provider = rustls::crypto::ring::default_provider();
        provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    requests: Mutex<Vec<Request>>,
    client_certs: AtomicUsize,
    handshakes: AtomicUsize,
    versions: Mutex<Vec<String>>,
    suites: Mutex<Vec<String>>,
}

/// An HTTPS server on 127.0.0.1; stops accepting when dropped.
pub struct TlsServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TlsServer {
    /// Serve `leaf` (no client certificates asked for) with `handler`.
    pub fn start(
        leaf: &Leaf,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> TlsServer {
        Self::with_config(server_config(leaf, None), handler)
    }

    pub fn with_config(
        config: ServerConfig,
        handler: impl Fn(&Request) -> Response + Send + Sync + 'static,
    ) -> TlsServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared::default());
        let (config, handler, shared2) = (Arc::new(config), Arc::new(handler), shared.clone());
        thread::spawn(move || {
            for (id, stream) in listener.incoming().enumerate() {
                if shared2.stop.load(SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (config, handler, shared) = (config.clone(), handler.clone(), shared2.clone());
                thread::spawn(move || serve(stream, id, config, &*handler, &shared));
            }
        });
        TlsServer { addr, shared }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `https://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.addr)
    }

    pub fn requests(&self) -> Vec<Request> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Connections on which the client presented a certificate.
    pub fn client_certs(&self) -> usize {
        self.shared.client_certs.load(SeqCst)
    }

    /// Completed TLS handshakes.
    pub fn handshakes(&self) -> usize {
        self.shared.handshakes.load(SeqCst)
    }

    /// The TLS version of each connection that sent a request, e.g. `TLSv1_3`.
    pub fn versions(&self) -> Vec<String> {
        self.shared.versions.lock().unwrap().clone()
    }

    /// The cipher suite of each connection that sent a request, by rustls' name.
    pub fn suites(&self) -> Vec<String> {
        self.shared.suites.lock().unwrap().clone()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, SeqCst);
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
    }
}

fn serve(
    stream: TcpStream,
    id: usize,
    config: Arc<ServerConfig>,
    handler: &(dyn Fn(&Request) -> Response + Send + Sync),
    shared: &Shared,
) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let Ok(conn) = ServerConnection::new(config) else {
        return;
    };
    let mut reader = BufReader::new(StreamOwned::new(conn, stream));
    let mut counted = false;
    while let Ok(Some(req)) = read_request(&mut reader, id) {
        if !counted {
            counted = true;
            shared.handshakes.fetch_add(1, SeqCst);
            let version = reader.get_ref().conn.protocol_version();
            shared
                .versions
                .lock()
                .unwrap()
                .push(format!("{version:?}").replace("Some(", "").replace(')', ""));
            if let Some(suite) = reader.get_ref().conn.negotiated_cipher_suite() {
                let name = format!("{:?}", suite.suite());
                shared.suites.lock().unwrap().push(name);
            }
            if reader.get_ref().conn.peer_certificates().is_some() {
                shared.client_certs.fetch_add(1, SeqCst);
            }
        }
        shared.requests.lock().unwrap().push(req.clone());
        let resp = handler(&req);
        thread::sleep(Duration::from_millis(resp.delay_ms));
        let close = req.version != "HTTP/1.1"
            || req
                .header("connection")
                .is_some_and(|c| c.eq_ignore_ascii_case("close"));
        if write_response(reader.get_mut(), &resp, req.method == "HEAD").is_err() || close {
            break;
        }
    }
    let stream = reader.get_mut();
    stream.conn.send_close_notify();
    let _ = stream.flush();
}
