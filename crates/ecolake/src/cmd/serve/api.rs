//! The HTTP API's part of `ecolake serve`: its settings from `[api]`, the first admin from
//! `ECOLAKE_BOOTSTRAP_TOKEN`, and the audit log's anchor.

use std::time::Duration;

use anyhow::Context;
use ecolake_registry::{NewKey, Registry, Role};
use ecolake_server::{ApiConfig, RateLimits};
use tokio::sync::watch;
use tracing::{info, warn};

use super::config::Settings;
use crate::cmd::report;

/// The environment variable whose value becomes the first admin key's token.
pub const BOOTSTRAP_ENV: &str = "ECOLAKE_BOOTSTRAP_TOKEN";
/// How often the audit log's head is anchored outside the database.
pub const ANCHOR_EVERY: Duration = Duration::from_secs(60);

/// The API's settings from the serve settings.
pub fn api_config(settings: &Settings) -> anyhow::Result<ApiConfig> {
    let a = &settings.api;
    let defaults = ApiConfig::default();
    let rate = RateLimits::default();
    let trusted_proxies = a
        .trusted_proxies
        .iter()
        .map(|p| {
            p.parse::<ecolake_server::limit::Cidr>()
                .map_err(|e| anyhow::anyhow!("[api] trusted_proxies `{p}`: {e}"))
        })
        .collect::<anyhow::Result<_>>()?;
    for (list, fields) in &a.hidden_fields {
        anyhow::ensure!(
            [
                "sites",
                "enterprises",
                "outlets",
                "permits",
                "permit_limits",
                "datasets"
            ]
            .contains(&list.as_str()),
            "[api.hidden_fields] `{list}`: must be sites, enterprises, outlets, permits, \
             permit_limits or datasets"
        );
        for f in fields {
            anyhow::ensure!(
                !ecolake_server::UNHIDEABLE_FIELDS.contains(&f.as_str()),
                "[api.hidden_fields] {list}: `{f}` cannot be hidden (keys, names, divisions and \
                 media are what lists and dataset rules filter on)"
            );
        }
    }
    Ok(ApiConfig {
        trusted_proxies,
        rate: RateLimits {
            per_min: a.rate_per_min.unwrap_or(rate.per_min),
            per_hour: a.rate_per_hour.unwrap_or(rate.per_hour),
            anonymous_per_min: a.anonymous_rate_per_min.unwrap_or(rate.anonymous_per_min),
            anonymous_per_hour: a.anonymous_rate_per_hour.unwrap_or(rate.anonymous_per_hour),
        },
        hidden_fields: a.hidden_fields.clone(),
        sql_max_rows: a.sql_max_rows.unwrap_or(defaults.sql_max_rows),
        sql_timeout: a
            .sql_timeout_s
            .map_or(defaults.sql_timeout, Duration::from_secs),
        session_ttl: a
            .session_ttl_h
            .map_or(defaults.session_ttl, |h| Duration::from_secs(h * 3600)),
        cors_origins: ecolake_server::cache::check_origins(&a.cors_origins)
            .map_err(|e| anyhow::anyhow!("[api] cors_origins: {e}"))?,
        tls: settings.tls_cert.is_some(),
    })
}

/// At first start (no admin yet), `ECOLAKE_BOOTSTRAP_TOKEN` becomes an admin key whose token is
/// its value; once an admin exists the variable is ignored (and says so).
pub async fn bootstrap(registry: &Registry) -> anyhow::Result<()> {
    let Ok(token) = std::env::var(BOOTSTRAP_ENV) else {
        return Ok(());
    };
    if registry.has_admin().await? {
        info!("{BOOTSTRAP_ENV} ignored: an admin exists");
        return Ok(());
    }
    let key = NewKey {
        name: "bootstrap".to_owned(),
        user: None,
        role: Some(Role::Admin),
        enterprise: None,
        department: None,
        scopes: None,
        expires_ms: None,
        rate_per_min: None,
        rate_per_hour: None,
    };
    let key = registry
        .create_key_with_token("ecolake serve (bootstrap)", &key, &token)
        .await
        .context(BOOTSTRAP_ENV)?;
    report(format_args!(
        "first admin: API key {} from {BOOTSTRAP_ENV}",
        key.id
    ));
    Ok(())
}

/// Anchors the audit log's head every [`ANCHOR_EVERY`] (the anchor file, and a log line for
/// external log collection) until `stop`, then once more.
pub async fn anchor_audit(registry: Registry, mut stop: watch::Receiver<bool>) {
    loop {
        tokio::select! {
            _ = tokio::time::sleep(ANCHOR_EVERY) => {}
            _ = stop.wait_for(|s| *s) => break,
        }
        anchor(&registry).await;
    }
}

/// Anchors the head now.
pub async fn anchor(registry: &Registry) {
    match registry.anchor_audit().await {
        Ok(Some((id, mac))) => info!(audit_head_id = id, audit_head_mac = %mac, "audit anchor"),
        Ok(None) => {}
        Err(e) => warn!("anchoring the audit log: {e}"),
    }
}
