//! netrc parsing: any text parses (unknown tokens are skipped), and lookups never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let netrc = rq::netrc::Netrc::parse("fuzz".into(), &text);
    for host in ["example.test", "", "default", "machine"] {
        let _ = netrc.lookup(host);
    }
    let _ = format!("{netrc:?}");
});
