//! Access tokens (JWT, HS256) and opaque refresh tokens.
//!
//! Validation pins the algorithm to HS256 (so `alg: none` and algorithm confusion fail) and
//! requires `exp`, `iss`, `aud` and `sub`: `jsonwebtoken` would otherwise accept a token without
//! an audience.

use std::time::Duration;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use store::accounts::User;

/// Shortest secret accepted: HS256 keys shorter than the hash output weaken it.
pub const SECRET_MIN_BYTES: usize = 32;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    /// User id.
    pub sub: String,
    pub email: String,
    pub role: String,
    pub team: Option<String>,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    pub jti: String,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// Why a secret is refused.
pub fn weak_secret_reason(secret: &str) -> Option<&'static str> {
    const KNOWN: &[&str] = &["secret", "changeme", "change-me", "your-secret-key", "jwt-secret", "aura", "password"];
    if secret.len() < SECRET_MIN_BYTES {
        Some("shorter than 32 bytes")
    } else if KNOWN.iter().any(|k| secret.to_ascii_lowercase().contains(k)) {
        Some("contains a well-known default")
    } else if secret.chars().collect::<std::collections::HashSet<_>>().len() < 8 {
        Some("too few distinct characters")
    } else {
        None
    }
}

impl Tokens {
    pub fn new(secret: &[u8], issuer: &str, audience: &str, access_ttl: Duration, refresh_ttl: Duration) -> Tokens {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.leeway = 5;
        Tokens {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            issuer: issuer.into(),
            audience: audience.into(),
            access_ttl,
            refresh_ttl,
        }
    }

    /// A signed access token for `user`, valid for `access_ttl` from `now`.
    pub fn issue(&self, user: &User, now: chrono::DateTime<chrono::Utc>) -> String {
        let claims = Claims {
            sub: user.id.to_string(),
            email: user.email.clone(),
            role: user.role.clone(),
            team: user.team_id.map(|t| t.to_string()),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.access_ttl.as_secs() as i64,
            jti: uuid::Uuid::new_v4().to_string(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }
}

/// A new opaque refresh token and the hash under which it is stored.
pub fn new_refresh_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
    let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let hash = hash_refresh_token(&token);
    (token, hash)
}

pub fn hash_refresh_token(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        let now = chrono::Utc::now();
        User {
            id: uuid::Uuid::new_v4(),
            email: "a@b.ae".into(),
            name: "A".into(),
            password_hash: String::new(),
            role: "agent".into(),
            team_id: None,
            active: true,
            created_at: now,
            updated_at: now,
        }
    }

    fn tokens(secret: &str) -> Tokens {
        Tokens::new(secret.as_bytes(), "aura", "aura-api", Duration::from_secs(1800), Duration::from_secs(86400))
    }

    #[test]
    fn round_trip_and_tampering() {
        let t = tokens("0123456789abcdefghijklmnopqrstuvwxyz");
        let token = t.issue(&user(), chrono::Utc::now());
        assert_eq!(t.verify(&token).unwrap().role, "agent");
        assert!(tokens("another-secret-0123456789abcdefghijkl").verify(&token).is_err(), "wrong key");
        let expired = t.issue(&user(), chrono::Utc::now() - chrono::Duration::hours(2));
        assert!(t.verify(&expired).is_err(), "expired");
        let other_aud = Tokens::new(
            b"0123456789abcdefghijklmnopqrstuvwxyz",
            "aura",
            "elsewhere",
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        assert!(t.verify(&other_aud.issue(&user(), chrono::Utc::now())).is_err(), "wrong audience");
    }

    #[test]
    fn weak_secrets_are_named() {
        assert!(weak_secret_reason("short").is_some());
        assert!(weak_secret_reason("my-jwt-secret-that-is-long-enough-yes").is_some());
        assert!(weak_secret_reason("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_some());
        assert!(weak_secret_reason("Zq8x!v2LmN4pR7tY0wK3bH6jD9fG1sQ5").is_none());
    }
}
