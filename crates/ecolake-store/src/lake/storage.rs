//! Where the lake's files live: a local directory (the default, `DATA_DIR/lake`) or an object
//! store named by a URL (`s3://bucket/prefix`), through `object_store`.
//!
//! The lake needs four things of its storage: an atomic, durable put (a reader sees the old
//! object or the new one, never a part; once the put returns, the object survives a crash), get,
//! delete and list. Locally a put writes a temporary file, fsyncs it, renames it into place and
//! fsyncs the directory ([`durable`]); on S3 a PUT already has those properties. The write-ahead
//! log and the write lock always stay in the local data directory: the WAL needs fsync, and a
//! group commit needs microseconds, not an HTTP round trip.
//!
//! The location is recorded in the data directory (`DATA_DIR/lake-location`) the first time a
//! store opens with a URL, so that `ecolake sql --data-dir` finds the lake on its own and a
//! later open with a different URL is refused instead of silently starting a second lake.
//! Credentials are never recorded: they come from the environment (`AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT`, `AWS_ALLOW_HTTP` …) or from
//! [`LakeLocation::options`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use futures::TryStreamExt;
use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use url::Url;

use crate::lake::durable;
use crate::StoreError;

/// The file in a data directory that records where its lake is, when it is not local.
pub const LOCATION_FILE: &str = "lake-location";

/// Where a store keeps its lake (part of [`crate::StoreConfig`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LakeLocation {
    /// `None`: what the data directory records, else `DATA_DIR/lake`. Otherwise an
    /// `s3://bucket/prefix` URL (or `file:///absolute/path`).
    pub url: Option<String>,
    /// Object store settings (`object_store`'s configuration keys, e.g. `aws_endpoint`,
    /// `aws_access_key_id`, `aws_allow_http`), applied over those from the environment.
    pub options: Vec<(String, String)>,
}

/// The lake's storage. Paths are relative to the lake root (`_manifest.json`,
/// `observations/period=…/date=…/….parquet`). Cheap to clone.
#[derive(Debug, Clone)]
pub struct LakeStorage {
    backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Local {
        root: PathBuf,
    },
    Object {
        store: Arc<dyn ObjectStore>,
        /// `scheme://bucket`, the key DataFusion registers the store under.
        base: Url,
        /// The lake root inside the bucket.
        prefix: ObjectPath,
    },
}

impl LakeStorage {
    /// The local lake of a data directory (`DATA_DIR/lake`).
    pub fn local(data_dir: &Path) -> LakeStorage {
        LakeStorage {
            backend: Backend::Local {
                root: data_dir.join("lake"),
            },
        }
    }

    /// The lake of a data directory: the location configured, checked against (and, when
    /// `record` is set, recorded in) the data directory; or the one recorded; or the local one.
    pub fn open(
        data_dir: &Path,
        location: &LakeLocation,
        record: bool,
    ) -> Result<LakeStorage, StoreError> {
        let file = data_dir.join(LOCATION_FILE);
        let recorded = match std::fs::read_to_string(&file) {
            Ok(s) => Some(s.trim().to_owned()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(StoreError::io("reading", &file, e)),
        };
        let url = match (&location.url, recorded) {
            (None, None) => return Ok(LakeStorage::local(data_dir)),
            (None, Some(r)) => r,
            (Some(u), Some(r)) if *u != r => {
                return Err(StoreError::Location {
                    url: u.clone(),
                    detail: format!(
                        "the lake of {} is at {r}; a data directory has one lake",
                        data_dir.display()
                    ),
                })
            }
            (Some(u), Some(_)) => u.clone(),
            (Some(u), None) => {
                if record {
                    if data_dir.join("lake").join(MANIFEST).exists() {
                        return Err(StoreError::Location {
                            url: u.clone(),
                            detail: format!(
                                "{} already has a local lake; a data directory has one lake",
                                data_dir.display()
                            ),
                        });
                    }
                    durable::write_atomic(&file, format!("{u}\n").as_bytes())?;
                }
                u.clone()
            }
        };
        Self::at_url(&url, &location.options)
    }

    /// Storage at a URL: `s3://bucket/prefix`, `s3a://…`, or `file:///path`.
    pub fn at_url(url: &str, options: &[(String, String)]) -> Result<LakeStorage, StoreError> {
        let bad = |detail: String| StoreError::Location {
            url: url.to_owned(),
            detail,
        };
        let parsed = Url::parse(url).map_err(|e| bad(e.to_string()))?;
        match parsed.scheme() {
            "file" => {
                let root = parsed
                    .to_file_path()
                    .map_err(|()| bad("not an absolute local path".into()))?;
                Ok(LakeStorage {
                    backend: Backend::Local { root },
                })
            }
            "s3" | "s3a" => {
                let mut builder = AmazonS3Builder::from_env().with_url(url);
                for (key, value) in options {
                    let key: AmazonS3ConfigKey = key
                        .to_ascii_lowercase()
                        .parse()
                        .map_err(|e| bad(format!("option {key}: {e}")))?;
                    builder = builder.with_config(key, value);
                }
                let store = builder.build().map_err(|e| bad(e.to_string()))?;
                let host = parsed.host_str().ok_or_else(|| bad("no bucket".into()))?;
                let base = Url::parse(&format!("{}://{host}", parsed.scheme()))
                    .map_err(|e| bad(e.to_string()))?;
                let prefix =
                    ObjectPath::from_url_path(parsed.path()).map_err(|e| bad(e.to_string()))?;
                Ok(LakeStorage {
                    backend: Backend::Object {
                        store: Arc::new(store),
                        base,
                        prefix,
                    },
                })
            }
            other => Err(bad(format!(
                "scheme {other}: the lake can be a local directory or s3://bucket/prefix"
            ))),
        }
    }

    /// Where a lake path is, as a local path or a URL (for messages and for DataFusion).
    pub fn url_of(&self, rel: &str) -> String {
        match &self.backend {
            Backend::Local { root } => root.join(rel).to_string_lossy().into_owned(),
            Backend::Object { base, prefix, .. } => {
                format!(
                    "{}/{}",
                    base.as_str().trim_end_matches('/'),
                    self.key(prefix, rel)
                )
            }
        }
    }

    /// The object store and the URL to register it under in DataFusion (`None` for a local
    /// lake, which DataFusion reads with its default local store).
    pub fn object_store(&self) -> Option<(Url, Arc<dyn ObjectStore>)> {
        match &self.backend {
            Backend::Local { .. } => None,
            Backend::Object { store, base, .. } => Some((base.clone(), store.clone())),
        }
    }

    /// The local root directory, for a local lake.
    pub fn local_root(&self) -> Option<&Path> {
        match &self.backend {
            Backend::Local { root } => Some(root),
            Backend::Object { .. } => None,
        }
    }

    fn key(&self, prefix: &ObjectPath, rel: &str) -> ObjectPath {
        rel.split('/')
            .filter(|p| !p.is_empty())
            .fold(prefix.clone(), |k, part| k.join(part))
    }

    /// Stores `bytes` at `rel` atomically and durably.
    pub async fn put(&self, rel: &str, bytes: Bytes) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local { root } => {
                let path = root.join(rel);
                blocking(move || durable::write_atomic(&path, &bytes)).await
            }
            Backend::Object { store, prefix, .. } => {
                let key = self.key(prefix, rel);
                store
                    .put(&key, PutPayload::from_bytes(bytes))
                    .await
                    .map_err(|e| self.object_error("writing", rel, e))?;
                Ok(())
            }
        }
    }

    /// The contents at `rel`, or `None` if there is nothing there.
    pub async fn get(&self, rel: &str) -> Result<Option<Bytes>, StoreError> {
        match &self.backend {
            Backend::Local { root } => {
                let path = root.join(rel);
                blocking(move || match std::fs::read(&path) {
                    Ok(b) => Ok(Some(Bytes::from(b))),
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(StoreError::io("reading", &path, e)),
                })
                .await
            }
            Backend::Object { store, prefix, .. } => {
                let key = self.key(prefix, rel);
                match store.get(&key).await {
                    Ok(r) => Ok(Some(
                        r.bytes()
                            .await
                            .map_err(|e| self.object_error("reading", rel, e))?,
                    )),
                    Err(object_store::Error::NotFound { .. }) => Ok(None),
                    Err(e) => Err(self.object_error("reading", rel, e)),
                }
            }
        }
    }

    /// Deletes `rel`; a file already gone is fine.
    pub async fn delete(&self, rel: &str) -> Result<(), StoreError> {
        match &self.backend {
            Backend::Local { root } => {
                let (root, path) = (root.clone(), root.join(rel));
                blocking(move || {
                    durable::remove(&path)?;
                    // Partition directories left empty go too (not the lake root). Deleting
                    // runs under the writer's flush lock, so no flush is filling them.
                    for dir in path.ancestors().skip(1).take_while(|d| *d != root) {
                        if std::fs::remove_dir(dir).is_err() {
                            break;
                        }
                    }
                    Ok(())
                })
                .await
            }
            Backend::Object { store, prefix, .. } => {
                match store.delete(&self.key(prefix, rel)).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                    Err(e) => Err(self.object_error("deleting", rel, e)),
                }
            }
        }
    }

    /// Every file under the lake root, as relative paths.
    pub async fn list(&self) -> Result<Vec<String>, StoreError> {
        match &self.backend {
            Backend::Local { root } => {
                let root = root.clone();
                blocking(move || list_local(&root)).await
            }
            Backend::Object { store, prefix, .. } => {
                let objects: Vec<_> = store
                    .list(Some(prefix))
                    .try_collect()
                    .await
                    .map_err(|e| self.object_error("listing", "", e))?;
                Ok(objects
                    .into_iter()
                    .filter_map(|o| {
                        o.location
                            .prefix_match(prefix)
                            .map(|parts| parts.map(|p| p.as_ref().to_owned()).collect::<Vec<_>>())
                    })
                    .map(|parts| parts.join("/"))
                    .collect())
            }
        }
    }

    fn object_error(&self, op: &'static str, rel: &str, source: object_store::Error) -> StoreError {
        StoreError::Object {
            op,
            location: self.url_of(rel),
            source,
        }
    }
}

/// The manifest's path under the lake root.
pub const MANIFEST: &str = "_manifest.json";

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    tokio::task::spawn_blocking(f)
        .await
        .expect("file operations do not panic")
}

fn list_local(root: &Path) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = match std::fs::read_dir(&d) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(StoreError::io("listing", &d, e)),
        };
        for entry in entries {
            let path = entry.map_err(|e| StoreError::io("listing", &d, e))?.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    Ok(out)
}
