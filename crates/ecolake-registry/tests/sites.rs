//! Sites, divisions and the audit log, on both back ends (see `support`).

mod support;

use ecolake_registry::{RegistryError, Site, SiteMedium};
use support::on_both;

fn dongsi() -> Site {
    let mut s = Site::new("1003A", "东四", SiteMedium::Air, 116.434, 39.9522);
    s.name_en = Some("Dongsi".into());
    s.level = Some("national".into());
    s
}

#[tokio::test]
async fn sites_are_stored_updated_and_audited() {
    on_both("sites", |registry| async move {
        registry.put_site("loader", &dongsi()).await.unwrap();
        assert_eq!(registry.site("1003A").await.unwrap(), Some(dongsi()));
        let mut moved = dongsi();
        moved.lon = 116.4170;
        moved.status = "inactive".into();
        registry.put_site("analyst", &moved).await.unwrap();
        assert_eq!(registry.sites().await.unwrap(), [moved.clone()]);

        let log = registry.audit_log().await.unwrap();
        assert_eq!(log.len(), 2);
        assert_eq!((log[0].id, log[1].id), (1, 2));
        assert_eq!(
            (log[0].action.as_str(), log[1].action.as_str()),
            ("insert", "update")
        );
        assert_eq!(
            (log[0].actor.as_str(), log[1].actor.as_str()),
            ("loader", "analyst")
        );
        assert_eq!(log[0].before_json, None);
        let before: Site = serde_json::from_str(log[1].before_json.as_deref().unwrap()).unwrap();
        let after: Site = serde_json::from_str(log[1].after_json.as_deref().unwrap()).unwrap();
        assert_eq!((before, after), (dongsi(), moved));
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_sites_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_sites", |registry| async move {
        let mut far = dongsi();
        far.lat = 91.0;
        let mut nowhere = dongsi();
        nowhere.division = Some("110101".into());
        let mut zone = dongsi();
        zone.time_zone = "Beijing".into();
        for (site, reason) in [
            (far, "latitude 91"),
            (nowhere, "division 110101 is not in the registry"),
            (zone, "time zone `Beijing`"),
        ] {
            match registry.put_site("loader", &site).await {
                Err(RegistryError::Invalid(e)) => assert!(e.contains(reason), "{e}"),
                other => panic!("{reason}: {other:?}"),
            }
        }
        assert_eq!(registry.sites().await.unwrap(), []);
        assert_eq!(registry.audit_log().await.unwrap(), []);
        assert!("river"
            .parse::<SiteMedium>()
            .unwrap_err()
            .contains("surface_water"));
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn concurrent_writers_do_not_lose_or_duplicate_audit_records() {
    on_both("concurrent", |registry| async move {
        let writers: Vec<_> = (0..8)
            .map(|i| {
                let r = registry.clone();
                tokio::spawn(async move {
                    let mut s = dongsi();
                    s.code = format!("{}A", 2000 + i);
                    r.put_site(&format!("w{i}"), &s).await.unwrap();
                })
            })
            .collect();
        for w in writers {
            w.await.unwrap();
        }
        let ids: Vec<i64> = registry
            .audit_log()
            .await
            .unwrap()
            .iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, (1..=8).collect::<Vec<_>>());
        assert_eq!(registry.sites().await.unwrap().len(), 8);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn divisions_need_their_province_and_sites_their_division() {
    on_both("divisions", |registry| async move {
        let e = registry
            .put_division("loader", "110101", "东城区")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("province 110000"), "{e}");
        registry
            .put_division("loader", "110000", "北京市")
            .await
            .unwrap();
        // Beijing's districts sit directly under the municipality (no 110100 registered).
        registry
            .put_division("loader", "110101", "东城区")
            .await
            .unwrap();
        let mut s = dongsi();
        s.division = Some("110101".into());
        registry.put_site("loader", &s).await.unwrap();
        assert_eq!(registry.site("1003A").await.unwrap(), Some(s));
        assert!(registry.put_division("loader", "1101", "x").await.is_err());
        let log = registry.audit_log().await.unwrap();
        let entities: Vec<&str> = log.iter().map(|r| r.entity.as_str()).collect();
        assert_eq!(entities, ["divisions", "divisions", "sites"]);
        assert!(log[1]
            .after_json
            .as_deref()
            .unwrap()
            .contains("\"parent\":\"110000\""));
        registry.close().await;
    })
    .await;
}
