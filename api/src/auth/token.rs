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
    /// Not before: the issue time (checked with the same small leeway as `exp`).
    #[serde(default)]
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The session (refresh-token family) the token belongs to: when the session ends by
    /// logout, reuse or revocation, its access tokens end with it. Absent on tokens issued
    /// outside a login (tests, tools), which have no session to end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Seconds of clock difference tolerated on `exp`, `nbf` and `iat`.
pub const LEEWAY_SECONDS: u64 = 5;

/// Why a token was refused.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error(transparent)]
    Invalid(#[from] jsonwebtoken::errors::Error),
    #[error("token issued in the future")]
    IssuedInFuture,
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
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
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

    /// A signed access token for `user`, valid for `access_ttl` from `now`, without a session.
    pub fn issue(&self, user: &User, now: chrono::DateTime<chrono::Utc>) -> String {
        self.issue_in_session(user, None, now)
    }

    /// A signed access token of the login session `session` (its refresh-token family).
    pub fn issue_in_session(
        &self,
        user: &User,
        session: Option<uuid::Uuid>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> String {
        let claims = Claims {
            sub: user.id.to_string(),
            email: user.email.clone(),
            role: user.role.clone(),
            team: user.team_id.map(|t| t.to_string()),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            nbf: now.timestamp(),
            exp: now.timestamp() + self.access_ttl.as_secs() as i64,
            jti: uuid::Uuid::new_v4().to_string(),
            sid: session.map(|s| s.to_string()),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail")
    }

    /// Checks signature, algorithm, issuer, audience, `exp` and `nbf`, and that the token was not
    /// issued after `now` (beyond the leeway): a token from the future was not made by this clock.
    pub fn verify(&self, token: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Claims, TokenError> {
        let claims = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)?.claims;
        if claims.iat > now.timestamp() + LEEWAY_SECONDS as i64 {
            return Err(TokenError::IssuedInFuture);
        }
        Ok(claims)
    }
}

/// `N` bytes from the operating system's random source, for secrets (tokens, salts, passwords).
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // Without the OS generator no secret can be made safely: stop rather than weaken it.
    getrandom::fill(&mut bytes).expect("the operating system's random source is unavailable");
    bytes
}

/// A new opaque refresh token (256 random bits, hex) and the hash under which it is stored.
pub fn new_refresh_token() -> (String, String) {
    let bytes: [u8; 32] = random_bytes();
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
        let now = runtime::SystemClock.now();
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
    fn refresh_tokens_are_256_random_bits() {
        let (a, hash) = new_refresh_token();
        let (b, _) = new_refresh_token();
        assert_eq!(a.len(), 64);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
        assert_eq!(hash, hash_refresh_token(&a));
        // Not UUIDs glued together: no version nibble pinned at 4 in either half.
        let pinned = (0..200).all(|_| {
            let t = new_refresh_token().0;
            &t[12..13] == "4" && &t[44..45] == "4"
        });
        assert!(!pinned);
    }

    #[test]
    fn round_trip_and_tampering() {
        let t = tokens("0123456789abcdefghijklmnopqrstuvwxyz");
        let token = t.issue(&user(), runtime::SystemClock.now());
        assert_eq!(t.verify(&token, runtime::SystemClock.now()).unwrap().role, "agent");
        assert!(
            tokens("another-secret-0123456789abcdefghijkl").verify(&token, runtime::SystemClock.now()).is_err(),
            "wrong key"
        );
        let expired = t.issue(&user(), runtime::SystemClock.now() - chrono::Duration::hours(2));
        assert!(t.verify(&expired, runtime::SystemClock.now()).is_err(), "expired");
        let other_aud = Tokens::new(
            b"0123456789abcdefghijklmnopqrstuvwxyz",
            "aura",
            "elsewhere",
            Duration::from_secs(60),
            Duration::from_secs(60),
        );
        assert!(
            t.verify(&other_aud.issue(&user(), runtime::SystemClock.now()), runtime::SystemClock.now()).is_err(),
            "wrong audience"
        );
    }

    #[test]
    fn tokens_from_the_future_are_refused() {
        let secret = "0123456789abcdefghijklmnopqrstuvwxyz";
        let t = tokens(secret);
        let now = runtime::SystemClock.now();
        let sign = |iat: i64, nbf: i64| {
            let claims = Claims {
                sub: "u".into(),
                email: "a@b.ae".into(),
                role: "agent".into(),
                team: None,
                iss: "aura".into(),
                aud: "aura-api".into(),
                iat,
                nbf,
                exp: now.timestamp() + 3600,
                jti: "j".into(),
                sid: None,
            };
            jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret.as_bytes()))
                .unwrap()
        };
        let ts = now.timestamp();
        assert!(t.verify(&sign(ts, ts), now).is_ok());
        assert!(t.verify(&sign(ts + 3, ts + 3), now).is_ok(), "within the leeway");
        assert!(matches!(t.verify(&sign(ts, ts + 600), now), Err(TokenError::Invalid(_))), "nbf in the future");
        assert!(matches!(t.verify(&sign(ts + 600, ts), now), Err(TokenError::IssuedInFuture)), "iat in the future");
    }

    #[test]
    fn weak_secrets_are_named() {
        assert!(weak_secret_reason("short").is_some());
        assert!(weak_secret_reason("my-jwt-secret-that-is-long-enough-yes").is_some());
        assert!(weak_secret_reason("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").is_some());
        assert!(weak_secret_reason("Zq8x!v2LmN4pR7tY0wK3bH6jD9fG1sQ5").is_none());
    }
}
