//! The registry as Arrow tables and the catalog's datasets as SQL views, for query sessions
//! (`ecolake sql` joins observations with sites, outlets, permits).
//!
//! One table per [`Kind`], named by [`Kind::table`], with the columns of the entity's CSV form
//! (unit enums as text, lists as `;`-separated text). Secrets never leave: the devices table has
//! no password column.

use arrow::datatypes::FieldRef;
use arrow::record_batch::RecordBatch;

use crate::entity::{by_kind, Entity, Kind};
use crate::exchange::tracing_options;
use crate::{Registry, RegistryError};

/// Columns never shown to SQL.
const SECRET_COLUMNS: [&str; 1] = ["password"];

/// A registry table for a query session.
#[derive(Debug, Clone)]
pub struct SqlTable {
    /// Its name (`sites`, `permit_limits` …).
    pub name: &'static str,
    /// Every row.
    pub batch: RecordBatch,
}

/// A dataset of the catalog as a SQL view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlView {
    /// The dataset's name.
    pub name: String,
    /// The query that defines it ([`crate::Dataset::view_sql`]).
    pub sql: String,
}

impl Registry {
    /// Every registry table with its current rows.
    pub async fn sql_tables(&self) -> Result<Vec<SqlTable>, RegistryError> {
        let mut out = Vec::with_capacity(Kind::ALL.len());
        for kind in Kind::ALL {
            macro_rules! go {
                ($ty:ty) => {{
                    let rows = <$ty as Entity>::all(self).await?;
                    table::<$ty>(&rows)?
                }};
            }
            out.push(by_kind!(kind, go));
        }
        Ok(out)
    }

    /// Every dataset of the catalog as a view (name and query).
    pub async fn sql_views(&self) -> Result<Vec<SqlView>, RegistryError> {
        Ok(self
            .datasets()
            .await?
            .into_iter()
            .map(|d| SqlView {
                sql: d.view_sql(),
                name: d.name,
            })
            .collect())
    }
}

/// Every registry table, empty: what a query session shows where no registry exists yet.
pub fn empty_sql_tables() -> Result<Vec<SqlTable>, RegistryError> {
    Kind::ALL
        .into_iter()
        .map(|kind| {
            macro_rules! go {
                ($ty:ty) => {
                    table::<$ty>(&[])
                };
            }
            by_kind!(kind, go)
        })
        .collect()
}

fn table<E: Entity>(rows: &[E]) -> Result<SqlTable, RegistryError> {
    use serde_arrow::schema::SchemaLike;
    let arrow_error = |e: serde_arrow::Error| {
        RegistryError::Invalid(format!("{} as an Arrow table: {e}", E::KIND))
    };
    let options = tracing_options().strings_as_large_utf8(false);
    let fields = Vec::<FieldRef>::from_type::<E>(options).map_err(arrow_error)?;
    let batch = serde_arrow::to_record_batch(&fields, &rows).map_err(arrow_error)?;
    let keep: Vec<usize> = (0..fields.len())
        .filter(|&i| !SECRET_COLUMNS.contains(&fields[i].name().as_str()))
        .collect();
    let batch = batch
        .project(&keep)
        .map_err(|e| RegistryError::Invalid(format!("{}: {e}", E::KIND)))?;
    Ok(SqlTable {
        name: E::KIND.table(),
        batch,
    })
}

#[cfg(test)]
mod tests {
    use arrow::datatypes::DataType;

    use super::*;

    #[test]
    fn every_kind_has_a_table_and_devices_show_no_password() {
        let tables = empty_sql_tables().unwrap();
        let names: Vec<&str> = tables.iter().map(|t| t.name).collect();
        assert_eq!(names, Kind::ALL.map(Kind::table));
        let devices = &tables[Kind::ALL.iter().position(|k| *k == Kind::Devices).unwrap()];
        let schema = devices.batch.schema();
        assert!(schema.field_with_name("mn").is_ok());
        assert!(schema.field_with_name("password").is_err());
        let sites = tables[3].batch.schema();
        assert_eq!(
            sites.field_with_name("code").unwrap().data_type(),
            &DataType::Utf8
        );
        assert_eq!(
            sites.field_with_name("lon").unwrap().data_type(),
            &DataType::Float64
        );
    }
}
