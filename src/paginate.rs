//! `--paginate`: follow RFC 8288 `Link: <…>; rel="next"` headers page after page.
//!
//! Pages are fetched one at a time by the same client, so the connection is reused, and
//! joined into one stream that the printer reads like any body: JSON array pages become one
//! array (`[1,2]` + `[3,4]` → `[1,2,3,4]`), other JSON pages one value per line (an array
//! followed by an object is two lines), anything else is concatenated. A `next` link back to
//! a page already fetched ends the run with an error instead of a loop. Only one page is held at a time, so memory does not grow with the
//! number of pages. With `-v` (or `--all`) each page is printed as its own exchange instead.
//! Each page is a new request built like a redirect hop (method and body kept), so the
//! same-origin credential rule applies to every page.

use std::collections::{HashSet, VecDeque};
use std::io::{self, Read};

use anyhow::Result;
use url::Url;

use crate::diagnostics::Diagnostics;
use crate::engine::{self, Client, Exchange, Head, Observer};
use crate::error::{fail, ExitCode};
use crate::print::json;
use crate::request::Request;
use crate::state::State;

/// After this many pages without `--max-pages`, say that a limit exists.
pub const WARN_AT: u32 = 1000;

/// The URL of the `rel="next"` link among `Link` header values, resolved against `base`.
pub fn next_link<'a>(values: impl IntoIterator<Item = &'a str>, base: &Url) -> Option<Url> {
    values.into_iter().flat_map(split_links).find_map(|link| {
        let (target, params) = parse_link(link)?;
        params
            .iter()
            .any(|(k, v)| {
                k.eq_ignore_ascii_case("rel")
                    && v.split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("next"))
            })
            .then(|| base.join(target).ok())
            .flatten()
    })
}

/// Split a header value on the commas between links (not those inside `<…>` or quotes).
fn split_links(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut in_angle, mut in_quote) = (0, false, false);
    for (i, c) in value.char_indices() {
        match c {
            '<' if !in_quote => in_angle = true,
            '>' if !in_quote => in_angle = false,
            '"' if !in_angle => in_quote = !in_quote,
            ',' if !in_angle && !in_quote => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    parts
}

/// `<target>; name=value; name="value"` → (target, params).
fn parse_link(link: &str) -> Option<(&str, Vec<(&str, String)>)> {
    let link = link.trim();
    let rest = link.strip_prefix('<')?;
    let end = rest.find('>')?;
    let target = &rest[..end];
    let params = rest[end + 1..]
        .split(';')
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim(), v.trim().trim_matches('"').to_string()))
        })
        .collect();
    Some((target, params))
}

/// The request for the next page: like a 307 hop, so method, body and the credential rules
/// are the redirect ones.
pub fn next_request(prev: &Request, url: &Url) -> Result<Request> {
    engine::next_hop(prev, 307, url.as_str())
}

/// The pages requested so far, to stop when a `next` link leads back to one of them (a
/// page linking to itself would otherwise be fetched for ever).
#[derive(Debug, Default)]
pub struct Seen(HashSet<String>);

impl Seen {
    /// Note `url` as fetched; an error naming it when it was fetched before.
    pub fn visit(&mut self, url: &Url) -> Result<()> {
        let mut key = url.clone();
        key.set_fragment(None);
        if self.0.insert(key.to_string()) {
            return Ok(());
        }
        Err(fail(
            ExitCode::Error,
            format!(
                "--paginate stopped: the next page link points to {key}, a page already \
                 fetched (the pages link in a loop)"
            ),
        ))
    }
}

/// The `Link` header values of a response.
pub fn links(headers: &http::HeaderMap) -> Vec<String> {
    headers
        .get_all(http::header::LINK)
        .iter()
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .collect()
}

/// How pages are being joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Nothing,
    /// Inside the one output array; `empty` until an element has been written.
    Array {
        empty: bool,
    },
    Other,
}

/// All pages as one body stream.
pub struct Pages<'a> {
    client: &'a Client,
    state: &'a mut State,
    check_status: bool,
    diag: Diagnostics,
    max_pages: Option<u32>,
    pages: u32,
    next: Option<Request>,
    seen: Seen,
    out: VecDeque<u8>,
    join: Join,
    done: bool,
    /// The exit code of the page that failed `--check-status`, if one did.
    pub failed: Option<(ExitCode, u16)>,
    /// An error met while fetching a page; the stream ends there.
    pub error: Option<anyhow::Error>,
    /// Pages are kept apart for [`Pages::next_page`] rather than joined into one stream.
    one_by_one: bool,
    /// The page received and not yet taken, when kept apart.
    page: Option<Vec<u8>>,
}

impl<'a> Pages<'a> {
    /// Start after the first page, whose exchange the caller has already received.
    pub fn new(
        client: &'a Client,
        state: &'a mut State,
        check_status: bool,
        diag: Diagnostics,
        max_pages: Option<u32>,
    ) -> Self {
        Pages {
            client,
            state,
            check_status,
            diag,
            max_pages,
            pages: 0,
            next: None,
            seen: Seen::default(),
            out: VecDeque::new(),
            join: Join::Nothing,
            done: false,
            failed: None,
            error: None,
            one_by_one: false,
            page: None,
        }
    }

    /// Keep pages apart, to be taken one at a time with [`Pages::next_page`] (`--filter`
    /// runs on each page), instead of reading them as one joined stream.
    pub fn one_by_one(mut self) -> Self {
        self.one_by_one = true;
        self
    }

    /// The next page's body, fetched when it is asked for; `None` after the last page (or
    /// the one that failed the status check, which is not returned).
    pub fn next_page(&mut self) -> Result<Option<Vec<u8>>> {
        if self.page.is_none() && !self.done {
            self.fetch()?;
        }
        Ok(self.page.take())
    }

    /// Take in one page's exchange: queue its body and work out the next request.
    pub fn add(&mut self, exchange: Exchange) -> Result<()> {
        self.pages += 1;
        if self.pages == 1 {
            self.seen.visit(&exchange.request.url)?;
        }
        let status = exchange.head.status.as_u16();
        if self.check_status && status >= 300 {
            self.failed = Some((ExitCode::for_status(status), status));
            self.finish();
            return Ok(());
        }
        let link_values = links(&exchange.head.headers);
        let next = next_link(
            link_values.iter().map(String::as_str),
            &exchange.request.url,
        );
        let mut decoded = exchange.body.decoded(&exchange.head);
        self.diag.unknown_encoding(&decoded.unknown, "shown");
        let mut page = Vec::new();
        decoded.reader.read_to_end(&mut page)?;
        match self.one_by_one {
            true => self.page = Some(page),
            false => self.queue(&page),
        }
        let limit_reached = self.max_pages.is_some_and(|max| self.pages >= max);
        if self.pages == WARN_AT && self.max_pages.is_none() {
            self.diag.warn(format_args!(
                "{WARN_AT} pages so far; --max-pages N stops earlier"
            ));
        }
        self.next = match next {
            Some(url) if !limit_reached => {
                if let Err(e) = self.seen.visit(&url) {
                    // What came so far stays well-formed: the array is closed.
                    self.error = Some(e);
                    None
                } else {
                    Some(next_request(&exchange.request, &url)?)
                }
            }
            _ => None,
        };
        if self.next.is_none() {
            self.finish();
        }
        Ok(())
    }

    /// Append a page's body to the output according to what it is.
    fn queue(&mut self, page: &[u8]) {
        let text = page.trim_ascii();
        let array =
            text.first() == Some(&b'[') && text.last() == Some(&b']') && json::is_json(text);
        if array {
            let inner = text[1..text.len() - 1].trim_ascii();
            let empty = match self.join {
                Join::Array { empty } => empty,
                _ => {
                    self.close_array();
                    self.out.push_back(b'[');
                    true
                }
            };
            if !inner.is_empty() {
                if !empty {
                    self.out.push_back(b',');
                }
                self.out.extend(inner);
            }
            self.join = Join::Array {
                empty: empty && inner.is_empty(),
            };
        } else {
            if matches!(self.join, Join::Array { .. }) {
                // Each value on its own line: `[1]` then `{"x": 2}` is not `[1]{"x": 2}`.
                self.close_array();
                self.out.push_back(b'\n');
            }
            self.out.extend(page);
            if json::is_json(text) && !page.ends_with(b"\n") {
                self.out.push_back(b'\n');
            }
            self.join = Join::Other;
        }
    }

    fn close_array(&mut self) {
        if matches!(self.join, Join::Array { .. }) {
            self.out.push_back(b']');
            self.join = Join::Other;
        }
    }

    fn finish(&mut self) {
        self.close_array();
        self.next = None;
        self.done = true;
    }

    /// Fetch the next page into the queue.
    fn fetch(&mut self) -> Result<()> {
        let Some(request) = self.next.take() else {
            self.finish();
            return Ok(());
        };
        let exchange = self.client.exchange(request, &mut Quiet(self.state))?;
        self.add(exchange)
    }
}

impl Read for Pages<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out.is_empty() && !self.done {
            if let Err(e) = self.fetch() {
                self.error = Some(e);
                self.finish();
            }
        }
        let (front, _) = self.out.as_slices();
        let n = front.len().min(buf.len());
        buf[..n].copy_from_slice(&front[..n]);
        self.out.drain(..n);
        Ok(n)
    }
}

/// Announces nothing (pages after the first are not printed in joined mode), but keeps
/// cookies, per-hop credentials, Digest answers and the session going for every page.
pub struct Quiet<'a>(pub &'a mut State);

impl Observer for Quiet<'_> {
    fn sending(&mut self, _: &Request, _: u32, _: http::Version) -> Result<()> {
        Ok(())
    }

    fn intermediate(&mut self, _: Exchange) -> Result<()> {
        Ok(())
    }

    fn before(&mut self, request: &mut Request, hop: u32) -> Result<()> {
        self.0.before(request, hop)
    }

    fn after(&mut self, request: &Request, head: &Head) -> Result<Option<Request>> {
        self.0.after(request, head)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_header_table() {
        let base = Url::parse("https://api.test/items?page=1").unwrap();
        let cases: &[(&[&str], Option<&str>)] = &[
            (
                &[r#"<https://api.test/items?page=2>; rel="next""#],
                Some("https://api.test/items?page=2"),
            ),
            (
                &["</items?page=3>; rel=next"],
                Some("https://api.test/items?page=3"),
            ),
            (
                &["<?page=4>; rel=\"next\""],
                Some("https://api.test/items?page=4"),
            ),
            (
                &[
                    r#"<https://api.test/items?page=1>; rel="prev", <https://api.test/items?page=9>; rel="last", <https://api.test/items?page=2>; rel="next""#,
                ],
                Some("https://api.test/items?page=2"),
            ),
            (
                &[
                    r#"<https://x.test/a>; rel="prev""#,
                    r#"<https://x.test/b>; rel="next""#,
                ],
                Some("https://x.test/b"),
            ),
            (
                &[r#"<https://x.test/a,b>; title="x, y"; rel="next last""#],
                Some("https://x.test/a,b"),
            ),
            (
                &[r#"<https://x.test/a>; REL="NEXT""#],
                Some("https://x.test/a"),
            ),
            (&[r#"<https://x.test/a>; rel="last""#], None),
            (&["garbage"], None),
            (&[], None),
        ];
        for (values, want) in cases {
            let got = next_link(values.iter().copied(), &base).map(|u| u.to_string());
            assert_eq!(got.as_deref(), *want, "{values:?}");
        }
    }
}
