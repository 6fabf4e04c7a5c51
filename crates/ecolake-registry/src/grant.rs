//! Sharing conditional datasets (有条件共享): a caller requests access to a dataset for a
//! purpose, an administrator approves (creating a grant, possibly until a date) or rejects it;
//! administrators may also grant and revoke directly. A grant names a user, a key or a whole
//! department; [`Registry::granted_datasets`] is what a principal may read through them.
//!
//! Only conditional datasets are granted: open ones need no grant, restricted ones are not
//! shared (change the dataset's tier first). A grant stops working when it expires, is revoked,
//! or its dataset is no longer conditional.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Tx;
use crate::identity::{now_ms, Principal, Role};
use crate::vocabulary::vocabulary;
use crate::{Registry, RegistryError, SharingTier};

vocabulary!(
    /// Who a grant is to.
    GranteeKind, "grantee kind", {
        User = "user" => "A user (and the user's keys).",
        Key = "key" => "An API key.",
        Department = "department" => "Every user and key of a department.",
    }
);

vocabulary!(
    /// Where an access request stands.
    RequestStatus, "request status", {
        Pending = "pending" => "Waiting for a decision.",
        Approved = "approved" => "Granted.",
        Rejected = "rejected" => "Refused.",
    }
);

/// A grant: `principal` may read `dataset` until `expires_ms` unless revoked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grant {
    /// Identifier, from 1.
    pub id: i64,
    /// The dataset.
    pub dataset: String,
    /// What the principal is.
    pub principal_kind: GranteeKind,
    /// The user's name, the key's id or the department's code.
    pub principal: String,
    /// Until when (UTC ms), if not for ever.
    pub expires_ms: Option<i64>,
    /// Who granted it.
    pub granted_by: String,
    /// The request it answers, if any.
    pub request_id: Option<i64>,
    /// When it was revoked (UTC ms).
    pub revoked_ms: Option<i64>,
    /// When it was granted (UTC ms).
    pub created_ms: i64,
}

/// A request for access to a conditional dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessRequest {
    /// Identifier, from 1.
    pub id: i64,
    /// The dataset.
    pub dataset: String,
    /// A user (also for a user's key) or a key of no user.
    pub requester_kind: GranteeKind,
    /// The user's name or the key's id.
    pub requester: String,
    /// Set when the request is for the requester's whole department (the grant then goes to
    /// the department).
    pub department: Option<String>,
    /// Why (free text).
    pub purpose: String,
    /// Pending, approved or rejected.
    pub status: RequestStatus,
    /// Who decided.
    pub decided_by: Option<String>,
    /// When (UTC ms).
    pub decided_ms: Option<i64>,
    /// The decider's note.
    pub note: Option<String>,
    /// The grant an approval created.
    pub grant_id: Option<i64>,
    /// When requested (UTC ms).
    pub created_ms: i64,
}

impl AccessRequest {
    /// Whether `p` made this request (as its user, or as a key of no user).
    pub fn is_by(&self, p: &Principal) -> bool {
        match &p.user {
            Some(user) => self.requester_kind == GranteeKind::User && self.requester == *user,
            None => self.requester_kind == GranteeKind::Key && self.requester == p.id,
        }
    }
}

fn parsed<T: std::str::FromStr<Err = String>>(v: String) -> Result<T, RegistryError> {
    v.parse().map_err(RegistryError::Corrupt)
}

const GRANTS: &str = "SELECT id, dataset, principal_kind, principal, expires_ms, granted_by, \
                      request_id, revoked_ms, created_ms FROM grants";

fn grant_of(r: &AnyRow) -> Result<Grant, RegistryError> {
    Ok(Grant {
        id: r.try_get(0)?,
        dataset: r.try_get(1)?,
        principal_kind: parsed(r.try_get(2)?)?,
        principal: r.try_get(3)?,
        expires_ms: r.try_get(4)?,
        granted_by: r.try_get(5)?,
        request_id: r.try_get(6)?,
        revoked_ms: r.try_get(7)?,
        created_ms: r.try_get(8)?,
    })
}

const REQUESTS: &str = "SELECT id, dataset, requester_kind, requester, department, purpose, \
                        status, decided_by, decided_ms, note, grant_id, created_ms \
                        FROM access_requests";

fn request_of(r: &AnyRow) -> Result<AccessRequest, RegistryError> {
    Ok(AccessRequest {
        id: r.try_get(0)?,
        dataset: r.try_get(1)?,
        requester_kind: parsed(r.try_get(2)?)?,
        requester: r.try_get(3)?,
        department: r.try_get(4)?,
        purpose: r.try_get(5)?,
        status: parsed(r.try_get(6)?)?,
        decided_by: r.try_get(7)?,
        decided_ms: r.try_get(8)?,
        note: r.try_get(9)?,
        grant_id: r.try_get(10)?,
        created_ms: r.try_get(11)?,
    })
}

async fn grant_by_id(tx: &mut Tx, id: i64) -> Result<Option<Grant>, RegistryError> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{GRANTS} WHERE id = $1")))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .map(|r| grant_of(&r))
        .transpose()
}

async fn request_by_id<'e, X: sqlx::AnyExecutor<'e>>(
    db: X,
    id: i64,
) -> Result<Option<AccessRequest>, RegistryError> {
    sqlx::query(sqlx::AssertSqlSafe(format!("{REQUESTS} WHERE id = $1")))
        .bind(id)
        .fetch_optional(db)
        .await?
        .map(|r| request_of(&r))
        .transpose()
}

async fn next_id(tx: &mut Tx, table: &'static str) -> Result<i64, RegistryError> {
    Ok(sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"
    )))
    .fetch_one(&mut **tx)
    .await?
    .try_get(0)?)
}

/// The dataset `name`, which must be conditional.
async fn conditional(tx: &mut Tx, name: &str) -> Result<(), RegistryError> {
    let row = sqlx::query("SELECT tier FROM datasets WHERE name = $1")
        .bind(name)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return Err(RegistryError::Invalid(format!(
            "no dataset {name} in the catalog"
        )));
    };
    let tier: SharingTier = parsed(row.try_get(0)?)?;
    match tier {
        SharingTier::Conditional => Ok(()),
        SharingTier::Open => Err(RegistryError::Invalid(format!(
            "dataset {name} is open to everyone: it needs no grant"
        ))),
        SharingTier::Restricted => Err(RegistryError::Invalid(format!(
            "dataset {name} is restricted (not shared); only conditional datasets are granted"
        ))),
    }
}

/// Inserts a grant (after the checks), with its audit record.
#[allow(clippy::too_many_arguments)]
async fn insert_grant(
    registry: &Registry,
    tx: &mut Tx,
    actor: &str,
    dataset: &str,
    kind: GranteeKind,
    principal: &str,
    until_ms: Option<i64>,
    request_id: Option<i64>,
    now: i64,
) -> Result<Grant, RegistryError> {
    conditional(tx, dataset).await?;
    let (table, column) = match kind {
        GranteeKind::User => ("users", "name"),
        GranteeKind::Key => ("api_keys", "id"),
        GranteeKind::Department => ("departments", "code"),
    };
    if !crate::entity::exists(tx, table, column, principal).await? {
        return Err(RegistryError::Invalid(format!(
            "no {kind} {principal} in the registry (grant of {dataset})"
        )));
    }
    if let Some(at) = until_ms.filter(|at| *at <= now) {
        return Err(RegistryError::Invalid(format!(
            "grant of {dataset} to {kind} {principal}: the end {at} ms is not in the future"
        )));
    }
    let id = next_id(tx, "grants").await?;
    sqlx::query(
        "INSERT INTO grants (id, dataset, principal_kind, principal, expires_ms, granted_by, \
         request_id, revoked_ms, created_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)",
    )
    .bind(id)
    .bind(dataset)
    .bind(kind.as_str())
    .bind(principal)
    .bind(until_ms)
    .bind(actor)
    .bind(request_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let grant = grant_by_id(tx, id)
        .await?
        .ok_or_else(|| RegistryError::Corrupt(format!("grant {id} vanished")))?;
    crate::audit::change(
        registry,
        tx,
        now,
        actor,
        "grants",
        &id.to_string(),
        "insert",
        None,
        Some(&grant),
    )
    .await?;
    Ok(grant)
}

impl Registry {
    /// Grants `principal` (a user's name, a key's id or a department's code, as
    /// `principal_kind` says: `user`, `key` or `department`) reading the conditional dataset
    /// until `until_ms` (in the future) or for ever, with its audit record.
    pub async fn grant(
        &self,
        actor: &str,
        dataset: &str,
        principal_kind: &str,
        principal: &str,
        until_ms: Option<i64>,
    ) -> Result<Grant, RegistryError> {
        let kind: GranteeKind = principal_kind.parse().map_err(RegistryError::Invalid)?;
        let (_one, mut tx) = self.begin_write().await?;
        let grant = insert_grant(
            self,
            &mut tx,
            actor,
            dataset,
            kind,
            principal,
            until_ms,
            None,
            now_ms(),
        )
        .await?;
        tx.commit().await?;
        Ok(grant)
    }

    /// Revokes a grant, with its audit record. Revoking a revoked grant changes nothing; an
    /// unknown id is [`RegistryError::Invalid`].
    pub async fn revoke_grant(&self, actor: &str, id: i64) -> Result<Grant, RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        let before = grant_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| RegistryError::Invalid(format!("no grant {id} in the registry")))?;
        if before.revoked_ms.is_some() {
            return Ok(before);
        }
        let now = now_ms();
        sqlx::query("UPDATE grants SET revoked_ms = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let after = grant_by_id(&mut tx, id)
            .await?
            .ok_or_else(|| RegistryError::Corrupt(format!("grant {id} vanished")))?;
        crate::audit::change(
            self,
            &mut tx,
            now,
            actor,
            "grants",
            &id.to_string(),
            "revoke",
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Every grant (also expired and revoked ones), by id.
    pub async fn grants(&self) -> Result<Vec<Grant>, RegistryError> {
        sqlx::query(sqlx::AssertSqlSafe(format!("{GRANTS} ORDER BY id")))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(grant_of)
            .collect()
    }

    /// The names of the datasets `p` holds an active grant for at `now_ms` (unrevoked,
    /// unexpired, the dataset still conditional): granted to its user, to its key, or to its
    /// department. Sorted, without repeats.
    pub async fn granted_datasets(
        &self,
        p: &Principal,
        now_ms: i64,
    ) -> Result<Vec<String>, RegistryError> {
        let key = (p.kind == crate::PrincipalKind::Key).then_some(p.id.as_str());
        let rows = sqlx::query(
            "SELECT DISTINCT g.dataset FROM grants g JOIN datasets d ON d.name = g.dataset \
             WHERE d.tier = 'conditional' AND g.revoked_ms IS NULL AND \
             (g.expires_ms IS NULL OR g.expires_ms > $1) AND \
             ((g.principal_kind = 'user' AND g.principal = $2) OR \
             (g.principal_kind = 'key' AND g.principal = $3) OR \
             (g.principal_kind = 'department' AND g.principal = $4)) ORDER BY g.dataset",
        )
        .bind(now_ms)
        .bind(p.user.clone())
        .bind(key)
        .bind(p.department.clone())
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(|r| Ok(r.try_get(0)?)).collect()
    }

    /// Requests access to a conditional dataset for `requester` (the requester's user, for a
    /// session or a user's key; else the key), with its audit record. The purpose must not be
    /// empty (at most 2,000 characters); a second pending request of the same requester for
    /// the same dataset is refused.
    pub async fn request_access(
        &self,
        requester: &Principal,
        dataset: &str,
        purpose: &str,
    ) -> Result<AccessRequest, RegistryError> {
        self.insert_request(requester, dataset, purpose, None).await
    }

    /// As [`Registry::request_access`], for the requester's whole department (which it must
    /// have): an approval grants the department.
    pub async fn request_department_access(
        &self,
        requester: &Principal,
        dataset: &str,
        purpose: &str,
    ) -> Result<AccessRequest, RegistryError> {
        let department = requester.department.as_deref().ok_or_else(|| {
            RegistryError::Invalid(format!(
                "{}: has no department to request access for",
                requester.actor()
            ))
        })?;
        self.insert_request(requester, dataset, purpose, Some(department))
            .await
    }

    async fn insert_request(
        &self,
        p: &Principal,
        dataset: &str,
        purpose: &str,
        department: Option<&str>,
    ) -> Result<AccessRequest, RegistryError> {
        let actor = p.actor();
        if p.role == Role::Public {
            return Err(RegistryError::Invalid(
                "anonymous callers cannot request access: authenticate first".into(),
            ));
        }
        let purpose = purpose.trim();
        if purpose.is_empty() || purpose.chars().count() > 2000 {
            return Err(RegistryError::Invalid(format!(
                "access request of {actor} for {dataset}: the purpose must be 1 to 2,000 \
                 characters"
            )));
        }
        let (kind, requester) = match &p.user {
            Some(user) => (GranteeKind::User, user.clone()),
            None => (GranteeKind::Key, p.id.clone()),
        };
        let (_one, mut tx) = self.begin_write().await?;
        conditional(&mut tx, dataset).await?;
        let pending = sqlx::query(
            "SELECT id FROM access_requests WHERE dataset = $1 AND requester_kind = $2 AND \
             requester = $3 AND status = 'pending'",
        )
        .bind(dataset)
        .bind(kind.as_str())
        .bind(&requester)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(row) = pending {
            let id: i64 = row.try_get(0)?;
            return Err(RegistryError::Invalid(format!(
                "{kind} {requester} already has request {id} for {dataset} pending"
            )));
        }
        let id = next_id(&mut tx, "access_requests").await?;
        let now = now_ms();
        sqlx::query(
            "INSERT INTO access_requests (id, dataset, requester_kind, requester, department, \
             purpose, status, decided_by, decided_ms, note, grant_id, created_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, 'pending', NULL, NULL, NULL, NULL, $7)",
        )
        .bind(id)
        .bind(dataset)
        .bind(kind.as_str())
        .bind(&requester)
        .bind(department)
        .bind(purpose)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let request = request_by_id(&mut *tx, id)
            .await?
            .ok_or_else(|| RegistryError::Corrupt(format!("access request {id} vanished")))?;
        crate::audit::change(
            self,
            &mut tx,
            now,
            &actor,
            "access_requests",
            &id.to_string(),
            "insert",
            None,
            Some(&request),
        )
        .await?;
        tx.commit().await?;
        Ok(request)
    }

    /// Decides a pending request, with its audit records: an approval grants the requester (or
    /// its department, for a department request) until `until_ms` (in the future) or for ever;
    /// a rejection grants nothing. `note` is kept with the decision. A request already decided
    /// or unknown is [`RegistryError::Invalid`].
    pub async fn decide_access(
        &self,
        actor: &str,
        id: i64,
        approve: bool,
        until_ms: Option<i64>,
        note: Option<&str>,
    ) -> Result<AccessRequest, RegistryError> {
        let (_one, mut tx) = self.begin_write().await?;
        let before = request_by_id(&mut *tx, id).await?.ok_or_else(|| {
            RegistryError::Invalid(format!("no access request {id} in the registry"))
        })?;
        if before.status != RequestStatus::Pending {
            return Err(RegistryError::Invalid(format!(
                "access request {id}: already {}",
                before.status
            )));
        }
        let now = now_ms();
        let grant_id = if approve {
            let (kind, principal) = match &before.department {
                Some(d) => (GranteeKind::Department, d.as_str()),
                None => (before.requester_kind, before.requester.as_str()),
            };
            let grant = insert_grant(
                self,
                &mut tx,
                actor,
                &before.dataset,
                kind,
                principal,
                until_ms,
                Some(id),
                now,
            )
            .await?;
            Some(grant.id)
        } else {
            None
        };
        let status = if approve {
            RequestStatus::Approved
        } else {
            RequestStatus::Rejected
        };
        sqlx::query(
            "UPDATE access_requests SET status = $1, decided_by = $2, decided_ms = $3, \
             note = $4, grant_id = $5 WHERE id = $6",
        )
        .bind(status.as_str())
        .bind(actor)
        .bind(now)
        .bind(note)
        .bind(grant_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = request_by_id(&mut *tx, id)
            .await?
            .ok_or_else(|| RegistryError::Corrupt(format!("access request {id} vanished")))?;
        crate::audit::change(
            self,
            &mut tx,
            now,
            actor,
            "access_requests",
            &id.to_string(),
            if approve { "approve" } else { "reject" },
            Some(&before),
            Some(&after),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The access requests (of one status: `pending`, `approved` or `rejected`, or all), by
    /// id.
    pub async fn access_requests(
        &self,
        status: Option<&str>,
    ) -> Result<Vec<AccessRequest>, RegistryError> {
        let rows = match status {
            Some(s) => {
                let s: RequestStatus = s.parse().map_err(RegistryError::Invalid)?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{REQUESTS} WHERE status = $1 ORDER BY id"
                )))
                .bind(s.as_str())
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(sqlx::AssertSqlSafe(format!("{REQUESTS} ORDER BY id")))
                    .fetch_all(self.pool())
                    .await?
            }
        };
        rows.iter().map(request_of).collect()
    }

    /// One access request.
    pub async fn access_request(&self, id: i64) -> Result<Option<AccessRequest>, RegistryError> {
        request_by_id(self.pool(), id).await
    }
}
