//! Concurrent writers never corrupt the registry: several independently opened registries on
//! one database (as separate processes would be: no shared in-process lock, each its own
//! connection pool) write at once, and every write lands with exactly one audit record, sealed
//! into one chain.

mod support;

use ecolake_registry::{Registry, Site, SiteMedium};

const WRITERS: usize = 4;
const SITES_EACH: usize = 15;

async fn race(open: impl Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = Registry>>>) {
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let registry = open().await;
        writers.push(tokio::spawn(async move {
            for i in 0..SITES_EACH {
                let mut site = Site::new(
                    &format!("W{w}-{i:02}"),
                    "racing",
                    SiteMedium::Air,
                    116.0,
                    40.0,
                );
                registry.put_site("writer", &site).await.unwrap();
                // The same key from every writer: one row, every version audited.
                site.code = format!("shared-{i:02}");
                site.name = format!("by writer {w}");
                registry.put_site("writer", &site).await.unwrap();
            }
            registry.close().await;
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let registry = open().await;
    let sites = registry.sites().await.unwrap();
    assert_eq!(sites.len(), WRITERS * SITES_EACH + SITES_EACH);
    let log = registry.audit_log().await.unwrap();
    assert_eq!(log.len(), 2 * WRITERS * SITES_EACH);
    let ids: Vec<i64> = log.iter().map(|r| r.id).collect();
    let expected: Vec<i64> = (1..=log.len() as i64).collect();
    assert_eq!(
        ids, expected,
        "audit ids are 1, 2, 3 … without gaps or repeats"
    );
    // Of the writes to one shared key, exactly one was the insert.
    let inserts = log
        .iter()
        .filter(|r| r.entity_key == "shared-00" && r.before_json.is_none())
        .count();
    assert_eq!(inserts, 1);
    // Every writer continued the one sealed chain.
    let verified = registry.verify_audit().await.unwrap();
    assert!(verified.is_intact(), "{:?}", verified.problems);
    registry.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    race(move || {
        let path = path.clone();
        Box::pin(async move { Registry::open_in(&path).await.unwrap() })
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers_on_postgresql() {
    let Some(admin) = support::Pg::server() else {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("PostgreSQL skipped (ECOLAKE_TEST_POSTGRES is not set)");
        }
        return;
    };
    let pg = support::Pg::create(admin, "concurrency").await;
    let dir = tempfile::tempdir().unwrap();
    let (url, path) = (pg.url(), dir.path().to_owned());
    race(move || {
        let (url, path) = (url.clone(), path.clone());
        Box::pin(async move { Registry::open(&url, &path).await.unwrap() })
    })
    .await;
    pg.drop_db().await;
}
