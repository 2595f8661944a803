//! A local httpbin-like server for demos and benchmarks of `rq`.
//!
//! `cargo run --example serve -- [--port N]` prints `listening on http://127.0.0.1:PORT` as
//! its first line of output and serves until killed. It reuses the integration tests'
//! server (`tests/support/server.rs`) and listens on 127.0.0.1 only; `GET /` lists the routes.

#[path = "../tests/support/server.rs"]
mod server;

use flate2::{write::GzEncoder, Compression};
use serde_json::{json, Map, Value};
use server::{percent_decode, Request, Response, Server};
use std::io::{self, Write};

const ROUTES: &str = "\
/get /post /put /patch /delete  echo the request as JSON (method must match)
/anything[/...]                 echo the request as JSON, any method
/json  /html                    sample documents
/status/N                       respond with status N
/redirect/N                     302 chain /redirect/N-1 ... /get (?absolute=true for full URLs)
/redirect-to?url=U&status=S     redirect to U (status 3xx, default 302)
/headers                        the request headers as JSON
/bytes/N                        N pseudo-random bytes (?seed=S), at most 10 MiB
/big?bytes=N                    N bytes of text, streamed in 64 KiB writes (default 1 MiB)
/gzip                           gzip-encoded JSON echo
/delay/N                        echo after N seconds (at most 10)
/cookies  /cookies/set?k=v      show cookies / set them
/basic-auth/USER/PASS           200 if the Basic credentials match, else 401
";

const SAMPLE_JSON: &str = r#"{
  "name": "rq sample",
  "version": 3,
  "unicode": "héllo wörld — 日本語 🚀",
  "escapes": "quote \" backslash \\ tab \t newline \n nul \u0000",
  "numbers": {"int": 42, "negative": -7, "float": 3.14159, "exp": 6.02e23, "big": 12345678901234567890},
  "flags": {"yes": true, "no": false, "nothing": null},
  "list": [1, "two", 3.0, false, null, {"nested": [[], {}]}],
  "people": [
    {"id": 1, "name": "Ada", "tags": ["math", "engines"]},
    {"id": 2, "name": "Grace", "tags": ["compilers"]}
  ]
}
"#;

const SAMPLE_HTML: &str = "<!DOCTYPE html>
<html lang=\"en\">
<head><meta charset=\"utf-8\"><title>rq sample</title></head>
<body>
  <h1>Hello from rq's test server</h1>
  <p>Ünïcödé, <a href=\"/json\">some JSON</a> &amp; a list:</p>
  <ul><li>one</li><li>two</li></ul>
</body>
</html>
";

fn main() {
    let port = parse_port();
    let srv = Server::http_on(port, route).unwrap_or_else(|e| {
        eprintln!("serve: cannot listen on 127.0.0.1:{port}: {e}");
        std::process::exit(1);
    });
    println!("listening on {}", srv.url(""));
    let _ = io::stdout().flush();
    loop {
        std::thread::park(); // serve until killed; `srv` must stay alive
    }
}

fn parse_port() -> u16 {
    let usage = "usage: serve [--port N]";
    let mut args = std::env::args().skip(1);
    let mut port = 0;
    while let Some(arg) = args.next() {
        let value = match arg.as_str() {
            "-p" | "--port" => args.next(),
            "-h" | "--help" => {
                println!("{usage}\n\nroutes:\n{ROUTES}");
                std::process::exit(0);
            }
            _ => arg.strip_prefix("--port=").map(str::to_string),
        };
        port = value
            .as_deref()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| {
                let shown = value.as_deref().map_or(arg.as_str(), |v| v);
                eprintln!("serve: bad argument {shown:?}\n{usage}");
                std::process::exit(2);
            });
    }
    port
}

fn route(req: &Request) -> Response {
    // Decode each path segment; `+` is literal in paths.
    let path = req.path.strip_prefix('/').unwrap_or(&req.path);
    let segments: Vec<String> = path
        .split('/')
        .map(|s| percent_decode(&s.replace('+', "%2B")))
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let query = |name: &str| {
        let mut pairs = req.query_pairs().into_iter();
        pairs.find(|(k, _)| k == name).map(|(_, v)| v)
    };
    match (req.method.as_str(), &segments[..]) {
        (_, [""]) => Response::new(200).text(ROUTES),
        ("GET" | "HEAD", ["get"])
        | ("POST", ["post"])
        | ("PUT", ["put"])
        | ("PATCH", ["patch"])
        | ("DELETE", ["delete"]) => json(200, &echo(req)),
        (_, ["get" | "post" | "put" | "patch" | "delete"]) => {
            let allow = if segments[0] == "get" {
                "GET, HEAD"
            } else {
                segments[0]
            };
            Response::new(405)
                .header("Allow", &allow.to_uppercase())
                .text("method not allowed\n")
        }
        (_, ["anything", ..]) => json(200, &echo(req)),
        (_, ["json"]) => Response::new(200).json(SAMPLE_JSON),
        (_, ["html"]) => Response::new(200)
            .header("Content-Type", "text/html; charset=utf-8")
            .body(SAMPLE_HTML),
        (_, ["status", code]) => status(code),
        (_, ["redirect", n]) => match n.parse::<u32>() {
            Ok(n) => {
                let next = if n <= 1 {
                    "/get".into()
                } else {
                    format!("/redirect/{}", n - 1)
                };
                let absolute = query("absolute").is_some_and(|v| v == "true");
                let next = if absolute {
                    format!("http://{}{next}", host(req))
                } else {
                    next
                };
                Response::new(302).header("Location", &next)
            }
            Err(_) => Response::new(400).text("bad redirect count\n"),
        },
        (_, ["redirect-to"]) => {
            let status = query("status").and_then(|s| s.parse().ok());
            match (query("url"), status.filter(|s| (300..400).contains(s))) {
                (Some(url), status) => {
                    Response::new(status.unwrap_or(302)).header("Location", &url)
                }
                (None, _) => Response::new(400).text("missing ?url=\n"),
            }
        }
        (_, ["headers"]) => json(200, &json!({ "headers": headers(req) })),
        (_, ["bytes", n]) => match n.parse::<usize>() {
            Ok(n) if n <= 10 << 20 => {
                let seed = query("seed")
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(n as u64);
                Response::new(200)
                    .header("Content-Type", "application/octet-stream")
                    .body(pseudo_random(n, seed))
            }
            _ => Response::new(400).text("N must be at most 10485760; see /big\n"),
        },
        (_, ["big"]) => match query("bytes").map_or(Ok(1 << 20), |b| b.parse::<u64>()) {
            Ok(len) => big(len),
            Err(_) => Response::new(400).text("bad ?bytes=\n"),
        },
        (_, ["gzip"]) => {
            let mut body = echo(req);
            body["gzipped"] = json!(true);
            let mut gz = GzEncoder::new(Vec::new(), Compression::default());
            let _ = gz.write_all(pretty(&body).as_bytes());
            Response::new(200)
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .body(gz.finish().unwrap_or_default())
        }
        (_, ["delay", secs]) => match secs.parse::<f64>() {
            Ok(secs) if secs.is_finite() => {
                json(200, &echo(req)).delay((secs.clamp(0.0, 10.0) * 1000.0) as u64)
            }
            _ => Response::new(400).text("bad delay\n"),
        },
        (_, ["cookies"]) => json(200, &json!({ "cookies": cookies(req) })),
        (_, ["cookies", "set"]) => {
            let mut resp = Response::new(200);
            for (k, v) in req.query_pairs() {
                resp = resp.header("Set-Cookie", &format!("{k}={v}; Path=/"));
            }
            let set: Map<String, Value> = req
                .query_pairs()
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect();
            let body = pretty(&json!({ "cookies": set }));
            resp.json(&body)
        }
        (_, ["basic-auth", user, pass]) => {
            let expected = format!("Basic {}", base64(format!("{user}:{pass}").as_bytes()));
            if req.header("authorization") == Some(expected.as_str()) {
                json(200, &json!({ "authenticated": true, "user": user }))
            } else {
                Response::new(401).header("WWW-Authenticate", "Basic realm=\"Fake Realm\"")
            }
        }
        _ => Response::new(404).text("not found; GET / lists the routes\n"),
    }
}

/// The httpbin-style echo of a request.
fn echo(req: &Request) -> Value {
    let form_type = "application/x-www-form-urlencoded";
    let is_form = req
        .header("content-type")
        .is_some_and(|t| t.starts_with(form_type));
    let text = std::str::from_utf8(&req.body).ok();
    let form = match (is_form, text) {
        (true, Some(text)) => pairs(server::parse_pairs(text)),
        _ => Value::Object(Map::new()),
    };
    let data = match text {
        Some(text) => text.to_string(),
        None => format!("data:application/octet-stream;base64,{}", base64(&req.body)),
    };
    let url = if req.target.starts_with('/') {
        format!("http://{}{}", host(req), req.target)
    } else {
        req.target.clone()
    };
    json!({
        "method": req.method,
        "url": url,
        "args": pairs(req.query_pairs()),
        "headers": headers(req),
        "origin": "127.0.0.1",
        "data": data,
        "form": form,
        "json": serde_json::from_slice::<Value>(&req.body).unwrap_or(Value::Null),
    })
}

fn host(req: &Request) -> &str {
    req.header("host").unwrap_or("127.0.0.1")
}

/// Headers as a JSON object (exact names; repeated headers joined with ", ").
fn headers(req: &Request) -> Value {
    let mut map = Map::new();
    for (name, value) in &req.headers {
        match map.get_mut(name) {
            Some(Value::String(prev)) => *prev = format!("{prev}, {value}"),
            _ => {
                map.insert(name.clone(), value.as_str().into());
            }
        }
    }
    Value::Object(map)
}

/// Key/value pairs as a JSON object; repeated keys become arrays.
fn pairs(pairs: Vec<(String, String)>) -> Value {
    let mut map = Map::new();
    for (k, v) in pairs {
        match map.get_mut(&k) {
            Some(Value::Array(list)) => list.push(v.into()),
            Some(prev) => *prev = json!([prev.take(), v]),
            None => {
                map.insert(k, v.into());
            }
        }
    }
    Value::Object(map)
}

fn cookies(req: &Request) -> Value {
    let all = req.header_all("cookie").join("; ");
    let pairs = all.split(';').filter_map(|c| c.trim().split_once('='));
    Value::Object(pairs.map(|(k, v)| (k.to_string(), v.into())).collect())
}

fn status(code: &str) -> Response {
    let Some(code) = code.parse::<u16>().ok().filter(|c| (100..600).contains(c)) else {
        return Response::new(400).text("bad status code\n");
    };
    let resp = Response::new(code);
    match code {
        301 | 302 | 303 | 305 | 307 | 308 => resp.header("Location", "/redirect/1"),
        401 => resp.header("WWW-Authenticate", "Basic realm=\"Fake Realm\""),
        418 => resp.text("I'm a teapot\n"),
        _ => resp,
    }
}

/// `len` bytes of text written in 64 KiB blocks, never held in memory at once.
fn big(len: u64) -> Response {
    let resp = Response::new(200).header("Content-Type", "text/plain; charset=utf-8");
    resp.stream(len, move |w| {
        let line = b"rq big body: the quick brown fox jumps over the lazy dog 0123.\n";
        let block: Vec<u8> = line.iter().copied().cycle().take(64 << 10).collect();
        let mut left = len;
        while left > 0 {
            let n = left.min(block.len() as u64);
            w.write_all(&block[..n as usize])?;
            left -= n;
        }
        Ok(())
    })
}

fn pseudo_random(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        (x >> 24) as u8
    };
    (0..len).map(|_| next()).collect()
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = b(0) << 16 | b(1) << 8 | b(2);
        for i in 0..4 {
            let sextet = (n >> (18 - 6 * i)) as usize & 63;
            out.push(if i <= chunk.len() {
                ALPHABET[sextet] as char
            } else {
                '='
            });
        }
    }
    out
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

fn json(status: u16, v: &Value) -> Response {
    Response::new(status).json(&pretty(v))
}
