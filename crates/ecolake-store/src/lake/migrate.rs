//! In-place migration of a lake written by an earlier format version
//! ([`manifest::FORMAT_VERSION`]).
//!
//! Version 1 partitioned every period by day; version 2 gives hourly data month partitions and
//! daily and longer data year partitions ([`crate::lake::Span`]). Migration rewrites the files
//! of each misaligned partition into the partition version 2 gives them (current and history
//! files separately, so versions stay where they were), in one manifest replacement: a crash
//! before it leaves the version 1 lake as it was (the files already written are orphans and are
//! removed at the next open); after it, the replaced files wait out the grace period like
//! compacted ones.

use std::collections::BTreeMap;

use crate::lake::manifest::{self, FileKind, FileMeta, Manifest};
use crate::lake::storage::LakeStorage;
use crate::lake::{compact, writer};
use crate::{PartitionKey, StoreError};

/// Brings `manifest` (and the lake's files) to this build's format version; the caller stores
/// the manifest. Returns the files replaced.
pub async fn migrate(
    storage: &LakeStorage,
    manifest: &mut Manifest,
    row_group_rows: usize,
) -> Result<Vec<FileMeta>, StoreError> {
    if manifest.format_version >= manifest::FORMAT_VERSION {
        return Ok(Vec::new());
    }
    let mut groups: BTreeMap<(FileKind, PartitionKey), Vec<FileMeta>> = BTreeMap::new();
    for f in manifest.files.iter().filter(|f| !f.partition.is_aligned()) {
        let target = PartitionKey::of(&f.partition.period, f.partition.start_ms());
        groups.entry((f.kind, target)).or_default().push(f.clone());
    }
    let mut replaced = Vec::new();
    for ((kind, target), old) in groups {
        tracing::info!(partition = %target, files = old.len(), from = manifest.format_version, "Migrating a partition to the current lake format.");
        let batches = compact::read(storage, &old).await?;
        let new =
            writer::write_partitions(storage, batches, kind, manifest, row_group_rows).await?;
        compact::replace(manifest, &old, new);
        replaced.extend(old);
    }
    manifest.format_version = manifest::FORMAT_VERSION;
    Ok(replaced)
}
