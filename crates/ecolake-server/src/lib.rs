//! The axum HTTP server: REST API v1 with OpenAPI, authentication, quotas, audit, Prometheus
//! metrics and the embedded dashboard. Filled by the API (#7) and dashboard (#8) issues.
