//! `ecolake serve`: the running platform — the HJ 212 gateway and the HTTP API over the store
//! and the registry of one data directory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use ecolake_ingest::forward::Forwarding;
use ecolake_ingest::hj212::frames::archive::{self, FrameArchive};
use ecolake_ingest::hj212::frames::FrameLog;
use ecolake_ingest::hj212::{self, Gateway, Hj212Config, Hj212Stats};
use ecolake_ingest::mqtt::{self, MqttConfig};
use ecolake_ingest::{DeviceDirectory, Pipeline, PipelineConfig};
use ecolake_qc::{Checker, Rules};
use ecolake_store::{LakeLocation, Store, StoreConfig};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::warn;

use super::report;

mod api;
mod config;
mod wiring;

use config::Settings;
use wiring::{RegistryDirectory, StoreJournal, StoreSink};

/// How often the registry is asked whether it changed (the devices are re-read if so).
const RELOAD_DEVICES: Duration = Duration::from_secs(2);
/// How often the catalog's coverage (rows, time span, extent of each dataset) is recomputed
/// from the lake, and how long after start the first time.
const COVERAGE_EVERY: Duration = Duration::from_secs(3600);
const COVERAGE_FIRST: Duration = Duration::from_secs(60);

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The data directory (created if missing): lake, WAL, registry and frame archive.
    #[arg(long)]
    data_dir: PathBuf,
    /// Settings from a TOML file whose keys are the long flags below with `_` for `-`
    /// (`hj212 = "0.0.0.0:9212"`); a flag given here wins over the file.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Where the HJ 212 server listens (port 0: any free port, printed at start)
    /// [default: 0.0.0.0:9212]
    #[arg(long, value_name = "ADDR")]
    hj212: Option<SocketAddr>,
    /// Where the HTTP API listens [default: 127.0.0.1:8080]
    #[arg(long, value_name = "ADDR")]
    http: Option<SocketAddr>,
    /// Subscribe to an MQTT broker too: `mqtt://[user:password@]host[:port][?client_id=ID]`.
    #[arg(long, value_name = "URL")]
    mqtt: Option<String>,
    /// The MQTT topic prefix: `PREFIX/hj212/{mn}` (raw HJ 212), `PREFIX/observations` (JSON)
    /// [default: ecolake]
    #[arg(long, value_name = "PREFIX")]
    mqtt_prefix: Option<String>,
    /// The registry database URL (`sqlite://…`, `postgres://…`); default `registry.db` in the
    /// data directory.
    #[arg(long)]
    registry: Option<String>,
    /// Where the lake is, when not in the data directory (`s3://bucket/prefix`).
    #[arg(long)]
    lake: Option<String>,
    /// A CSV of QC rules overriding the built-in ones (columns
    /// `site,factor,min,max,detection_limit,flat_readings,max_step`).
    #[arg(long)]
    qc_rules: Option<PathBuf>,
    /// HJ 212 connections open at most [default: 10000]
    #[arg(long, value_name = "N")]
    max_connections: Option<usize>,
    /// Packets per second one device may send on average [default: 100]
    #[arg(long, value_name = "PACKETS_PER_S")]
    device_rate: Option<f64>,
    /// Days the raw HJ 212 frame archive (`DIR/frames/`) keeps each hour's frames; 0: no
    /// archive [default: 30]
    #[arg(long, value_name = "DAYS")]
    frame_retention_days: Option<u32>,
    /// Keep the data uploads of unknown MNs for review (archived as `quarantined`, listed by
    /// `GET /api/v1/quarantine`); they are refused all the same and stored as no rows
    /// [default: false]
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true,
          default_missing_value = "true")]
    quarantine_unknown: Option<bool>,
    /// MiB of written data the store holds in memory before flushing it to the lake (the
    /// largest part of the server's memory; writes wait when three times this is unflushed)
    /// [default: 256]
    #[arg(long, value_name = "MIB", value_parser = clap::value_parser!(u32).range(8..))]
    memtable_mib: Option<u32>,
    /// Also accept HJ 212 over TLS here (with `--tls-cert`; devices that speak plain TCP keep
    /// using `--hj212`).
    #[arg(long, value_name = "ADDR", requires = "tls_cert")]
    hj212_tls: Option<SocketAddr>,
    /// A PEM certificate chain: serve HTTP over TLS, and HJ 212 on `--hj212-tls` (with
    /// `--tls-key`).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The PEM private key of `--tls-cert`.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
}

pub fn run(args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let settings = Settings::resolve(args)?;
    let runtime = crate::cmd::runtime()?;
    runtime.block_on(serve(&args.data_dir, &settings))
}

async fn serve(data_dir: &Path, args: &Settings) -> anyhow::Result<ExitCode> {
    let rules = match &args.qc_rules {
        Some(path) => Rules::builtin_with(path)?,
        None => Rules::builtin(),
    };
    let mqtt_config = args.mqtt.as_ref().map(|url| MqttConfig {
        url: url.clone(),
        prefix: args.mqtt_prefix.clone(),
    });
    if let Some(c) = &mqtt_config {
        mqtt::check(c)?;
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("creating {}", data_dir.display()))?;
    let config = StoreConfig {
        lake: LakeLocation {
            url: args.lake.clone(),
            options: Vec::new(),
        },
        memtable_bytes: (args.memtable_mib as usize) << 20,
        max_unflushed_bytes: (args.memtable_mib as usize * 3) << 20,
        compact_max_rows: StoreConfig::rows_for((args.memtable_mib as usize) << 20),
        ..StoreConfig::default()
    };
    let store = Arc::new(Store::open_as(data_dir, config, "ecolake serve").await?);
    let registry = super::registry::open(data_dir, args.registry.as_deref()).await?;
    let api_config = api::api_config(args)?;
    api::bootstrap(&registry).await?;
    let directory = Arc::new(RegistryDirectory::default());
    let devices = directory.reload(&registry).await?;

    // A bad certificate or key stops the start, before anything listens.
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(ecolake_server::tls::server_config(cert, key)?),
        _ => None,
    };
    anyhow::ensure!(
        args.hj212_tls.is_none() || tls.is_some(),
        "hj212_tls needs tls_cert and tls_key"
    );
    let hj212_tls_listener = match args.hj212_tls {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for HJ 212 over TLS on {addr}"))?,
        ),
        None => None,
    };
    let hj212_listener = TcpListener::bind(args.hj212)
        .await
        .with_context(|| format!("listening for HJ 212 on {}", args.hj212))?;
    let http_listener = TcpListener::bind(args.http)
        .await
        .with_context(|| format!("listening for HTTP on {}", args.http))?;

    let (pipeline, pipeline_task) = Pipeline::start(
        Arc::new(StoreSink(store.clone())),
        Checker::new(rules),
        PipelineConfig::default(),
    );
    let (stop, stopped) = watch::channel(false);
    let config = Hj212Config {
        max_connections: args.max_connections,
        device_rate: args.device_rate,
        quarantine_unknown: args.quarantine_unknown,
        ..Hj212Config::default()
    };
    let (frames, frame_archive) =
        frame_log(data_dir, args.frame_retention_days, &directory).await?;
    let gateway = Arc::new(
        Gateway::new(
            config,
            directory.clone(),
            pipeline.clone(),
            Arc::new(Hj212Stats::default()),
        )
        .with_frames(frames),
    );
    let (forwarding, forwarders) = Forwarding::start(
        args.forward.clone(),
        Arc::new(StoreJournal(store.clone())),
        data_dir,
        stopped.clone(),
    )
    .with_context(|| format!("reading the forwarding cursors in {}", data_dir.display()))?;
    let (audit, audit_task) = ecolake_server::audit::AuditSink::start(registry.clone());
    let api = ecolake_server::router(ecolake_server::ApiState {
        hj212: gateway.stats().clone(),
        pipeline: pipeline.clone(),
        frames: gateway.frames().clone(),
        commands: gateway.commands().clone(),
        forwarding,
        catalog: Arc::new(ecolake_server::catalog::CatalogCache::new(
            ecolake_server::catalog::Catalog::read(&registry).await?,
        )),
        registry: registry.clone(),
        store: store.clone(),
        query_runtime: ecolake_query::sandbox::runtime(&ecolake_query::QueryConfig::default())?,
        audit,
        limiter: Arc::new(ecolake_server::limit::RateLimiter::default()),
        config: Arc::new(api_config),
    });
    let subscriber = mqtt_config.map(|c| {
        report(format_args!(
            "mqtt subscribing at {} under {}/",
            c.url, c.prefix
        ));
        tokio::spawn(mqtt::subscribe(c, gateway.clone(), stopped.clone()))
    });
    let (hj212_addr, http_addr) = (hj212_listener.local_addr()?, http_listener.local_addr()?);
    let hj212_tls_addr = match &hj212_tls_listener {
        Some(l) => Some(l.local_addr()?),
        None => None,
    };
    let gateway_tls = match (hj212_tls_listener, &tls) {
        (Some(listener), Some(config)) => Some(tokio::spawn(hj212::serve_tls(
            listener,
            gateway.clone(),
            config.clone(),
            stopped.clone(),
        ))),
        _ => None,
    };
    let gateway = tokio::spawn(hj212::serve(hj212_listener, gateway, stopped.clone()));
    let mut http_stop = stopped.clone();
    let http_shutdown = async move {
        let _ = http_stop.wait_for(|s| *s).await;
    };
    let http = match tls {
        Some(config) => tokio::spawn(ecolake_server::tls::serve_tls(
            http_listener,
            api,
            config,
            http_shutdown,
        )),
        None => tokio::spawn(async move {
            axum::serve(
                http_listener,
                api.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .with_graceful_shutdown(http_shutdown)
            .await
        }),
    };
    let anchor = tokio::spawn(api::anchor_audit(registry.clone(), stopped.clone()));
    let (archive_stop, archive_stopped) = watch::channel(false);
    let archive_task = frame_archive.map(|a| tokio::spawn(archive::keep(a, archive_stopped)));
    let coverage = tokio::spawn(keep_coverage(
        store.clone(),
        registry.clone(),
        stopped.clone(),
    ));
    let mut reload_stop = stopped.clone();
    let reload_registry = registry.clone();
    let reload = tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(RELOAD_DEVICES) => {}
                _ = reload_stop.wait_for(|s| *s) => break,
            }
            if let Err(e) = directory.refresh(&reload_registry).await {
                warn!("reloading devices: {e:#}");
            }
        }
    });

    // Listen for signals before saying we serve: a SIGTERM right after must stop us cleanly.
    let shutdown = shutdown_signal()?;
    report(format_args!("hj212 listening on {hj212_addr}"));
    if let Some(addr) = hj212_tls_addr {
        report(format_args!("hj212 (tls) listening on {addr}"));
    }
    report(format_args!("http listening on {http_addr}"));
    if args.tls_cert.is_some() {
        report(format_args!(
            "http is served over TLS: https://{http_addr}/"
        ));
    }
    for upstream in &args.forward {
        report(format_args!(
            "forwarding {} devices to {} ({})",
            upstream.devices.len(),
            upstream.name,
            upstream.address
        ));
    }
    report(format_args!(
        "serving {} ({devices} devices registered)",
        data_dir.display()
    ));
    shutdown.await;
    report(format_args!("stopping: no new connections; flushing"));
    let _ = stop.send(true);
    gateway.await.context("the HJ 212 server")?;
    if let Some(g) = gateway_tls {
        g.await.context("the HJ 212 server over TLS")?;
    }
    if let Some(s) = subscriber {
        s.await.context("the MQTT subscriber")??;
    }
    http.await.context("the HTTP server")??;
    // The router held the last audit sinks: the writer appends what is queued and ends.
    audit_task.await.context("the audit log writer")?;
    anchor.await.context("the audit anchor")?;
    api::anchor(&registry).await;
    // No source records frames any more: the archive writes the last ones.
    let _ = archive_stop.send(true);
    if let Some(a) = archive_task {
        a.await.context("the frame archive")?;
    }
    // Every source has stopped: the pipeline drains what they submitted and ends.
    drop(pipeline);
    pipeline_task.await.context("the ingestion pipeline")?;
    reload.await.context("the device reloader")?;
    for f in forwarders {
        f.await.context("a forwarder")?;
    }
    coverage.await.context("the coverage task")?;
    registry.close().await;
    let store = Arc::try_unwrap(store)
        .map_err(|_| anyhow::anyhow!("the store is still in use at shutdown"))?;
    store.close().await?;
    report(format_args!("stopped"));
    Ok(ExitCode::SUCCESS)
}

/// The frame log: with an archive in `DIR/frames/` (frames of registered devices and
/// quarantined uploads, kept `retention_days`), reloaded from its newest files; without one if
/// `retention_days` is 0.
async fn frame_log(
    data_dir: &Path,
    retention_days: u32,
    directory: &Arc<RegistryDirectory>,
) -> anyhow::Result<(Arc<FrameLog>, Option<Arc<FrameArchive>>)> {
    if retention_days == 0 {
        return Ok((Arc::default(), None));
    }
    let archive = Arc::new(
        FrameArchive::open(data_dir, retention_days)
            .with_context(|| format!("opening the frame archive in {}", data_dir.display()))?,
    );
    let (a, known) = (archive.clone(), directory.clone());
    let frames = tokio::task::spawn_blocking(move || {
        FrameLog::archived(a, move |mn| known.device(mn).is_some())
    })
    .await?
    .with_context(|| format!("reading the frame archive {}", archive.dir().display()))?;
    report(format_args!(
        "frames archived in {} ({retention_days} days kept)",
        archive.dir().display()
    ));
    Ok((Arc::new(frames), Some(archive)))
}

/// Recomputes the catalog's coverage from the live store now and then (`ecolake registry
/// coverage` does it on demand).
async fn keep_coverage(
    store: Arc<Store>,
    registry: ecolake_registry::Registry,
    mut stop: watch::Receiver<bool>,
) {
    let mut wait = COVERAGE_FIRST;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        wait = COVERAGE_EVERY;
        let refresh = async {
            let config = ecolake_query::QueryConfig::default();
            let ctx = ecolake_query::session_with(&store.snapshot(), &config).await?;
            ecolake_query::register_registry(&ctx, Some(&registry)).await?;
            ecolake_query::refresh_coverage(&ctx, &registry, "ecolake serve (coverage)").await?;
            anyhow::Ok(())
        };
        if let Err(e) = refresh.await {
            warn!("refreshing the catalog's coverage: {e:#}");
        }
    }
}

/// SIGTERM or SIGINT: the handlers are installed now, the future resolves on the signal.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate()).context("listening for SIGTERM")?;
    let mut int = signal(SignalKind::interrupt()).context("listening for SIGINT")?;
    Ok(async move {
        tokio::select! {
            _ = int.recv() => {}
            _ = term.recv() => {}
        }
    })
}
