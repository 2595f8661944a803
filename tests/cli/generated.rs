//! The committed completions and man page are exactly what the binary generates.

use crate::support::{assert_code, rq_with};

#[test]
fn committed_completions_and_man_page_are_fresh() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (kind, file) in [
        ("complete-bash", "completions/rq.bash"),
        ("complete-zsh", "completions/_rq"),
        ("complete-fish", "completions/rq.fish"),
        ("complete-powershell", "completions/_rq.ps1"),
        ("complete-elvish", "completions/rq.elv"),
        ("man", "man/rq.1"),
    ] {
        let o = rq_with(&["--generate", kind]);
        assert_code(&o, 0);
        let committed = std::fs::read(format!("{root}/{file}")).unwrap_or_default();
        assert!(
            committed == o.stdout,
            "{file} is stale: run `make completions man` and commit the result"
        );
    }
}
