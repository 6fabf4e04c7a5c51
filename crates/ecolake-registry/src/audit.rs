//! The audit log, tamper-evident: every record is sealed with an HMAC-SHA256 chained to the
//! record before it, under a key outside the database (`DATA_DIR/audit.key`, created on first
//! need like every key file), and the newest record's id and mac are copied, now and then, to a
//! file the database cannot rewrite (`DATA_DIR/audit.anchor`).
//!
//! Two kinds of records share the log: changes of the registry (`kind = change`: the row
//! before and after, written in the changing transaction) and events the platform records
//! ([`AuditEvent`]: requests, exports, logins …, with a JSON detail).
//!
//! # The chain
//!
//! `mac_i = hex(HMAC-SHA256(key, mac_{i-1} ‖ f(id) ‖ f(at_ms) ‖ f(actor) ‖ f(kind) ‖ f(entity) ‖
//! f(entity_key) ‖ f(action) ‖ f(before_json) ‖ f(after_json) ‖ f(detail_json)))` where
//! `mac_{i-1}` is the ASCII text of the previous record's stored mac (nothing for record 1, or
//! when it has none), integers are their decimal text, `f(text)` is its byte length as a u64
//! little-endian followed by its UTF-8 bytes, and `f(NULL)` is the eight bytes `ff…ff` (so
//! NULL differs from the empty text). Writes are serialised (one writer at a time), so the
//! previous mac read inside the writing transaction is the one the chain continues.
//!
//! # What verification finds, and what it cannot
//!
//! [`Registry::verify_audit`] recomputes every mac: a record altered in the database (or
//! inserted, or written with another key) does not match; ids must run 1, 2, 3 … so a deleted
//! record leaves a gap. Every anchor line must match the record with its id, so rewriting the
//! log from some record on (recomputing macs needs the key) is found back to the newest anchor,
//! and deleting the newest records is found if an anchor names one of them. Deleting records
//! written after the newest anchor is not detectable from the database and the anchor file
//! alone: compare with the external copies of the anchor (the server logs each anchor and
//! exposes it as a metric).

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::db::Tx;
use crate::keyfile::{self, KeyFile};
use crate::{Registry, RegistryError};

/// The audit key file's name in the data directory.
pub const AUDIT_KEY_FILE: &str = "audit.key";

/// The anchor file's name in the data directory: one JSON line `{"id":…,"mac":"…","at_ms":…}`
/// per anchoring.
pub const AUDIT_ANCHOR_FILE: &str = "audit.anchor";

/// The `kind` of registry changes.
pub const CHANGE: &str = "change";

/// What the audit key is for, in messages.
const PURPOSE: &str = "seals the audit log";

/// Records read per query when verifying.
const PAGE: i64 = 5_000;

/// Problems listed by a verification (the count is always complete).
const PROBLEMS_SHOWN: usize = 1_000;

/// The audit key, once read (shared by the clones of a [`Registry`]).
pub(crate) type KeyCache = Arc<std::sync::Mutex<Option<Arc<KeyFile>>>>;

/// One audit record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the log, from 1.
    pub id: i64,
    /// When (UTC ms).
    pub at_ms: i64,
    /// Who.
    pub actor: String,
    /// `change` for a change of the registry; otherwise the event's kind (`request`, `login` …).
    pub kind: String,
    /// Table (`sites` …), or what an event concerns.
    pub entity: String,
    /// The row's key.
    pub entity_key: String,
    /// `insert`, `update` … (what happened).
    pub action: String,
    /// The row before (JSON), for an update.
    pub before_json: Option<String>,
    /// The row after (JSON).
    pub after_json: Option<String>,
    /// An event's detail (JSON).
    pub detail_json: Option<String>,
    /// The record's seal (hex HMAC-SHA256, see the module documentation); `None` for a record
    /// not sealed.
    pub mac: Option<String>,
}

/// An event to record in the audit log ([`Registry::append_audit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEvent {
    /// Who (`key:k0123abcd4567`, `user:alice`, `anonymous@203.0.113.7` …).
    pub actor: String,
    /// What kind of event: `request`, `export`, `login`, `login_failure` … (not `change`).
    pub kind: String,
    /// What it concerns (`api`, a table, a dataset …).
    pub entity: String,
    /// Which one (a path, a key …).
    pub entity_key: String,
    /// What happened (`GET`, `denied` …).
    pub action: String,
    /// Anything else, as JSON (never a secret).
    pub detail: serde_json::Value,
}

/// What [`Registry::verify_audit`] found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Records in the log.
    pub records: i64,
    /// The newest record's id and mac.
    pub head: Option<(i64, String)>,
    /// Anchor lines checked.
    pub anchors: usize,
    /// Every problem (at most 1,000 listed; see `problem_count`), each naming record ids.
    pub problems: Vec<String>,
    /// How many problems there are.
    pub problem_count: usize,
}

impl AuditVerification {
    /// Whether the log is intact.
    pub fn is_intact(&self) -> bool {
        self.problem_count == 0
    }

    fn problem(&mut self, p: String) {
        self.problem_count += 1;
        if self.problems.len() < PROBLEMS_SHOWN {
            self.problems.push(p);
        }
    }
}

/// The fields a mac seals, in order.
struct Sealed<'a> {
    id: i64,
    at_ms: i64,
    texts: [Option<&'a str>; 8],
}

impl AuditRecord {
    fn sealed(&self) -> Sealed<'_> {
        Sealed {
            id: self.id,
            at_ms: self.at_ms,
            texts: [
                Some(&self.actor),
                Some(&self.kind),
                Some(&self.entity),
                Some(&self.entity_key),
                Some(&self.action),
                self.before_json.as_deref(),
                self.after_json.as_deref(),
                self.detail_json.as_deref(),
            ],
        }
    }
}

/// The mac of a record after `prev` (the previous record's mac).
fn seal(key: &KeyFile, prev: Option<&str>, record: &Sealed<'_>) -> Result<String, RegistryError> {
    let mut mac = <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(&key.bytes)
        .map_err(|e| RegistryError::Corrupt(format!("the audit key: {e}")))?;
    mac.update(prev.unwrap_or("").as_bytes());
    let mut field = |v: Option<&[u8]>| match v {
        None => mac.update(&u64::MAX.to_le_bytes()),
        Some(b) => {
            mac.update(&(b.len() as u64).to_le_bytes());
            mac.update(b);
        }
    };
    field(Some(record.id.to_string().as_bytes()));
    field(Some(record.at_ms.to_string().as_bytes()));
    for text in record.texts {
        field(text.map(str::as_bytes));
    }
    Ok(hex::encode(mac.finalize().into_bytes()))
}

const SELECT: &str = "SELECT id, at_ms, actor, kind, entity, entity_key, action, before_json, \
                      after_json, detail_json, mac FROM audit_log";

fn record_of(r: &AnyRow) -> Result<AuditRecord, RegistryError> {
    let kind: Option<String> = r.try_get(3)?;
    Ok(AuditRecord {
        id: r.try_get(0)?,
        at_ms: r.try_get(1)?,
        actor: r.try_get(2)?,
        kind: kind.unwrap_or_else(|| CHANGE.to_owned()),
        entity: r.try_get(4)?,
        entity_key: r.try_get(5)?,
        action: r.try_get(6)?,
        before_json: r.try_get(7)?,
        after_json: r.try_get(8)?,
        detail_json: r.try_get(9)?,
        mac: r.try_get(10)?,
    })
}

/// Appends one record (its id the next, its mac chained) in the writing transaction.
async fn append(
    registry: &Registry,
    tx: &mut Tx,
    mut record: AuditRecord,
) -> Result<i64, RegistryError> {
    let key = registry.audit_key(tx).await?;
    let last = sqlx::query("SELECT id, mac FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (last_id, prev): (i64, Option<String>) = match last {
        Some(r) => (r.try_get(0)?, r.try_get(1)?),
        None => (0, None),
    };
    record.id = last_id + 1;
    record.mac = Some(seal(&key, prev.as_deref(), &record.sealed())?);
    sqlx::query(
        "INSERT INTO audit_log (id, at_ms, actor, kind, entity, entity_key, action, before_json, \
         after_json, detail_json, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(record.id)
    .bind(record.at_ms)
    .bind(record.actor)
    .bind(record.kind)
    .bind(record.entity)
    .bind(record.entity_key)
    .bind(record.action)
    .bind(record.before_json)
    .bind(record.after_json)
    .bind(record.detail_json)
    .bind(record.mac)
    .execute(&mut **tx)
    .await?;
    Ok(record.id)
}

/// JSON text of a value (registry rows and JSON values always serialise).
fn json<T: Serialize>(v: &T) -> Result<String, RegistryError> {
    serde_json::to_string(v)
        .map_err(|e| RegistryError::Corrupt(format!("a value for the audit log: {e}")))
}

/// Appends one change record (a row before and after) to the audit log, in the writing
/// transaction.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn change<T: Serialize>(
    registry: &Registry,
    tx: &mut Tx,
    now: i64,
    actor: &str,
    entity: &str,
    key: &str,
    action: &str,
    before: Option<&T>,
    after: Option<&T>,
) -> Result<(), RegistryError> {
    let record = AuditRecord {
        id: 0,
        at_ms: now,
        actor: actor.to_owned(),
        kind: CHANGE.to_owned(),
        entity: entity.to_owned(),
        entity_key: key.to_owned(),
        action: action.to_owned(),
        before_json: before.map(json).transpose()?,
        after_json: after.map(json).transpose()?,
        detail_json: None,
        mac: None,
    };
    append(registry, tx, record).await.map(|_| ())
}

/// One anchor line.
#[derive(Debug, Serialize, Deserialize)]
struct Anchor {
    id: i64,
    mac: String,
    at_ms: i64,
}

impl Registry {
    /// The audit key file (`DATA_DIR/audit.key`); it may not exist yet. Back it up: without it
    /// the log cannot be verified. Every process writing to one registry database needs the
    /// same key file.
    pub fn audit_key_file(&self) -> PathBuf {
        self.data_dir().join(AUDIT_KEY_FILE)
    }

    /// The anchor file (`DATA_DIR/audit.anchor`); keep copies elsewhere (see
    /// [`Registry::anchor_audit`]).
    pub fn audit_anchor_file(&self) -> PathBuf {
        self.data_dir().join(AUDIT_ANCHOR_FILE)
    }

    /// The audit key for a write inside `tx`: the cached one, the key file's, or a new key file
    /// if there is none and no record is sealed yet.
    pub(crate) async fn audit_key(&self, tx: &mut Tx) -> Result<Arc<KeyFile>, RegistryError> {
        if let Some(key) = self.cached_audit_key() {
            return Ok(key);
        }
        let path = self.audit_key_file();
        let key = match keyfile::read(&path, PURPOSE)? {
            Some(key) => key,
            None => {
                let sealed: i64 =
                    sqlx::query("SELECT COUNT(*) FROM audit_log WHERE mac IS NOT NULL")
                        .fetch_one(&mut **tx)
                        .await?
                        .try_get(0)?;
                if sealed > 0 {
                    return Err(missing_key(&path, sealed));
                }
                keyfile::create(&path, PURPOSE)?
            }
        };
        Ok(self.cache_audit_key(key))
    }

    fn cached_audit_key(&self) -> Option<Arc<KeyFile>> {
        self.audit_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn cache_audit_key(&self, key: KeyFile) -> Arc<KeyFile> {
        let key = Arc::new(key);
        *self
            .audit_key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(key.clone());
        key
    }

    /// Seals the records of an older version (no record has a mac yet), in id order, in one
    /// transaction. Once any record is sealed nothing is sealed here: a record without a mac
    /// is then one slipped into the database, which verification reports.
    pub(crate) async fn seal_audit(&self) -> Result<(), RegistryError> {
        const UNSEALED: &str = "SELECT (SELECT COUNT(*) FROM audit_log WHERE mac IS NULL), \
                                (SELECT COUNT(*) FROM audit_log WHERE mac IS NOT NULL)";
        let counts = sqlx::query(UNSEALED).fetch_one(self.pool()).await?;
        let (unsealed, sealed): (i64, i64) = (counts.try_get(0)?, counts.try_get(1)?);
        if unsealed == 0 || sealed > 0 {
            return Ok(());
        }
        let (_one, mut tx) = self.begin_write().await?;
        // Another process may have sealed them meanwhile.
        let sealed: i64 = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE mac IS NOT NULL")
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
        if sealed > 0 {
            return Ok(());
        }
        let key = self.audit_key(&mut tx).await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id")))
            .fetch_all(&mut *tx)
            .await?;
        let mut prev: Option<String> = None;
        for row in &rows {
            let record = record_of(row)?;
            let mac = seal(&key, prev.as_deref(), &record.sealed())?;
            sqlx::query("UPDATE audit_log SET mac = $1 WHERE id = $2")
                .bind(&mac)
                .bind(record.id)
                .execute(&mut *tx)
                .await?;
            prev = Some(mac);
        }
        tx.commit().await?;
        Ok(())
    }

    /// The id of the newest change of the registry (audit records of kind `change`): a reader
    /// that saw this id has seen every change up to it (0 for an empty registry). Events
    /// ([`Registry::append_audit`]) do not count.
    pub async fn last_change(&self) -> Result<i64, RegistryError> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) FROM audit_log WHERE kind = 'change'")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }

    /// The audit log, oldest first.
    pub async fn audit_log(&self) -> Result<Vec<AuditRecord>, RegistryError> {
        sqlx::query(sqlx::AssertSqlSafe(format!("{SELECT} ORDER BY id")))
            .fetch_all(self.pool())
            .await?
            .iter()
            .map(record_of)
            .collect()
    }

    /// At most `limit` records with ids after `after`, oldest first (to page through the log).
    pub async fn audit_page(
        &self,
        after: i64,
        limit: i64,
    ) -> Result<Vec<AuditRecord>, RegistryError> {
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "{SELECT} WHERE id > $1 ORDER BY id LIMIT $2"
        )))
        .bind(after)
        .bind(limit)
        .fetch_all(self.pool())
        .await?
        .iter()
        .map(record_of)
        .collect()
    }

    /// Records events in one transaction, in order, each sealed into the chain. An event of
    /// kind `change` (the registry's own) or with empty kind, actor or action is refused.
    pub async fn append_audit(&self, events: &[AuditEvent]) -> Result<(), RegistryError> {
        for e in events {
            if e.kind.is_empty() || e.kind == CHANGE {
                return Err(RegistryError::Invalid(format!(
                    "audit event kind `{}`: must be a non-empty kind other than `change`",
                    e.kind
                )));
            }
            if e.actor.is_empty() || e.action.is_empty() {
                return Err(RegistryError::Invalid(format!(
                    "audit event of kind {}: the actor and the action must not be empty",
                    e.kind
                )));
            }
        }
        if events.is_empty() {
            return Ok(());
        }
        let (_one, mut tx) = self.begin_write().await?;
        let now = chrono::Utc::now().timestamp_millis();
        for e in events {
            let record = AuditRecord {
                id: 0,
                at_ms: now,
                actor: e.actor.clone(),
                kind: e.kind.clone(),
                entity: e.entity.clone(),
                entity_key: e.entity_key.clone(),
                action: e.action.clone(),
                before_json: None,
                after_json: None,
                detail_json: (!e.detail.is_null()).then(|| json(&e.detail)).transpose()?,
                mac: None,
            };
            append(self, &mut tx, record).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The newest record's id and mac (`None` for an empty log; an unsealed record's mac is
    /// empty).
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>, RegistryError> {
        let row = sqlx::query("SELECT id, mac FROM audit_log ORDER BY id DESC LIMIT 1")
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| {
            let mac: Option<String> = r.try_get(1)?;
            Ok((r.try_get(0)?, mac.unwrap_or_default()))
        })
        .transpose()
    }

    /// Appends the head of the log to the anchor file (a JSON line `{"id", "mac", "at_ms"}`,
    /// flushed to disk) unless its last line already names it, and returns the head (`None`
    /// for an empty log, which writes nothing). Call it periodically and copy the result
    /// elsewhere too (a log line, a metric): deleting the newest records is detectable only
    /// back to the newest anchor held outside the database.
    pub async fn anchor_audit(&self) -> Result<Option<(i64, String)>, RegistryError> {
        let Some((id, mac)) = self.audit_head().await? else {
            return Ok(None);
        };
        let path = self.audit_anchor_file();
        let last = last_line(&path)?;
        let same = last
            .and_then(|l| serde_json::from_str::<Anchor>(&l).ok())
            .is_some_and(|a| a.id == id && a.mac == mac);
        if !same {
            let line = json(&Anchor {
                id,
                mac: mac.clone(),
                at_ms: chrono::Utc::now().timestamp_millis(),
            })? + "\n";
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(keyfile::io(&path))?;
            file.write_all(line.as_bytes())
                .and_then(|()| file.sync_data())
                .map_err(keyfile::io(&path))?;
        }
        Ok(Some((id, mac)))
    }

    /// Checks the whole log: ids run 1, 2, 3 …, every record's mac matches, and every line of
    /// the anchor file matches the record it names. Problems name the records; an empty list
    /// means intact (as far as the database and the anchor file can tell: see the module
    /// documentation). Fails only when the log or the anchor file cannot be read.
    pub async fn verify_audit(&self) -> Result<AuditVerification, RegistryError> {
        let mut v = AuditVerification {
            records: 0,
            head: None,
            anchors: 0,
            problems: Vec::new(),
            problem_count: 0,
        };
        // Anchors by id: (line number, mac).
        let mut anchors = std::collections::BTreeMap::new();
        let path = self.audit_anchor_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                for (n, line) in text
                    .lines()
                    .enumerate()
                    .filter(|(_, l)| !l.trim().is_empty())
                {
                    match serde_json::from_str::<Anchor>(line) {
                        Ok(a) => {
                            v.anchors += 1;
                            anchors
                                .entry(a.id)
                                .or_insert_with(Vec::new)
                                .push((n + 1, a.mac));
                        }
                        Err(_) => v.problem(format!(
                            "{} line {}: not an anchor (the file was altered)",
                            path.display(),
                            n + 1
                        )),
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(keyfile::io(&path)(e)),
        }
        let key = match self.cached_audit_key() {
            Some(key) => Some(key),
            None => {
                keyfile::read(&self.audit_key_file(), PURPOSE)?.map(|k| self.cache_audit_key(k))
            }
        };
        let mut expected = 1;
        let mut prev: Option<String> = None;
        let mut unkeyed = 0;
        loop {
            let page = self.audit_page(expected - 1, PAGE).await?;
            let Some(last) = page.last() else { break };
            let next = last.id + 1;
            for r in &page {
                if r.id != expected {
                    v.problem(if r.id == expected + 1 {
                        format!("record {expected} is missing (deleted)")
                    } else {
                        format!("records {expected} to {} are missing (deleted)", r.id - 1)
                    });
                    // After a gap the chain continues from the record before the gap.
                }
                v.records += 1;
                match (&r.mac, &key) {
                    (None, _) => v.problem(format!("record {} has no mac (not sealed)", r.id)),
                    (Some(_), None) => unkeyed += 1,
                    (Some(mac), Some(key)) => {
                        if seal(key, prev.as_deref(), &r.sealed())? != *mac {
                            v.problem(format!(
                                "record {} does not match its mac (altered, inserted, or sealed \
                                 with another audit key)",
                                r.id
                            ));
                        }
                    }
                }
                for (line, mac) in anchors.remove(&r.id).unwrap_or_default() {
                    if r.mac.as_deref() != Some(mac.as_str()) {
                        v.problem(format!(
                            "record {} differs from {} line {line} (the log was rewritten)",
                            r.id,
                            path.display()
                        ));
                    }
                }
                prev = r.mac.clone();
                v.head = Some((r.id, r.mac.clone().unwrap_or_default()));
                expected = r.id + 1;
            }
            expected = expected.max(next);
        }
        if unkeyed > 0 {
            v.problem(format!(
                "{unkeyed} sealed records cannot be checked: the audit key file {} is missing \
                 (restore it from a backup)",
                self.audit_key_file().display()
            ));
        }
        let newest = v.head.as_ref().map_or(0, |h| h.0);
        for (id, lines) in anchors {
            let (line, _) = &lines[0];
            v.problem(if id > newest {
                format!(
                    "records after {newest} were deleted: {} line {line} names record {id}",
                    path.display()
                )
            } else {
                format!(
                    "record {id} is missing, but {} line {line} names it",
                    path.display()
                )
            });
        }
        Ok(v)
    }
}

/// The last non-empty line of a file (reading at most its last 4 KiB), if any.
fn last_line(path: &Path) -> Result<Option<String>, RegistryError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(keyfile::io(path)(e)),
    };
    let len = file.metadata().map_err(keyfile::io(path))?.len();
    file.seek(SeekFrom::Start(len.saturating_sub(4096)))
        .map_err(keyfile::io(path))?;
    let mut tail = Vec::new();
    file.read_to_end(&mut tail).map_err(keyfile::io(path))?;
    Ok(String::from_utf8_lossy(&tail)
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_owned))
}

fn missing_key(path: &Path, sealed: i64) -> RegistryError {
    RegistryError::Corrupt(format!(
        "audit key file {} is missing, but the audit log holds {sealed} record(s) sealed with it; \
         restore the key file from a backup (a new key would break the chain)",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: i64, before: Option<&str>) -> AuditRecord {
        AuditRecord {
            id,
            at_ms: 1,
            actor: "a".into(),
            kind: CHANGE.into(),
            entity: "sites".into(),
            entity_key: "X".into(),
            action: "insert".into(),
            before_json: before.map(str::to_owned),
            after_json: Some("{}".into()),
            detail_json: None,
            mac: None,
        }
    }

    #[test]
    fn the_mac_covers_every_field_and_tells_null_from_empty() {
        let key = KeyFile {
            bytes: [9; keyfile::KEY_LEN],
            path: PathBuf::from("audit.key"),
        };
        let a = seal(&key, None, &record(1, None).sealed()).unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, seal(&key, None, &record(1, Some("")).sealed()).unwrap());
        assert_ne!(a, seal(&key, None, &record(2, None).sealed()).unwrap());
        assert_ne!(a, seal(&key, Some(&a), &record(1, None).sealed()).unwrap());
        // Moving text between fields changes the mac (length prefixes).
        let mut r = record(1, None);
        r.entity = "sitesX".into();
        r.entity_key = String::new();
        assert_ne!(a, seal(&key, None, &r.sealed()).unwrap());
        let other = KeyFile {
            bytes: [8; keyfile::KEY_LEN],
            path: PathBuf::from("audit.key"),
        };
        assert_ne!(a, seal(&other, None, &record(1, None).sealed()).unwrap());
        assert_eq!(a, seal(&key, None, &record(1, None).sealed()).unwrap());
    }
}
