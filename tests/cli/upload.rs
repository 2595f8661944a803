//! Uploads stream from disk and stdin: `@file`, `field@file` and large stdin reach the
//! server intact with the right framing, survive a 307, print with `--offline`, and show a
//! progress bar only on a terminal.

use std::path::Path;

use crate::support::{
    assert_code, bin, in_terminal, rq, rq_with, rq_with_stdin, stderr, stdout, Response, Server,
};

fn data(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 253) as u8 ^ (i / 253) as u8).collect()
}

fn echo() -> Server {
    Server::http(|_| Response::new(200).text("ok"))
}

fn file_with(dir: &Path, name: &str, bytes: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path.display().to_string()
}

#[test]
fn file_body_is_sent_from_disk_with_its_content_length() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let body = data(3 << 20);
    let path = file_with(dir.path(), "blob.bin", &body);
    let o = rq_with(&["put", &s.url("/up"), &format!("@{path}")]);
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("content-length"), Some("3145728"));
    assert!(r.body == body, "body differs");
}

#[test]
fn multipart_file_part_streams_with_an_exact_content_length() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let content = data(2 << 20);
    let path = file_with(dir.path(), "photo.png", &content);
    let o = rq_with(&[
        "-f",
        "--boundary",
        "XyZ",
        "post",
        &s.url("/up"),
        "title=holiday",
        &format!("pic@{path}"),
    ]);
    assert_code(&o, 0);
    let r = &s.requests()[0];
    let len: usize = r.header("content-length").unwrap().parse().unwrap();
    assert_eq!(len, r.body.len());
    let head = b"--XyZ\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nholiday\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"pic\"; filename=\"photo.png\"\r\n\
Content-Type: image/png\r\n\r\n";
    assert!(r.body.starts_with(head), "multipart head differs");
    assert!(
        r.body[head.len()..].starts_with(&content),
        "file part differs"
    );
    assert!(r.body.ends_with(b"\r\n--XyZ--\r\n"));
}

#[test]
fn file_body_is_sent_again_after_a_307() {
    let s = Server::http(|r| match r.path.as_str() {
        "/old" => Response::new(307).header("Location", "/new"),
        _ => Response::new(200).text("ok"),
    });
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(dir.path(), "doc.json", br#"{"a": 1}"#);
    let o = rq_with(&["-F", "put", &s.url("/old"), &format!("@{path}")]);
    assert_code(&o, 0);
    let reqs = s.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[1].body_str(), r#"{"a": 1}"#);
    assert_eq!(reqs[1].header("content-type"), Some("application/json"));
}

#[test]
fn large_stdin_from_a_pipe_streams_chunked() {
    let s = echo();
    let body = data(3 << 20);
    let o = rq_with_stdin(&[&s.url("/up")], body.clone());
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.header("transfer-encoding"), Some("chunked"));
    assert_eq!(r.header("content-length"), None);
    assert!(r.body == body, "body differs");
}

#[test]
fn small_stdin_is_sent_with_a_content_length() {
    let s = echo();
    let o = rq_with_stdin(&[&s.url("/up")], b"hello".to_vec());
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("content-length"), Some("5"));
    assert_eq!(r.body, b"hello");
}

#[test]
fn large_stdin_from_a_file_keeps_its_content_length() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let body = data(3 << 20);
    let path = file_with(dir.path(), "in.bin", &body);
    let o = rq()
        .arg(s.url("/up"))
        .stdin(std::fs::File::open(path).unwrap())
        .output()
        .unwrap();
    assert_code(&o, 0);
    let r = &s.requests()[0];
    assert_eq!(r.header("content-length"), Some("3145728"));
    assert!(r.body == body, "body differs");
}

#[test]
fn streamed_stdin_is_not_sent_again_on_a_307() {
    let s = Server::http(|_| Response::new(307).header("Location", "/new"));
    let o = rq_with_stdin(&["-F", &s.url("/old")], data(2 << 20));
    assert_code(&o, 1);
    assert!(stderr(&o).contains("@FILE"), "{}", stderr(&o));
    assert_eq!(s.request_count(), 1);
}

#[test]
fn offline_prints_a_file_body_streamed_from_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(dir.path(), "note.txt", b"line one\nline two\n");
    let o = rq_with(&["--offline", "put", "example.org/x", &format!("@{path}")]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("Content-Length: 18\r\n"), "{out}");
    assert!(out.ends_with("\r\n\r\nline one\nline two\n"), "{out}");
}

#[test]
fn curl_form_of_a_multipart_upload_uses_form_options() {
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(dir.path(), "a,b.txt", b"x");
    let o = rq_with(&[
        "--curl",
        "-f",
        "post",
        "example.org/up",
        "t=1",
        &format!("f@{path}"),
    ]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert!(out.contains("--form-string t=1"), "{out}");
    assert!(
        out.contains(&format!(
            "'f=@\"{path}\";type=text/plain;filename=\"a,b.txt\"'"
        )),
        "{out}"
    );
    assert!(!out.contains("boundary"), "{out}");
}

#[test]
fn upload_progress_bar_is_drawn_on_a_terminal() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(dir.path(), "big.bin", &data(5 << 20));
    let (shown, code) = in_terminal(
        &format!("'{}' put '{}' '@{path}'", bin(), s.url("/up")),
        &[],
    );
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("upload"), "{shown}");
    assert!(shown.contains("/5.00 MiB ["), "{shown}");
    // The bar is cleared once the body is sent: the response head follows on a clean line.
    let after = shown.rsplit("\r\x1b[2K").next().unwrap_or("");
    assert!(after.contains("200 OK"), "{after:?}");
    assert!(!after.contains("upload"), "{after:?}");
}

#[test]
fn no_upload_progress_when_stderr_is_not_a_terminal() {
    let s = echo();
    let dir = tempfile::tempdir().unwrap();
    let path = file_with(dir.path(), "big.bin", &data(5 << 20));
    let o = rq_with(&["put", &s.url("/up"), &format!("@{path}")]);
    assert_code(&o, 0);
    assert_eq!(stderr(&o), "");
}
