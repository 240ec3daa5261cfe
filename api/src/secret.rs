//! Random secrets handed to clients (API tokens, session cookies, CSRF tokens) and the hashes
//! kept in their place. A stored hash opens nothing; comparing hashes keeps the comparison of
//! secrets free of timing leaks.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// 256 random bits, URL-safe base64, after `prefix`.
pub fn generate(prefix: &str) -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// The SHA-256 of a secret, in lowercase hex: what the database keeps.
pub fn hash(secret: &str) -> String {
    let digest = Sha256::digest(secret.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a secret a client sent equals the expected one, compared through their hashes.
pub fn matches(expected: &str, given: &str) -> bool {
    Sha256::digest(expected.as_bytes()) == Sha256::digest(given.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stored_hash_is_sha256_hex() {
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn secrets_are_long_random_and_prefixed() {
        let (a, b) = (generate("x_"), generate("x_"));
        assert!(a.starts_with("x_") && a.len() == 2 + 43);
        assert_ne!(a, b);
        assert!(matches(&a, &a.clone()));
        assert!(!matches(&a, &b));
    }
}
