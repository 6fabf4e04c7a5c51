//! `ecolake admin …` through the real binary, on SQLite and (with `--registry`) PostgreSQL: the
//! bootstrap key once, users with passwords from stdin or the environment only, keys whose
//! tokens are printed once and never stored or listed, grants, and `verify-audit` exiting 0 on
//! an intact log and 1 naming each problem.

mod binary;
#[path = "../../ecolake-registry/tests/support/mod.rs"]
mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use binary::{path_str, stderr, success, workspace};

const BOOT: &str = "bootstrap-token-0123456789-abcdefghij";
const PASSWORD: &str = "a long password 123";

/// `ecolake admin ARGS… --data-dir DATA [--registry URL]` with `stdin` and extra environment.
fn admin_with(
    cwd: &Path,
    data: &Path,
    url: Option<&str>,
    args: &[&str],
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ecolake"));
    command
        .arg("admin")
        .args(args)
        .args(["--data-dir", path_str(data)])
        .current_dir(cwd)
        .env_remove("ECOLAKE_PASSWORD")
        .envs(env.iter().copied())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(url) = url {
        command.args(["--registry", url]);
    }
    let mut child = command.spawn().expect("the binary runs");
    if let Some(text) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
    }
    child.wait_with_output().unwrap()
}

fn admin(cwd: &Path, data: &Path, url: Option<&str>, args: &[&str]) -> Output {
    admin_with(cwd, data, url, args, None, &[])
}

fn fails_with(out: &Output, code: i32, text: &str) -> String {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    assert!(err.contains(text), "`{text}` not in:\n{err}");
    err
}

/// The whole administration of one registry.
fn administer(cwd: &Path, data: &Path, url: Option<&str>) {
    // Departments and a conditional dataset to refer to.
    for (kind, file) in [
        ("departments", "departments.csv"),
        ("datasets", "datasets.csv"),
    ] {
        let mut args = vec!["registry", "import", "--data-dir", path_str(data)];
        args.extend(["--kind", kind, file]);
        if let Some(url) = url {
            args.extend(["--registry", url]);
        }
        success(&binary::ecolake_in(cwd, &args));
    }

    // The first administrator, once; a short token is refused without being shown.
    let err = fails_with(
        &admin(cwd, data, url, &["bootstrap", "--token", "short-token"]),
        1,
        "32 to 256",
    );
    assert!(!err.contains("short-token"), "{err}");
    let out = admin(cwd, data, url, &["bootstrap", "--token", BOOT]);
    assert_eq!(success(&out), format!("{BOOT}\n"));
    assert!(stderr(&out).contains("admin key k"), "{}", stderr(&out));
    fails_with(
        &admin(cwd, data, url, &["bootstrap"]),
        1,
        "an administrator already exists",
    );

    // Users: the password from stdin or the environment, never the command line.
    let create = ["create-user", "--name", "alice", "--role", "analyst"];
    fails_with(&admin(cwd, data, url, &create), 1, "no password");
    let mut args = create.to_vec();
    args.extend(["--department", "water", "--password-stdin", "--json"]);
    let out = admin_with(cwd, data, url, &args, Some(&format!("{PASSWORD}\n")), &[]);
    let user: serde_json::Value = serde_json::from_str(&success(&out)).unwrap();
    assert_eq!(user["role"], "analyst");
    assert_eq!(user["department"], "water");
    let out = admin_with(
        cwd,
        data,
        url,
        &["create-user", "--name", "bob", "--role", "operator"],
        None,
        &[("ECOLAKE_PASSWORD", PASSWORD)],
    );
    success(&out);
    fails_with(
        &admin_with(
            cwd,
            data,
            url,
            &["create-user", "--name", "eve", "--role", "public"],
            None,
            &[("ECOLAKE_PASSWORD", PASSWORD)],
        ),
        1,
        "public",
    );
    let listed = success(&admin(cwd, data, url, &["list-users"]));
    assert!(listed.starts_with("name\trole\t"), "{listed}");
    assert!(
        listed.contains("alice\tanalyst\t-\twater\tenabled"),
        "{listed}"
    );
    success(&admin(cwd, data, url, &["disable-user", "bob"]));
    assert!(
        success(&admin(cwd, data, url, &["list-users"])).contains("bob\toperator\t-\t-\tdisabled")
    );

    // Keys: the id and the token once.
    let out = admin(
        cwd,
        data,
        url,
        &[
            "create-key",
            "--name",
            "alice's notebook",
            "--user",
            "alice",
            "--scopes",
            "read",
            "--expires",
            "90d",
        ],
    );
    let line = success(&out);
    let (id, token) = line.trim_end().split_once(' ').unwrap();
    assert!(id.starts_with('k') && id.len() == 13, "{line}");
    assert!(token.starts_with("elk_") && token.len() == 47, "{line}");
    let out = admin(
        cwd,
        data,
        url,
        &[
            "create-key",
            "--name",
            "dashboard",
            "--role",
            "analyst",
            "--rate-per-min",
            "10",
            "--json",
        ],
    );
    let made: serde_json::Value = serde_json::from_str(&success(&out)).unwrap();
    let (id2, token2) = (
        made["id"].as_str().unwrap(),
        made["token"].as_str().unwrap(),
    );
    assert_eq!(made["key"]["scopes"], serde_json::json!(["read", "sql"]));
    assert_eq!(made["key"]["rate_per_min"], 10);
    // Usage errors: a user's key has no role of its own; a scope beyond the role.
    fails_with(
        &admin(
            cwd,
            data,
            url,
            &[
                "create-key",
                "--name",
                "x",
                "--user",
                "alice",
                "--role",
                "admin",
            ],
        ),
        2,
        "cannot be used with",
    );
    fails_with(
        &admin(
            cwd,
            data,
            url,
            &[
                "create-key",
                "--name",
                "x",
                "--role",
                "analyst",
                "--scopes",
                "admin",
            ],
        ),
        1,
        "at most `read;sql`",
    );
    fails_with(
        &admin(
            cwd,
            data,
            url,
            &[
                "create-key",
                "--name",
                "x",
                "--role",
                "analyst",
                "--expires",
                "soon",
            ],
        ),
        1,
        "--expires",
    );

    success(&admin(cwd, data, url, &["revoke-key", id2]));
    let listed = success(&admin(cwd, data, url, &["list-keys"]));
    assert!(
        listed.starts_with("id\tname\tuser\trole\tscopes\tstate"),
        "{listed}"
    );
    assert!(
        listed.contains(&format!(
            "{id}\talice's notebook\talice\tanalyst\tread\tactive"
        )),
        "{listed}"
    );
    assert!(
        listed.contains(&format!("{id2}\tdashboard\t-\tanalyst\tread;sql\trevoked")),
        "{listed}"
    );
    let json = success(&admin(cwd, data, url, &["list-keys", "--json"]));
    let keys: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(keys.len(), 3);
    for text in [&listed, &json] {
        for t in [BOOT, token, token2] {
            assert!(!text.contains(t), "a token is listed");
        }
    }
    if url.is_none() {
        let db = std::fs::read(data.join("registry.db")).unwrap();
        let db = String::from_utf8_lossy(&db);
        for t in [BOOT, token, token2, PASSWORD] {
            assert!(!db.contains(t), "a secret is stored");
        }
    }

    // Grants of the conditional dataset.
    let out = admin(
        cwd,
        data,
        url,
        &[
            "grant",
            "--dataset",
            "water_shared",
            "--user",
            "alice",
            "--until",
            "30d",
        ],
    );
    assert_eq!(success(&out), "1\n");
    fails_with(
        &admin(
            cwd,
            data,
            url,
            &["grant", "--dataset", "nothing", "--department", "water"],
        ),
        1,
        "no dataset nothing",
    );
    success(&admin(cwd, data, url, &["revoke-grant", "1"]));
    let grants = success(&admin(cwd, data, url, &["list-grants"]));
    assert!(grants.contains("1\twater_shared\tuser:alice\t"), "{grants}");
    assert!(success(&admin(
        cwd,
        data,
        url,
        &["list-requests", "--status", "pending"]
    ))
    .starts_with("id\t"));

    // The audit log: intact, anchored; then its key lost and its anchor file altered.
    let out = success(&admin(cwd, data, url, &["verify-audit"]));
    assert!(out.starts_with("audit log intact: "), "{out}");
    let anchored = success(&admin(cwd, data, url, &["anchor-audit"]));
    let (head, _) = anchored.split_once(' ').unwrap();
    assert!(
        out.contains(&format!("head {head} ")),
        "{out} vs {anchored}"
    );
    let mut anchor = std::fs::read_to_string(data.join("audit.anchor")).unwrap();
    anchor.push_str("{\"id\": 999999, \"mac\": \"00\", \"at_ms\": 0}\n");
    std::fs::write(data.join("audit.anchor"), anchor).unwrap();
    let err = fails_with(
        &admin(cwd, data, url, &["verify-audit"]),
        1,
        "audit log NOT intact: 1 problems",
    );
    assert!(
        err.contains(&format!("records after {head} were deleted")),
        "{err}"
    );
    std::fs::remove_file(data.join("audit.key")).unwrap();
    fails_with(
        &admin(cwd, data, url, &["verify-audit"]),
        1,
        "cannot be checked: the audit key file",
    );
}

fn files() -> tempfile::TempDir {
    workspace(&[
        ("departments.csv", "code,name\nwater,Water authority\nemc,Monitoring centre\n"),
        (
            "datasets.csv",
            "name,title,owner,source,tier\nwater_shared,Water quality,emc,observations,conditional\n",
        ),
    ])
}

#[test]
fn administration_on_sqlite() {
    let ws = files();
    administer(ws.path(), &ws.path().join("data"), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn administration_on_postgresql() {
    let Some(server) = support::Pg::server() else {
        #[allow(clippy::print_stderr)]
        {
            eprintln!("PostgreSQL skipped (ECOLAKE_TEST_POSTGRES is not set)");
        }
        return;
    };
    let pg = support::Pg::create(server, "cli_admin").await;
    let url = pg.url();
    let ws = files();
    let cwd = ws.path().to_owned();
    let done = tokio::task::spawn_blocking(move || {
        administer(&cwd, &cwd.join("data"), Some(&url));
    })
    .await;
    pg.drop_db().await;
    done.unwrap();
}
