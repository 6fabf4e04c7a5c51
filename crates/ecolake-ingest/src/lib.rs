//! Ingestion sources: the HJ 212 TCP server, HTTP bodies, the MQTT subscriber, file import and
//! upstream forwarding, turning what devices send into batches of observations. It sees the registry
//! and the store only through traits. Filled by the ingestion issue (#5).
