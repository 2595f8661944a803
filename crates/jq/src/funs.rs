//! The parts of jq's standard library that `--filter` implements itself rather than take
//! from jaq-std's optional features: those features bring a date library, a regex engine
//! and a maths library that would more than double what `--filter` adds to rq's size.
//!
//! Here: `@base64`/`@base64d` and `@uri` on the crates rq already has, `@html`, `@csv`,
//! `@tsv`, `debug` and
//! `stderr`, the maths functions on Rust's `f64`, `now`, and ISO 8601 dates in UTC
//! (`todate`, `fromdate`). Regular expressions (`test`, `match`, `capture`, `scan`,
//! `splits`, `sub`, `gsub`) fail with a message saying so. Other date functions (`strftime`,
//! `mktime`, `gmtime` …) and `env` are left out: naming one is an "undefined filter" error.

use jaq_core::native::{bome, run, v, Filter, Fun};
use jaq_core::{Error, RunPtr, ValR};
use jaq_json::Val;
use jaq_std::ValT as _;

type Data = jaq_core::data::JustLut<Val>;
type Native = Filter<RunPtr<Data>>;

/// The natives jaq-std's definitions (and jq users) need beyond `jaq_std::base_funs`.
pub fn funs() -> impl Iterator<Item = Fun<Data>> {
    let lists: [Box<[Native]>; 4] = [output(), format(), maths(), dates()];
    lists
        .into_iter()
        .flat_map(|l| l.into_vec())
        .map(run::<Data>)
}

fn output() -> Box<[Native]> {
    Box::new([
        ("debug_empty", v(0), |cv| {
            eprintln!("[\"DEBUG:\",{}]", cv.1);
            Box::new(std::iter::empty())
        }),
        ("stderr_empty", v(0), |cv| {
            match cv.1.as_utf8_bytes() {
                Some(s) => eprint!("{}", String::from_utf8_lossy(s)),
                None => eprint!("{}", cv.1),
            }
            Box::new(std::iter::empty())
        }),
        // Regular expressions: defined so that jq's definitions compile, failing when used.
        ("matches", v(2), |_| bome(no_regex())),
        ("split_matches", v(2), |_| bome(no_regex())),
        ("split_", v(2), |_| bome(no_regex())),
    ])
}

/// A number as a float, or a type error.
fn num(v: &Val) -> Result<f64, Error<Val>> {
    v.as_f64().ok_or_else(|| Error::typ(v.clone(), "number"))
}

/// A string value mapped through `f`.
fn map_str<B: AsRef<[u8]> + Send + 'static>(v: Val, f: impl FnOnce(&[u8]) -> B) -> ValR<Val> {
    Ok(Val::from_utf8_bytes(f(v.try_as_utf8_bytes()?)))
}

fn no_regex() -> ValR<Val> {
    Err(Error::str(
        "regular expressions (test, match, capture, scan, splits, sub, gsub) are not \
         available in rq's --filter",
    ))
}

fn format() -> Box<[Native]> {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine;
    Box::new([
        ("escape_html", v(0), |cv| bome(map_str(cv.1, html))),
        ("unescape_html", v(0), |cv| bome(map_str(cv.1, unhtml))),
        ("encode_uri", v(0), |cv| {
            // jq keeps the unreserved characters of RFC 3986.
            const KEEP: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            bome(map_str(cv.1, |s| {
                percent_encoding::percent_encode(s, KEEP).to_string()
            }))
        }),
        ("decode_uri", v(0), |cv| {
            bome(map_str(cv.1, |s| {
                percent_encoding::percent_decode(s).collect::<Vec<u8>>()
            }))
        }),
        ("@csv", v(0), |cv| bome(row(cv.1, csv_field, b','))),
        ("@tsv", v(0), |cv| bome(row(cv.1, tsv_field, b'\t'))),
        ("encode_base64", v(0), |cv| {
            bome(map_str(cv.1, |s| STANDARD.encode(s)))
        }),
        ("decode_base64", v(0), |cv| {
            bome(cv.1.try_as_utf8_bytes().and_then(|s| {
                STANDARD
                    .decode(s)
                    .map(Val::from_utf8_bytes)
                    .map_err(|e| Error::str(format_args!("{e}")))
            }))
        }),
    ])
}

/// An array as one CSV or TSV line: strings through `field`, numbers and booleans as
/// their text, null as nothing.
fn row(v: Val, field: fn(&[u8], &mut Vec<u8>), sep: u8) -> ValR<Val> {
    let Val::Arr(items) = &v else {
        return Err(Error::typ(v, "array"));
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(sep);
        }
        match item {
            Val::Null => {}
            Val::Bool(_) | Val::Num(_) => out.extend_from_slice(item.to_string().as_bytes()),
            Val::TStr(s) | Val::BStr(s) => field(s, &mut out),
            other => return Err(Error::typ(other.clone(), "string, number, boolean or null")),
        }
    }
    Ok(Val::from_utf8_bytes(out))
}

/// `"…"` with `"` doubled.
fn csv_field(s: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    for &b in s {
        if b == b'"' {
            out.push(b'"');
        }
        out.push(b);
    }
    out.push(b'"');
}

/// Tabs, line breaks and backslashes escaped.
fn tsv_field(s: &[u8], out: &mut Vec<u8>) {
    for &b in s {
        match b {
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\\' => out.extend_from_slice(b"\\\\"),
            b => out.push(b),
        }
    }
}

const HTML: [(&str, &str); 5] = [
    ("&", "&amp;"),
    ("<", "&lt;"),
    (">", "&gt;"),
    ("'", "&#39;"),
    ("\"", "&quot;"),
];

fn html(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    for &b in s {
        match HTML.iter().find(|(c, _)| c.as_bytes()[0] == b) {
            Some((_, escaped)) => out.extend_from_slice(escaped.as_bytes()),
            None => out.push(b),
        }
    }
    out
}

fn unhtml(s: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len());
    let mut rest = s;
    'outer: while let Some((&b, tail)) = rest.split_first() {
        if b == b'&' {
            for (plain, escaped) in HTML.iter().chain(&[("'", "&apos;")]) {
                if let Some(after) = rest.strip_prefix(escaped.as_bytes()) {
                    out.extend_from_slice(plain.as_bytes());
                    rest = after;
                    continue 'outer;
                }
            }
        }
        out.push(b);
        rest = tail;
    }
    out
}

/// `name` as a filter on `.`, from a function of a float.
macro_rules! unary {
    ($name:literal, $f:expr) => {
        ($name, v(0), |cv| {
            bome(num(&cv.1).map(|x| Val::from(($f)(x))))
        })
    };
}

/// `name(a; b)`, from a function of two floats.
macro_rules! binary {
    ($name:literal, $f:expr) => {
        ($name, v(2), |mut cv| {
            let b = cv.0.pop_var();
            let a = cv.0.pop_var();
            bome((|| Ok(Val::from(($f)(num(&a)?, num(&b)?))))())
        })
    };
}

fn maths() -> Box<[Native]> {
    Box::new([
        unary!("sqrt", f64::sqrt),
        unary!("cbrt", f64::cbrt),
        unary!("exp", f64::exp),
        unary!("exp2", f64::exp2),
        unary!("exp10", |x: f64| 10f64.powf(x)),
        unary!("expm1", f64::exp_m1),
        unary!("log", f64::ln),
        unary!("log2", f64::log2),
        unary!("log10", f64::log10),
        unary!("log1p", f64::ln_1p),
        unary!("fabs", f64::abs),
        unary!("trunc", f64::trunc),
        unary!("rint", f64::round_ties_even),
        unary!("nearbyint", f64::round_ties_even),
        unary!("sin", f64::sin),
        unary!("cos", f64::cos),
        unary!("tan", f64::tan),
        unary!("asin", f64::asin),
        unary!("acos", f64::acos),
        unary!("atan", f64::atan),
        unary!("sinh", f64::sinh),
        unary!("cosh", f64::cosh),
        unary!("tanh", f64::tanh),
        unary!("asinh", f64::asinh),
        unary!("acosh", f64::acosh),
        unary!("atanh", f64::atanh),
        unary!("tgamma", gamma),
        ("ilogb", v(0), |cv| {
            bome(num(&cv.1).map(|x| Val::from(ilogb(x))))
        }),
        binary!("pow", f64::powf),
        binary!("atan2", f64::atan2),
        binary!("fmin", f64::min),
        binary!("fmax", f64::max),
        binary!("fmod", |a: f64, b: f64| a % b),
        binary!("hypot", f64::hypot),
        binary!("copysign", f64::copysign),
        binary!("remainder", |a: f64, b: f64| a
            - (a / b).round_ties_even() * b),
        binary!("nextafter", next_after),
        binary!("scalbln", |a: f64, n: f64| a * 2f64.powi(n as i32)),
        binary!("ldexp", |a: f64, n: f64| a * 2f64.powi(n as i32)),
    ])
}

/// The exponent of `x`: `floor(log2(|x|))`, as C's `ilogb`.
fn ilogb(x: f64) -> isize {
    match x {
        0.0 => i32::MIN as isize,
        x if x.is_nan() => i32::MIN as isize,
        x if x.is_infinite() => i32::MAX as isize,
        x => x.abs().log2().floor() as isize,
    }
}

/// The float next to `x` in the direction of `y`.
fn next_after(x: f64, y: f64) -> f64 {
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == y {
        return y;
    }
    if x == 0.0 {
        return f64::from_bits(1).copysign(y);
    }
    let bits = x.to_bits();
    let away = (y > x) == (x > 0.0);
    f64::from_bits(if away { bits + 1 } else { bits - 1 })
}

/// The gamma function (Lanczos approximation, g = 7, 9 terms; reflection below 1/2).
fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        return std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x));
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let sum: f64 = G[0] + (1..9).map(|i| G[i] / (x + i as f64)).sum::<f64>();
    (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * sum
}

fn dates() -> Box<[Native]> {
    Box::new([
        ("now", v(0), |_| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            bome(Ok(Val::from(now.map_or(0.0, |d| d.as_secs_f64()))))
        }),
        ("todateiso8601", v(0), |cv| {
            bome(num(&cv.1).map(|t| Val::from(to_iso8601(t))))
        }),
        ("fromdateiso8601", v(0), |cv| {
            bome(cv.1.try_as_utf8_bytes().and_then(|s| {
                from_iso8601(s).map(Val::from).ok_or_else(|| {
                    Error::str(format_args!(
                        "date \"{}\" does not match format \"%Y-%m-%dT%H:%M:%SZ\"",
                        String::from_utf8_lossy(s)
                    ))
                })
            }))
        }),
    ])
}

/// Days since 1970-01-01 of a date in the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (m + if m > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `2015-03-05T23:51:47Z` for seconds since the epoch (UTC; fractions dropped, as jq).
fn to_iso8601(t: f64) -> String {
    let secs = t.floor() as i64;
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, min, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}Z")
}

/// Seconds since the epoch of `YYYY-MM-DDTHH:MM:SSZ`.
fn from_iso8601(s: &[u8]) -> Option<isize> {
    let s = std::str::from_utf8(s).ok()?;
    let (date, time) = s.strip_suffix('Z')?.split_once('T')?;
    let num = |t: &str| t.parse::<i64>().ok();
    let mut date = date.splitn(3, '-').map(num);
    let (y, m, d) = (date.next()??, date.next()??, date.next()??);
    let mut time = time.splitn(3, ':').map(num);
    let (h, min, sec) = (time.next()??, time.next()??, time.next()??);
    let valid = (1..=12).contains(&m) && (1..=31).contains(&d) && h < 24 && min < 60 && sec < 61;
    valid.then(|| (days_from_civil(y, m, d) * 86_400 + h * 3600 + min * 60 + sec) as isize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_in_utc() {
        for (t, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_425_599_507, "2015-03-05T23:51:47Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (-86_400, "1969-12-31T00:00:00Z"),
        ] {
            assert_eq!(to_iso8601(t as f64), text);
            assert_eq!(from_iso8601(text.as_bytes()), Some(t));
        }
        assert_eq!(from_iso8601(b"2015-13-05T23:51:47Z"), None);
    }

    #[test]
    fn maths_helpers_follow_c() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-9);
        assert_eq!(ilogb(8.0), 3);
        assert_eq!(ilogb(0.3), -2);
        assert!(next_after(1.0, 2.0) > 1.0 && next_after(1.0, 0.0) < 1.0);
        assert_eq!(html(b"<a href='x'>&"), b"&lt;a href=&#39;x&#39;&gt;&amp;");
        assert_eq!(unhtml(b"&lt;b&gt; &amp;amp; &apos;"), b"<b> &amp; '");
        let arr = |items: Vec<Val>| Val::Arr(jaq_json::Rc::new(items));
        let line = |v: ValR<Val>| v.map(|v| v.to_string()).unwrap();
        let items = || {
            let text = |s: &str| Val::from(s.to_string());
            arr(vec![
                text("a\"b"),
                Val::from(1usize),
                Val::Null,
                text("t\tx"),
            ])
        };
        assert_eq!(
            line(row(items(), csv_field, b',')),
            r#""\"a\"\"b\",1,,\"t\tx\"""#
        );
        assert_eq!(
            line(row(items(), tsv_field, b'\t')),
            r#""a\"b\t1\t\tt\\tx""#
        );
    }
}
