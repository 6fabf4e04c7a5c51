//! The settings of `ecolake serve`, from three places, in one spot: a flag given on the command
//! line wins over the `--config` file's key, which wins over the default. The file's keys are
//! the long flags with `_` for `-` (`examples/serve.toml` is the commented reference); a key it
//! does not know is an error naming the key and the file, and so is a file that cannot be read.
//! A relative `qc_rules` path in the file is relative to the file's folder.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ecolake_ingest::forward::Upstream;
use ecolake_ingest::hj212::Hj212Config;

use super::ServeArgs;

/// Where the HJ 212 server listens unless told.
pub const DEFAULT_HJ212: &str = "0.0.0.0:9212";
/// Where the HTTP API listens unless told.
pub const DEFAULT_HTTP: &str = "127.0.0.1:8080";
/// The MQTT topic prefix unless told.
pub const DEFAULT_MQTT_PREFIX: &str = "ecolake";
/// Days the frame archive keeps unless told.
pub const DEFAULT_FRAME_RETENTION_DAYS: u32 = 30;
/// MiB of memtable unless told.
pub const DEFAULT_MEMTABLE_MIB: u32 = 256;

/// The `--config` file: every key optional, none unknown.
#[derive(Debug, Default, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub hj212: Option<SocketAddr>,
    pub http: Option<SocketAddr>,
    pub mqtt: Option<String>,
    pub mqtt_prefix: Option<String>,
    pub registry: Option<String>,
    pub lake: Option<String>,
    pub qc_rules: Option<PathBuf>,
    pub max_connections: Option<usize>,
    pub device_rate: Option<f64>,
    pub frame_retention_days: Option<u32>,
    pub quarantine_unknown: Option<bool>,
    pub memtable_mib: Option<u32>,
    pub hj212_tls: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// The HTTP API's settings (`[api]`; only in the file).
    #[serde(default)]
    pub api: ApiSection,
    /// Upstream platforms to forward to (`[[forward]]` tables; only in the file).
    #[serde(default)]
    pub forward: Vec<Upstream>,
}

impl ConfigFile {
    /// Reads and parses `path`; relative paths in it are made relative to its folder.
    pub fn read(path: &Path) -> anyhow::Result<ConfigFile> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the config file {}", path.display()))?;
        let mut file: ConfigFile = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
        if let (Some(rules), Some(folder)) = (&file.qc_rules, path.parent()) {
            file.qc_rules = Some(folder.join(rules));
        }
        for p in [&mut file.tls_cert, &mut file.tls_key]
            .into_iter()
            .flatten()
        {
            if let Some(folder) = path.parent() {
                *p = folder.join(&*p);
            }
        }
        let mut names = std::collections::HashSet::new();
        for upstream in &file.forward {
            upstream
                .check()
                .map_err(|e| anyhow::anyhow!("config file {}: {e}", path.display()))?;
            anyhow::ensure!(
                names.insert(upstream.name.as_str()),
                "config file {}: two [[forward]] tables are named `{}`",
                path.display(),
                upstream.name
            );
        }
        Ok(file)
    }
}

/// `[api]` of the config file: quotas, proxies, CORS, hidden fields, query limits.
#[derive(Debug, Default, Clone, PartialEq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSection {
    /// Proxies (addresses or CIDR blocks) whose `X-Forwarded-For` is believed.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Origins a browser may call the API from.
    #[serde(default)]
    pub cors_origins: Vec<String>,
    /// Per registry list, fields shown only to staff (and an enterprise's own rows to it).
    #[serde(default)]
    pub hidden_fields: std::collections::BTreeMap<String, Vec<String>>,
    /// Requests per minute of a signed-in caller [default: 600].
    pub rate_per_min: Option<u32>,
    /// Requests per hour of a signed-in caller [default: 20000].
    pub rate_per_hour: Option<u32>,
    /// Requests per minute of an anonymous client address [default: 60].
    pub anonymous_rate_per_min: Option<u32>,
    /// Requests per hour of an anonymous client address [default: 2000].
    pub anonymous_rate_per_hour: Option<u32>,
    /// Rows one query or download answers at most [default: 1000000].
    pub sql_max_rows: Option<usize>,
    /// Seconds one query may run [default: 30].
    pub sql_timeout_s: Option<u64>,
    /// Hours a login session lasts [default: 12].
    pub session_ttl_h: Option<u64>,
}

/// What `ecolake serve` runs with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub hj212: SocketAddr,
    pub http: SocketAddr,
    pub mqtt: Option<String>,
    pub mqtt_prefix: String,
    pub registry: Option<String>,
    pub lake: Option<String>,
    pub qc_rules: Option<PathBuf>,
    pub max_connections: usize,
    pub device_rate: f64,
    pub frame_retention_days: u32,
    pub quarantine_unknown: bool,
    pub memtable_mib: u32,
    pub hj212_tls: Option<SocketAddr>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    pub api: ApiSection,
    pub forward: Vec<Upstream>,
}

impl Settings {
    /// The flags over the `--config` file (if any) over the defaults.
    pub fn resolve(args: &ServeArgs) -> anyhow::Result<Settings> {
        let file = match &args.config {
            Some(path) => ConfigFile::read(path)?,
            None => ConfigFile::default(),
        };
        Ok(Settings::merge(args, file))
    }

    fn merge(args: &ServeArgs, file: ConfigFile) -> Settings {
        let defaults = Hj212Config::default();
        let addr = |a: &str| a.parse::<SocketAddr>().expect("a default address");
        Settings {
            hj212: args
                .hj212
                .or(file.hj212)
                .unwrap_or_else(|| addr(DEFAULT_HJ212)),
            http: args
                .http
                .or(file.http)
                .unwrap_or_else(|| addr(DEFAULT_HTTP)),
            mqtt: args.mqtt.clone().or(file.mqtt),
            mqtt_prefix: args
                .mqtt_prefix
                .clone()
                .or(file.mqtt_prefix)
                .unwrap_or_else(|| DEFAULT_MQTT_PREFIX.to_owned()),
            registry: args.registry.clone().or(file.registry),
            lake: args.lake.clone().or(file.lake),
            qc_rules: args.qc_rules.clone().or(file.qc_rules),
            max_connections: args
                .max_connections
                .or(file.max_connections)
                .unwrap_or(defaults.max_connections),
            device_rate: args
                .device_rate
                .or(file.device_rate)
                .unwrap_or(defaults.device_rate),
            frame_retention_days: args
                .frame_retention_days
                .or(file.frame_retention_days)
                .unwrap_or(DEFAULT_FRAME_RETENTION_DAYS),
            quarantine_unknown: args
                .quarantine_unknown
                .or(file.quarantine_unknown)
                .unwrap_or(defaults.quarantine_unknown),
            memtable_mib: args
                .memtable_mib
                .or(file.memtable_mib)
                .unwrap_or(DEFAULT_MEMTABLE_MIB),
            hj212_tls: args.hj212_tls.or(file.hj212_tls),
            tls_cert: args.tls_cert.clone().or(file.tls_cert),
            tls_key: args.tls_key.clone().or(file.tls_key),
            api: file.api,
            forward: file.forward,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        serve: ServeArgs,
    }

    fn args(flags: &[&str]) -> ServeArgs {
        let argv = ["serve", "--data-dir", "d"].iter().chain(flags);
        Cli::try_parse_from(argv).unwrap().serve
    }

    fn write(dir: &Path, text: &str) -> PathBuf {
        let path = dir.join("serve.toml");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn without_a_file_the_defaults_are_the_documented_ones() {
        let s = Settings::resolve(&args(&[])).unwrap();
        assert_eq!(s.hj212.to_string(), DEFAULT_HJ212);
        assert_eq!(s.http.to_string(), DEFAULT_HTTP);
        assert_eq!(
            (s.max_connections, s.device_rate, s.frame_retention_days),
            (10_000, 100.0, 30)
        );
        assert_eq!(s.mqtt_prefix, "ecolake");
        assert!(!s.quarantine_unknown && s.mqtt.is_none() && s.qc_rules.is_none());
        // `--help` states each default in its text (clap cannot: the flags have none, so
        // that the file can fill them).
        let help = Cli::command().render_long_help().to_string();
        for default in [
            format!("[default: {DEFAULT_HJ212}]"),
            format!("[default: {DEFAULT_HTTP}]"),
            format!("[default: {DEFAULT_MQTT_PREFIX}]"),
            format!("[default: {}]", s.max_connections),
            format!("[default: {}]", s.device_rate),
            format!("[default: {DEFAULT_FRAME_RETENTION_DAYS}]"),
            format!("[default: {DEFAULT_MEMTABLE_MIB}]"),
        ] {
            assert!(help.contains(&default), "{default} not in {help}");
        }
    }

    #[test]
    fn the_file_sets_what_flags_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "hj212 = \"127.0.0.1:7000\"\nhttp = \"127.0.0.1:7001\"\nmqtt_prefix = \"site\"\n\
             qc_rules = \"rules.csv\"\nmax_connections = 5\ndevice_rate = 2.5\n\
             frame_retention_days = 0\nquarantine_unknown = true\n",
        );
        let config = path.to_str().unwrap();
        let s = Settings::resolve(&args(&["--config", config])).unwrap();
        assert_eq!(s.hj212.to_string(), "127.0.0.1:7000");
        assert_eq!(s.qc_rules, Some(dir.path().join("rules.csv")));
        assert_eq!(
            (s.max_connections, s.device_rate, s.frame_retention_days),
            (5, 2.5, 0)
        );
        assert!(s.quarantine_unknown);
        let s = Settings::resolve(&args(&[
            "--config",
            config,
            "--http",
            "127.0.0.1:9000",
            "--max-connections",
            "7",
            "--quarantine-unknown=false",
            "--mqtt-prefix",
            "other",
        ]))
        .unwrap();
        assert_eq!(s.http.to_string(), "127.0.0.1:9000", "the flag wins");
        assert_eq!(
            s.hj212.to_string(),
            "127.0.0.1:7000",
            "the file fills the rest"
        );
        assert_eq!((s.max_connections, s.mqtt_prefix.as_str()), (7, "other"));
        assert!(!s.quarantine_unknown);
        assert!(args(&["--quarantine-unknown"]).quarantine_unknown == Some(true));
    }

    #[test]
    fn an_unknown_key_or_a_missing_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = write(
            dir.path(),
            "hj212 = \"127.0.0.1:7000\"\nhttp_addr = \"x\"\n",
        );
        let config = path.to_str().unwrap();
        let e = format!(
            "{:#}",
            Settings::resolve(&args(&["--config", config])).unwrap_err()
        );
        assert!(e.contains("http_addr") && e.contains(config), "{e}");
        write(dir.path(), "max_connections = \"many\"\n");
        let e = format!(
            "{:#}",
            Settings::resolve(&args(&["--config", config])).unwrap_err()
        );
        assert!(e.contains("max_connections") && e.contains(config), "{e}");
        // A forwarding table is checked when the file is read.
        let upstream = "[[forward]]\nname = \"p\"\naddress = \"h:1\"\nst = \"31\"\n\
                        [[forward.devices]]\nmn = \"MN1\"\npassword = \"pw\"\n";
        write(dir.path(), &format!("{upstream}{upstream}"));
        let e = format!(
            "{:#}",
            Settings::resolve(&args(&["--config", config])).unwrap_err()
        );
        assert!(
            e.contains("two [[forward]] tables are named `p`") && e.contains(config),
            "{e}"
        );
        write(dir.path(), &upstream.replace("h:1", "nowhere"));
        let e = format!(
            "{:#}",
            Settings::resolve(&args(&["--config", config])).unwrap_err()
        );
        assert!(e.contains("forward `p`: address `nowhere`"), "{e}");
        write(dir.path(), upstream);
        let s = Settings::resolve(&args(&["--config", config])).unwrap();
        assert_eq!(s.forward[0].devices[0].upstream_mn(), "MN1");
        let missing = dir.path().join("nope.toml");
        let e = Settings::resolve(&args(&["--config", missing.to_str().unwrap()])).unwrap_err();
        assert!(format!("{e:#}").contains("nope.toml"), "{e:#}");
    }

    #[test]
    fn the_example_config_is_valid_and_says_the_defaults() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/serve.toml");
        let text = std::fs::read_to_string(&example).unwrap();
        // Every key, uncommented, is known, and its example value is the default.
        let uncommented: String = text
            .lines()
            .filter_map(|l| {
                l.strip_prefix("# ")
                    .filter(|l| l.contains(" = ") || l.starts_with('['))
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let file: ConfigFile = toml::from_str(&uncommented).unwrap();
        let s = Settings::merge(&args(&[]), ConfigFile::default());
        assert_eq!(file.hj212, Some(s.hj212));
        assert_eq!(file.http, Some(s.http));
        assert_eq!(file.mqtt_prefix, Some(s.mqtt_prefix));
        assert_eq!(file.max_connections, Some(s.max_connections));
        assert_eq!(file.device_rate, Some(s.device_rate));
        assert_eq!(file.frame_retention_days, Some(s.frame_retention_days));
        assert_eq!(file.quarantine_unknown, Some(s.quarantine_unknown));
        assert_eq!(file.memtable_mib, Some(s.memtable_mib));
        assert_eq!(
            (s.memtable_mib as usize) << 20,
            ecolake_store::StoreConfig::default().memtable_bytes,
            "the store's own default"
        );
        assert!(file.mqtt.is_some() && file.registry.is_some() && file.lake.is_some());
        assert!(file.tls_cert.is_some() && file.tls_key.is_some());
        let rate = ecolake_server::RateLimits::default();
        let api = ecolake_server::ApiConfig::default();
        assert_eq!(file.api.rate_per_min, Some(rate.per_min));
        assert_eq!(file.api.rate_per_hour, Some(rate.per_hour));
        assert_eq!(
            file.api.anonymous_rate_per_min,
            Some(rate.anonymous_per_min)
        );
        assert_eq!(
            file.api.anonymous_rate_per_hour,
            Some(rate.anonymous_per_hour)
        );
        assert_eq!(file.api.sql_max_rows, Some(api.sql_max_rows));
        assert_eq!(file.api.sql_timeout_s, Some(api.sql_timeout.as_secs()));
        assert_eq!(
            file.api.session_ttl_h,
            Some(api.session_ttl.as_secs() / 3600)
        );
        assert_eq!(file.api.hidden_fields["enterprises"], ["lon", "lat"]);
        assert!(file.qc_rules.is_some());
        // The forwarding example is valid and shows the defaults.
        let [upstream] = &file.forward[..] else {
            panic!("one [[forward]] example, not {:?}", file.forward)
        };
        upstream.check().unwrap();
        let mut defaults: Upstream =
            toml::from_str("name = \"p\"\naddress = \"h:1\"\nst = \"31\"\ndevices = []").unwrap();
        defaults.name.clone_from(&upstream.name);
        defaults.address.clone_from(&upstream.address);
        defaults.devices.clone_from(&upstream.devices);
        assert_eq!(&defaults, upstream);
        assert_eq!(upstream.devices.len(), 2);
    }
}
