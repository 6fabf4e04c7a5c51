//! Users: people who log in with a name and a password (argon2id, PHC string in the database)
//! and get a session token valid for a while.

use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::{
    check_role, digest, new_token, now_ms, stored_role, AuthError, Principal, PrincipalKind, Role,
    Scopes, SESSION_TOKEN_PREFIX,
};
use crate::db::Tx;
use crate::{Password, Registry, RegistryError};

/// The shortest password accepted.
pub const PASSWORD_MIN: usize = 12;
/// The longest password accepted (bytes).
const PASSWORD_MAX: usize = 1024;

/// A user, as the registry gives it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Login name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// The enterprise (credit code) of an `enterprise` user.
    pub enterprise: Option<String>,
    /// The department, if any.
    pub department: Option<String>,
    /// A disabled user cannot log in, and its sessions and keys fail.
    pub disabled: bool,
    /// When created (UTC ms).
    pub created_ms: i64,
    /// When last changed (UTC ms).
    pub updated_ms: i64,
}

/// A user to create ([`Registry::create_user`]).
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Login name: 1 to 64 ASCII letters, digits, `_`, `-`, `.` or `@`.
    pub name: String,
    /// The password: at least 12 characters (`Debug` prints `***`).
    pub password: Password,
    /// Role (not `public`).
    pub role: Role,
    /// The enterprise (credit code) of an `enterprise` user; none for other roles.
    pub enterprise: Option<String>,
    /// The department, if any.
    pub department: Option<String>,
}

/// Checks a user name.
pub(crate) fn check_name(name: &str) -> Result<(), RegistryError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'@'));
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "user name `{name}`: must be 1 to 64 ASCII letters, digits, `_`, `-`, `.` or `@`"
        )))
    }
}

fn check_password(name: &str, password: &Password) -> Result<(), RegistryError> {
    let n = password.expose().chars().count();
    if n < PASSWORD_MIN || password.expose().len() > PASSWORD_MAX {
        return Err(RegistryError::Invalid(format!(
            "user {name}: the password (not shown) has {n} characters; it must have at least \
             {PASSWORD_MIN} (and at most {PASSWORD_MAX} bytes)"
        )));
    }
    Ok(())
}

/// The argon2id PHC string of a password (argon2's default parameters), computed off the async
/// threads.
async fn hash(password: &Password) -> Result<String, RegistryError> {
    let password = password.clone();
    tokio::task::spawn_blocking(move || {
        let hashed: PasswordHash = Argon2::default()
            .hash_password(password.expose().as_bytes())
            .map_err(|e| RegistryError::Corrupt(format!("hashing a password: {e}")))?;
        Ok(hashed.to_string())
    })
    .await
    .map_err(|e| RegistryError::Corrupt(format!("hashing a password: {e}")))?
}

/// Whether `password` matches the PHC string, checked off the async threads. A malformed
/// stored hash matches nothing.
async fn verify(password: &str, phc: String) -> Result<bool, RegistryError> {
    let password = Password::new(password);
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&phc).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .map_err(|e| RegistryError::Corrupt(format!("verifying a password: {e}")))
}

/// A hash no password matches that is checked when a login names no user, so a wrong name
/// takes as long as a wrong password.
async fn decoy() -> Result<String, RegistryError> {
    static DECOY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    DECOY
        .get_or_try_init(|| async {
            let random = crate::keyfile::random::<24>()?;
            hash(&Password::new(hex::encode(random))).await
        })
        .await
        .cloned()
}

const SELECT: &str =
    "SELECT name, role, enterprise, department, disabled, created_ms, updated_ms FROM users";

fn user_of(r: &AnyRow) -> Result<User, RegistryError> {
    let disabled: i64 = r.try_get(4)?;
    Ok(User {
        name: r.try_get(0)?,
        role: stored_role(r.try_get(1)?)?,
        enterprise: r.try_get(2)?,
        department: r.try_get(3)?,
        disabled: disabled != 0,
        created_ms: r.try_get(5)?,
        updated_ms: r.try_get(6)?,
    })
}

/// One user by name.
pub(crate) async fn by_name<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    name: &str,
) -> Result<Option<User>, RegistryError> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE name = $1")))
        .bind(name)
        .fetch_optional(db)
        .await?
        .map(|r| user_of(&r))
        .transpose()
}

fn no_user(name: &str) -> RegistryError {
    RegistryError::Invalid(format!("no user {name} in the registry"))
}

/// The principal of a user (a session, or a key of the user with its own scopes and limits).
pub(crate) fn principal_of(user: &User) -> Principal {
    Principal {
        kind: PrincipalKind::User,
        id: user.name.clone(),
        user: Some(user.name.clone()),
        role: user.role,
        enterprise: user.enterprise.clone(),
        department: user.department.clone(),
        scopes: Scopes::default_for(user.role),
        rate_per_min: None,
        rate_per_hour: None,
    }
}

/// The principal of a session token's digest.
pub(crate) async fn authenticate_session(
    registry: &Registry,
    digest: &str,
    now: i64,
) -> Result<Result<Principal, AuthError>, RegistryError> {
    let row = sqlx::query("SELECT user_name, expires_ms FROM sessions WHERE token_sha256 = $1")
        .bind(digest)
        .fetch_optional(registry.pool())
        .await?;
    let Some(row) = row else {
        return Ok(Err(AuthError::Invalid));
    };
    let (name, expires): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
    if expires <= now {
        sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(digest)
            .execute(registry.pool())
            .await?;
        return Ok(Err(AuthError::Expired));
    }
    Ok(match by_name(registry.pool(), &name).await? {
        None => Err(AuthError::Invalid),
        Some(u) if u.disabled => Err(AuthError::Disabled),
        Some(u) => Ok(principal_of(&u)),
    })
}

/// Writes the audit record of a change of a user (the user before and after, no hash).
async fn audit(
    registry: &Registry,
    tx: &mut Tx,
    now: i64,
    actor: &str,
    action: &str,
    before: Option<&User>,
    name: &str,
) -> Result<User, RegistryError> {
    let after = by_name(&mut **tx, name)
        .await?
        .ok_or_else(|| no_user(name))?;
    crate::audit::change(
        registry,
        tx,
        now,
        actor,
        "users",
        name,
        action,
        before,
        Some(&after),
    )
    .await?;
    Ok(after)
}

impl Registry {
    /// Creates a user (a name not taken, a password of at least 12 characters, the role rules:
    /// not `public`; `enterprise` with a registered enterprise, other roles without; a
    /// registered department), with its audit record (which never holds the password or its
    /// hash).
    pub async fn create_user(&self, actor: &str, user: &NewUser) -> Result<User, RegistryError> {
        let name = &user.name;
        check_name(name)?;
        check_password(name, &user.password)?;
        let phc = hash(&user.password).await?;
        let (_one, mut tx) = self.begin_write().await?;
        let whose = format!("user {name}");
        check_role(
            &mut tx,
            &whose,
            user.role,
            user.enterprise.as_deref(),
            user.department.as_deref(),
        )
        .await?;
        if by_name(&mut *tx, name).await?.is_some() {
            return Err(RegistryError::Invalid(format!("{whose}: already exists")));
        }
        let now = now_ms();
        sqlx::query(
            "INSERT INTO users (name, password_phc, role, enterprise, department, disabled, \
             created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)",
        )
        .bind(name)
        .bind(phc)
        .bind(user.role.as_str())
        .bind(user.enterprise.clone())
        .bind(user.department.clone())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let created = audit(self, &mut tx, now, actor, "insert", None, name).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Sets a user's password (at least 12 characters) and ends the user's sessions. The audit
    /// record says `set_password`, without the password.
    pub async fn set_password(
        &self,
        actor: &str,
        name: &str,
        password: &Password,
    ) -> Result<User, RegistryError> {
        check_password(name, password)?;
        let phc = hash(password).await?;
        let (_one, mut tx) = self.begin_write().await?;
        let before = by_name(&mut *tx, name)
            .await?
            .ok_or_else(|| no_user(name))?;
        let now = now_ms();
        sqlx::query("UPDATE users SET password_phc = $1, updated_ms = $2 WHERE name = $3")
            .bind(phc)
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM sessions WHERE user_name = $1")
            .bind(name)
            .execute(&mut *tx)
            .await?;
        let after = audit(
            self,
            &mut tx,
            now,
            actor,
            "set_password",
            Some(&before),
            name,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Disables a user (ending its sessions; its keys fail while it is disabled) or enables it
    /// again, with the audit record (`disable` or `enable`).
    pub async fn set_user_disabled(
        &self,
        actor: &str,
        name: &str,
        disabled: bool,
    ) -> Result<User, RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        let before = by_name(&mut *tx, name)
            .await?
            .ok_or_else(|| no_user(name))?;
        let now = now_ms();
        sqlx::query("UPDATE users SET disabled = $1, updated_ms = $2 WHERE name = $3")
            .bind(i64::from(disabled))
            .bind(now)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_name = $1")
                .bind(name)
                .execute(&mut *tx)
                .await?;
        }
        let action = if disabled { "disable" } else { "enable" };
        let after = audit(self, &mut tx, now, actor, action, Some(&before), name).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every user, by name.
    pub async fn users(&self) -> Result<Vec<User>, RegistryError> {
        sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY name")))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(user_of)
            .collect()
    }

    /// One user.
    pub async fn user(&self, name: &str) -> Result<Option<User>, RegistryError> {
        by_name(self.pool(), name).await
    }

    /// Logs a user in: on the right name and password of an enabled user, a new session token
    /// (`els_…`, shown to the caller once; the database holds its SHA-256) valid for `ttl`,
    /// with the user and the session's expiry (UTC ms). `Ok(None)` for a wrong name or
    /// password or a disabled user (the caller audits the failure); a wrong name takes as long
    /// as a wrong password. Expired sessions are removed.
    pub async fn login(
        &self,
        name: &str,
        password: &str,
        ttl: Duration,
    ) -> Result<Option<(User, String, i64)>, RegistryError> {
        if password.len() > PASSWORD_MAX {
            return Ok(None);
        }
        let row = sqlx::query("SELECT password_phc FROM users WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        let phc: Option<String> = row.map(|r| r.try_get(0)).transpose()?;
        let known = phc.is_some();
        let phc = match phc {
            Some(phc) => phc,
            None => decoy().await?,
        };
        if !verify(password, phc).await? || !known {
            return Ok(None);
        }
        let Some(user) = self.user(name).await? else {
            return Ok(None);
        };
        if user.disabled {
            return Ok(None);
        }
        let token = new_token(SESSION_TOKEN_PREFIX)?;
        let now = now_ms();
        let ttl_ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX);
        let expires = now.saturating_add(ttl_ms);
        sqlx::query("DELETE FROM sessions WHERE expires_ms <= $1")
            .bind(now)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO sessions (token_sha256, user_name, expires_ms, created_ms) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(digest(&token))
        .bind(name)
        .bind(expires)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(Some((user, token, expires)))
    }

    /// Ends the session of a token; whether there was one.
    pub async fn logout(&self, token: &str) -> Result<bool, RegistryError> {
        let done = sqlx::query("DELETE FROM sessions WHERE token_sha256 = $1")
            .bind(digest(token))
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() > 0)
    }
}
