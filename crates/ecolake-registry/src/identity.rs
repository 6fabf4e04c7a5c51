//! Who calls the API: users (who log in with a password) and API keys, their roles and scopes,
//! and turning a bearer token into a [`Principal`].
//!
//! Tokens are random (32 bytes from the OS, base64url): `elk_…` for API keys, `els_…` for login
//! sessions. The database holds only the SHA-256 of a token (hex), looked up through a unique
//! index, so a copy of the database gives no working token. Tokens and passwords never appear in
//! the audit log, in `Debug` output or in error messages.
//!
//! A refusal because a named row does not exist is [`RegistryError::Invalid`] with a message
//! starting `no ` (`no key k0123456789ab in the registry`), for callers that answer 404.

pub(crate) mod key;
pub(crate) mod user;

use base64::Engine as _;
use serde::Serialize;
use sha2::Digest as _;
use sqlx::Row;

use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError};

pub use key::{ApiKey, NewKey, TOKEN_MIN};
pub use user::{NewUser, User, PASSWORD_MIN};

vocabulary!(
    /// What a caller may do, broadly (the scopes of a key narrow it further).
    Role, "role", {
        Admin = "admin" => "Everything, including users, keys, grants and the audit log.",
        Operator = "operator" => "Runs the platform: reads, SQL, ingestion, registry writes.",
        Analyst = "analyst" => "Reads data and metadata, runs SQL.",
        Enterprise = "enterprise" => "An enterprise (排污单位): its own data, and ingestion.",
        Public = "public" => "Anonymous callers (never stored for a user or key).",
    }
);

vocabulary!(
    /// What a request does, for the scopes of an API key.
    Scope, "scope", {
        Read = "read" => "GET data and metadata.",
        Sql = "sql" => "POST /api/v1/sql.",
        Ingest = "ingest" => "POST /api/v1/observations.",
        Admin = "admin" => "Registry and catalog writes, users, keys, grants, HJ 212 commands, audit.",
    }
);

vocabulary!(
    /// Whether a principal is a user (a login session) or an API key.
    PrincipalKind, "principal kind", {
        User = "user" => "A user, through a login session.",
        Key = "key" => "An API key.",
    }
);

/// A set of scopes, written `read;sql` (in the order of [`Scope::ALL`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Scopes(u8);

impl Scopes {
    /// No scope.
    pub const NONE: Scopes = Scopes(0);

    fn bit(scope: Scope) -> u8 {
        1 << Scope::ALL.iter().position(|s| *s == scope).unwrap_or(0)
    }

    /// The scopes a key of `role` gets by default, which are also the most it may have:
    /// admin: all; operator: read, sql, ingest, admin; analyst: read, sql; enterprise: read,
    /// ingest; public: read.
    pub fn default_for(role: Role) -> Scopes {
        use Scope as S;
        match role {
            Role::Admin | Role::Operator => Scopes::of(&[S::Read, S::Sql, S::Ingest, S::Admin]),
            Role::Analyst => Scopes::of(&[S::Read, S::Sql]),
            Role::Enterprise => Scopes::of(&[S::Read, S::Ingest]),
            Role::Public => Scopes::of(&[S::Read]),
        }
    }

    /// The set of these scopes.
    pub fn of(scopes: &[Scope]) -> Scopes {
        Scopes(scopes.iter().fold(0, |bits, s| bits | Scopes::bit(*s)))
    }

    /// Whether `scope` is in the set.
    pub fn contains(self, scope: Scope) -> bool {
        self.0 & Scopes::bit(scope) != 0
    }

    /// Whether every scope of `self` is in `other`.
    pub fn is_subset(self, other: Scopes) -> bool {
        self.0 & !other.0 == 0
    }

    /// The scopes in both.
    pub fn intersection(self, other: Scopes) -> Scopes {
        Scopes(self.0 & other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The scopes, in the order of [`Scope::ALL`].
    pub fn iter(self) -> impl Iterator<Item = Scope> {
        Scope::ALL
            .iter()
            .copied()
            .filter(move |s| self.contains(*s))
    }
}

impl std::fmt::Display for Scopes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.iter().map(Scope::as_str).collect();
        f.write_str(&names.join(";"))
    }
}

impl std::str::FromStr for Scopes {
    type Err = String;

    /// `read;sql` (`,` separates too; blanks are ignored). An empty list is refused.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut scopes = Scopes::NONE;
        for item in s.split([';', ',']).map(str::trim).filter(|i| !i.is_empty()) {
            scopes.0 |= Scopes::bit(item.parse()?);
        }
        if scopes.is_empty() {
            return Err(format!(
                "scopes `{s}`: name at least one of read, sql, ingest, admin"
            ));
        }
        Ok(scopes)
    }
}

impl Serialize for Scopes {
    /// As a list of names: `["read", "sql"]`.
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter().map(Scope::as_str))
    }
}

/// Who a request acts as, once its token is authenticated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// A user (login session) or an API key.
    pub kind: PrincipalKind,
    /// The user's name or the key's id.
    pub id: String,
    /// The user this acts for: the session's user, or the key's owner (`None` for a key of no
    /// user). Grants to this user apply.
    pub user: Option<String>,
    /// The role (a user's key takes its user's).
    pub role: Role,
    /// The enterprise (credit code) of an `enterprise` role.
    pub enterprise: Option<String>,
    /// The department, if any (grants to it apply).
    pub department: Option<String>,
    /// What it may do: a session has its role's default scopes; a key its own scopes, within
    /// its role's.
    pub scopes: Scopes,
    /// The key's own limit per minute (`None`: the server's default).
    pub rate_per_min: Option<u32>,
    /// The key's own limit per hour (`None`: the server's default).
    pub rate_per_hour: Option<u32>,
}

impl Principal {
    /// How the audit log names it: `user:alice` or `key:k0123456789ab`.
    pub fn actor(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// Why a token was refused. The message says which, never the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No key or session has this token.
    #[error("the token is not valid")]
    Invalid,
    /// The key or session has expired.
    #[error("the token has expired")]
    Expired,
    /// The key was revoked.
    #[error("the API key was revoked")]
    Revoked,
    /// The user (of the session or the key) is disabled.
    #[error("the user is disabled")]
    Disabled,
}

/// The prefix of API key tokens.
pub const KEY_TOKEN_PREFIX: &str = "elk_";
/// The prefix of session tokens.
pub const SESSION_TOKEN_PREFIX: &str = "els_";

/// A new random token: `prefix` and 43 characters of base64url (32 random bytes).
pub(crate) fn new_token(prefix: &str) -> Result<String, RegistryError> {
    let bytes = crate::keyfile::random::<32>()?;
    Ok(format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The lowercase hex SHA-256 of the whole token: what the database holds.
pub(crate) fn digest(token: &str) -> String {
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// Now, UTC ms.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// A role read from the database (an unknown one is corruption).
pub(crate) fn stored_role(v: String) -> Result<Role, RegistryError> {
    v.parse().map_err(RegistryError::Corrupt)
}

/// Checks the role rules of a user or a key of no user: role `public` is never stored, an
/// `enterprise` names a registered enterprise and other roles none, and a department is
/// registered.
pub(crate) async fn check_role(
    tx: &mut crate::db::Tx,
    whose: &str,
    role: Role,
    enterprise: Option<&str>,
    department: Option<&str>,
) -> Result<(), RegistryError> {
    let invalid = |m: String| Err(RegistryError::Invalid(format!("{whose}: {m}")));
    match (role, enterprise) {
        (Role::Public, _) => {
            return invalid("role public is for anonymous callers and cannot be given".into())
        }
        (Role::Enterprise, None) => {
            return invalid("role enterprise needs the enterprise (its credit code)".into())
        }
        (Role::Enterprise, Some(e)) => {
            if !crate::entity::exists(tx, "enterprises", "credit_code", e).await? {
                return invalid(format!("enterprise {e} is not in the registry"));
            }
        }
        (role, Some(e)) => {
            return invalid(format!(
                "role {role} names no enterprise (enterprise {e} given); only role enterprise \
                 does"
            ))
        }
        (_, None) => {}
    }
    if let Some(d) = department {
        if !crate::entity::exists(tx, "departments", "code", d).await? {
            return invalid(format!("department {d} is not in the registry"));
        }
    }
    Ok(())
}

impl Registry {
    /// Whether an administrator exists: an enabled admin user, or an unrevoked, unexpired admin
    /// key of no user. Until one does, `ecolake admin bootstrap` (or the bootstrap token) may
    /// create one.
    pub async fn has_admin(&self) -> Result<bool, RegistryError> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0) + \
             (SELECT COUNT(*) FROM api_keys WHERE role = 'admin' AND user_name IS NULL AND \
             revoked_ms IS NULL AND (expires_ms IS NULL OR expires_ms > $1))",
        )
        .bind(now_ms())
        .fetch_one(self.pool())
        .await?;
        let n: i64 = row.try_get(0)?;
        Ok(n > 0)
    }

    /// The principal of a bearer token: an API key (`elk_…`, or a bootstrap token) or a login
    /// session (`els_…`). The outer error is the database's; the inner says why the token is
    /// refused. A key's `last_used_ms` is updated at most once a minute.
    pub async fn authenticate(
        &self,
        token: &str,
    ) -> Result<Result<Principal, AuthError>, RegistryError> {
        if token.is_empty() || token.len() > 512 {
            return Ok(Err(AuthError::Invalid));
        }
        let now = now_ms();
        if token.starts_with(SESSION_TOKEN_PREFIX) {
            user::authenticate_session(self, &digest(token), now).await
        } else {
            key::authenticate_key(self, &digest(token), now).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_parse_print_and_bound() {
        let s: Scopes = "sql; read".parse().unwrap();
        assert_eq!(s.to_string(), "read;sql");
        assert!(s.contains(Scope::Read) && !s.contains(Scope::Admin));
        assert!(s.is_subset(Scopes::default_for(Role::Analyst)));
        assert!(!Scopes::default_for(Role::Enterprise).is_subset(s));
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"["read","sql"]"#.to_owned()
        );
        assert!("".parse::<Scopes>().is_err());
        let e = "read;write".parse::<Scopes>().unwrap_err();
        assert!(e.contains("write"), "{e}");
        assert_eq!(
            Scopes::default_for(Role::Admin).to_string(),
            "read;sql;ingest;admin"
        );
    }

    #[test]
    fn tokens_are_random_base64url_and_stored_as_digests() {
        let a = new_token(KEY_TOKEN_PREFIX).unwrap();
        assert_eq!(a.len(), 4 + 43);
        assert!(a[4..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(a, new_token(KEY_TOKEN_PREFIX).unwrap());
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
