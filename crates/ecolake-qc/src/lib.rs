//! Quality control at the door and anomaly / data-fraud detectors over Arrow batches of
//! observations. Filled by the ingestion (#5) and supervision (#9) issues.
