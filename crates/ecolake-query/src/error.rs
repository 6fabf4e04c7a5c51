//! Errors of the query layer.

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// DataFusion refused or failed the query.
    #[error(transparent)]
    DataFusion(#[from] datafusion::error::DataFusionError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] ecolake_store::StoreError),
    /// The registry failed.
    #[error(transparent)]
    Registry(#[from] ecolake_registry::RegistryError),
}
