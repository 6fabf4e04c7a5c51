//! The durable observation store: WAL with group commit, Arrow memtable, Parquet lake with a
//! manifest, compaction, dedup and retention, on object_store. Filled by the store issue (#3).
