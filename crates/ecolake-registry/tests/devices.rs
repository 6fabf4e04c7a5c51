//! Devices and their encrypted passwords, on both back ends (see `support`).

mod support;

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

use ecolake_registry::{
    Backend, Device, Enterprise, Outlet, OutletKind, Password, ProtocolEdition, Registry,
    RegistryError, ReportsFor, Site, SiteMedium,
};
use support::on_both;

const MN: &str = "010000A8900016F000169DC0";
const MN2: &str = "88888880000001";
/// Distinctive passwords, searched for in the database files and the audit log.
const SECRET: &str = "Qx7pW2zK";
const SECRET2: &str = "Lm4nB8vR";
const CREDIT: &str = "91350100M000100Y43";
const OUTLET: &str = "91350100M000100Y43-DA001";

async fn setup(registry: &Registry) {
    registry
        .put_site(
            "loader",
            &Site::new("1003A", "东四", SiteMedium::Air, 116.434, 39.9522),
        )
        .await
        .unwrap();
    registry
        .put_enterprise("loader", &Enterprise::new(CREDIT, "某热电厂"))
        .await
        .unwrap();
    registry
        .put_outlet("loader", &Outlet::new(OUTLET, CREDIT, OutletKind::Air))
        .await
        .unwrap();
}

/// The device as reads return it (no password; what the store fills in).
/// The stored password of a device that has one, in clear.
async fn password(registry: &Registry, mn: &str) -> String {
    registry
        .device_password(mn)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("device {mn} has a password"))
        .expose()
        .to_owned()
}

fn as_read(d: &Device, reports_for: ReportsFor, stored: &Device) -> Device {
    Device {
        password: None,
        reports_for: Some(reports_for),
        password_set_ms: stored.password_set_ms,
        ..d.clone()
    }
}

fn invalid(r: Result<(), RegistryError>, reason: &str) -> String {
    match r {
        Err(RegistryError::Invalid(e)) => {
            assert!(e.contains(reason), "expected `{reason}` in: {e}");
            e
        }
        other => panic!("{reason}: {other:?}"),
    }
}

fn device_audit(
    registry_log: &[ecolake_registry::AuditRecord],
) -> Vec<&ecolake_registry::AuditRecord> {
    registry_log
        .iter()
        .filter(|r| r.entity == "devices")
        .collect()
}

fn write_key_file(path: &Path, bytes: &[u8], mode: u32) {
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .unwrap();
    f.write_all(bytes).unwrap();
}

#[tokio::test]
async fn devices_are_stored_updated_and_audited() {
    on_both("devices", |registry| async move {
        setup(&registry).await;
        let mut d = Device::new(MN, SECRET, "1003A");
        d.units = " a21026 = mg/m3 ; a34004=ug/m3 ".into();
        registry.put_device("loader", &d).await.unwrap();
        let stored = registry.device(MN).await.unwrap().unwrap();
        assert_eq!(stored.password, None, "reads never carry the password");
        assert!(stored.password_set_ms.is_some());
        let mut expected = as_read(&d, ReportsFor::Site, &stored);
        expected.units = "a21026=mg/m3;a34004=ug/m3".into();
        assert_eq!(stored, expected);
        assert_eq!(password(&registry, MN).await, SECRET);
        assert_eq!(registry.device_password("99999999").await.unwrap(), None);

        // An update without a password (none, then empty) keeps it.
        let mut moved = d.clone();
        moved.password = None;
        moved.interval_s = 600;
        moved.edition = ProtocolEdition::Hj212_2005;
        moved.crc = "modbus-le".into();
        moved.strict = false;
        registry.put_device("editor", &moved).await.unwrap();
        moved.password = Some(Password::new(""));
        moved.enabled = false;
        moved.site = OUTLET.into();
        registry.put_device("editor", &moved).await.unwrap();
        let after = registry.device(MN).await.unwrap().unwrap();
        assert_eq!(after.password_set_ms, stored.password_set_ms);
        assert_eq!(after.reports_for, Some(ReportsFor::Outlet));
        assert_eq!(
            (after.interval_s, after.enabled, after.strict),
            (600, false, false)
        );
        assert_eq!(after.edition, ProtocolEdition::Hj212_2005);
        assert_eq!(password(&registry, MN).await, SECRET);

        // A new password replaces it.
        moved.password = Some(Password::new(SECRET2));
        registry.put_device("editor", &moved).await.unwrap();
        assert_eq!(password(&registry, MN).await, SECRET2);
        let changed = registry.device(MN).await.unwrap().unwrap();
        assert!(changed.password_set_ms >= stored.password_set_ms);

        let log = registry.audit_log().await.unwrap();
        let log = device_audit(&log);
        let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, ["insert", "update", "update", "update"]);
        assert!(log.iter().all(|r| r.entity_key == MN));
        for r in &log {
            for json in [&r.before_json, &r.after_json].into_iter().flatten() {
                assert!(!json.contains(SECRET) && !json.contains(SECRET2), "{json}");
                let v: serde_json::Value = serde_json::from_str(json).unwrap();
                assert_eq!(v["password"], "set", "{json}");
            }
        }
        let last: serde_json::Value =
            serde_json::from_str(log[3].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(last["password_set_ms"], changed.password_set_ms.unwrap());
        assert_eq!(last["site"], OUTLET);
        assert_eq!(last["reports_for"], "outlet");

        // A row that says when its password was set (an export being restored) keeps that
        // time; a time in the future is refused.
        moved.password_set_ms = Some(1_700_000_000_000);
        registry.put_device("restore", &moved).await.unwrap();
        let restored = registry.device(MN).await.unwrap().unwrap();
        assert_eq!(restored.password_set_ms, Some(1_700_000_000_000));
        moved.password_set_ms = Some(i64::MAX);
        let e = registry.put_device("restore", &moved).await.unwrap_err();
        assert!(e.to_string().contains("is in the future"), "{e}");
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn devices_report_for_a_site_or_an_outlet() {
    on_both("device_targets", |registry| async move {
        setup(&registry).await;
        let at_site = Device::new(MN, SECRET, "1003A");
        let at_outlet = Device::new(MN2, SECRET2, OUTLET);
        registry.put_device("loader", &at_site).await.unwrap();
        registry.put_device("loader", &at_outlet).await.unwrap();
        let all = registry.devices().await.unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0], as_read(&at_site, ReportsFor::Site, &all[0]));
        assert_eq!(all[1], as_read(&at_outlet, ReportsFor::Outlet, &all[1]));
        assert!(all.iter().all(|d| d.password.is_none()));
        let mns = |v: Vec<Device>| v.into_iter().map(|d| d.mn).collect::<Vec<_>>();
        assert_eq!(mns(registry.devices_for("1003A").await.unwrap()), [MN]);
        assert_eq!(mns(registry.devices_for(OUTLET).await.unwrap()), [MN2]);
        assert!(registry.devices_for("nowhere").await.unwrap().is_empty());

        let secrets = registry.devices_with_passwords().await.unwrap();
        let pws: Vec<&str> = secrets
            .iter()
            .map(|d| d.password.as_ref().unwrap().expose())
            .collect();
        assert_eq!(pws, [SECRET, SECRET2]);
        let shown = format!("{secrets:?}");
        assert!(
            !shown.contains(SECRET) && !shown.contains(SECRET2),
            "{shown}"
        );
        assert!(shown.contains("password: Some(***)"), "{shown}");

        // `reports_for` given on a write restricts the lookup.
        let mut wrong = Device::new("88888880000009", SECRET, OUTLET);
        wrong.reports_for = Some(ReportsFor::Site);
        invalid(
            registry.put_device("loader", &wrong).await,
            &format!("device 88888880000009: site `{OUTLET}` is not a site in the registry"),
        );
        wrong.reports_for = Some(ReportsFor::Outlet);
        registry.put_device("loader", &wrong).await.unwrap();

        // `add_device` refuses a registered MN, naming where it reports.
        invalid(
            registry
                .add_device("loader", &Device::new(MN2, "other1", "1003A"))
                .await,
            &format!("device MN {MN2} is already registered (for outlet {OUTLET})"),
        );
        invalid(
            registry
                .add_device("loader", &Device::new(MN, "other1", "1003A"))
                .await,
            &format!("device MN {MN} is already registered (for site 1003A)"),
        );
        registry
            .add_device("loader", &Device::new("88888880000003", "abc123", "1003A"))
            .await
            .unwrap();
        assert_eq!(registry.devices().await.unwrap().len(), 4);
        assert_eq!(
            password(&registry, MN2).await,
            SECRET2,
            "the refused add changed nothing"
        );
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_password_is_never_stored_or_logged_in_clear() {
    on_both("device_secrecy", |registry| async move {
        setup(&registry).await;
        registry
            .put_device("loader", &Device::new(MN, SECRET, "1003A"))
            .await
            .unwrap();
        registry
            .put_device("loader", &Device::new(MN2, SECRET2, OUTLET))
            .await
            .unwrap();

        // The key file: 32 bytes, owner-only.
        let key = registry.key_file();
        assert_eq!(key, registry.data_dir().join("registry.key"));
        let meta = std::fs::metadata(&key).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(meta.len(), 32);

        let log = format!("{:?}", registry.audit_log().await.unwrap());
        assert!(!log.contains(SECRET) && !log.contains(SECRET2));
        let d = Device::new(MN, SECRET, "1003A");
        let shown = format!("{d:?} {}", d.password.as_ref().unwrap());
        assert!(!shown.contains(SECRET), "{shown}");

        if registry.backend() == Backend::Sqlite {
            // The ciphertexts, read behind the registry's back.
            let url = format!(
                "sqlite://{}",
                registry
                    .data_dir()
                    .join(ecolake_registry::DB_FILE)
                    .display()
            );
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            let encrypted: Vec<(String,)> =
                sqlx::query_as("SELECT password_enc FROM devices ORDER BY mn")
                    .fetch_all(&mut conn)
                    .await
                    .unwrap();
            assert_eq!(encrypted.len(), 2);
            for (enc,) in &encrypted {
                assert!(
                    !log.contains(enc.as_str()),
                    "the ciphertext is in the audit log"
                );
            }
            sqlx::Connection::close(conn).await.unwrap();
            // Neither the database file nor its WAL holds a password (the MN, stored in the same
            // rows, is found: the search itself works).
            let holds = |bytes: &[u8], s: &str| bytes.windows(s.len()).any(|w| w == s.as_bytes());
            let mut mn_seen = false;
            for name in ["registry.db", "registry.db-wal", "registry.db-shm"] {
                let Ok(bytes) = std::fs::read(registry.data_dir().join(name)) else {
                    continue;
                };
                mn_seen |= holds(&bytes, MN2);
                for secret in [SECRET, SECRET2] {
                    assert!(!holds(&bytes, secret), "{name} holds a password in clear");
                }
            }
            assert!(mn_seen, "the database files were not searched");
        }
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn the_key_file_is_guarded() {
    on_both("device_key", |registry| async move {
        setup(&registry).await;
        registry
            .put_device("loader", &Device::new(MN, SECRET, "1003A"))
            .await
            .unwrap();
        let path = registry.key_file();
        let original = std::fs::read(&path).unwrap();
        let shown = path.display().to_string();

        // Group-readable: refused for reads and writes, naming the file, its mode and the fix.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let e = registry.device_password(MN).await.unwrap_err().to_string();
        for part in [shown.as_str(), "0640", "chmod 600"] {
            assert!(e.contains(part), "`{part}` in: {e}");
        }
        assert!(!e.contains(SECRET));
        let e = registry
            .put_device("loader", &Device::new(MN2, SECRET2, OUTLET))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("chmod 600"), "{e}");
        assert!(registry.device(MN2).await.unwrap().is_none());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(password(&registry, MN).await, SECRET);

        // Another key: decryption fails clearly, naming the device and the key file.
        write_key_file(&path, &[0x5a; 32], 0o600);
        let e = registry.device_password(MN).await.unwrap_err().to_string();
        for part in [MN, shown.as_str(), "replaced"] {
            assert!(e.contains(part), "`{part}` in: {e}");
        }
        assert!(registry.devices_with_passwords().await.is_err());
        // A damaged key file is refused too.
        write_key_file(&path, &[1; 31], 0o600);
        let e = registry.device_password(MN).await.unwrap_err().to_string();
        assert!(e.contains("31 bytes"), "{e}");

        // No key file while passwords are stored: an error, never a silent new key.
        std::fs::remove_file(&path).unwrap();
        let e = registry.device_password(MN).await.unwrap_err().to_string();
        assert!(e.contains("missing") && e.contains(&shown), "{e}");
        let e = registry
            .put_device("loader", &Device::new(MN2, SECRET2, OUTLET))
            .await
            .unwrap_err()
            .to_string();
        assert!(e.contains("missing") && e.contains(&shown), "{e}");
        assert!(!path.exists(), "no new key was made");
        assert!(registry.device(MN2).await.unwrap().is_none());
        // An update without a new password needs no key.
        let mut quiet = Device::new(MN, "", "1003A");
        quiet.interval_s = 30;
        registry.put_device("loader", &quiet).await.unwrap();

        write_key_file(&path, &original, 0o600);
        assert_eq!(password(&registry, MN).await, SECRET);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_device_does_not_decrypt() {
    // The registry offers no way to copy a ciphertext; this writes the SQLite file behind its
    // back (the PostgreSQL half has no URL to reach the database, and the binding to the MN is
    // the same code on both back ends).
    on_both("device_moved", |registry| async move {
        setup(&registry).await;
        registry
            .put_device("loader", &Device::new(MN, SECRET, "1003A"))
            .await
            .unwrap();
        registry
            .put_device("loader", &Device::new(MN2, SECRET2, OUTLET))
            .await
            .unwrap();
        if registry.backend() == Backend::Sqlite {
            let url = format!(
                "sqlite://{}",
                registry
                    .data_dir()
                    .join(ecolake_registry::DB_FILE)
                    .display()
            );
            sqlx::any::install_default_drivers();
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
                .await
                .unwrap();
            sqlx::query(
                "UPDATE devices SET password_enc = \
                 (SELECT password_enc FROM devices WHERE mn = $1) WHERE mn = $2",
            )
            .bind(MN)
            .bind(MN2)
            .execute(&mut conn)
            .await
            .unwrap();
            sqlx::Connection::close(conn).await.unwrap();
            let e = registry.device_password(MN2).await.unwrap_err().to_string();
            assert!(e.contains(MN2) && e.contains("does not decrypt"), "{e}");
            assert!(!e.contains(SECRET));
        }
        assert_eq!(password(&registry, MN).await, SECRET);
        registry.close().await;
    })
    .await;
}

#[tokio::test]
async fn bad_devices_are_refused_with_the_reason_and_change_nothing() {
    on_both("bad_devices", |registry| async move {
        setup(&registry).await;
        let ok = || Device::new(MN, SECRET, "1003A");
        let mut cases: Vec<(Device, String)> = Vec::new();
        let mut add = |f: &dyn Fn(&mut Device), reason: &str| {
            let mut d = ok();
            f(&mut d);
            cases.push((d, reason.to_owned()));
        };
        add(
            &|d| d.mn = "0100-00".into(),
            "device MN `0100-00`: must be 1 to 24",
        );
        add(
            &|d| d.mn = "1".repeat(25),
            "must be 1 to 24 letters or digits",
        );
        add(
            &|d| d.password = None,
            "a password is required for a new device",
        );
        add(
            &|d| d.password = Some(Password::new("")),
            "a password is required",
        );
        add(
            &|d| d.password = Some(Password::new("a;b")),
            "password (not shown)",
        );
        add(
            &|d| d.site = "nowhere".into(),
            "site `nowhere` is neither a site nor an outlet",
        );
        add(
            &|d| d.site = String::new(),
            "site ``: must be a site or outlet code",
        );
        add(
            &|d| d.time_zone = "Beijing".into(),
            "time zone `Beijing` is not an IANA",
        );
        add(
            &|d| d.crc = "crc32".into(),
            "CRC dialect `crc32` is not one of hj212,",
        );
        add(
            &|d| d.interval_s = 0,
            "interval_s 0: must be a positive number",
        );
        add(
            &|d| d.units = "x99999=mg/L".into(),
            "device 010000A8900016F000169DC0: units: factor `x99999` is neither an HJ 212 factor",
        );
        add(
            &|d| d.units = "a21026=furlongs".into(),
            "units: a21026=furlongs:",
        );
        add(
            &|d| d.units = "a21026".into(),
            "units: `a21026` is not a `factor=unit` pair",
        );
        add(
            &|d| d.units = "a21026=mg/m3;a21026=ug/m3".into(),
            "factor a21026 is given more than once",
        );
        for (d, reason) in cases {
            let e = invalid(registry.put_device("loader", &d).await, &reason);
            assert!(!e.contains(SECRET), "{e}");
        }
        assert_eq!(registry.devices().await.unwrap(), []);
        assert!(device_audit(&registry.audit_log().await.unwrap()).is_empty());

        // A refused update leaves the stored device and its password as they were.
        registry.put_device("loader", &ok()).await.unwrap();
        let before = registry.device(MN).await.unwrap();
        let mut bad = ok();
        bad.password = Some(Password::new(SECRET2));
        bad.units = "nope=mg/L".into();
        invalid(registry.put_device("loader", &bad).await, "factor `nope`");
        bad.units = String::new();
        bad.site = "nowhere".into();
        invalid(registry.put_device("loader", &bad).await, "site `nowhere`");
        assert_eq!(registry.device(MN).await.unwrap(), before);
        assert_eq!(password(&registry, MN).await, SECRET);
        assert_eq!(device_audit(&registry.audit_log().await.unwrap()).len(), 1);
        registry.close().await;
    })
    .await;
}

#[test]
fn devices_read_from_files_with_the_minimal_columns_and_defaults() {
    let data = format!("mn,password,site\n{MN},{SECRET},1003A\n{MN2},,{OUTLET}\n");
    let rows: Vec<Device> = csv::Reader::from_reader(data.as_bytes())
        .deserialize()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows[0], Device::new(MN, SECRET, "1003A"));
    assert_eq!(
        rows[1].password, None,
        "an empty password keeps the stored one"
    );
    let d = &rows[0];
    assert_eq!(
        (
            d.edition,
            d.crc.as_str(),
            d.strict,
            d.time_zone.as_str(),
            d.interval_s,
            d.enabled
        ),
        (
            ProtocolEdition::Hj212_2017,
            "hj212",
            true,
            "Asia/Shanghai",
            60,
            true
        )
    );
    // Editions by their contract names; others refused.
    let d: Device = serde_json::from_value(serde_json::json!(
        {"mn": MN, "site": "1003A", "edition": "surface-water"}
    ))
    .unwrap();
    assert_eq!(d.edition, ProtocolEdition::SurfaceWater);
    let e = serde_json::from_value::<Device>(serde_json::json!(
        {"mn": MN, "site": "1003A", "edition": "2019"}
    ))
    .unwrap_err()
    .to_string();
    assert!(e.contains("2019") && e.contains("2017"), "{e}");
    let e = "2019".parse::<ProtocolEdition>().unwrap_err();
    assert!(e.contains("2005, 2017, 2025, surface-water"), "{e}");
    assert_eq!("2025".parse(), Ok(ProtocolEdition::Hj212_2025));
    // The serialised form carries the password only where it is given (an export with secrets).
    let json = serde_json::to_string(&rows[0]).unwrap();
    assert!(
        json.contains(&format!("\"password\":\"{SECRET}\"")),
        "{json}"
    );
    assert!(json.contains("\"edition\":\"2017\""), "{json}");
    // Unit overrides parse.
    let mut d = rows[0].clone();
    d.units = "a21026=mg/m3; w01018 = mg/L".into();
    let units: Vec<String> = d.unit_overrides().into_iter().map(|(f, _)| f).collect();
    assert_eq!(units, ["a21026", "w01018"]);
}
