//! PKCE (RFC 7636) and the `state` value of an authorization request: random strings from
//! the operating system's generator, and the S256 code challenge.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use ring::rand::SecureRandom as _;

/// `bytes` random bytes from the system, base64url without padding: 32 bytes make a
/// 43-character code verifier, the shortest RFC 7636 §4.1 allows, with 256 bits in it.
pub fn random(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buf)
        .expect("the system's random number generator works");
    URL_SAFE_NO_PAD.encode(buf)
}

/// The S256 `code_challenge` for `verifier`: BASE64URL(SHA-256(verifier)).
pub fn challenge(verifier: &str) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA256, verifier.as_bytes());
    URL_SAFE_NO_PAD.encode(digest.as_ref())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7636 Appendix B.
    #[test]
    fn challenge_matches_the_rfc_example() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            challenge(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_are_long_enough_unreserved_and_different() {
        let a = random(32);
        assert_eq!(a.len(), 43);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(a, random(32));
    }
}
