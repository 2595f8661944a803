//! Proxies: real tinyproxy (HTTP) and microsocks (SOCKS5) started per test on free ports,
//! plus a recording fake proxy where the exact bytes matter. A test whose proxy program is
//! not installed is skipped on a developer's machine and fails under CI (`support::require`).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::tls::{Ca, TlsServer};
use crate::support::{
    assert_code, require_tool, rq, rq_with, run, stderr, stdout, Response, Server,
};

/// A proxy program running for one test; killed (by its pid) when dropped.
struct Daemon {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Daemon {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The log once it contains every one of `lines`: the daemon may write it a little after
    /// it has served the request.
    fn log_with(&self, lines: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let log = self.log();
            if lines.iter().all(|l| log.contains(l)) || Instant::now() > deadline {
                return log;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

/// A port that was free a moment ago. Another process may take it before the daemon binds
/// it, which [`spawn`] notices.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Starts `program` with the arguments `args(port, dir)` makes for a free port and a fresh
/// directory, and waits until it listens there. The port can be taken by someone else
/// between [`free_port`] and the daemon's bind; then the daemon exits, or what answers on the
/// port is not the daemon, and it is started again on another port.
fn spawn(program: &Path, args: impl Fn(u16, &Path) -> Vec<String>) -> Daemon {
    let mut failures = Vec::new();
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = dir.path().join("log");
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(program)
            .args(args(port, dir.path()))
            .stdin(Stdio::null())
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("couldn't start {}: {e}", program.display()));
        let mut daemon = Daemon {
            child,
            port,
            log,
            _dir: dir,
        };
        if wait_until_listening(&mut daemon) {
            return daemon;
        }
        failures.push(format!("port {port}: {}", daemon.log()));
    }
    panic!("{} never listened: {failures:#?}", program.display());
}

/// Whether the daemon came to listen on its port (false: it exited, e.g. because the port
/// was taken, or someone else listens there).
fn wait_until_listening(daemon: &mut Daemon) -> bool {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(Some(_)) = daemon.child.try_wait() {
            return false;
        }
        if let Some(ours) = listening(daemon.port, daemon.child.id()) {
            return ours;
        }
        assert!(
            Instant::now() < deadline,
            "the proxy did not start listening on {}: {}",
            daemon.port,
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Whether process `pid` is the one listening on 127.0.0.1:`port`; `None` while nobody is.
/// Linux tells through /proc; elsewhere, whoever accepts a connection is taken to be `pid`.
fn listening(port: u16, pid: u32) -> Option<bool> {
    let Ok(table) = std::fs::read_to_string("/proc/net/tcp") else {
        return TcpStream::connect(("127.0.0.1", port))
            .is_ok()
            .then_some(true);
    };
    // Columns: sl local_address rem_address st … inode; st 0A is LISTEN, the address is hex
    // in the kernel's byte order.
    let local = format!("{:08X}:{port:04X}", u32::from_ne_bytes([127, 0, 0, 1]));
    let socket = table.lines().skip(1).find_map(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        let listens = fields.get(1) == Some(&local.as_str()) && fields.get(3) == Some(&"0A");
        listens.then(|| fields.get(9).map(|inode| format!("socket:[{inode}]")))?
    })?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .into_iter()
        .flatten();
    let mut targets = fds
        .flatten()
        .filter_map(|fd| std::fs::read_link(fd.path()).ok());
    Some(targets.any(|target| target.as_os_str() == socket.as_str()))
}

/// tinyproxy with the stock configuration's access rules (CONNECT only to 443 and 563)
/// unless `connect_anywhere`, plus `extra` lines.
fn tinyproxy(connect_anywhere: bool, extra: &str) -> Option<Daemon> {
    let program = require_tool("tinyproxy")?;
    let connect_ports = if connect_anywhere {
        ""
    } else {
        "ConnectPort 443\nConnectPort 563\n"
    };
    Some(spawn(&program, |port, dir| {
        let conf = format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 60\nMaxClients 20\nAllow 127.0.0.1\n\
             LogLevel Connect\n{connect_ports}{extra}\n"
        );
        let path = dir.join("tinyproxy.conf");
        std::fs::write(&path, conf).unwrap();
        vec!["-d".into(), "-c".into(), path.to_str().unwrap().into()]
    }))
}

fn microsocks(auth: Option<(&str, &str)>) -> Option<Daemon> {
    let program = require_tool("microsocks")?;
    Some(spawn(&program, |port, _| {
        let mut args = vec![
            "-i".into(),
            "127.0.0.1".into(),
            "-p".into(),
            port.to_string(),
        ];
        if let Some((user, pass)) = auth {
            args.extend(["-u".into(), user.into(), "-P".into(), pass.into()]);
        }
        args
    }))
}

/// An origin that says which proxy (if any) the request came through.
fn origin() -> Server {
    Server::http(|r| Response::new(200).text(&format!("via={}", r.header("via").unwrap_or("-"))))
}

#[test]
fn plain_http_works_through_a_stock_tinyproxy() {
    let Some(proxy) = tinyproxy(false, "") else {
        return;
    };
    let o = origin();
    let out = rq_with(&["--proxy", &format!("http:{}", proxy.url()), &o.url("/get")]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("tinyproxy"), "{}", stdout(&out));
    assert_eq!(o.requests()[0].path, "/get");
}

#[test]
fn plain_http_leaves_in_absolute_form_with_proxy_credentials() {
    let fake = Server::http(|_| Response::new(200).text("from the fake proxy"));
    let proxy = format!("http:http://ann:s%3Acret@127.0.0.1:{}", fake.port());
    let o = rq_with(&["--proxy", &proxy, "http://origin.test:8080/get?x=1"]);
    assert_code(&o, 0);
    let r = &fake.requests()[0];
    assert_eq!(r.method, "GET");
    assert_eq!(r.target, "http://origin.test:8080/get?x=1");
    assert_eq!(r.header("host"), Some("origin.test:8080"));
    // base64("ann:s:cret")
    assert_eq!(
        r.header("proxy-authorization"),
        Some("Basic YW5uOnM6Y3JldA==")
    );
}

#[test]
fn https_goes_through_tinyproxy_with_connect() {
    let Some(proxy) = tinyproxy(true, "") else {
        return;
    };
    let ca = Ca::new("rq test CA");
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let server = TlsServer::start(&ca.server(&["127.0.0.1"]), |r| {
        Response::new(200).text(&format!("via={}", r.header("via").unwrap_or("-")))
    });
    let o = rq_with(&[
        "--proxy",
        &format!("https:{}", proxy.url()),
        "--verify",
        pem.to_str().unwrap(),
        &server.url("/secure"),
    ]);
    assert_code(&o, 0);
    // A tunnel: the proxy never saw the request, so it added no Via.
    assert_eq!(stdout(&o), "via=-");
    assert_eq!(server.requests()[0].path, "/secure");
    let connect = format!("CONNECT 127.0.0.1:{}", server.port());
    let log = proxy.log_with(&[&connect]);
    assert!(log.contains(&connect), "{log}");
}

#[test]
fn a_refused_tunnel_names_the_proxy_and_its_answer() {
    // The stock rules allow CONNECT to 443 and 563 only.
    let Some(proxy) = tinyproxy(false, "") else {
        return;
    };
    let o = rq_with(&[
        "--proxy",
        &format!("https:{}", proxy.url()),
        "--verify",
        "no",
        "https://127.0.0.1:9/",
    ]);
    assert_code(&o, 1);
    let expected = format!(
        "proxy {} refused to open a tunnel to 127.0.0.1:9: 403",
        proxy.url()
    );
    assert!(stderr(&o).contains(&expected), "{}", stderr(&o));
}

#[test]
fn lower_case_http_proxy_is_used_and_upper_case_ignored() {
    let Some(proxy) = tinyproxy(false, "") else {
        return;
    };
    let o = origin();
    let out = run(rq()
        .env("http_proxy", proxy.url())
        .env("HTTP_PROXY", "http://127.0.0.1:1")
        .arg(o.url("/")));
    assert_code(&out, 0);
    assert!(stdout(&out).contains("tinyproxy"), "{}", stdout(&out));
    // HTTP_PROXY alone (settable by a CGI request's `Proxy:` header) is not a proxy to rq.
    let out = run(rq().env("HTTP_PROXY", "http://127.0.0.1:1").arg(o.url("/")));
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "via=-");
}

#[test]
fn no_proxy_hosts_are_reached_directly() {
    let o = origin();
    for no_proxy in ["127.0.0.1", "*", "10.0.0.0/8,127.0.0.0/8"] {
        let out = run(rq()
            .env("http_proxy", "http://127.0.0.1:1")
            .env("NO_PROXY", no_proxy)
            .arg(o.url("/")));
        assert_code(&out, 0);
        assert_eq!(stdout(&out), "via=-", "NO_PROXY={no_proxy}");
    }
    let out = run(rq()
        .env("http_proxy", "http://127.0.0.1:1")
        .env("no_proxy", "example.org")
        .arg(o.url("/")));
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("proxy http://127.0.0.1:1"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn proxy_credentials_reach_the_proxy_but_never_the_origin() {
    let Some(proxy) = tinyproxy(false, "BasicAuth ann s3cret") else {
        return;
    };
    let o = origin();
    let with_creds = format!("http:http://ann:s3cret@127.0.0.1:{}", proxy.port);
    let out = rq_with(&["--proxy", &with_creds, &o.url("/")]);
    assert_code(&out, 0);
    assert!(stdout(&out).contains("tinyproxy"), "{}", stdout(&out));
    let r = &o.requests()[0];
    assert_eq!(r.header("proxy-authorization"), None, "{:?}", r.headers);
    assert_eq!(r.header("authorization"), None, "{:?}", r.headers);
    // Without them, the proxy's 407 is the answer.
    let out = rq_with(&["--proxy", &format!("http:{}", proxy.url()), &o.url("/")]);
    assert_code(&out, 4);
    assert_eq!(o.request_count(), 1);
}

#[test]
fn socks5_and_socks5h_reach_the_target() {
    let Some(socks) = microsocks(None) else {
        return;
    };
    let o = origin();
    for scheme in ["socks5", "socks5h"] {
        let proxy = format!("all:{scheme}://127.0.0.1:{}", socks.port);
        let out = rq_with(&["-m", "-b", "--proxy", &proxy, &o.url("/")]);
        assert_code(&out, 0);
        assert!(stdout(&out).starts_with("via=-"), "{}", stdout(&out));
        let expected = format!("(proxy {scheme}://127.0.0.1:{})", socks.port);
        assert!(stdout(&out).contains(&expected), "{}", stdout(&out));
    }
    assert_eq!(o.request_count(), 2);
}

/// A one-request origin on the first address `localhost` resolves to (the one a SOCKS
/// proxy asked for `localhost` connects to, IPv4 or IPv6).
fn localhost_origin() -> (u16, std::thread::JoinHandle<()>) {
    use std::net::ToSocketAddrs;
    let first = ("localhost", 0).to_socket_addrs().unwrap().next().unwrap();
    let listener = std::net::TcpListener::bind(first).unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (sock, _) = listener.accept().unwrap();
        let mut reader = std::io::BufReader::new(sock.try_clone().unwrap());
        crate::support::server::read_request(&mut reader, 0).unwrap();
        let answer = Response::new(200).text("named");
        crate::support::server::write_response(&mut &sock, &answer, false).unwrap();
    });
    (port, handle)
}

#[test]
fn socks5h_sends_the_name_and_socks5_the_address() {
    let Some(socks) = microsocks(None) else {
        return;
    };
    let (port, origin) = localhost_origin();
    let proxy = format!("http:socks5h://127.0.0.1:{}", socks.port);
    let out = rq_with(&["--proxy", &proxy, &format!("http://localhost:{port}/")]);
    assert_code(&out, 0);
    origin.join().unwrap();
    // microsocks logs what it was asked to connect to.
    let o = crate::support::Server::http(|_| Response::new(200));
    let proxy = format!("http:socks5://127.0.0.1:{}", socks.port);
    let pin = format!("pinned.test:{}:127.0.0.1", o.port());
    let url = format!("http://pinned.test:{}/", o.port());
    assert_code(&rq_with(&["--proxy", &proxy, "--resolve", &pin, &url]), 0);
    let by_name = format!("connected to localhost:{port}");
    let by_address = format!("connected to 127.0.0.1:{}", o.port());
    let log = socks.log_with(&[&by_name, &by_address]);
    assert!(log.contains(&by_name), "{log}");
    assert!(log.contains(&by_address), "{log}");
}

#[test]
fn socks5_credentials_are_used() {
    let Some(socks) = microsocks(Some(("ann", "s3cret"))) else {
        return;
    };
    let o = origin();
    let good = format!("http:socks5://ann:s3cret@127.0.0.1:{}", socks.port);
    assert_code(&rq_with(&["--proxy", &good, &o.url("/")]), 0);
    let none = format!("http:socks5://127.0.0.1:{}", socks.port);
    let out = rq_with(&["--proxy", &none, &o.url("/")]);
    assert_code(&out, 1);
    assert!(
        stderr(&out).contains("requires a user name and password"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn the_proxy_is_chosen_per_scheme_on_every_hop() {
    // An http-only proxy answers with a redirect to an https origin, which is then
    // reached directly: no https proxy is configured.
    let ca = Ca::new("rq test CA");
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let secure = TlsServer::start(&ca.server(&["127.0.0.1"]), |_| {
        Response::new(200).text("direct")
    });
    let target = secure.url("/landed");
    let fake = Server::http(move |_| Response::new(302).header("Location", &target));
    let out = rq_with(&[
        "-F",
        "--proxy",
        &format!("http:http://127.0.0.1:{}", fake.port()),
        "--verify",
        pem.to_str().unwrap(),
        "http://origin.test/start",
    ]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "direct");
    assert_eq!(fake.requests()[0].target, "http://origin.test/start");
    assert_eq!(secure.requests()[0].path, "/landed");
}

#[test]
fn bad_proxy_values_are_usage_errors() {
    for (args, env) in [
        (vec!["--proxy", "ftp:http://x"], None),
        (vec!["--proxy", "http:gopher://x"], None),
        (vec!["--proxy", "nocolon"], None),
        (vec![], Some(("https_proxy", "gopher://x"))),
    ] {
        let mut cmd = rq();
        cmd.args(&args).arg("https://127.0.0.1:9/");
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let o = run(&mut cmd);
        assert_code(&o, 64);
        assert!(stderr(&o).contains("proxy"), "{}", stderr(&o));
    }
}

#[test]
fn an_https_proxy_is_spoken_to_over_tls() {
    // A TLS server standing in for the proxy records the absolute-form request it gets.
    let ca = Ca::new("rq test CA");
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let proxy = TlsServer::start(&ca.server(&["127.0.0.1"]), |_| {
        Response::new(200).text("from the TLS proxy")
    });
    let out = rq_with(&[
        "--proxy",
        &format!("http:https://127.0.0.1:{}", proxy.port()),
        "--verify",
        pem.to_str().unwrap(),
        "http://origin.test/x",
    ]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "from the TLS proxy");
    assert_eq!(proxy.requests()[0].target, "http://origin.test/x");
}

/// A CONNECT proxy spoken to over TLS: answers `CONNECT host:port` with 200 and relays the
/// tunnel both ways (the client's TLS to the origin travels inside the proxy's TLS).
/// Returns its port and the CONNECT targets it was asked for.
fn tls_connect_proxy(ca: &Ca) -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, Read, Write};
    let config = std::sync::Arc::new(crate::support::tls::server_config(
        &ca.server(&["127.0.0.1"]),
        None,
    ));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        let (tcp, _) = listener.accept().unwrap();
        let conn = rustls::ServerConnection::new(config).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, tcp);
        // The CONNECT request, read a byte at a time so nothing of the tunnel is taken.
        let mut head = Vec::new();
        while !head.ends_with(b"\r\n\r\n") {
            let mut b = [0u8; 1];
            if tls.read(&mut b).unwrap() == 0 {
                return;
            }
            head.push(b[0]);
        }
        let line = head.lines().next().unwrap().unwrap();
        let target = line.split(' ').nth(1).unwrap().to_string();
        log.lock().unwrap().push(line.clone());
        let mut origin = TcpStream::connect(&target).unwrap();
        tls.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .unwrap();
        tls.flush().unwrap();
        // Relay until either side closes, polling both without blocking.
        tls.sock.set_nonblocking(true).unwrap();
        origin.set_nonblocking(true).unwrap();
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let mut idle = true;
            match tls.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    origin.set_nonblocking(false).unwrap();
                    origin.write_all(&buf[..n]).unwrap();
                    origin.set_nonblocking(true).unwrap();
                    idle = false;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
            match origin.read(&mut buf) {
                Ok(0) => return,
                Ok(n) => {
                    tls.sock.set_nonblocking(false).unwrap();
                    tls.write_all(&buf[..n]).unwrap();
                    tls.flush().unwrap();
                    tls.sock.set_nonblocking(true).unwrap();
                    idle = false;
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
            if idle {
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    });
    (port, seen)
}

#[test]
fn https_goes_through_an_https_proxy_tls_inside_tls() {
    let ca = Ca::new("rq test CA");
    let dir = tempfile::tempdir().unwrap();
    let pem = ca.write_pem(dir.path(), "ca.pem");
    let origin = TlsServer::start(&ca.server(&["127.0.0.1"]), |r| {
        Response::new(200).text(&format!("origin saw {}", r.target))
    });
    let (proxy, seen) = tls_connect_proxy(&ca);
    let out = rq_with(&[
        "--proxy",
        &format!("https:https://127.0.0.1:{proxy}"),
        "--verify",
        pem.to_str().unwrap(),
        &origin.url("/secret"),
    ]);
    assert_code(&out, 0);
    assert_eq!(stdout(&out), "origin saw /secret");
    let connect = format!("CONNECT 127.0.0.1:{} HTTP/1.1", origin.port());
    assert_eq!(*seen.lock().unwrap(), [connect]);
    // The origin got the request itself, not the proxy.
    assert_eq!(origin.requests().len(), 1);
}

#[test]
fn http2_is_negotiated_inside_a_connect_tunnel() {
    let Some(proxy) = tinyproxy(true, "") else {
        return;
    };
    let up = Server::http(|r| Response::new(200).text(&r.path));
    let Some(nginx) = crate::support::nginx::Nginx::start(&up) else {
        return;
    };
    let url = format!("https://127.0.0.1:{}/tunnelled", nginx.h2);
    let ca = nginx.ca.to_str().unwrap();
    let o = rq_with(&[
        "-h",
        "--proxy",
        &format!("https:{}", proxy.url()),
        "--verify",
        ca,
        &url,
    ]);
    assert_code(&o, 0);
    assert!(stdout(&o).starts_with("HTTP/2 200"), "{}", stdout(&o));
    let connect = format!("CONNECT 127.0.0.1:{}", nginx.h2);
    assert!(proxy.log_with(&[&connect]).contains(&connect));
}

#[test]
fn both_http_versions_go_through_socks5() {
    let Some(socks) = microsocks(None) else {
        return;
    };
    let up = Server::http(|r| Response::new(200).text(&r.path));
    let Some(nginx) = crate::support::nginx::Nginx::start(&up) else {
        return;
    };
    let proxy = format!("all:socks5://127.0.0.1:{}", socks.port);
    let ca = nginx.ca.to_str().unwrap();
    let url = format!("https://127.0.0.1:{}/s", nginx.h2);
    let o = rq_with(&["-h", "--proxy", &proxy, "--verify", ca, &url]);
    assert!(stdout(&o).starts_with("HTTP/2 200"), "{}", stdout(&o));
    let url = format!("https://127.0.0.1:{}/s", nginx.h1_tls);
    let o = rq_with(&["-h", "--proxy", &proxy, "--verify", ca, &url]);
    assert!(stdout(&o).starts_with("HTTP/1.1 200"), "{}", stdout(&o));
    let url = format!("http://127.0.0.1:{}/s", nginx.h2c);
    let o = rq_with(&["--proxy", &proxy, "--http-version", "2", &url]);
    assert_code(&o, 0);
    assert_eq!(stdout(&o), "/s");
}
