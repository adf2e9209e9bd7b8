//! Password hashing with Argon2id (PHC string format). The salt is supplied by the caller, which
//! draws it from the operating system's random source, so that this module stays free of I/O.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hash a password with Argon2id (19 MiB, 2 passes, 1 lane: the OWASP baseline) and a 16-byte salt.
pub fn hash_password(password: &str, salt: &[u8; 16]) -> String {
    let salt = SaltString::encode_b64(salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("hashing cannot fail with valid parameters")
        .to_string()
}

/// Whether `password` matches the stored PHC hash. A malformed hash never matches.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(h) => Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok(),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_and_verify() {
        let h = hash_password("fupin-demo", &[7u8; 16]);
        assert!(h.starts_with("$argon2id$v=19$"));
        assert!(verify_password("fupin-demo", &h));
        assert!(!verify_password("fupin-dem0", &h));
        assert!(!verify_password("fupin-demo", "not a hash"));
        assert_ne!(h, hash_password("fupin-demo", &[8u8; 16]), "salted");
    }
}
