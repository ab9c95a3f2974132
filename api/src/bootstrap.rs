//! First-start set-up: the signing secret and the first admin.

use std::io::Write;
use std::path::Path;

use store::accounts::{Accounts, NewUser};

use crate::auth::{password, token};

/// The JWT signing secret: the configured one (refused when weak in production), or in
/// development one generated once and kept in `data_dir/jwt-secret`.
pub fn signing_secret(configured: Option<&str>, production: bool, data_dir: &Path) -> Result<String, String> {
    if let Some(secret) = configured {
        return match token::weak_secret_reason(secret) {
            Some(reason) if production => Err(format!("AURA_JWT_SECRET is too weak for production: {reason}")),
            Some(reason) => {
                tracing::warn!(reason, "AURA_JWT_SECRET is weak; acceptable for development only");
                Ok(secret.to_string())
            }
            None => Ok(secret.to_string()),
        };
    }
    if production {
        return Err("AURA_JWT_SECRET must be set in production (32+ random bytes)".into());
    }
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_string();
        if token::weak_secret_reason(&existing).is_none() {
            return Ok(existing);
        }
    }
    let (secret, _) = token::new_refresh_token();
    write_private(&path, &secret).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    tracing::info!(path = %path.display(), "generated a JWT signing secret");
    Ok(secret)
}

/// Writes a file readable by its owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(contents.as_bytes())?;
    file.write_all(b"\n")
}

/// What first start did about the admin account.
#[derive(Debug)]
pub enum AdminBootstrap {
    /// Users exist already.
    Existing,
    /// Created with the configured password.
    Created { email: String },
    /// Created with a generated password, also written to `file`.
    Generated { email: String, password: String, file: std::path::PathBuf },
}

/// On an empty user table, creates an admin from `AURA_ADMIN_EMAIL`/`AURA_ADMIN_PASSWORD`, or
/// with a random password that is written to `data_dir/admin-password.txt`.
pub async fn ensure_admin(
    accounts: &dyn Accounts,
    email: Option<&str>,
    configured_password: Option<&str>,
    data_dir: &Path,
) -> Result<AdminBootstrap, String> {
    if accounts.count_users().await.map_err(|e| e.to_string())? > 0 {
        return Ok(AdminBootstrap::Existing);
    }
    let email = email.unwrap_or("admin@aura.local").trim().to_lowercase();
    let (password, generated) = match configured_password {
        Some(p) if p.chars().count() >= password::PASSWORD_MIN_CHARS => (p.to_string(), false),
        Some(_) => {
            return Err(format!("AURA_ADMIN_PASSWORD must be at least {} characters", password::PASSWORD_MIN_CHARS))
        }
        None => (token::new_refresh_token().0[..24].to_string(), true),
    };
    let hash = password::hash(password.clone()).await?;
    let user = NewUser {
        email: email.clone(),
        name: "Administrator".into(),
        password_hash: hash,
        role: "admin".into(),
        team_id: None,
    };
    accounts.create_user(&user, runtime::SystemClock.now()).await.map_err(|e| e.to_string())?;
    if generated {
        let file = data_dir.join("admin-password.txt");
        write_private(&file, &format!("{email}\n{password}"))
            .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
        Ok(AdminBootstrap::Generated { email, password, file })
    } else {
        Ok(AdminBootstrap::Created { email })
    }
}
