//! Enterprises, outlets, permits and permit limits, on both back ends (see `support`).

mod support;

use chrono::NaiveDate;
use ecolake_registry::codes::check_credit_code;
use ecolake_registry::{
    Averaging, Enterprise, Outlet, OutletKind, Permit, PermitLimit, Registry, RegistryError, Site,
    SiteMedium,
};
use support::on_both;

/// The characters of GB 32100 codes in value order.
const CREDIT_CHARS: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";

/// The 18-character code whose first 17 characters are `first17`, with its check character
/// computed independently of the crate: 31 − (Σ value × 3^i mod 31) mod 31.
fn credit(first17: &str) -> String {
    assert_eq!(first17.len(), 17);
    let sum: usize = first17
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let v = CREDIT_CHARS.iter().position(|&x| x == c).unwrap();
            v * (3usize.pow(i as u32) % 31)
        })
        .sum();
    let check = CREDIT_CHARS[(31 - sum % 31) % 31];
    format!("{first17}{}", char::from(check))
}

/// A thermal power plant in Chaoyang (the code of the GB 32100 style, check character computed).
const A: &str = "91110000600001760P";
/// A second enterprise.
const B: &str = "91110105MA01ABCD13";

fn outlet_a(n: &str) -> String {
    format!("{A}-{n}")
}

fn plant() -> Enterprise {
    let mut e = Enterprise::new(A, "北京某热电有限公司");
    e.name_en = Some("Beijing Example Thermal Power Co., Ltd.".into());
    e.industry = Some("D4411".into());
    e.division = Some("110105".into());
    e.lon = Some(116.4862);
    e.lat = Some(39.9219);
    e.key_discharger = true;
    e
}

fn stack(code: &str, enterprise: &str) -> Outlet {
    let mut o = Outlet::new(code, enterprise, OutletKind::Air);
    o.name = Some("1号锅炉排放口".into());
    o.height_m = Some(80.0);
    o.reference_o2 = Some(6.0);
    o.factors = "a21026;a21002;a34013".into();
    o
}

fn limit(
    permit: &str,
    outlet: &str,
    factor: &str,
    value: f64,
    averaging: Averaging,
) -> PermitLimit {
    PermitLimit {
        permit: permit.into(),
        outlet: outlet.into(),
        factor: factor.into(),
        limit: value,
        unit: "mg/m3".into(),
        averaging,
        allowance_t_per_year: None,
    }
}

/// Registers Beijing and Chaoyang district (two audit records).
async fn beijing(registry: &Registry) {
    registry
        .put_division("loader", "110000", "北京市")
        .await
        .unwrap();
    registry
        .put_division("loader", "110105", "朝阳区")
        .await
        .unwrap();
}

/// The reason a refused put gives.
fn reason(result: Result<(), RegistryError>) -> String {
    match result {
        Err(RegistryError::Invalid(e)) => e,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

fn assert_refused(result: Result<(), RegistryError>, expected: &str) {
    let e = reason(result);
    assert!(e.contains(expected), "`{e}` does not say `{expected}`");
}

#[test]
fn the_credit_codes_used_here_are_valid() {
    assert_eq!(credit("91110000600001760"), A);
    assert_eq!(credit("91110105MA01ABCD1"), B);
    // The published examples the crate's own tests use agree with the helper.
    assert_eq!(credit("91350100M000100Y4"), "91350100M000100Y43");
    for code in [A, B] {
        assert_eq!(check_credit_code(code), Ok(()), "{code}");
    }
}

#[tokio::test]
async fn enterprises_are_stored_updated_and_audited() {
    on_both("enterprises", |registry| async move {
        beijing(&registry).await;
        registry.put_enterprise("loader", &plant()).await.unwrap();
        assert_eq!(registry.enterprise(A).await.unwrap(), Some(plant()));

        let mut changed = plant();
        changed.key_discharger = false;
        changed.lon = None;
        changed.lat = None;
        changed.industry = Some("D44".into());
        registry.put_enterprise("analyst", &changed).await.unwrap();
        // The minimal CSV columns, as a JSON object: every other field takes its default.
        let minimal: Enterprise =
            serde_json::from_value(serde_json::json!({"credit_code": B, "name": "某化工厂"}))
                .unwrap();
        assert!(!minimal.key_discharger);
        registry.put_enterprise("loader", &minimal).await.unwrap();
        assert_eq!(
            registry.enterprises().await.unwrap(),
            [changed.clone(), minimal.clone()]
        );
        assert_eq!(
            registry.enterprise("91110000600001761X").await.unwrap(),
            None
        );

        let log = registry.audit_log().await.unwrap();
        let ours: Vec<_> = log.iter().filter(|r| r.entity == "enterprises").collect();
        let summary: Vec<(&str, &str, &str)> = ours
            .iter()
            .map(|r| (r.entity_key.as_str(), r.action.as_str(), r.actor.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                (A, "insert", "loader"),
                (A, "update", "analyst"),
                (B, "insert", "loader")
            ]
        );
        let before: Enterprise =
            serde_json::from_str(ours[1].before_json.as_deref().unwrap()).unwrap();
        let after: Enterprise =
            serde_json::from_str(ours[1].after_json.as_deref().unwrap()).unwrap();
        assert_eq!((before, after), (plant(), changed));
        assert!(ours[0]
            .after_json
            .as_deref()
            .unwrap()
            .contains("\"key_discharger\":true"));
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn outlets_are_stored_normalised_updated_and_audited() {
    on_both("outlets", |registry| async move {
        registry
            .put_enterprise("loader", &Enterprise::new(A, "热电厂"))
            .await
            .unwrap();
        registry
            .put_enterprise("loader", &Enterprise::new(B, "化工厂"))
            .await
            .unwrap();
        let mut da001 = stack(&outlet_a("DA001"), A);
        da001.factors = " a21026 ; a21002;;a21026 ".into();
        da001.lon = Some(116.4871);
        da001.lat = Some(39.9225);
        registry.put_outlet("loader", &da001).await.unwrap();
        let stored = registry.outlet(&outlet_a("DA001")).await.unwrap().unwrap();
        assert_eq!(stored.factors, "a21026;a21002");
        assert_eq!(
            Outlet {
                factors: da001.factors.clone(),
                ..stored.clone()
            },
            da001
        );

        let mut dw001 = Outlet::new(&outlet_a("DW001"), A, OutletKind::Water);
        dw001.factors = "w01018;w21003".into();
        registry.put_outlet("loader", &dw001).await.unwrap();
        let mut changed = stored.clone();
        changed.factors = "a21026;a21002;a34013".into();
        changed.height_m = Some(120.0);
        registry.put_outlet("analyst", &changed).await.unwrap();

        assert_eq!(
            registry.outlets().await.unwrap(),
            [changed.clone(), dw001.clone()]
        );
        assert_eq!(
            registry.outlets_of(A).await.unwrap(),
            [changed.clone(), dw001.clone()]
        );
        assert_eq!(registry.outlets_of(B).await.unwrap(), []);
        assert_eq!(
            serde_json::to_value(OutletKind::Water).unwrap(),
            serde_json::json!("water")
        );

        let log = registry.audit_log().await.unwrap();
        let ours: Vec<_> = log.iter().filter(|r| r.entity == "outlets").collect();
        let actions: Vec<&str> = ours.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["insert", "insert", "update"]);
        assert_eq!(ours[2].entity_key, outlet_a("DA001"));
        let before: Outlet = serde_json::from_str(ours[2].before_json.as_deref().unwrap()).unwrap();
        let after: Outlet = serde_json::from_str(ours[2].after_json.as_deref().unwrap()).unwrap();
        assert_eq!((before, after), (stored, changed));
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn permits_and_limits_are_stored_updated_audited_and_summed() {
    on_both("permits", |registry| async move {
        registry
            .put_enterprise("loader", &Enterprise::new(A, "热电厂"))
            .await
            .unwrap();
        for o in [stack(&outlet_a("DA001"), A), stack(&outlet_a("DA002"), A)] {
            registry.put_outlet("loader", &o).await.unwrap();
        }
        let mut dw001 = Outlet::new(&outlet_a("DW001"), A, OutletKind::Water);
        dw001.factors = "w01018".into();
        registry.put_outlet("loader", &dw001).await.unwrap();

        let old = Permit::new("91110000600001760P001V", A, "2020-01-01", "2024-12-31");
        let renewed = Permit::new("91110000600001760P002V", A, "2024-06-01", "2029-05-31");
        registry.put_permit("loader", &old).await.unwrap();
        registry.put_permit("loader", &renewed).await.unwrap();
        assert_eq!(
            registry.permits().await.unwrap(),
            [old.clone(), renewed.clone()]
        );
        assert_eq!(registry.permits_of(A).await.unwrap().len(), 2);
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        for (date, expected) in [
            ("2019-12-31", None),
            ("2020-01-01", Some(&old)),
            ("2024-05-31", Some(&old)),
            ("2024-06-01", Some(&renewed)),
            ("2029-05-31", Some(&renewed)),
            ("2029-06-01", None),
        ] {
            let found = registry.permit_in_force(A, day(date)).await.unwrap();
            assert_eq!(found.as_ref(), expected, "{date}");
        }
        assert_eq!(
            registry
                .permit_in_force(B, day("2025-01-01"))
                .await
                .unwrap(),
            None
        );

        let p = renewed.number.as_str();
        let (da001, da002, dw) = (outlet_a("DA001"), outlet_a("DA002"), outlet_a("DW001"));
        let mut so2_hour = limit(p, &da001, "a21026", 35.0, Averaging::Hour);
        so2_hour.allowance_t_per_year = Some(12.5);
        let mut so2_day = limit(p, &da001, "a21026", 30.0, Averaging::Day);
        so2_day.unit = "mg/m³".into();
        so2_day.allowance_t_per_year = Some(12.5);
        let nox_hour = limit(p, &da001, "a21002", 50.0, Averaging::Hour);
        let mut so2_2 = limit(p, &da002, "a21026", 35.0, Averaging::Hour);
        so2_2.allowance_t_per_year = Some(3.25);
        let mut cod = limit(p, &dw, "w01018", 50.0, Averaging::Day);
        cod.unit = "mg/L".into();
        cod.allowance_t_per_year = Some(20.0);
        for l in [&cod, &so2_2, &nox_hour, &so2_day, &so2_hour] {
            registry.put_permit_limit("loader", l).await.unwrap();
        }
        let canonical = |l: &PermitLimit| {
            let mut l = l.clone();
            l.unit = l.unit.replace("m3", "m³");
            l
        };
        let stored = registry.permit_limits(p).await.unwrap();
        assert_eq!(
            stored,
            [&nox_hour, &so2_hour, &so2_day, &so2_2, &cod].map(canonical)
        );
        assert_eq!(registry.permit_limits(&old.number).await.unwrap(), []);
        assert_eq!(registry.permit_limits_all().await.unwrap(), stored);
        assert_eq!(
            registry.permit_allowances(p).await.unwrap(),
            [("a21026".to_owned(), 15.75), ("w01018".to_owned(), 20.0)]
        );

        // Updates: a stricter limit, a longer validity.
        let mut stricter = so2_hour.clone();
        stricter.limit = 25.0;
        registry
            .put_permit_limit("analyst", &stricter)
            .await
            .unwrap();
        assert_eq!(
            registry
                .permit_limit(p, &da001, "a21026", Averaging::Hour)
                .await
                .unwrap(),
            Some(canonical(&stricter))
        );
        let mut extended = renewed.clone();
        extended.valid_to = "2030-05-31".into();
        registry.put_permit("analyst", &extended).await.unwrap();
        assert_eq!(registry.permit(p).await.unwrap(), Some(extended.clone()));

        let log = registry.audit_log().await.unwrap();
        let updates: Vec<(&str, &str)> = log
            .iter()
            .filter(|r| r.action == "update")
            .map(|r| (r.entity.as_str(), r.entity_key.as_str()))
            .collect();
        let key = format!("{p}/{da001}/a21026/hour");
        assert_eq!(updates, [("permit_limits", key.as_str()), ("permits", p)]);
        let update = log
            .iter()
            .find(|r| r.entity_key == key && r.action == "update");
        let update = update.unwrap();
        let before: PermitLimit =
            serde_json::from_str(update.before_json.as_deref().unwrap()).unwrap();
        let after: PermitLimit =
            serde_json::from_str(update.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(
            (before, after),
            (canonical(&so2_hour), canonical(&stricter))
        );
        assert_eq!(
            log.iter().filter(|r| r.entity == "permit_limits").count(),
            6
        );
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_enterprises_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_enterprises", |registry| async move {
        let mut wrong_check = plant();
        wrong_check.credit_code = format!("{}Q", &A[..17]);
        let mut unknown_division = plant();
        unknown_division.division = Some("110105".into());
        let mut far = plant();
        far.lat = Some(91.0);
        let mut half = plant();
        half.lon = None;
        let mut industry = plant();
        industry.industry = Some("Z99".into());
        let mut nameless = plant();
        nameless.name = " ".into();
        for (e, expected) in [
            (
                wrong_check,
                "check character is `Q`, the code's first 17 characters give `P`",
            ),
            (unknown_division, "division 110105 is not in the registry"),
            (far, "latitude 91: must be within -90 and 90"),
            (half, "lon and lat must be given together"),
            (industry, "industry code `Z99`"),
            (nameless, "the name is empty"),
        ] {
            assert_refused(registry.put_enterprise("loader", &e).await, expected);
        }
        assert_eq!(registry.enterprises().await.unwrap(), []);
        assert_eq!(registry.audit_log().await.unwrap(), []);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_outlets_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_outlets", |registry| async move {
        registry
            .put_enterprise("loader", &Enterprise::new(A, "热电厂"))
            .await
            .unwrap();
        registry
            .put_site(
                "loader",
                &Site::new("1003A", "东四", SiteMedium::Air, 116.434, 39.9522),
            )
            .await
            .unwrap();
        let logged = registry.audit_log().await.unwrap().len();

        let orphan = stack("91110105MA01ABCD13-DA001", B);
        let mut far = stack(&outlet_a("DA001"), A);
        far.lon = Some(200.0);
        far.lat = Some(40.0);
        let mut unknown_factor = stack(&outlet_a("DA001"), A);
        unknown_factor.factors = "a21026;a99999".into();
        let mut wet_o2 = Outlet::new(&outlet_a("DW001"), A, OutletKind::Water);
        wet_o2.reference_o2 = Some(6.0);
        let mut o2 = stack(&outlet_a("DA001"), A);
        o2.reference_o2 = Some(21.0);
        let mut low = stack(&outlet_a("DA001"), A);
        low.height_m = Some(0.0);
        let spaced = stack("DA 001", A);
        let site_code = stack("1003A", A);
        for (o, expected) in [
            (
                orphan,
                "enterprise 91110105MA01ABCD13 is not in the registry",
            ),
            (far, "longitude 200: must be within -180 and 180"),
            (
                unknown_factor,
                "factor `a99999` is neither an HJ 212 factor",
            ),
            (wet_o2, "reference_o2 is for air outlets only"),
            (
                o2,
                "reference_o2 21: must be a percentage at least 0 and below 21",
            ),
            (low, "height_m 0: must be a positive number"),
            (spaced, "outlet code `DA 001`"),
            (site_code, "outlet 1003A: a site has this code"),
        ] {
            assert_refused(registry.put_outlet("loader", &o).await, expected);
        }
        let bad_kind = serde_json::from_value::<Outlet>(serde_json::json!({
            "code": "DA001", "enterprise": A, "kind": "smoke"
        }))
        .unwrap_err();
        assert!(
            bad_kind.to_string().contains("unknown variant `smoke`"),
            "{bad_kind}"
        );
        assert!("smoke"
            .parse::<OutletKind>()
            .unwrap_err()
            .contains("must be one of air, water"));

        assert_eq!(registry.outlets().await.unwrap(), []);
        assert_eq!(registry.audit_log().await.unwrap().len(), logged);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_permits_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_permits", |registry| async move {
        registry
            .put_enterprise("loader", &Enterprise::new(A, "热电厂"))
            .await
            .unwrap();
        let p = |number: &str, enterprise: &str, from: &str, to: &str| {
            Permit::new(number, enterprise, from, to)
        };
        for (permit, expected) in [
            (
                p("P1", B, "2024-01-01", "2028-12-31"),
                "permit P1: enterprise 91110105MA01ABCD13 is not in the registry",
            ),
            (
                p("P1", A, "2024-01-01", "2023-12-31"),
                "permit P1: valid_to 2023-12-31 is before valid_from 2024-01-01",
            ),
            (
                p("P1", A, "2024-02-30", "2028-12-31"),
                "valid_from `2024-02-30`: must be a calendar date written YYYY-MM-DD",
            ),
            (
                p("P1", A, "2024-01-01", "2028-1-31"),
                "valid_to `2028-1-31`",
            ),
            (
                p(" P1", A, "2024-01-01", "2028-12-31"),
                "permit number ` P1`",
            ),
            (p("", A, "2024-01-01", "2028-12-31"), "permit number ``"),
            (
                p(&"9".repeat(65), A, "2024-01-01", "2028-12-31"),
                "1 to 64 characters",
            ),
            (p("P/1", A, "2024-01-01", "2028-12-31"), "or `/`"),
        ] {
            assert_refused(registry.put_permit("loader", &permit).await, expected);
        }
        // 64 characters are allowed.
        registry
            .put_permit(
                "loader",
                &p(&"许".repeat(64), A, "2024-01-01", "2024-01-01"),
            )
            .await
            .unwrap();
        assert_eq!(registry.permits().await.unwrap().len(), 1);
        let entities: Vec<String> = registry
            .audit_log()
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.entity)
            .collect();
        assert_eq!(entities, ["enterprises", "permits"]);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_permit_limits_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_limits", |registry| async move {
        registry
            .put_enterprise("loader", &Enterprise::new(A, "热电厂"))
            .await
            .unwrap();
        registry
            .put_enterprise("loader", &Enterprise::new(B, "化工厂"))
            .await
            .unwrap();
        let theirs = format!("{B}-DA001");
        let ours = outlet_a("DA001");
        registry
            .put_outlet("loader", &stack(&ours, A))
            .await
            .unwrap();
        registry
            .put_outlet("loader", &stack(&theirs, B))
            .await
            .unwrap();
        registry
            .put_permit("loader", &Permit::new("PA", A, "2024-01-01", "2028-12-31"))
            .await
            .unwrap();
        let mut hourly = limit("PA", &ours, "a21026", 35.0, Averaging::Hour);
        hourly.allowance_t_per_year = Some(10.0);
        registry.put_permit_limit("loader", &hourly).await.unwrap();
        let logged = registry.audit_log().await.unwrap().len();

        let with = |f: &dyn Fn(&mut PermitLimit)| {
            let mut l = limit("PA", &ours, "a21026", 30.0, Averaging::Day);
            f(&mut l);
            l
        };
        let cases = [
            (
                with(&|l| l.permit = "PX".into()),
                "permit PX is not in the registry".to_owned(),
            ),
            (
                with(&|l| l.outlet = outlet_a("DA009")),
                format!("outlet {} is not in the registry", outlet_a("DA009")),
            ),
            (
                with(&|l| l.outlet = theirs.clone()),
                format!(
                    "outlet {theirs} belongs to enterprise {B}, but permit PA is enterprise {A}'s"
                ),
            ),
            (
                with(&|l| l.factor = "a99999".into()),
                "factor `a99999` is neither an HJ 212 factor".to_owned(),
            ),
            (
                with(&|l| l.limit = 0.0),
                "limit 0: must be a positive number".to_owned(),
            ),
            (
                with(&|l| l.limit = -5.0),
                "limit -5: must be a positive number".to_owned(),
            ),
            (with(&|l| l.limit = f64::NAN), "limit NaN".to_owned()),
            (
                with(&|l| l.unit = "furlongs".into()),
                "unit: unknown unit 'furlongs'".to_owned(),
            ),
            (
                with(&|l| l.unit = "mg/L".into()),
                "unit mg/L does not measure factor a21026, whose unit is mg/m³".to_owned(),
            ),
            (
                with(&|l| l.allowance_t_per_year = Some(-1.0)),
                "allowance_t_per_year -1: must be a number of tonnes".to_owned(),
            ),
            (
                with(&|l| l.allowance_t_per_year = Some(12.0)),
                "allowance_t_per_year 12 differs from 10 on the hour limit".to_owned(),
            ),
        ];
        for (l, expected) in cases {
            let e = reason(registry.put_permit_limit("loader", &l).await);
            assert!(e.contains(&expected), "`{e}` does not say `{expected}`");
            assert!(e.starts_with("permit limit "), "{e}");
        }
        let week = serde_json::from_value::<PermitLimit>(serde_json::json!({
            "permit": "PA", "outlet": ours, "factor": "a21026", "limit": 30.0,
            "unit": "mg/m3", "averaging": "week"
        }))
        .unwrap_err();
        assert!(
            week.to_string()
                .contains("unknown variant `week`, expected one of `hour`, `day`, `month`, `year`"),
            "{week}"
        );
        assert_eq!(
            "week".parse::<Averaging>().unwrap_err(),
            "averaging `week`: must be one of hour, day, month, year"
        );

        let mut stored = hourly.clone();
        stored.unit = "mg/m³".into();
        assert_eq!(registry.permit_limits_all().await.unwrap(), [stored]);
        assert_eq!(registry.audit_log().await.unwrap().len(), logged);
        // The same allowance repeated on the daily limit is accepted.
        let mut daily = limit("PA", &ours, "a21026", 30.0, Averaging::Day);
        daily.allowance_t_per_year = Some(10.0);
        registry.put_permit_limit("loader", &daily).await.unwrap();
        assert_eq!(
            registry.permit_allowances("PA").await.unwrap(),
            [("a21026".to_owned(), 10.0)]
        );
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn outlets_and_permits_with_limits_stay_with_their_enterprise() {
    on_both("moves", |registry| async move {
        for (code, name) in [(A, "热电厂"), (B, "化工厂")] {
            registry
                .put_enterprise("loader", &Enterprise::new(code, name))
                .await
                .unwrap();
        }
        let (limited, free) = (outlet_a("DA001"), outlet_a("DA002"));
        registry
            .put_outlet("loader", &stack(&limited, A))
            .await
            .unwrap();
        registry
            .put_outlet("loader", &stack(&free, A))
            .await
            .unwrap();
        let pa = Permit::new("PA", A, "2024-01-01", "2028-12-31");
        registry.put_permit("loader", &pa).await.unwrap();
        let pb = Permit::new("PB", A, "2024-01-01", "2028-12-31");
        registry.put_permit("loader", &pb).await.unwrap();
        registry
            .put_permit_limit(
                "loader",
                &limit("PA", &limited, "a21026", 35.0, Averaging::Hour),
            )
            .await
            .unwrap();
        let logged = registry.audit_log().await.unwrap().len();

        assert_refused(
            registry.put_outlet("loader", &stack(&limited, B)).await,
            &format!("permit limits of enterprise {A} name it; it cannot move to enterprise {B}"),
        );
        assert_refused(
            registry
                .put_permit("loader", &Permit::new("PA", B, "2024-01-01", "2028-12-31"))
                .await,
            &format!("permit PA: it has limits for outlets of enterprise {A}"),
        );
        assert_eq!(
            registry.outlet(&limited).await.unwrap().unwrap().enterprise,
            A
        );
        assert_eq!(registry.permit("PA").await.unwrap(), Some(pa));
        assert_eq!(registry.audit_log().await.unwrap().len(), logged);

        // Without limits, an outlet or a permit may move.
        registry
            .put_outlet("loader", &stack(&free, B))
            .await
            .unwrap();
        registry
            .put_permit("loader", &Permit::new("PB", B, "2024-01-01", "2028-12-31"))
            .await
            .unwrap();
        assert_eq!(registry.outlets_of(B).await.unwrap(), [stack(&free, B)]);
        assert_eq!(registry.permits_of(B).await.unwrap().len(), 1);
        registry.close().await;
    })
    .await;
}
