//! Collection responsibilities and duplicate collection, on both back ends (see `support`).

mod support;

use ecolake_registry::{
    Department, Enterprise, Factor, Outlet, OutletKind, Registry, RegistryError, Responsibility,
    Site, SiteMedium,
};
use support::on_both;

const CREDIT: &str = "91350100M000100Y43";
const OUTLET: &str = "91350100M000100Y43-DA001";

fn department(code: &str, name: &str) -> Department {
    Department {
        code: code.into(),
        name: name.into(),
        name_en: None,
    }
}

async fn setup(registry: &Registry) {
    for (code, name) in [
        ("bj-emc", "北京市生态环境监测中心"),
        ("bj-water", "北京市水务局"),
        ("cnemc", "中国环境监测总站"),
    ] {
        registry
            .put_department("loader", &department(code, name))
            .await
            .unwrap();
    }
    for code in ["1003A", "1004A"] {
        registry
            .put_site(
                "loader",
                &Site::new(code, "站点", SiteMedium::Air, 116.4, 39.9),
            )
            .await
            .unwrap();
    }
    registry
        .put_enterprise("loader", &Enterprise::new(CREDIT, "某热电厂"))
        .await
        .unwrap();
    registry
        .put_outlet("loader", &Outlet::new(OUTLET, CREDIT, OutletKind::Air))
        .await
        .unwrap();
    registry
        .put_factor(
            "loader",
            &Factor {
                code: "local.wqi".into(),
                name: "本地水质指数".into(),
                name_en: None,
                unit: "1".into(),
            },
        )
        .await
        .unwrap();
}

fn r(department: &str, site: &str, factor: &str) -> Responsibility {
    Responsibility::new(department, site, factor)
}

#[tokio::test]
async fn responsibilities_are_stored_audited_and_duplicates_found() {
    on_both("responsibilities", |registry| async move {
        setup(&registry).await;
        let rows = [
            r("cnemc", "1003A", "a34004"),
            r("bj-emc", "1003A", "a34004"),
            r("bj-emc", "1003A", "a21026"),
            r("bj-water", "1004A", "local.wqi"),
            r("bj-emc", OUTLET, "a21026"),
            r("cnemc", OUTLET, "a21026"),
            r("bj-water", OUTLET, "a21026"),
            r("bj-emc", "1004A", "a34004"),
        ];
        for row in &rows {
            registry.put_responsibility("planner", row).await.unwrap();
        }
        let mut sorted = rows.to_vec();
        sorted.sort();
        assert_eq!(registry.responsibilities().await.unwrap(), sorted);
        assert_eq!(
            registry.duplicate_collection().await.unwrap(),
            [
                (
                    "1003A".to_owned(),
                    "a34004".to_owned(),
                    vec!["bj-emc".to_owned(), "cnemc".to_owned()]
                ),
                (
                    OUTLET.to_owned(),
                    "a21026".to_owned(),
                    vec![
                        "bj-emc".to_owned(),
                        "bj-water".to_owned(),
                        "cnemc".to_owned()
                    ]
                ),
            ]
        );

        // Stored again: an update of nothing but its time, still audited.
        registry
            .put_responsibility("planner", &rows[0])
            .await
            .unwrap();
        assert_eq!(registry.responsibilities().await.unwrap().len(), rows.len());
        let log = registry.audit_log().await.unwrap();
        let log: Vec<_> = log
            .iter()
            .filter(|a| a.entity == "responsibilities")
            .collect();
        assert_eq!(log.len(), rows.len() + 1);
        assert!(log[..rows.len()].iter().all(|a| a.action == "insert"));
        let last = log[rows.len()];
        assert_eq!(
            (
                last.action.as_str(),
                last.entity_key.as_str(),
                last.actor.as_str()
            ),
            ("update", "cnemc/1003A/a34004", "planner")
        );
        let after: Responsibility =
            serde_json::from_str(last.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after, rows[0]);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn no_duplicates_when_each_site_factor_has_one_collector() {
    on_both("responsibilities_single", |registry| async move {
        setup(&registry).await;
        assert!(registry.duplicate_collection().await.unwrap().is_empty());
        for row in [
            r("bj-emc", "1003A", "a34004"),
            r("bj-emc", "1004A", "a34004"),
            r("cnemc", "1003A", "a21026"),
        ] {
            registry.put_responsibility("planner", &row).await.unwrap();
        }
        assert!(registry.duplicate_collection().await.unwrap().is_empty());
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_responsibilities_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_responsibilities", |registry| async move {
        setup(&registry).await;
        for (row, reason) in [
            (
                r("nobody", "1003A", "a34004"),
                "responsibility nobody/1003A/a34004: department nobody is not in the registry",
            ),
            (
                r("bj-emc", "9999A", "a34004"),
                "responsibility bj-emc/9999A/a34004: site `9999A` is neither a site nor an outlet",
            ),
            (
                r("bj-emc", "1003A", "a99999"),
                "responsibility bj-emc/1003A/a99999: factor `a99999` is neither an HJ 212 factor",
            ),
            (r("bj emc", "1003A", "a34004"), "department code `bj emc`"),
            (r("bj-emc", " 1003A", "a34004"), "site ` 1003A`: must be"),
            (r("bj-emc", "1003A", ""), "factor code ``"),
        ] {
            match registry.put_responsibility("planner", &row).await {
                Err(RegistryError::Invalid(e)) => assert!(e.contains(reason), "{reason}: {e}"),
                other => panic!("{reason}: {other:?}"),
            }
        }
        assert_eq!(registry.responsibilities().await.unwrap(), []);
        assert!(!registry
            .audit_log()
            .await
            .unwrap()
            .iter()
            .any(|a| a.entity == "responsibilities"));
        registry.close().await;
    })
    .await;
}
