//! A real HTTP/2 server for the tests: Debian's nginx, started per test as its own single
//! process with a generated configuration, a certificate from [`super::tls::Ca`] and a
//! temporary prefix. The system's nginx configuration is never read or touched.
//!
//! One nginx listens on four ports: TLS with `http2` (ALPN offers h2 and http/1.1), TLS
//! without it (a server that offers only http/1.1), h2c (`listen … http2` without TLS,
//! prior knowledge only) and plain HTTP/1.1, and h2c on a Unix socket. Files under `/static/` come from a directory
//! the test fills; every other path is passed over HTTP/1.1 to an upstream [`Server`], so
//! its handlers see (and assert on) what rq sent through nginx. nginx logs each request
//! with its connection number and protocol, so a test can count connections.
#![allow(dead_code)]

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::tls::Ca;
use super::Server;

/// A running nginx; killed (by its pid) when dropped.
pub struct Nginx {
    child: Child,
    /// TLS with HTTP/2.
    pub h2: u16,
    /// TLS, HTTP/1.1 only.
    pub h1_tls: u16,
    /// HTTP/2 without TLS (h2c, prior knowledge).
    pub h2c: u16,
    /// Plain HTTP/1.1.
    pub h1: u16,
    /// The CA that issued its certificate (for `localhost` and 127.0.0.1), in PEM.
    pub ca: PathBuf,
    dir: tempfile::TempDir,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Nginx {
    /// Start nginx in front of `upstream`, or `None` when the test is skipped (no nginx
    /// here; see [`super::require_tool`]).
    pub fn start(upstream: &Server) -> Option<Nginx> {
        let program = super::require_tool("nginx")?;
        let mut failures = Vec::new();
        for _ in 0..5 {
            match Nginx::try_start(&program, upstream.port()) {
                Ok(nginx) => return Some(nginx),
                Err(why) => failures.push(why),
            }
        }
        panic!("nginx never started: {failures:#?}");
    }

    fn try_start(program: &Path, upstream: u16) -> Result<Nginx, String> {
        let dir = tempfile::Builder::new()
            .prefix("rq-nginx-")
            .tempdir()
            .unwrap();
        let root = dir.path();
        let ca = Ca::new("rq nginx test CA");
        let leaf = ca.server(&["localhost", "127.0.0.1"]);
        std::fs::write(root.join("cert.pem"), &leaf.cert_pem).unwrap();
        std::fs::write(root.join("key.pem"), &leaf.key_pem).unwrap();
        let ca_path = ca.write_pem(root, "ca.pem");
        std::fs::create_dir(root.join("static")).unwrap();
        let ports = [free_port(), free_port(), free_port(), free_port()];
        let conf = config(root, ports, upstream);
        std::fs::write(root.join("nginx.conf"), conf).unwrap();
        let log = std::fs::File::create(root.join("stderr.log")).unwrap();
        let child = Command::new(program)
            .arg("-p")
            .arg(root)
            .arg("-c")
            .arg(root.join("nginx.conf"))
            .arg("-e")
            .arg(root.join("error.log"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("couldn't start nginx: {e}"))?;
        let mut nginx = Nginx {
            child,
            h2: ports[0],
            h1_tls: ports[1],
            h2c: ports[2],
            h1: ports[3],
            ca: ca_path,
            dir,
        };
        nginx.wait_listening()?;
        Ok(nginx)
    }

    /// Wait until every port accepts; an nginx that exits (a port was taken) is an error.
    fn wait_listening(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(10);
        for port in [self.h2, self.h1_tls, self.h2c, self.h1] {
            loop {
                if let Ok(Some(status)) = self.child.try_wait() {
                    return Err(format!("nginx exited ({status}): {}", self.stderr()));
                }
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    break;
                }
                if Instant::now() > deadline {
                    return Err(format!("nginx never listened on {port}: {}", self.stderr()));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    fn stderr(&self) -> String {
        let read = |name| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        format!("{}{}", read("stderr.log"), read("error.log"))
    }

    /// `https://localhost:PORT{path}` on the HTTP/2 port.
    pub fn url(&self, path: &str) -> String {
        format!("https://localhost:{}{path}", self.h2)
    }

    /// A Unix socket where nginx speaks h2c (prior knowledge).
    pub fn unix_socket(&self) -> PathBuf {
        self.dir.path().join("h2c.sock")
    }

    /// Where files served under `/static/` go.
    pub fn static_dir(&self) -> PathBuf {
        self.dir.path().join("static")
    }

    /// The access log: one line per request, `CONNECTION PROTOCOL REQUEST-LINE`.
    pub fn log(&self) -> Vec<String> {
        // nginx writes the line once the response is done; a moment may pass.
        std::thread::sleep(Duration::from_millis(100));
        let text = std::fs::read_to_string(self.dir.path().join("access.log")).unwrap_or_default();
        text.lines().map(str::to_string).collect()
    }

    /// How many connections the logged requests came on.
    pub fn connections(&self) -> usize {
        let mut ids: Vec<String> = self
            .log()
            .iter()
            .filter_map(|l| l.split(' ').next().map(str::to_string))
            .collect();
        ids.sort();
        ids.dedup();
        ids.len()
    }
}

fn config(root: &Path, [h2, h1_tls, h2c, h1]: [u16; 4], upstream: u16) -> String {
    let root = root.display();
    format!(
        r#"daemon off;
master_process off;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/error.log warn;
events {{ worker_connections 64; }}
http {{
    log_format conn '$connection $server_protocol "$request" $status';
    access_log {root}/access.log conn;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{h2} ssl http2;
        listen 127.0.0.1:{h1_tls} ssl;
        listen 127.0.0.1:{h2c} http2;
        listen 127.0.0.1:{h1};
        listen unix:{root}/h2c.sock http2;
        ssl_certificate {root}/cert.pem;
        ssl_certificate_key {root}/key.pem;
        location /static/ {{ alias {root}/static/; }}
        location / {{
            proxy_pass http://127.0.0.1:{upstream};
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_redirect off;
            proxy_buffering off;
        }}
    }}
}}
"#
    )
}
