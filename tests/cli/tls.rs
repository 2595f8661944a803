//! TLS: certificate checks and the reasons given when they fail, client certificates,
//! `--ssl`, the CA-bundle variables, and the `m` section's phases over https. Every
//! certificate is made at test time; the server is an in-process rustls one.

use std::path::{Path, PathBuf};

use crate::support::tls::{self, Ca, TlsServer, Validity};
use crate::support::{assert_code, rq, rq_with, run, stderr, stdout, Response, Server};

fn ok_server(leaf: &tls::Leaf) -> TlsServer {
    TlsServer::start(leaf, |_| Response::new(200).text("secure"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A CA, and a directory holding its certificate as `ca.pem` (returned too).
fn ca_in_dir() -> (Ca, tempfile::TempDir, PathBuf) {
    let ca = Ca::new("rq test CA");
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    (ca, dir, pem)
}

fn ca_with_server(names: &[&str]) -> (Ca, TlsServer, tempfile::TempDir) {
    let (ca, dir, _) = ca_in_dir();
    let server = ok_server(&ca.server(names));
    (ca, server, dir)
}

#[test]
fn self_signed_certificate_is_refused_naming_the_reason() {
    let server = ok_server(&tls::self_signed(&["127.0.0.1"]));
    let o = rq_with(&[&server.url("/")]);
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(err.contains("certificate of 127.0.0.1"), "{err}");
    assert!(err.contains("unknown authority"), "{err}");
    assert!(err.contains("--verify"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(server.requests().is_empty());
}

#[test]
fn verify_file_trusts_that_ca() {
    let (_ca, server, dir) = ca_with_server(&["127.0.0.1"]);
    let ca = dir.path().join("ca.pem");
    let o = rq_with(&["--verify", ca.to_str().unwrap(), &server.url("/x")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "secure");
    assert_eq!(server.requests()[0].path, "/x");
}

#[test]
fn verify_no_accepts_an_untrusted_certificate() {
    let server = ok_server(&tls::self_signed(&["elsewhere.test"]));
    let o = rq_with(&["--verify", "no", &server.url("/")]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "secure");
}

#[test]
fn ca_bundle_variables_are_trusted() {
    for var in ["SSL_CERT_FILE", "REQUESTS_CA_BUNDLE"] {
        let (_ca, server, dir) = ca_with_server(&["127.0.0.1"]);
        let o = run(rq()
            .env(var, dir.path().join("ca.pem"))
            .arg(server.url("/")));
        assert_code(&o, 0);
        assert_eq!(stdout(&o), "secure", "{var}");
    }
}

#[test]
fn plain_http_does_no_tls_setup() {
    // A broken CA bundle only matters once an https connection needs it.
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "bad.pem", "not a certificate\n");
    let plain = Server::http(|_| Response::new(200).text("plain"));
    let o = run(rq().env("SSL_CERT_FILE", &bad).arg(plain.url("/")));
    assert_code(&o, 0);
    let server = ok_server(&tls::self_signed(&["127.0.0.1"]));
    let o = run(rq().env("SSL_CERT_FILE", &bad).arg(server.url("/")));
    assert_code(&o, 64);
    assert!(stderr(&o).contains("$SSL_CERT_FILE"), "{}", stderr(&o));
}

#[test]
fn unreadable_verify_file_is_a_usage_error() {
    let o = rq_with(&["--verify", "/nonexistent/ca.pem", "https://127.0.0.1:9/"]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("/nonexistent/ca.pem"), "{}", stderr(&o));
}

#[test]
fn expired_certificate_names_the_date() {
    let ca = Ca::new("rq test CA");
    let server = ok_server(&ca.issue(
        &["127.0.0.1"],
        Validity::Expired,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ));
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let o = rq_with(&["--verify", pem.to_str().unwrap(), &server.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("certificate of 127.0.0.1 expired on 2021-01-01"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn certificate_not_yet_valid_says_from_when() {
    let ca = Ca::new("rq test CA");
    let server = ok_server(&ca.issue(
        &["127.0.0.1"],
        Validity::Future,
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
    ));
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let o = rq_with(&["--verify", pem.to_str().unwrap(), &server.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("is not valid until 2090-01-01"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn wrong_host_lists_the_names_on_the_certificate() {
    let (_ca, server, dir) = ca_with_server(&["a.test", "b.test"]);
    let ca = dir.path().join("ca.pem");
    let o = rq_with(&["--verify", ca.to_str().unwrap(), &server.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("certificate of 127.0.0.1 is for a.test, b.test, not 127.0.0.1"),
        "{}",
        stderr(&o)
    );
    // The same certificate is right for a name it carries.
    let pin = format!("b.test:{}:127.0.0.1", server.port());
    let url = format!("https://b.test:{}/", server.port());
    let o = rq_with(&["--verify", ca.to_str().unwrap(), "--resolve", &pin, &url]);
    assert_code(&o, 0);
}

fn client_auth_setup() -> (Ca, TlsServer, tempfile::TempDir) {
    let ca = Ca::new("rq test CA");
    let config = tls::server_config(&ca.server(&["127.0.0.1"]), Some(&ca));
    let server = TlsServer::with_config(config, |_| Response::new(200).text("known client"));
    let dir = tempfile::tempdir().unwrap();
    ca.write_pem(dir.path(), "ca.pem");
    (ca, server, dir)
}

#[test]
fn client_certificate_required_is_explained() {
    let (_ca, server, dir) = client_auth_setup();
    let ca = dir.path().join("ca.pem");
    let o = rq_with(&["--verify", ca.to_str().unwrap(), &server.url("/")]);
    assert_code(&o, 1);
    assert!(
        stderr(&o).contains("127.0.0.1 requires a client certificate: pass --cert"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn client_certificate_is_presented_when_given() {
    let (ca, server, dir) = client_auth_setup();
    let client = ca.client("rq-client");
    let cert = write(dir.path(), "client.pem", &client.cert_pem);
    let key = write(dir.path(), "client.key", &client.key_pem);
    let ca = dir.path().join("ca.pem");
    let o = rq_with(&[
        "--verify",
        ca.to_str().unwrap(),
        "--cert",
        cert.to_str().unwrap(),
        "--cert-key",
        key.to_str().unwrap(),
        &server.url("/"),
    ]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "known client");
    assert_eq!(server.client_certs(), 1);
}

#[test]
fn an_x509_v1_client_certificate_is_sent_for_the_server_to_judge() {
    let leaf = Ca::new("rq test CA").server(&["127.0.0.1"]);
    let config = tls::server_config_any_client(&leaf);
    let server = TlsServer::with_config(config, |_| Response::new(200).text("v1 taken"));
    let dir = tempfile::tempdir().unwrap();
    let client = tls::client_v1("rq-client");
    let cert = write(dir.path(), "client.pem", &client.cert_pem);
    let key = write(dir.path(), "client.key", &client.key_pem);
    let args = [
        "--verify",
        "no",
        "--cert",
        cert.to_str().unwrap(),
        "--cert-key",
    ];
    let o = rq_with(&[&args[..], &[key.to_str().unwrap(), &server.url("/")]].concat());
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "v1 taken");
    assert_eq!(server.client_certs(), 1);
    // A server that reads only v3 certificates refuses it, and rq says so in words.
    let (_ca, strict, _dir) = client_auth_setup();
    let o = rq_with(&[&args[..], &[key.to_str().unwrap(), &strict.url("/")]].concat());
    assert_code(&o, 1);
    let err = stderr(&o);
    assert!(
        err.contains("127.0.0.1 rejected the client certificate (--cert): it is an X.509 v1"),
        "{err}"
    );
    assert!(!err.contains("UnsupportedCertVersion"), "{err}");
}

#[test]
fn a_key_that_is_not_the_certificates_is_a_usage_error() {
    let (ca, server, dir) = client_auth_setup();
    let client = ca.client("rq-client");
    let other = ca.client("someone-else");
    let cert = write(dir.path(), "client.pem", &client.cert_pem);
    let key = write(dir.path(), "other.key", &other.key_pem);
    let o = rq_with(&[
        "--verify",
        "no",
        "--cert",
        cert.to_str().unwrap(),
        "--cert-key",
        key.to_str().unwrap(),
        &server.url("/"),
    ]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("the key is not the certificate's"),
        "{}",
        stderr(&o)
    );
    assert_eq!(server.handshakes(), 0);
}

#[test]
fn cert_file_may_hold_the_key_too() {
    let (ca, server, dir) = client_auth_setup();
    let client = ca.client("rq-client");
    let both = write(
        dir.path(),
        "both.pem",
        &format!("{}{}", client.cert_pem, client.key_pem),
    );
    let ca = dir.path().join("ca.pem");
    let o = rq_with(&[
        "--verify",
        ca.to_str().unwrap(),
        "--cert",
        both.to_str().unwrap(),
        &server.url("/"),
    ]);
    assert_code(&o, 0);
    assert_eq!(server.client_certs(), 1);
}

/// The client key as encrypted PKCS#8 (PBES2: PBKDF2-SHA256 + AES-256-CBC).
fn encrypted_key(der: &[u8], password: &str) -> String {
    use pkcs8::der::pem::LineEnding;
    let info = pkcs8::PrivateKeyInfo::try_from(der).unwrap();
    let params =
        pkcs8::pkcs5::pbes2::Parameters::pbkdf2_sha256_aes256cbc(2048, b"rq-salt!", &[7u8; 16])
            .unwrap();
    let doc = info.encrypt_with_params(params, password).unwrap();
    doc.to_pem("ENCRYPTED PRIVATE KEY", LineEnding::LF)
        .unwrap()
        .to_string()
}

#[test]
fn encrypted_client_key_is_opened_with_its_password() {
    let (ca, server, dir) = client_auth_setup();
    let client = ca.client("rq-client");
    let cert = write(dir.path(), "client.pem", &client.cert_pem);
    let key = write(
        dir.path(),
        "client.p8",
        &encrypted_key(&client.key_der, "s3cret"),
    );
    let ca = dir.path().join("ca.pem");
    let base = [
        "--verify",
        ca.to_str().unwrap(),
        "--cert",
        cert.to_str().unwrap(),
        "--cert-key",
        key.to_str().unwrap(),
    ];
    let with = |extra: &[&str]| {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let url = server.url("/");
        args.push(&url);
        rq_with(&args)
    };
    let o = with(&[]);
    assert_code(&o, 64);
    assert!(
        stderr(&o).contains("pass --cert-key-pass"),
        "{}",
        stderr(&o)
    );
    let o = with(&["--cert-key-pass", "wrong"]);
    assert_code(&o, 64);
    assert!(stderr(&o).contains("couldn't decrypt"), "{}", stderr(&o));
    let o = with(&["--cert-key-pass", "s3cret"]);
    assert_code(&o, 0);
    assert_eq!(server.client_certs(), 1);
}

#[test]
fn ssl_pins_the_tls_version() {
    let (ca, _dir, pem) = ca_in_dir();
    let leaf = ca.server(&["127.0.0.1"]);
    let both = TlsServer::start(&leaf, |_| Response::new(200));
    let o = rq_with(&[
        "--ssl",
        "tls1.2",
        "--verify",
        pem.to_str().unwrap(),
        &both.url("/"),
    ]);
    assert_code(&o, 0);
    assert_eq!(both.versions(), ["TLSv1_2"]);

    let config = tls::server_config_for(&leaf, None, &[&rustls::version::TLS13]);
    let only13 = TlsServer::with_config(config, |_| Response::new(200));
    let o = rq_with(&[
        "--ssl",
        "tls1.2",
        "--verify",
        pem.to_str().unwrap(),
        &only13.url("/"),
    ]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("127.0.0.1"), "{}", stderr(&o));
    let o = rq_with(&[
        "--ssl",
        "tls1.3",
        "--verify",
        pem.to_str().unwrap(),
        &only13.url("/"),
    ]);
    assert_code(&o, 0);
}

#[test]
fn http_url_to_a_tls_port_says_it_is_not_tls() {
    // A plain-http server answers the TLS hello with an HTTP error at once.
    let plain = Server::raw(|mut sock, _| {
        use std::io::Write;
        let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    });
    let url = format!("https://127.0.0.1:{}/", plain.port());
    let o = rq_with(&["--verify", "no", &url]);
    assert_code(&o, 1);
    assert!(stderr(&o).contains("doesn't speak TLS"), "{}", stderr(&o));
}

/// `Elapsed time: 0.012345s` → microseconds.
fn micros(line: &str) -> u64 {
    let value = line.rsplit(": ").next().unwrap().trim_end_matches('s');
    let (s, frac) = value.split_once('.').unwrap();
    s.parse::<u64>().unwrap() * 1_000_000 + frac.parse::<u64>().unwrap()
}

#[test]
fn meta_phases_over_https_add_up_to_the_total() {
    let (ca, _dir, pem) = ca_in_dir();
    let slow = TlsServer::start(&ca.server(&["127.0.0.1"]), |_| {
        Response::new(200).text("late").delay(50)
    });
    let o = rq_with(&["-m", "--verify", pem.to_str().unwrap(), &slow.url("/")]);
    assert_code(&o, 0);
    let out = stdout(&o);
    let line = |label: &str| {
        out.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in {out}"))
    };
    let total = micros(line("Elapsed time:"));
    let phases: Vec<u64> = ["DNS:", "Connect:", "TLS:", "Time to first byte:", "Body:"]
        .iter()
        .map(|l| micros(line(l)))
        .collect();
    assert_eq!(phases.iter().sum::<u64>(), total, "{out}");
    assert!(phases[2] > 0, "TLS took time: {out}");
    assert!(
        phases[3] >= 50_000,
        "the server's delay is time to first byte: {out}"
    );
    assert!(
        line("Remote address:").ends_with(&format!("127.0.0.1:{}", slow.port())),
        "{out}"
    );
    assert!(out.contains("HTTP version: HTTP/1.1"), "{out}");
    assert!(out.contains("Bytes received: 4"), "{out}");
}

#[test]
fn ciphers_limits_the_suites_offered_to_the_ones_named() {
    let (_ca, server, dir) = ca_with_server(&["127.0.0.1"]);
    let ca = dir.path().join("ca.pem");
    let ca = ca.to_str().unwrap();
    for (list, suite, version) in [
        (
            "TLS13_CHACHA20_POLY1305_SHA256",
            "TLS13_CHACHA20_POLY1305_SHA256",
            "TLSv1_3",
        ),
        // Case does not matter; a TLS 1.2 suite alone means TLS 1.2.
        (
            "tls_ecdhe_ecdsa_with_aes_128_gcm_sha256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLSv1_2",
        ),
    ] {
        let o = rq_with(&["--verify", ca, "--ciphers", list, &server.url("/")]);
        assert_code(&o, 0);
        assert_eq!(server.suites().last().map(String::as_str), Some(suite));
        assert_eq!(server.versions().last().map(String::as_str), Some(version));
    }
}

#[test]
fn an_unknown_cipher_suite_is_a_usage_error_listing_the_names() {
    let (_ca, server, _dir) = ca_with_server(&["127.0.0.1"]);
    let list = "nope-not-this:TLS13_AES_128_GCM_SHA256";
    let o = rq_with(&["--verify", "no", "--ciphers", list, &server.url("/")]);
    assert_code(&o, 64);
    let err = stderr(&o);
    assert!(
        err.contains("unknown cipher suite 'nope-not-this'"),
        "{err}"
    );
    assert!(
        err.contains("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"),
        "{err}"
    );
    assert_eq!(server.handshakes(), 0);
    let tls12 = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
    let o = rq_with(&["--ssl", "tls1.3", "--ciphers", tls12, &server.url("/")]);
    assert_code(&o, 64);
    let err = stderr(&o);
    assert!(err.contains("no cipher suite for --ssl tls1.3"), "{err}");
}

#[test]
fn the_curl_command_carries_the_ciphers_in_curls_names() {
    let (_ca, server, dir) = ca_with_server(&["127.0.0.1"]);
    let ca = dir.path().join("ca.pem");
    let url = server.url("/");
    let list = "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS13_AES_128_GCM_SHA256";
    let args = ["--verify", ca.to_str().unwrap(), "--ciphers", list, &url];
    let (line, curl) = crate::support::curl_of(&args);
    assert!(
        line.contains("--ciphers ECDHE-ECDSA-AES256-GCM-SHA384"),
        "{line}"
    );
    assert!(
        line.contains("--tls13-ciphers TLS_AES_128_GCM_SHA256"),
        "{line}"
    );
    assert_eq!(String::from_utf8_lossy(&curl.stdout), "secure");
    let suite = server.suites().pop().unwrap_or_default();
    assert!(
        [
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS13_AES_128_GCM_SHA256"
        ]
        .contains(&suite.as_str()),
        "{suite}"
    );
}
