//! API keys: a random token shown once (`elk_…`), stored as its SHA-256, with a role (or the role
//! of the user it belongs to), scopes within the role's, an optional expiry and rate limits.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use super::user::{self, principal_of};
use super::{
    check_role, digest, new_token, now_ms, stored_role, AuthError, Principal, PrincipalKind, Role,
    Scopes, KEY_TOKEN_PREFIX,
};
use crate::db::Tx;
use crate::{Registry, RegistryError};

/// The shortest token accepted for [`Registry::create_key_with_token`] (bootstrap tokens).
pub const TOKEN_MIN: usize = 32;
/// The longest token accepted.
const TOKEN_MAX: usize = 256;

/// How often `last_used_ms` is written, at most (ms).
const LAST_USED_EVERY_MS: i64 = 60_000;

/// An API key, as the registry gives it (never its token or the token's digest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiKey {
    /// Public identifier (`k` and 12 hex digits), for listing and revoking.
    pub id: String,
    /// What the key is for.
    pub name: String,
    /// The user it belongs to: then the role, enterprise and department are the user's (the
    /// copies here are as at creation).
    pub user: Option<String>,
    /// Role.
    pub role: Role,
    /// The enterprise (credit code) of an `enterprise` key.
    pub enterprise: Option<String>,
    /// The department, if any.
    pub department: Option<String>,
    /// What it may do (within its role's scopes).
    pub scopes: Scopes,
    /// When it stops working (UTC ms), if ever.
    pub expires_ms: Option<i64>,
    /// When it was revoked (UTC ms).
    pub revoked_ms: Option<i64>,
    /// When it was last used (UTC ms, to the minute).
    pub last_used_ms: Option<i64>,
    /// Its own limit of requests per minute (`None`: the server's default).
    pub rate_per_min: Option<u32>,
    /// Its own limit of requests per hour (`None`: the server's default).
    pub rate_per_hour: Option<u32>,
    /// Who created it.
    pub created_by: String,
    /// When (UTC ms).
    pub created_ms: i64,
}

/// A key to create ([`Registry::create_key`]).
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    /// What the key is for (1 to 128 characters).
    pub name: String,
    /// The user it belongs to (then no role, enterprise or department).
    pub user: Option<String>,
    /// The role of a key of no user (not `public`).
    pub role: Option<Role>,
    /// The enterprise (credit code) of an `enterprise` key.
    pub enterprise: Option<String>,
    /// The department, if any.
    pub department: Option<String>,
    /// Its scopes (`None`: the role's default); at most the role's.
    pub scopes: Option<Scopes>,
    /// When it stops working (UTC ms, in the future), if ever.
    pub expires_ms: Option<i64>,
    /// Its own limit per minute (at least 1).
    pub rate_per_min: Option<u32>,
    /// Its own limit per hour (at least 1).
    pub rate_per_hour: Option<u32>,
}

const SELECT: &str = "SELECT id, name, user_name, role, enterprise, department, scopes, \
                      expires_ms, revoked_ms, last_used_ms, rate_per_min, rate_per_hour, \
                      created_by, created_ms FROM api_keys";

fn rate(v: Option<i64>) -> Result<Option<u32>, RegistryError> {
    v.map(|v| {
        u32::try_from(v)
            .map_err(|_| RegistryError::Corrupt(format!("api_keys: rate limit {v} out of range")))
    })
    .transpose()
}

fn key_of(r: &AnyRow) -> Result<ApiKey, RegistryError> {
    let scopes: String = r.try_get(6)?;
    Ok(ApiKey {
        id: r.try_get(0)?,
        name: r.try_get(1)?,
        user: r.try_get(2)?,
        role: stored_role(r.try_get(3)?)?,
        enterprise: r.try_get(4)?,
        department: r.try_get(5)?,
        scopes: scopes.parse().map_err(RegistryError::Corrupt)?,
        expires_ms: r.try_get(7)?,
        revoked_ms: r.try_get(8)?,
        last_used_ms: r.try_get(9)?,
        rate_per_min: rate(r.try_get(10)?)?,
        rate_per_hour: rate(r.try_get(11)?)?,
        created_by: r.try_get(12)?,
        created_ms: r.try_get(13)?,
    })
}

async fn by_id<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    id: &str,
) -> Result<Option<ApiKey>, RegistryError> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} WHERE id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(|r| key_of(&r))
        .transpose()
}

/// Checks a token given for a key (a bootstrap token): 32 to 256 printable ASCII characters
/// without spaces, and not a session token. The message never contains the token.
fn check_token(token: &str) -> Result<(), RegistryError> {
    let ok = (TOKEN_MIN..=TOKEN_MAX).contains(&token.len())
        && token.bytes().all(|b| b.is_ascii_graphic())
        && !token.starts_with(super::SESSION_TOKEN_PREFIX);
    if ok {
        Ok(())
    } else {
        Err(RegistryError::Invalid(format!(
            "the token (not shown, {} bytes) must be {TOKEN_MIN} to {TOKEN_MAX} printable ASCII \
             characters without spaces, not starting with `{}`",
            token.len(),
            super::SESSION_TOKEN_PREFIX
        )))
    }
}

/// The role, enterprise, department and scopes a new key gets, after the rules: a user's key
/// takes the user's (a role given must be the user's; no enterprise or department given).
async fn resolve(tx: &mut Tx, key: &NewKey, now: i64) -> Result<ApiKey, RegistryError> {
    let whose = format!("key `{}`", key.name);
    let invalid = |m: String| RegistryError::Invalid(format!("{whose}: {m}"));
    if key.name.trim().is_empty()
        || key.name.chars().count() > 128
        || key.name.chars().any(char::is_control)
    {
        return Err(invalid(
            "the name must be 1 to 128 characters without control characters".into(),
        ));
    }
    let (role, enterprise, department) = match &key.user {
        Some(name) => {
            let u = user::by_name(&mut **tx, name)
                .await?
                .ok_or_else(|| invalid(format!("user {name} is not in the registry")))?;
            if key.role.is_some_and(|r| r != u.role) {
                return Err(invalid(format!(
                    "a key of user {name} has the user's role ({}); leave the role out",
                    u.role
                )));
            }
            if key.enterprise.is_some() || key.department.is_some() {
                return Err(invalid(format!(
                    "a key of user {name} has the user's enterprise and department; leave them \
                     out"
                )));
            }
            (u.role, u.enterprise, u.department)
        }
        None => {
            let role = key.role.ok_or_else(|| {
                invalid(
                    "name the key's user or its role (admin, operator, analyst, enterprise)".into(),
                )
            })?;
            check_role(
                tx,
                &whose,
                role,
                key.enterprise.as_deref(),
                key.department.as_deref(),
            )
            .await?;
            (role, key.enterprise.clone(), key.department.clone())
        }
    };
    let most = Scopes::default_for(role);
    let scopes = key.scopes.unwrap_or(most);
    if scopes.is_empty() || !scopes.is_subset(most) {
        return Err(invalid(format!(
            "scopes `{scopes}`: a key of role {role} may have at most `{most}`"
        )));
    }
    if let Some(at) = key.expires_ms.filter(|at| *at <= now) {
        return Err(invalid(format!("expiry {at} ms is not in the future")));
    }
    if key.rate_per_min == Some(0) || key.rate_per_hour == Some(0) {
        return Err(invalid("a rate limit must be at least 1".into()));
    }
    Ok(ApiKey {
        id: format!("k{}", hex::encode(crate::keyfile::random::<6>()?)),
        name: key.name.clone(),
        user: key.user.clone(),
        role,
        enterprise,
        department,
        scopes,
        expires_ms: key.expires_ms,
        revoked_ms: None,
        last_used_ms: None,
        rate_per_min: key.rate_per_min,
        rate_per_hour: key.rate_per_hour,
        created_by: String::new(),
        created_ms: now,
    })
}

/// The principal of a key token's digest.
pub(crate) async fn authenticate_key(
    registry: &Registry,
    digest: &str,
    now: i64,
) -> Result<Result<Principal, AuthError>, RegistryError> {
    let row = sqlx::query(sqlx::AssertSqlSafe(format!(
        "{SELECT} WHERE secret_sha256 = $1"
    )))
    .bind(digest)
    .fetch_optional(registry.pool())
    .await?;
    let Some(key) = row.map(|r| key_of(&r)).transpose()? else {
        return Ok(Err(AuthError::Invalid));
    };
    if key.revoked_ms.is_some() {
        return Ok(Err(AuthError::Revoked));
    }
    if key.expires_ms.is_some_and(|at| at <= now) {
        return Ok(Err(AuthError::Expired));
    }
    let mut principal = match &key.user {
        Some(name) => match user::by_name(registry.pool(), name).await? {
            None => return Ok(Err(AuthError::Invalid)),
            Some(u) if u.disabled => return Ok(Err(AuthError::Disabled)),
            Some(u) => {
                let mut p = principal_of(&u);
                // Within the user's role now, whatever it was when the key was made.
                p.scopes = key.scopes.intersection(p.scopes);
                p
            }
        },
        None => Principal {
            kind: PrincipalKind::Key,
            id: key.id.clone(),
            user: None,
            role: key.role,
            enterprise: key.enterprise.clone(),
            department: key.department.clone(),
            scopes: key.scopes.intersection(Scopes::default_for(key.role)),
            rate_per_min: None,
            rate_per_hour: None,
        },
    };
    principal.kind = PrincipalKind::Key;
    principal.id = key.id.clone();
    principal.rate_per_min = key.rate_per_min;
    principal.rate_per_hour = key.rate_per_hour;
    if key
        .last_used_ms
        .is_none_or(|at| now - at >= LAST_USED_EVERY_MS)
    {
        sqlx::query(
            "UPDATE api_keys SET last_used_ms = $1 WHERE id = $2 AND \
             (last_used_ms IS NULL OR last_used_ms <= $3)",
        )
        .bind(now)
        .bind(&key.id)
        .bind(now - LAST_USED_EVERY_MS)
        .execute(registry.pool())
        .await?;
    }
    Ok(Ok(principal))
}

impl Registry {
    /// Creates an API key with a new random token (`elk_` and 43 base64url characters), with its
    /// audit record. Returns the key and the token: show the token once; the registry keeps
    /// only its SHA-256. See [`Registry::create_key_with_token`] for the rules.
    pub async fn create_key(
        &self,
        actor: &str,
        key: &NewKey,
    ) -> Result<(ApiKey, String), RegistryError> {
        let token = new_token(KEY_TOKEN_PREFIX)?;
        let created = self.create_key_with_token(actor, key, &token).await?;
        Ok((created, token))
    }

    /// Creates an API key whose token is `token` (32 to 256 printable ASCII characters, not in
    /// use; for the bootstrap token), with its audit record (never the token). A key of a user
    /// takes the user's role, enterprise and department; a key of no user names its role (not
    /// `public`; an `enterprise` key its registered enterprise, other roles none). Its scopes
    /// default to the role's and may not exceed them; an expiry must be in the future.
    pub async fn create_key_with_token(
        &self,
        actor: &str,
        key: &NewKey,
        token: &str,
    ) -> Result<ApiKey, RegistryError> {
        check_token(token)?;
        let secret = digest(token);
        let (_one, mut tx) = self.begin_write().await?;
        let now = now_ms();
        let mut created = resolve(&mut tx, key, now).await?;
        created.created_by = actor.to_owned();
        let taken = sqlx::query("SELECT 1 FROM api_keys WHERE secret_sha256 = $1")
            .bind(&secret)
            .fetch_optional(&mut *tx)
            .await?;
        if taken.is_some() {
            return Err(RegistryError::Invalid(format!(
                "key `{}`: the token is already another key's",
                key.name
            )));
        }
        sqlx::query(
            "INSERT INTO api_keys (id, name, secret_sha256, user_name, role, enterprise, \
             department, scopes, expires_ms, revoked_ms, last_used_ms, rate_per_min, \
             rate_per_hour, created_by, created_ms, updated_ms) VALUES ($1, $2, $3, $4, $5, $6, \
             $7, $8, $9, NULL, NULL, $10, $11, $12, $13, $13)",
        )
        .bind(&created.id)
        .bind(&created.name)
        .bind(secret)
        .bind(created.user.clone())
        .bind(created.role.as_str())
        .bind(created.enterprise.clone())
        .bind(created.department.clone())
        .bind(created.scopes.to_string())
        .bind(created.expires_ms)
        .bind(created.rate_per_min.map(i64::from))
        .bind(created.rate_per_hour.map(i64::from))
        .bind(actor)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let stored = by_id(&mut *tx, &created.id)
            .await?
            .ok_or_else(|| RegistryError::Corrupt(format!("key {} vanished", created.id)))?;
        crate::audit::change(
            self,
            &mut tx,
            now,
            actor,
            "api_keys",
            &stored.id,
            "insert",
            None,
            Some(&stored),
        )
        .await?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Revokes a key (it fails from now on), with its audit record. Revoking a revoked key
    /// changes nothing; an unknown id is [`RegistryError::Invalid`].
    pub async fn revoke_key(&self, actor: &str, id: &str) -> Result<ApiKey, RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        let before = by_id(&mut *tx, id)
            .await?
            .ok_or_else(|| RegistryError::Invalid(format!("no key {id} in the registry")))?;
        if before.revoked_ms.is_some() {
            return Ok(before);
        }
        let now = now_ms();
        sqlx::query("UPDATE api_keys SET revoked_ms = $1, updated_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = by_id(&mut *tx, id)
            .await?
            .ok_or_else(|| RegistryError::Corrupt(format!("key {id} vanished")))?;
        crate::audit::change(
            self,
            &mut tx,
            now,
            actor,
            "api_keys",
            id,
            "revoke",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every key (never tokens), oldest first.
    pub async fn keys(&self) -> Result<Vec<ApiKey>, RegistryError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} ORDER BY created_ms, id"
        )))
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(key_of)
        .collect()
    }

    /// One key.
    pub async fn key(&self, id: &str) -> Result<Option<ApiKey>, RegistryError> {
        by_id(self.pool(), id).await
    }
}
