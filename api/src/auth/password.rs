//! Password hashing with Argon2id (the crate's defaults: 19 MiB, 2 passes).
//! Hashing is deliberately slow, so it runs on the blocking pool.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Shortest password accepted for a new account.
pub const PASSWORD_MIN_CHARS: usize = 10;

pub async fn hash(password: String) -> Result<String, String> {
    tokio::task::spawn_blocking(move || {
        // 16 random bytes from the OS generator as the salt.
        let salt = SaltString::encode_b64(&super::token::random_bytes::<16>()).map_err(|e| e.to_string())?;
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string()).map_err(|e| e.to_string())
    })
    .await
    .map_err(|e| e.to_string())?
}

/// False for a wrong password or a malformed stored hash.
pub async fn verify(password: String, stored: String) -> bool {
    tokio::task::spawn_blocking(move || match PasswordHash::new(&stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    })
    .await
    .unwrap_or(false)
}

/// A hash to verify against when the account does not exist, so that a login for an unknown
/// e-mail takes as long as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$wJnQ7HnpmmbJ7Y/8TXFIsGJj4Jd0a6r0vYyZMRK7yXQ"
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn hashes_verify_and_differ() {
        let a = super::hash("correct horse battery".into()).await.unwrap();
        let b = super::hash("correct horse battery".into()).await.unwrap();
        assert_ne!(a, b, "salted");
        assert!(super::verify("correct horse battery".into(), a.clone()).await);
        assert!(!super::verify("wrong".into(), a).await);
        assert!(!super::verify("x".into(), "not a hash".into()).await);
        assert!(!super::verify("x".into(), super::dummy_hash().into()).await);
    }
}
