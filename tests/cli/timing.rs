//! SPEC §4: the `m` section's timings: a waterfall at a terminal (a row per phase, or a row
//! per hop of a redirect chain), plain text when redirected, JSON with `--meta-format json`.

use serde_json::Value;

use crate::support::{assert_code, bin, in_terminal, rq_with, stdout, Response, Server};

/// `/a` → `/b` → `/c`, which answers 200.
fn chain() -> Server {
    Server::http(|r| match r.path.as_str() {
        "/a" => Response::new(302).header("Location", "/b"),
        "/b" => Response::new(302).header("Location", "/c"),
        _ => Response::new(200).json(r#"{"ok":true}"#),
    })
}

/// The rows of a waterfall: lines with a bar between `│` marks.
fn bars(screen: &str) -> Vec<&str> {
    screen.lines().filter(|l| l.contains('│')).collect()
}

/// The cells of a row's bar.
fn cells(row: &str) -> Vec<char> {
    let inner = row.split('│').nth(1).expect("a bar");
    inner.chars().collect()
}

#[test]
fn a_terminal_gets_a_row_per_phase_with_its_time() {
    let s = chain();
    let line = format!("{} -m {}", bin(), s.url("/c"));
    let (screen, code) = in_terminal(&line, &[("NO_COLOR", "1")]);
    assert_eq!(code, 0);
    let rows = bars(&screen);
    let names = ["DNS", "Connect", "TLS", "Time to first byte", "Body"];
    assert_eq!(rows.len(), names.len(), "{screen}");
    for (row, name) in rows.iter().zip(names) {
        assert!(row.trim_start().starts_with(name), "{row}");
        assert_eq!(cells(row).len(), 40, "{row}");
        assert!(row.ends_with(" ms") || row.ends_with(" s"), "{row}");
    }
    // Waiting for the response always takes some time: its bar is drawn.
    assert!(cells(rows[3]).contains(&'█'), "{screen}");
    assert!(screen.contains("Bytes received: 11"), "{screen}");
}

#[test]
fn a_redirect_chain_gets_a_row_per_hop_on_one_time_axis() {
    let s = chain();
    let line = format!("{} -F -m {}", bin(), s.url("/a"));
    let (screen, code) = in_terminal(&line, &[("NO_COLOR", "1")]);
    assert_eq!(code, 0);
    assert!(screen.contains("(3 exchanges)"), "{screen}");
    let rows = bars(&screen);
    assert_eq!(rows.len(), 3, "{screen}");
    for (row, (status, path)) in rows
        .iter()
        .zip([("302", "/a"), ("302", "/b"), ("200", "/c")])
    {
        let label = format!("{status} GET {}", s.url(path));
        assert!(row.trim_start().starts_with(&label), "{row}");
    }
    // Later hops start later: the first drawn cell of each row moves right (or stays).
    let starts: Vec<usize> = rows
        .iter()
        .map(|r| cells(r).iter().position(|c| *c != ' ').unwrap_or(0))
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "{starts:?}\n{screen}"
    );
    assert!(
        screen.contains("░ DNS") && screen.contains("▆ Body"),
        "a legend: {screen}"
    );
}

#[test]
fn redirected_output_keeps_the_plain_text_of_the_final_exchange() {
    let s = chain();
    let o = rq_with(&["-F", "-m", &s.url("/a")]);
    assert_code(&o, 0);
    let out = stdout(&o);
    assert_eq!(out.matches("Elapsed time: ").count(), 1, "{out}");
    assert!(!out.contains('│'), "{out}");
    assert!(out.contains("\n  Time to first byte: 0."), "{out}");
    assert!(out.contains("Bytes received: 11"), "{out}");
}

#[test]
fn meta_format_json_has_every_hop_and_phases_that_add_up() {
    let s = chain();
    let o = rq_with(&["-F", "-m", "--meta-format", "json", &s.url("/a")]);
    assert_code(&o, 0);
    let v: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    let hops = v["exchanges"].as_array().unwrap();
    let statuses: Vec<u64> = hops.iter().map(|h| h["status"].as_u64().unwrap()).collect();
    assert_eq!(statuses, [302, 302, 200]);
    assert_eq!(hops[2]["url"], s.url("/c"));
    assert_eq!(hops[2]["bytes"], 11);
    let mut last_start = 0.0;
    for h in hops {
        let phases: f64 = ["dns", "connect", "tls", "first_byte", "body"]
            .iter()
            .map(|p| h[p].as_f64().unwrap())
            .sum();
        let total = h["total"].as_f64().unwrap();
        assert!((phases - total).abs() < 1e-5, "{h}");
        let start = h["start"].as_f64().unwrap();
        assert!(start >= last_start, "{v}");
        last_start = start;
    }
    let end = last_start + hops[2]["total"].as_f64().unwrap();
    assert!((v["total"].as_f64().unwrap() - end).abs() < 1e-5, "{v}");
}
