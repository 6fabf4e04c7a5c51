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

/// Why a caller's SQL was refused or stopped (see [`crate::sandbox`]). The HTTP API maps each
/// variant to its stable error code (`ecolake-server`'s one table of codes).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxError {
    /// The SQL does not parse, names an unknown column or function, has the wrong types, or
    /// failed on its own data (a cast of a text that is not a number …).
    #[error("invalid SQL: {0}")]
    Invalid(String),
    /// The SQL names a table, schema, file or table function this caller may not read.
    #[error("table `{table}` is not available: only observations, observations_history and the tables and datasets listed for you can be queried")]
    Forbidden {
        /// The name as written (normalized: unquoted names in lower case).
        table: String,
    },
    /// The statement is not a query (DDL, DML, `COPY`, `SET`, `EXPLAIN` …).
    #[error("only a query (SELECT, WITH … SELECT, VALUES) is allowed, not {statement}")]
    NotAQuery {
        /// The kind of statement, e.g. `CREATE TABLE`, `COPY`, `EXPLAIN`.
        statement: String,
    },
    /// The result has more than `max_rows` rows: the rows before this error are the first
    /// `max_rows` of it (the last batch cut), and the rest were not computed.
    #[error("the result has more than {max_rows} rows; only the first {max_rows} were returned")]
    RowLimit {
        /// The row limit.
        max_rows: usize,
    },
    /// The query ran past its time limit and was stopped.
    #[error("the query did not finish within {} ms and was stopped", .limit.as_millis())]
    Timeout {
        /// The time limit.
        limit: std::time::Duration,
    },
    /// The query needed more memory than the limit allows (large sorts, joins, aggregations).
    #[error("the query needs more memory than allowed: {0}")]
    Resources(String),
    /// Reading the lake failed (an I/O or object store error): not the caller's fault. The
    /// message may name files; log it, do not show it.
    #[error("the query failed while reading data: {0}")]
    Internal(String),
}

impl From<datafusion::error::DataFusionError> for SandboxError {
    fn from(e: datafusion::error::DataFusionError) -> Self {
        use arrow::error::ArrowError;
        use datafusion::error::DataFusionError as E;
        let root = e.find_root();
        let message = root.strip_backtrace();
        match root {
            E::ResourcesExhausted(_) => SandboxError::Resources(message),
            E::IoError(_)
            | E::ObjectStore(_)
            | E::ParquetError(_)
            | E::Internal(_)
            | E::ExecutionJoin(_)
            | E::External(_) => SandboxError::Internal(message),
            E::ArrowError(a, _) if matches!(**a, ArrowError::IoError(..)) => {
                SandboxError::Internal(message)
            }
            _ => SandboxError::Invalid(message),
        }
    }
}
