//! `--retry`: sending a request again after a transient failure.
//!
//! Retried: connection errors (refused, reset, closed early), connect and idle timeouts, and
//! 408/429/500/502/503/504 responses — for idempotent methods only (GET HEAD PUT DELETE
//! OPTIONS TRACE), unless `--retry-all-methods`. Not retried: DNS failures, TLS failures and
//! `--max-time` (the whole budget is spent). The pause is the server's `Retry-After`
//! (seconds or an HTTP-date), else `--retry-delay`, else 1 s doubling up to 30 s; no attempt
//! starts after `--retry-max-time`. Each retry is one line on stderr. A body that can be
//! sent only once (streamed from stdin) refuses the retry with a message instead.

use std::io;
use std::time::{Duration, Instant, SystemTime};

use ureq::http;

use super::conn::explanation;

/// Retry settings (default: none).
#[derive(Debug, Clone, Default)]
pub struct Retry {
    /// Attempts after the first (`--retry N`, default 0).
    pub retries: u32,
    /// Fixed pause between attempts (`--retry-delay`); default: 1 s doubling, capped at 30 s.
    pub delay: Option<Duration>,
    /// Start no attempt after this long from the first (`--retry-max-time`; default: no limit).
    pub max_time: Option<Duration>,
    /// Retry methods that are not idempotent too (`--retry-all-methods`).
    pub all_methods: bool,
    /// Say each retry on stderr (off with `-qq`).
    pub announce: bool,
}

/// The longest `Retry-After` rq waits for (without `--retry-max-time`); a server asking
/// for more gets its answer returned instead.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// Cap of the exponential pause.
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Why an attempt is worth repeating.
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// One line for the user, e.g. `HTTP 503 Service Unavailable`.
    pub what: String,
    /// What the server's `Retry-After` asked for.
    pub retry_after: Option<Duration>,
}

/// GET HEAD PUT DELETE OPTIONS TRACE (RFC 9110 §9.2.2).
pub fn idempotent(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS" | "TRACE"
    )
}

impl Retry {
    /// Run `attempt` until `judge` finds nothing to retry or the policy says stop.
    /// `replayable` is false when the request body can be sent only once.
    pub fn run<T, E>(
        &self,
        method: &str,
        replayable: bool,
        mut attempt: impl FnMut() -> Result<T, E>,
        judge: impl Fn(&Result<T, E>) -> Option<Reason>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let mut n = 1;
        loop {
            let result = attempt();
            if n > self.retries {
                return result;
            }
            let Some(reason) = judge(&result) else {
                return result;
            };
            if let Some(refusal) = self.refusal(method, replayable) {
                self.say(format_args!("not retrying: {refusal} ({})", reason.what));
                return result;
            }
            let delay = match self.pause(n, &reason, started.elapsed()) {
                Ok(delay) => delay,
                Err(why) => {
                    self.say(format_args!("not retrying: {why} ({})", reason.what));
                    return result;
                }
            };
            self.say(format_args!(
                "retrying in {:.1}s (attempt {} of {}): {}",
                delay.as_secs_f64(),
                n + 1,
                self.retries + 1,
                reason.what
            ));
            drop(result);
            std::thread::sleep(delay);
            n += 1;
        }
    }

    fn refusal(&self, method: &str, replayable: bool) -> Option<String> {
        if !self.all_methods && !idempotent(method) {
            return Some(format!(
                "{method} is not idempotent (pass --retry-all-methods to retry it anyway)"
            ));
        }
        (!replayable).then(|| {
            "the request body was streamed from stdin and can't be sent again (save it to a \
             file and use @FILE)"
                .to_string()
        })
    }

    /// The pause before attempt `n + 1`, or why there is none: it would end past the limits.
    fn pause(&self, n: u32, reason: &Reason, elapsed: Duration) -> Result<Duration, String> {
        let delay = match (reason.retry_after, self.delay) {
            (Some(server), _) => server,
            (None, Some(fixed)) => fixed,
            (None, None) => Duration::from_secs(1u64 << (n - 1).min(5)).min(MAX_BACKOFF),
        };
        let asked = match reason.retry_after {
            Some(_) => format!("the server asks to wait {}s (Retry-After)", delay.as_secs()),
            None => format!("the next pause of {:.1}s", delay.as_secs_f64()),
        };
        match self.max_time {
            Some(max) if elapsed + delay > max => Err(format!(
                "{asked}, which would end past --retry-max-time {}s",
                max.as_secs_f64()
            )),
            None if reason.retry_after.is_some() && delay > MAX_RETRY_AFTER => Err(format!(
                "{asked}, longer than rq waits without --retry-max-time ({}s)",
                MAX_RETRY_AFTER.as_secs()
            )),
            _ => Ok(delay),
        }
    }

    fn say(&self, line: std::fmt::Arguments) {
        if self.announce {
            eprintln!("rq: {line}");
        }
    }
}

/// A response worth retrying: 408, 429, 500, 502, 503, 504.
pub fn status(head: &http::response::Parts) -> Option<Reason> {
    let code = head.status;
    if !matches!(code.as_u16(), 408 | 429 | 500 | 502 | 503 | 504) {
        return None;
    }
    let retry_after = head
        .headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| retry_after(v, SystemTime::now()));
    Some(Reason {
        what: format!(
            "HTTP {} {}",
            code.as_u16(),
            code.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_string(),
        retry_after,
    })
}

/// `Retry-After: SECONDS` or `Retry-After: HTTP-DATE`, as a pause from `now`.
pub fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(super::date::parse_http_date(value)?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A failure worth retrying, described in `what`: connection errors and timeouts other than
/// `--max-time`.
pub fn failure(err: &ureq::Error, what: impl FnOnce() -> String) -> Option<Reason> {
    use ureq::Timeout as T;
    let transient = match err {
        ureq::Error::Timeout(T::Global | T::PerCall) => false,
        ureq::Error::Timeout(_) | ureq::Error::ConnectionFailed => true,
        ureq::Error::Io(e) => match explanation(err) {
            Some(explained) => explained.transient,
            None => matches!(
                e.kind(),
                io::ErrorKind::ConnectionRefused
                    | io::ErrorKind::ConnectionReset
                    | io::ErrorKind::ConnectionAborted
                    | io::ErrorKind::NotConnected
                    | io::ErrorKind::BrokenPipe
                    | io::ErrorKind::UnexpectedEof
                    | io::ErrorKind::TimedOut
            ),
        },
        _ => false,
    };
    transient.then(|| Reason {
        what: what(),
        retry_after: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    fn policy(retries: u32) -> Retry {
        Retry {
            retries,
            delay: Some(Duration::ZERO),
            ..Retry::default()
        }
    }

    fn flaky(fails: u32) -> (Cell<u32>, impl Fn(&Result<u32, ()>) -> Option<Reason>) {
        let judge = move |r: &Result<u32, ()>| {
            (*r.as_ref().unwrap() <= fails).then(|| Reason {
                what: "HTTP 503".into(),
                retry_after: None,
            })
        };
        (Cell::new(0), judge)
    }

    #[test]
    fn retries_until_success_within_the_count() {
        let (calls, judge) = flaky(2);
        let attempt = || {
            calls.set(calls.get() + 1);
            Ok(calls.get())
        };
        assert_eq!(policy(3).run("GET", true, attempt, judge), Ok(3));
    }

    #[test]
    fn gives_up_after_the_count_with_the_last_answer() {
        let (calls, judge) = flaky(10);
        let attempt = || {
            calls.set(calls.get() + 1);
            Ok(calls.get())
        };
        assert_eq!(policy(2).run("GET", true, attempt, judge), Ok(3));
    }

    #[test]
    fn post_and_unreplayable_bodies_are_not_retried() {
        for (method, replayable, all) in [("POST", true, false), ("PUT", false, true)] {
            let (calls, judge) = flaky(10);
            let attempt = || {
                calls.set(calls.get() + 1);
                Ok(calls.get())
            };
            let mut p = policy(3);
            p.all_methods = all;
            assert_eq!(p.run(method, replayable, attempt, judge), Ok(1));
        }
        let (calls, judge) = flaky(1);
        let mut p = policy(3);
        p.all_methods = true;
        let attempt = || {
            calls.set(calls.get() + 1);
            Ok(calls.get())
        };
        assert_eq!(p.run("POST", true, attempt, judge), Ok(2));
    }

    #[test]
    fn backoff_doubles_from_a_second_and_is_capped() {
        let p = Retry {
            retries: 10,
            ..Retry::default()
        };
        let r = Reason {
            what: String::new(),
            retry_after: None,
        };
        let pauses: Vec<u64> = (1..=7)
            .map(|n| p.pause(n, &r, Duration::ZERO).unwrap().as_secs())
            .collect();
        assert_eq!(pauses, [1, 2, 4, 8, 16, 30, 30]);
    }

    #[test]
    fn retry_after_wins_and_max_time_bounds_it() {
        let mut p = policy(3);
        let r = Reason {
            what: String::new(),
            retry_after: Some(Duration::from_secs(5)),
        };
        assert_eq!(p.pause(1, &r, Duration::ZERO), Ok(Duration::from_secs(5)));
        p.max_time = Some(Duration::from_secs(4));
        let why = p.pause(1, &r, Duration::ZERO).unwrap_err();
        assert!(why.contains("--retry-max-time 4s"), "{why}");
        p.max_time = None;
        let long = Reason {
            retry_after: Some(Duration::from_secs(3600)),
            ..r
        };
        let why = p.pause(1, &long, Duration::ZERO).unwrap_err();
        assert!(why.contains("wait 3600s (Retry-After)"), "{why}");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_770);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        assert_eq!(
            retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn only_transient_failures_are_retried() {
        let refused = ureq::Error::Io(io::ErrorKind::ConnectionRefused.into());
        assert!(failure(&refused, || "refused".into()).is_some());
        assert!(failure(&ureq::Error::Timeout(ureq::Timeout::Connect), String::new).is_some());
        assert!(failure(&ureq::Error::Timeout(ureq::Timeout::Global), String::new).is_none());
        assert!(failure(&ureq::Error::HostNotFound, String::new).is_none());
        let tls = super::super::conn::explained("certificate expired");
        assert!(failure(&tls, String::new).is_none());
    }
}
