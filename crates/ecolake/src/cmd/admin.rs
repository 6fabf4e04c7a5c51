//! `ecolake admin …`: the API's identities and the audit log, from the command line — the first
//! administrator key (`bootstrap`), users, API keys, grants of conditional datasets and their
//! requests, and verifying the sealed audit log.
//!
//! Tokens are printed once, on stdout, and never stored; passwords are read from stdin
//! (`--password-stdin`) or `ECOLAKE_PASSWORD`, never from the command line. Every change is
//! audited as `cli:<user> (ecolake admin <command>)`.
//!
//! Exit status: 0 on success (`verify-audit`: the log is intact); 1 when the command failed
//! (`verify-audit`: problems were found, each printed on stderr); 2 for a usage error.

use std::io::{self, BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use ecolake_registry::{ApiKey, NewKey, NewUser, Password, Registry, Role, Scopes};

use super::report;

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create the first administrator key (refused once an administrator exists) and print its
    /// token, once.
    Bootstrap(BootstrapArgs),
    /// Create a user; the password comes from stdin (--password-stdin) or ECOLAKE_PASSWORD.
    CreateUser(CreateUserArgs),
    /// Set a user's password (ending its sessions); from stdin or ECOLAKE_PASSWORD.
    SetPassword(UserArgs),
    /// Disable a user: no login, its sessions end and its keys fail.
    DisableUser(UserArgs),
    /// Enable a disabled user again.
    EnableUser(UserArgs),
    /// List the users.
    ListUsers(ListArgs),
    /// Create an API key, of a user or with its own role, and print its id and token, once.
    CreateKey(CreateKeyArgs),
    /// Revoke an API key: it fails from now on.
    RevokeKey(IdArgs),
    /// List the API keys (never their tokens).
    ListKeys(ListArgs),
    /// Grant a user, key or department reading a conditional dataset.
    Grant(GrantArgs),
    /// Revoke a grant.
    RevokeGrant(IdArgs),
    /// List the grants.
    ListGrants(ListArgs),
    /// List the access requests (all, or of one status).
    ListRequests(ListRequestsArgs),
    /// Approve or reject a pending access request.
    Decide(DecideArgs),
    /// Check the audit log: ids without gaps, every record's seal, every anchor.
    VerifyAudit(LocationArgs),
    /// Append the audit log's head to DATA_DIR/audit.anchor (if it changed) and print it.
    AnchorAudit(LocationArgs),
}

/// Where the registry is.
#[derive(Debug, Args)]
pub struct Location {
    /// The data directory: holds `registry.db` (unless --registry names another database),
    /// `audit.key` (the key that seals the audit log) and `audit.anchor`.
    #[arg(long)]
    data_dir: PathBuf,
    /// The registry database when it is not `DATA_DIR/registry.db`: `postgres://USER@HOST/DB`
    /// or `sqlite://PATH`.
    #[arg(long, value_name = "URL")]
    registry: Option<String>,
}

#[derive(Debug, Args)]
pub struct LocationArgs {
    #[command(flatten)]
    location: Location,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    #[command(flatten)]
    location: Location,
    /// The token to give the key (at least 32 characters); a random one without it.
    #[arg(long)]
    token: Option<String>,
    /// The key's name.
    #[arg(long, default_value = "bootstrap")]
    name: String,
}

#[derive(Debug, Args)]
pub struct CreateUserArgs {
    #[command(flatten)]
    location: Location,
    /// Login name.
    #[arg(long)]
    name: String,
    /// admin, operator, analyst or enterprise.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// The enterprise's credit code (role enterprise only).
    #[arg(long)]
    enterprise: Option<String>,
    /// The user's department (its code).
    #[arg(long)]
    department: Option<String>,
    /// Read the password (one line) from stdin instead of ECOLAKE_PASSWORD.
    #[arg(long)]
    password_stdin: bool,
    /// Print the user as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct UserArgs {
    #[command(flatten)]
    location: Location,
    /// The user's name.
    name: String,
    /// Read the password (one line) from stdin instead of ECOLAKE_PASSWORD (set-password).
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    #[command(flatten)]
    location: Location,
    /// JSON (an array) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct IdArgs {
    #[command(flatten)]
    location: Location,
    /// The key's or grant's id.
    id: String,
}

#[derive(Debug, Args)]
pub struct CreateKeyArgs {
    #[command(flatten)]
    location: Location,
    /// What the key is for.
    #[arg(long)]
    name: String,
    /// The user the key belongs to (it then has the user's role, enterprise and department).
    #[arg(long, conflicts_with_all = ["role", "enterprise", "department"], required_unless_present = "role")]
    user: Option<String>,
    /// The role of a key of no user: admin, operator, analyst or enterprise.
    #[arg(long, value_parser = parse_role)]
    role: Option<Role>,
    /// The enterprise's credit code (role enterprise only).
    #[arg(long)]
    enterprise: Option<String>,
    /// The key's department (its code).
    #[arg(long)]
    department: Option<String>,
    /// Scopes, `;`-separated (read, sql, ingest, admin); default: all the role allows.
    #[arg(long, value_parser = parse_scopes)]
    scopes: Option<Scopes>,
    /// When the key stops working: a duration from now (`90d`, `12h`, `30m`) or a UTC date or
    /// time (`2027-01-01`, `2027-01-01T08:00:00Z`).
    #[arg(long)]
    expires: Option<String>,
    /// Its own limit of requests per minute.
    #[arg(long)]
    rate_per_min: Option<u32>,
    /// Its own limit of requests per hour.
    #[arg(long)]
    rate_per_hour: Option<u32>,
    /// Print `{"id", "token", "key"}` as JSON on stdout instead of `ID TOKEN`.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct GrantArgs {
    #[command(flatten)]
    location: Location,
    /// The conditional dataset.
    #[arg(long)]
    dataset: String,
    /// To a user (its name).
    #[arg(long, group = "grantee")]
    user: Option<String>,
    /// To an API key (its id).
    #[arg(long, group = "grantee")]
    key: Option<String>,
    /// To every user and key of a department (its code).
    #[arg(long, group = "grantee")]
    department: Option<String>,
    /// Until when (as `create-key --expires`); for ever without it.
    #[arg(long)]
    until: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListRequestsArgs {
    #[command(flatten)]
    location: Location,
    /// Only requests of this status: pending, approved or rejected.
    #[arg(long)]
    status: Option<String>,
    /// JSON (an array) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    #[command(flatten)]
    location: Location,
    /// The request's id.
    id: i64,
    /// Approve (grants the requester, or its department).
    #[arg(long, conflicts_with = "reject", required_unless_present = "reject")]
    approve: bool,
    /// Reject.
    #[arg(long)]
    reject: bool,
    /// An approval's end (as `create-key --expires`); for ever without it.
    #[arg(long, conflicts_with = "reject")]
    until: Option<String>,
    /// A note kept with the decision.
    #[arg(long)]
    note: Option<String>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

fn parse_scopes(s: &str) -> Result<Scopes, String> {
    s.parse()
}

pub fn run(command: AdminCommand) -> anyhow::Result<ExitCode> {
    use AdminCommand as C;
    let runtime = crate::cmd::runtime()?;
    runtime.block_on(async {
        match command {
            C::Bootstrap(a) => bootstrap(&a).await,
            C::CreateUser(a) => create_user(&a).await,
            C::SetPassword(a) => set_password(&a).await,
            C::DisableUser(a) => set_disabled(&a, true).await,
            C::EnableUser(a) => set_disabled(&a, false).await,
            C::ListUsers(a) => list_users(&a).await,
            C::CreateKey(a) => create_key(&a).await,
            C::RevokeKey(a) => revoke_key(&a).await,
            C::ListKeys(a) => list_keys(&a).await,
            C::Grant(a) => grant(&a).await,
            C::RevokeGrant(a) => revoke_grant(&a).await,
            C::ListGrants(a) => list_grants(&a).await,
            C::ListRequests(a) => list_requests(&a).await,
            C::Decide(a) => decide(&a).await,
            C::VerifyAudit(a) => verify_audit(&a.location).await,
            C::AnchorAudit(a) => anchor_audit(&a.location).await,
        }
    })
}

async fn open(location: &Location) -> anyhow::Result<Registry> {
    super::registry::open(&location.data_dir, location.registry.as_deref()).await
}

/// Who a command acts as, for the audit log: the command and the operating-system user.
fn actor(command: &str) -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".to_owned());
    format!("cli:{user} (ecolake admin {command})")
}

/// The password: one line of stdin, or `ECOLAKE_PASSWORD`.
fn password(from_stdin: bool) -> anyhow::Result<Password> {
    if from_stdin {
        let mut line = String::new();
        io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the password from stdin")?;
        let text = line.trim_end_matches(['\n', '\r']);
        if text.is_empty() {
            bail!("--password-stdin: stdin holds no password");
        }
        return Ok(Password::new(text));
    }
    match std::env::var("ECOLAKE_PASSWORD") {
        Ok(p) if !p.is_empty() => Ok(Password::new(p)),
        _ => bail!(
            "no password: pipe it with --password-stdin or set ECOLAKE_PASSWORD (never on the \
             command line)"
        ),
    }
}

/// A time for `--expires`/`--until`: a duration from now (`90d`, `12h`, `30m`) or a UTC date or
/// RFC 3339 time; as UTC ms.
fn parse_when(s: &str, now_ms: i64) -> anyhow::Result<i64> {
    let s = s.trim();
    let unit_ms = match s.chars().last() {
        Some('d') => Some(86_400_000),
        Some('h') => Some(3_600_000),
        Some('m') => Some(60_000),
        _ => None,
    };
    if let Some(unit) = unit_ms {
        if let Ok(n) = s[..s.len() - 1].parse::<i64>() {
            if n <= 0 {
                bail!("`{s}`: a duration must be positive");
            }
            return n
                .checked_mul(unit)
                .and_then(|d| now_ms.checked_add(d))
                .with_context(|| format!("`{s}`: too far in the future"));
        }
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d
            .and_time(chrono::NaiveTime::MIN)
            .and_utc()
            .timestamp_millis());
    }
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(s) {
        return Ok(t.timestamp_millis());
    }
    bail!("`{s}`: not a duration (90d, 12h, 30m), a date (2027-01-01) or an RFC 3339 time")
}

/// A UTC ms time as text, `-` for none.
fn time(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map_or("-".to_owned(), |t| {
            t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
        })
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("-")
}

/// Writes `items` as a JSON array, one item per line.
fn print_json<T: serde::Serialize>(items: &[T]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out, "[")?;
    for (i, item) in items.iter().enumerate() {
        let sep = if i + 1 < items.len() { "," } else { "" };
        writeln!(out, "{}{sep}", serde_json::to_string(item)?)?;
    }
    writeln!(out, "]")?;
    Ok(())
}

async fn bootstrap(args: &BootstrapArgs) -> anyhow::Result<ExitCode> {
    let registry = open(&args.location).await?;
    if registry.has_admin().await? {
        bail!(
            "an administrator already exists: bootstrap creates only the first one (create more \
             keys with `ecolake admin create-key` or the API)"
        );
    }
    let key = NewKey {
        name: args.name.clone(),
        role: Some(Role::Admin),
        ..NewKey::default()
    };
    let actor = actor("bootstrap");
    let (key, token) = match &args.token {
        Some(token) => {
            let key = registry.create_key_with_token(&actor, &key, token).await?;
            (key, token.clone())
        }
        None => registry.create_key(&actor, &key).await?,
    };
    registry.close().await;
    writeln!(io::stdout().lock(), "{token}")?;
    report(format_args!(
        "admin key {} ({}) created; its token (above) is shown only now: keep it secret",
        key.id, key.name
    ));
    Ok(ExitCode::SUCCESS)
}

async fn create_user(args: &CreateUserArgs) -> anyhow::Result<ExitCode> {
    let user = NewUser {
        name: args.name.clone(),
        password: password(args.password_stdin)?,
        role: args.role,
        enterprise: args.enterprise.clone(),
        department: args.department.clone(),
    };
    let registry = open(&args.location).await?;
    let created = registry.create_user(&actor("create-user"), &user).await?;
    registry.close().await;
    if args.json {
        writeln!(io::stdout().lock(), "{}", serde_json::to_string(&created)?)?;
    }
    report(format_args!(
        "user {} ({}) created",
        created.name, created.role
    ));
    Ok(ExitCode::SUCCESS)
}

async fn set_password(args: &UserArgs) -> anyhow::Result<ExitCode> {
    let password = password(args.password_stdin)?;
    let registry = open(&args.location).await?;
    registry
        .set_password(&actor("set-password"), &args.name, &password)
        .await?;
    registry.close().await;
    report(format_args!(
        "password of {} set; its sessions ended",
        args.name
    ));
    Ok(ExitCode::SUCCESS)
}

async fn set_disabled(args: &UserArgs, disabled: bool) -> anyhow::Result<ExitCode> {
    let command = if disabled {
        "disable-user"
    } else {
        "enable-user"
    };
    let registry = open(&args.location).await?;
    registry
        .set_user_disabled(&actor(command), &args.name, disabled)
        .await?;
    registry.close().await;
    report(format_args!(
        "user {} {}",
        args.name,
        if disabled { "disabled" } else { "enabled" }
    ));
    Ok(ExitCode::SUCCESS)
}

async fn list_users(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let registry = open(&args.location).await?;
    let users = registry.users().await?;
    registry.close().await;
    if args.json {
        print_json(&users)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = io::stdout().lock();
    writeln!(out, "name\trole\tenterprise\tdepartment\tstate\tcreated")?;
    for u in &users {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}",
            u.name,
            u.role,
            opt(&u.enterprise),
            opt(&u.department),
            if u.disabled { "disabled" } else { "enabled" },
            time(Some(u.created_ms))
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn create_key(args: &CreateKeyArgs) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    let key = NewKey {
        name: args.name.clone(),
        user: args.user.clone(),
        role: args.role,
        enterprise: args.enterprise.clone(),
        department: args.department.clone(),
        scopes: args.scopes,
        expires_ms: args
            .expires
            .as_deref()
            .map(|s| parse_when(s, now))
            .transpose()
            .context("--expires")?,
        rate_per_min: args.rate_per_min,
        rate_per_hour: args.rate_per_hour,
    };
    let registry = open(&args.location).await?;
    let (key, token) = registry.create_key(&actor("create-key"), &key).await?;
    registry.close().await;
    let mut out = io::stdout().lock();
    if args.json {
        let v = serde_json::json!({"id": key.id, "token": token, "key": key});
        writeln!(out, "{v}")?;
    } else {
        writeln!(out, "{} {token}", key.id)?;
    }
    report(format_args!(
        "key {} ({}, role {}, scopes {}, expires {}) created; its token is shown only now",
        key.id,
        key.name,
        key.role,
        key.scopes,
        time(key.expires_ms)
    ));
    Ok(ExitCode::SUCCESS)
}

async fn revoke_key(args: &IdArgs) -> anyhow::Result<ExitCode> {
    let registry = open(&args.location).await?;
    let key = registry.revoke_key(&actor("revoke-key"), &args.id).await?;
    registry.close().await;
    report(format_args!(
        "key {} ({}) revoked at {}",
        key.id,
        key.name,
        time(key.revoked_ms)
    ));
    Ok(ExitCode::SUCCESS)
}

fn key_state(k: &ApiKey, now: i64) -> &'static str {
    if k.revoked_ms.is_some() {
        "revoked"
    } else if k.expires_ms.is_some_and(|at| at <= now) {
        "expired"
    } else {
        "active"
    }
}

async fn list_keys(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let registry = open(&args.location).await?;
    let keys = registry.keys().await?;
    registry.close().await;
    if args.json {
        print_json(&keys)?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = chrono::Utc::now().timestamp_millis();
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "id\tname\tuser\trole\tscopes\tstate\texpires\tlast_used\tcreated_by"
    )?;
    for k in &keys {
        writeln!(
            out,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            k.id,
            k.name,
            opt(&k.user),
            k.role,
            k.scopes,
            key_state(k, now),
            time(k.expires_ms),
            time(k.last_used_ms),
            k.created_by
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn grant(args: &GrantArgs) -> anyhow::Result<ExitCode> {
    let (kind, principal) = match (&args.user, &args.key, &args.department) {
        (Some(u), _, _) => ("user", u),
        (_, Some(k), _) => ("key", k),
        (_, _, Some(d)) => ("department", d),
        _ => bail!("name the grantee: --user, --key or --department"),
    };
    let now = chrono::Utc::now().timestamp_millis();
    let until = args
        .until
        .as_deref()
        .map(|s| parse_when(s, now))
        .transpose()
        .context("--until")?;
    let registry = open(&args.location).await?;
    let g = registry
        .grant(&actor("grant"), &args.dataset, kind, principal, until)
        .await?;
    registry.close().await;
    writeln!(io::stdout().lock(), "{}", g.id)?;
    report(format_args!(
        "grant {}: {} {} may read {} until {}",
        g.id,
        g.principal_kind,
        g.principal,
        g.dataset,
        time(g.expires_ms)
    ));
    Ok(ExitCode::SUCCESS)
}

async fn revoke_grant(args: &IdArgs) -> anyhow::Result<ExitCode> {
    let id: i64 = args
        .id
        .parse()
        .with_context(|| format!("grant id `{}`: not a number", args.id))?;
    let registry = open(&args.location).await?;
    let g = registry.revoke_grant(&actor("revoke-grant"), id).await?;
    registry.close().await;
    report(format_args!(
        "grant {} ({} {} on {}) revoked",
        g.id, g.principal_kind, g.principal, g.dataset
    ));
    Ok(ExitCode::SUCCESS)
}

async fn list_grants(args: &ListArgs) -> anyhow::Result<ExitCode> {
    let registry = open(&args.location).await?;
    let grants = registry.grants().await?;
    registry.close().await;
    if args.json {
        print_json(&grants)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = io::stdout().lock();
    writeln!(
        out,
        "id\tdataset\tgrantee\texpires\trevoked\tgranted_by\trequest"
    )?;
    for g in &grants {
        writeln!(
            out,
            "{}\t{}\t{}:{}\t{}\t{}\t{}\t{}",
            g.id,
            g.dataset,
            g.principal_kind,
            g.principal,
            time(g.expires_ms),
            time(g.revoked_ms),
            g.granted_by,
            g.request_id.map_or("-".to_owned(), |r| r.to_string())
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn list_requests(args: &ListRequestsArgs) -> anyhow::Result<ExitCode> {
    let registry = open(&args.location).await?;
    let requests = registry.access_requests(args.status.as_deref()).await?;
    registry.close().await;
    if args.json {
        print_json(&requests)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = io::stdout().lock();
    writeln!(out, "id\tdataset\trequester\tfor\tstatus\tcreated\tpurpose")?;
    for r in &requests {
        writeln!(
            out,
            "{}\t{}\t{}:{}\t{}\t{}\t{}\t{}",
            r.id,
            r.dataset,
            r.requester_kind,
            r.requester,
            r.department
                .as_deref()
                .map_or("self".to_owned(), |d| format!("department {d}")),
            r.status,
            time(Some(r.created_ms)),
            r.purpose.replace(['\t', '\n'], " ")
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

async fn decide(args: &DecideArgs) -> anyhow::Result<ExitCode> {
    let now = chrono::Utc::now().timestamp_millis();
    let until = args
        .until
        .as_deref()
        .map(|s| parse_when(s, now))
        .transpose()
        .context("--until")?;
    let registry = open(&args.location).await?;
    let r = registry
        .decide_access(
            &actor("decide"),
            args.id,
            args.approve,
            until,
            args.note.as_deref(),
        )
        .await?;
    registry.close().await;
    match r.grant_id {
        Some(g) => report(format_args!(
            "request {} approved: grant {g} on {}",
            r.id, r.dataset
        )),
        None => report(format_args!("request {} rejected", r.id)),
    }
    Ok(ExitCode::SUCCESS)
}

async fn verify_audit(location: &Location) -> anyhow::Result<ExitCode> {
    let registry = open(location).await?;
    let v = registry.verify_audit().await?;
    let key_file = registry.audit_key_file();
    let anchor_file = registry.audit_anchor_file();
    registry.close().await;
    let head = v
        .head
        .as_ref()
        .map_or("empty".to_owned(), |(id, mac)| format!("head {id} {mac}"));
    if v.is_intact() {
        writeln!(
            io::stdout().lock(),
            "audit log intact: {} records, {head}, {} anchors checked",
            v.records,
            v.anchors
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for p in &v.problems {
        report(format_args!("  {p}"));
    }
    if v.problem_count > v.problems.len() {
        report(format_args!(
            "  … and {} more",
            v.problem_count - v.problems.len()
        ));
    }
    report(format_args!(
        "audit log NOT intact: {} problems in {} records ({head}; key {}, anchors {})",
        v.problem_count,
        v.records,
        key_file.display(),
        anchor_file.display()
    ));
    Ok(ExitCode::FAILURE)
}

async fn anchor_audit(location: &Location) -> anyhow::Result<ExitCode> {
    let registry = open(location).await?;
    let head = registry.anchor_audit().await?;
    let file = registry.audit_anchor_file();
    registry.close().await;
    match head {
        Some((id, mac)) => {
            writeln!(io::stdout().lock(), "{id} {mac}")?;
            report(format_args!("audit head anchored in {}", file.display()));
        }
        None => report(format_args!("the audit log is empty: nothing to anchor")),
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::parse_when;

    #[test]
    fn expiry_times_parse() {
        let now = 1_000_000;
        assert_eq!(parse_when("90d", now).unwrap(), now + 90 * 86_400_000);
        assert_eq!(parse_when("12h", now).unwrap(), now + 12 * 3_600_000);
        assert_eq!(parse_when("30m", now).unwrap(), now + 30 * 60_000);
        assert_eq!(parse_when("2027-01-01", now).unwrap(), 1_798_761_600_000);
        assert_eq!(
            parse_when("2027-01-01T08:00:00+08:00", now).unwrap(),
            1_798_761_600_000
        );
        for bad in ["0d", "-3d", "soon", "2027-13-01", ""] {
            assert!(parse_when(bad, now).is_err(), "{bad}");
        }
    }
}
