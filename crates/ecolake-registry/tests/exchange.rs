//! Bulk import and export (CSV and JSON) on both back ends: line-numbered rejections, nothing
//! half-applied without `partial`, and export → import round trips.

mod support;

use ecolake_registry::{Format, ImportOptions, Kind, Registry};
use support::on_both;

fn opts(partial: bool) -> ImportOptions {
    ImportOptions {
        actor: "loader".into(),
        partial,
    }
}

const SITES: &str = "code,name,medium,lon,lat\n\
1001A,万寿西宫,air,116.3621,39.8784\n\
1002A,定陵,air,116.2202,91.5\n\
1003A,东四,river,116.4174,39.9289\n\
1004A,天坛,air,116.4072,39.8863\n\
1001A,again,air,116.0,39.0\n";

#[tokio::test]
async fn a_file_with_bad_rows_changes_nothing_unless_partial() {
    on_both("exchange_bad", |registry| async move {
        let report = registry
            .import(Kind::Sites, Format::Csv, SITES.as_bytes(), &opts(false))
            .await
            .unwrap();
        assert_eq!((report.rows, report.applied), (5, 0));
        let lines: Vec<u64> = report.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 6], "{:?}", report.errors);
        assert!(
            report.errors[0].reason.contains("latitude 91.5"),
            "{:?}",
            report.errors
        );
        assert!(
            report.errors[1]
                .reason
                .contains("column `medium`: unknown variant `river`"),
            "{:?}",
            report.errors
        );
        assert!(
            report.errors[2].reason.contains("also on line 2"),
            "{:?}",
            report.errors
        );
        assert_eq!(registry.sites().await.unwrap(), []);
        assert_eq!(registry.audit_log().await.unwrap(), []);

        let report = registry
            .import(Kind::Sites, Format::Csv, SITES.as_bytes(), &opts(true))
            .await
            .unwrap();
        assert_eq!(report.applied, 2);
        let codes: Vec<String> = registry
            .sites()
            .await
            .unwrap()
            .into_iter()
            .map(|s| s.code)
            .collect();
        assert_eq!(codes, ["1001A", "1004A"]);
        assert_eq!(registry.audit_log().await.unwrap().len(), 2);

        let e = registry
            .import(
                Kind::Sites,
                Format::Csv,
                b"code,name,medium,lon,lattitude\n",
                &opts(true),
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("column `lattitude`"), "{e}");
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn json_rows_are_read_with_their_lines() {
    on_both("exchange_json", |registry| async move {
        let json = "[\n{\"code\":\"110000\",\"name\":\"北京市\"},\n{\"code\":\"110101\",\"name\":\"东城区\"},\n{\"code\":\"1101\",\"name\":\"x\"}\n]";
        let report = registry
            .import(Kind::Divisions, Format::Json, json.as_bytes(), &opts(true))
            .await
            .unwrap();
        assert_eq!(report.applied, 2);
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].line, 4, "{:?}", report.errors);
        let lines = "{\"code\":\"b1\",\"name\":\"长江流域\"}\n{\"code\":\"b2\",\"nom\":\"x\"}\n";
        let report = registry
            .import(Kind::Basins, Format::Json, lines.as_bytes(), &opts(false))
            .await
            .unwrap();
        assert_eq!((report.applied, report.errors[0].line), (0, 2));
        assert!(report.errors[0].reason.contains("`nom`"));
        registry.close().await;
    })
    .await;
}

/// Loads a small registry of every kind through import, exports it, imports the export into a
/// fresh registry and compares the exports.
#[tokio::test]
async fn export_then_import_round_trips() {
    let files: [(Kind, &str); 9] = [
        (Kind::Divisions, "code,name\n110000,北京市\n110105,朝阳区\n"),
        (Kind::Departments, "code,name,name_en\nbj-emc,北京市生态环境监测中心,Beijing EMC\n"),
        (Kind::Sites, "code,name,medium,lon,lat,division\n1003A,东四,air,116.4174,39.9289,110105\n"),
        (Kind::Enterprises, "credit_code,name,division,key_discharger\n91110000600001760P,某热电厂,110105,true\n"),
        (Kind::Outlets, "code,enterprise,kind,factors\n91110000600001760P-DA001,91110000600001760P,air,a21026;a21002\n"),
        (Kind::Permits, "number,enterprise,valid_from,valid_to\n91110000600001760P001P,91110000600001760P,2024-01-01,2028-12-31\n"),
        (Kind::PermitLimits, "permit,outlet,factor,limit,unit,averaging,allowance_t_per_year\n91110000600001760P001P,91110000600001760P-DA001,a21026,35,mg/m3,hour,120.5\n"),
        (Kind::Devices, "mn,password,site\n010000A8900016F000169DC0,123456,91110000600001760P-DA001\n"),
        (Kind::Datasets, "name,title,owner,source,tier,periods\nbj_air_hourly,北京空气小时数据,bj-emc,observations,open,hour\n"),
    ];
    let a_dir = tempfile::tempdir().unwrap();
    let b_dir = tempfile::tempdir().unwrap();
    let a = Registry::open_in(a_dir.path()).await.unwrap();
    let b = Registry::open_in(b_dir.path()).await.unwrap();
    for (kind, csv) in files {
        let report = a
            .import(kind, Format::Csv, csv.as_bytes(), &opts(false))
            .await
            .unwrap();
        assert_eq!(
            (report.applied, report.errors.clone()),
            (1.max(report.rows), vec![]),
            "{kind}"
        );
    }
    for (kind, _) in files {
        for format in [Format::Csv, Format::Json] {
            let mut out = Vec::new();
            a.export(kind, format, true, &mut out).await.unwrap();
            let report = b.import(kind, format, &out, &opts(false)).await.unwrap();
            assert!(report.errors.is_empty(), "{kind}: {:?}", report.errors);
            let mut again = Vec::new();
            b.export(kind, format, true, &mut again).await.unwrap();
            assert_eq!(scrub(&out), scrub(&again), "{kind}");
        }
    }
    assert_eq!(
        b.device_password("010000A8900016F000169DC0")
            .await
            .unwrap()
            .unwrap()
            .expose(),
        "123456"
    );
    // Without secrets the password column is empty, and the device keeps its password.
    let mut out = Vec::new();
    a.export(Kind::Devices, Format::Csv, false, &mut out)
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&out).contains("123456"));
    let report = b
        .import(Kind::Devices, Format::Csv, &out, &opts(false))
        .await
        .unwrap();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(b
        .device_password("010000A8900016F000169DC0")
        .await
        .unwrap()
        .is_some());
    let mut dcat = Vec::new();
    a.export_dcat("https://data.example.org", &mut dcat)
        .await
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&dcat).unwrap();
    assert!(doc.to_string().contains("bj_air_hourly"));
}

/// The export with millisecond timestamps (when a password was set) blanked: they are the time
/// of the write, not part of the entry.
fn scrub(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let mut out = String::new();
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\n')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        out.push_str(if digits.len() == 13 { "T" } else { &digits });
        digits.clear();
        out.push(c);
    }
    out
}
