//! The audit log is a sealed chain on both back ends: changes and events are chained, every
//! kind of tampering in the database (an altered, deleted, inserted or unsealed record, the
//! newest records deleted after an anchor, an altered anchor file) is found and named, records
//! of an older version are sealed at open, and a lost key is reported instead of being replaced.

mod support;

use std::future::Future;
use std::path::{Path, PathBuf};

use ecolake_registry::{AuditEvent, Registry, RegistryError, Site, SiteMedium};
use serde_json::json;
use sqlx::Connection;

/// Runs `test` with a fresh registry URL and data directory: SQLite, then PostgreSQL if
/// configured.
async fn each_backend<F, Fut>(name: &str, test: F)
where
    F: Fn(String, PathBuf) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().unwrap();
    let url = format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("registry.db").display()
    );
    test(url, dir.path().to_owned()).await;
    match support::Pg::server() {
        Some(admin) => {
            let pg = support::Pg::create(admin, name).await;
            let dir = tempfile::tempdir().unwrap();
            test(pg.url(), dir.path().to_owned()).await;
            pg.drop_db().await;
        }
        #[allow(clippy::print_stderr)]
        None => eprintln!("{name}: PostgreSQL skipped (ECOLAKE_TEST_POSTGRES is not set)"),
    }
}

/// Runs SQL on the registry's database behind its back.
async fn tamper(url: &str, sql: &str) {
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

async fn sites(registry: &Registry, n: usize) {
    for i in 0..n {
        let site = Site::new(&format!("S{i:02}"), "站", SiteMedium::Air, 116.0, 40.0);
        registry.put_site("loader", &site).await.unwrap();
    }
}

fn event(kind: &str, key: &str) -> AuditEvent {
    AuditEvent {
        actor: "key:k0123456789ab".into(),
        kind: kind.into(),
        entity: "api".into(),
        entity_key: key.into(),
        action: "GET".into(),
        detail: json!({"status": 200, "rows": 3}),
    }
}

async fn problems(registry: &Registry) -> Vec<String> {
    let v = registry.verify_audit().await.unwrap();
    assert_eq!(v.problem_count, v.problems.len());
    v.problems
}

#[tokio::test]
async fn changes_and_events_form_one_chain_and_events_are_no_changes() {
    each_backend("chain", |url, dir| async move {
        let registry = Registry::open(&url, &dir).await.unwrap();
        assert_eq!(registry.audit_head().await.unwrap(), None);
        assert_eq!(registry.anchor_audit().await.unwrap(), None);
        assert!(!registry.audit_anchor_file().exists());
        sites(&registry, 2).await;
        let change = registry.last_change().await.unwrap();
        assert_eq!(change, 2);
        registry
            .append_audit(&[event("request", "/api/v1/sites"), event("export", "x")])
            .await
            .unwrap();
        assert_eq!(registry.last_change().await.unwrap(), change);
        sites(&registry, 1).await;
        assert_eq!(registry.last_change().await.unwrap(), 5);
        let log = registry.audit_log().await.unwrap();
        let kinds: Vec<&str> = log.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(kinds, ["change", "change", "request", "export", "change"]);
        assert_eq!(
            log[2].detail_json.as_deref(),
            Some(r#"{"rows":3,"status":200}"#)
        );
        assert!(log
            .iter()
            .all(|r| r.mac.as_ref().is_some_and(|m| m.len() == 64)));
        assert_eq!(
            registry.audit_head().await.unwrap(),
            Some((5, log[4].mac.clone().unwrap()))
        );
        let v = registry.verify_audit().await.unwrap();
        assert!(v.is_intact(), "{:?}", v.problems);
        assert_eq!((v.records, v.anchors), (5, 0));

        for bad in [event("change", "x"), event("", "x")] {
            let e = registry.append_audit(&[bad]).await.unwrap_err();
            assert!(e.to_string().contains("kind"), "{e}");
        }
        let mut nobody = event("login", "x");
        nobody.actor.clear();
        assert!(registry.append_audit(&[nobody]).await.is_err());
        assert_eq!(registry.audit_log().await.unwrap().len(), 5);

        // The key file is owner-only, and the chain continues in another open of the same data
        // directory.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(registry.audit_key_file())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        registry.close().await;
        let registry = Registry::open(&url, &dir).await.unwrap();
        registry
            .append_audit(&[event("login", "alice")])
            .await
            .unwrap();
        assert!(registry.verify_audit().await.unwrap().is_intact());
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn tampering_in_the_database_is_found_and_named() {
    each_backend("tamper", |url, dir| async move {
        let registry = Registry::open(&url, &dir).await.unwrap();
        sites(&registry, 8).await;
        assert!(problems(&registry).await.is_empty());

        tamper(
            &url,
            "UPDATE audit_log SET actor = 'someone else' WHERE id = 3",
        )
        .await;
        assert_eq!(
            problems(&registry).await,
            [
                "record 3 does not match its mac (altered, inserted, or sealed with another audit \
              key)"
            ]
        );
        tamper(&url, "UPDATE audit_log SET actor = 'loader' WHERE id = 3").await;
        // NULL is not the empty text.
        tamper(&url, "UPDATE audit_log SET detail_json = '' WHERE id = 4").await;
        assert!(problems(&registry).await[0].starts_with("record 4 does not match"));
        tamper(&url, "UPDATE audit_log SET detail_json = NULL WHERE id = 4").await;
        assert!(problems(&registry).await.is_empty());

        // A deleted record leaves a gap (and the next record no longer chains).
        tamper(&url, "DELETE FROM audit_log WHERE id = 5").await;
        let p = problems(&registry).await;
        assert_eq!(p[0], "record 5 is missing (deleted)");
        assert!(p[1].starts_with("record 6 does not match"), "{p:?}");
        tamper(&url, "DELETE FROM audit_log WHERE id IN (6, 7)").await;
        assert_eq!(
            problems(&registry).await[0],
            "records 5 to 7 are missing (deleted)"
        );
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn anchors_catch_deleted_newest_records_and_a_rewritten_log() {
    each_backend("anchor", |url, dir| async move {
        let registry = Registry::open(&url, &dir).await.unwrap();
        sites(&registry, 3).await;
        let head = registry.anchor_audit().await.unwrap().unwrap();
        assert_eq!(head.0, 3);
        // Unchanged: no new line.
        assert_eq!(registry.anchor_audit().await.unwrap(), Some(head.clone()));
        let anchor = registry.audit_anchor_file();
        assert_eq!(std::fs::read_to_string(&anchor).unwrap().lines().count(), 1);
        sites(&registry, 2).await;
        let head = registry.anchor_audit().await.unwrap().unwrap();
        assert_eq!(head.0, 5);
        let text = std::fs::read_to_string(&anchor).unwrap();
        assert_eq!(text.lines().count(), 2);
        let line: serde_json::Value = serde_json::from_str(text.lines().nth(1).unwrap()).unwrap();
        assert_eq!(
            (line["id"].as_i64(), line["mac"].as_str()),
            (Some(5), Some(head.1.as_str()))
        );
        let v = registry.verify_audit().await.unwrap();
        assert!(v.is_intact() && v.anchors == 2, "{v:?}");

        // The newest records deleted: the anchor names what is gone.
        sites(&registry, 6).await;
        tamper(&url, "DELETE FROM audit_log WHERE id >= 5").await;
        let p = problems(&registry).await;
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].starts_with("records after 4 were deleted:")
                && p[0].ends_with("line 2 names record 5"),
            "{p:?}"
        );

        // An altered anchor file.
        let mut text = std::fs::read_to_string(&anchor).unwrap();
        text.push_str("not json\n");
        std::fs::write(&anchor, text).unwrap();
        assert!(problems(&registry)
            .await
            .iter()
            .any(|p| p.ends_with("line 3: not an anchor (the file was altered)")));
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn records_of_an_older_version_are_sealed_at_open_and_unsealed_ones_later_are_reported() {
    each_backend("seal", |url, dir| async move {
        let registry = Registry::open(&url, &dir).await.unwrap();
        sites(&registry, 3).await;
        registry.close().await;
        // As an older version left it: no kind but change, no macs, no key file.
        tamper(&url, "UPDATE audit_log SET mac = NULL").await;
        std::fs::remove_file(dir.join("audit.key")).unwrap();
        let registry = Registry::open(&url, &dir).await.unwrap();
        assert!(registry
            .audit_log()
            .await
            .unwrap()
            .iter()
            .all(|r| r.mac.is_some()));
        assert!(problems(&registry).await.is_empty());
        assert!(registry.audit_key_file().exists());

        // A record slipped in without a mac after sealed ones is not sealed by a later open.
        tamper(
            &url,
            "INSERT INTO audit_log (id, at_ms, actor, kind, entity, entity_key, action) \
             VALUES (4, 0, 'intruder', 'change', 'sites', 'X', 'insert')",
        )
        .await;
        registry.close().await;
        let registry = Registry::open(&url, &dir).await.unwrap();
        assert_eq!(
            problems(&registry).await,
            ["record 4 has no mac (not sealed)"]
        );
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_lost_audit_key_is_reported_not_replaced() {
    each_backend("lost_key", |url, dir| async move {
        let registry = Registry::open(&url, &dir).await.unwrap();
        sites(&registry, 2).await;
        registry.close().await;
        std::fs::remove_file(dir.join("audit.key")).unwrap();
        let registry = Registry::open(&url, &dir).await.unwrap();
        let p = problems(&registry).await;
        assert_eq!(p.len(), 1);
        assert!(
            p[0].starts_with("2 sealed records cannot be checked"),
            "{p:?}"
        );
        let e = registry
            .append_audit(&[event("request", "x")])
            .await
            .unwrap_err();
        assert!(matches!(e, RegistryError::Corrupt(_)));
        let e = e.to_string();
        assert!(
            e.contains("audit.key is missing") && e.contains("2 record(s)"),
            "{e}"
        );
        assert!(!dir.join("audit.key").exists());
        registry.close().await;

        // Another key: every record fails.
        write_key(&dir.join("audit.key"), &[3; 32]);
        let registry = Registry::open(&url, &dir).await.unwrap();
        assert_eq!(problems(&registry).await.len(), 2);
        registry.close().await;
    })
    .await;
}

fn write_key(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}
