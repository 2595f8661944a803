//! Session files: any bytes load or give an error; a loaded session renders to a file
//! that loads back to the same session.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(session) = rq::session::parse(data) {
        let text = rq::session::render(&session);
        let again = rq::session::parse(text.as_bytes()).expect("a rendered session loads");
        assert!(
            again == session,
            "render/parse round trip changed the session"
        );
    }
});
