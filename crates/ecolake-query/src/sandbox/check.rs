//! What a caller's SQL may be: one query, naming only the sandbox's tables, checked on the
//! parsed statement (for clear errors) and again on the plan (whatever the parser check
//! missed cannot reach a table that is not on the list).

use std::collections::BTreeSet;
use std::ops::ControlFlow;

use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::common::TableReference;
use datafusion::logical_expr::LogicalPlan;
use datafusion::sql::parser::{DFParserBuilder, Statement as DFStatement};
use datafusion::sql::resolve::resolve_table_references;
use datafusion::sql::sqlparser::ast::{Statement, TableFactor, Visit, Visitor};
use datafusion::sql::sqlparser::dialect::GenericDialect;

use crate::SandboxError;

/// Table functions a caller may use: they generate numbers and times, and read nothing.
pub(crate) const TABLE_FUNCTIONS: [&str; 2] = ["generate_series", "range"];

/// The one statement of `sql`.
pub(crate) fn parse_one(sql: &str, recursion_limit: usize) -> Result<DFStatement, SandboxError> {
    let mut statements = DFParserBuilder::new(sql)
        .with_dialect(&GenericDialect {})
        .with_recursion_limit(recursion_limit)
        .build()
        .and_then(|mut p| p.parse_statements())
        .map_err(|e| SandboxError::Invalid(e.strip_backtrace()))?;
    match statements.len() {
        1 => Ok(statements.pop_front().expect("one statement")),
        0 => Err(SandboxError::Invalid("no SQL statement was given".into())),
        n => Err(SandboxError::Invalid(format!(
            "exactly one statement is allowed, got {n}"
        ))),
    }
}

/// Checks that `statement` is a query whose tables are all in `allowed` (or are its own
/// common table expressions, or the harmless [`TABLE_FUNCTIONS`]). Returns the names of its
/// common table expressions.
pub(crate) fn check_statement(
    statement: &DFStatement,
    allowed: &BTreeSet<String>,
) -> Result<BTreeSet<String>, SandboxError> {
    let query = match statement {
        DFStatement::Statement(s) => match s.as_ref() {
            Statement::Query(q) => q,
            other => {
                return Err(SandboxError::NotAQuery {
                    statement: statement_kind(&other.to_string()),
                })
            }
        },
        DFStatement::CreateExternalTable(_) => return Err(not_a_query("CREATE EXTERNAL TABLE")),
        DFStatement::CopyTo(_) => return Err(not_a_query("COPY")),
        DFStatement::Explain(_) => return Err(not_a_query("EXPLAIN")),
        DFStatement::Reset(_) => return Err(not_a_query("RESET")),
    };
    if let ControlFlow::Break(e) = query.visit(&mut FromItems) {
        return Err(e);
    }
    let (tables, ctes) = resolve_table_references(statement, true)
        .map_err(|e| SandboxError::Invalid(e.strip_backtrace()))?;
    for table in &tables {
        match table {
            TableReference::Bare { table }
                if allowed.contains(table.as_ref())
                    || TABLE_FUNCTIONS.contains(&table.as_ref()) => {}
            other => {
                return Err(SandboxError::Forbidden {
                    table: other.to_string(),
                })
            }
        }
    }
    Ok(ctes.iter().map(|c| c.table().to_owned()).collect())
}

/// Refuses `FROM` items other than tables, table functions, subqueries, joins and `UNNEST`
/// (`TABLE(…)`, `LATERAL f(…)`, `JSON_TABLE` … that DataFusion does not plan anyway).
struct FromItems;

impl Visitor for FromItems {
    type Break = SandboxError;

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<SandboxError> {
        match factor {
            TableFactor::Table { args: None, .. }
            | TableFactor::Derived { .. }
            | TableFactor::NestedJoin { .. }
            | TableFactor::UNNEST { .. } => ControlFlow::Continue(()),
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            } => {
                let function = name.to_string().to_lowercase();
                if TABLE_FUNCTIONS.contains(&function.as_str()) {
                    ControlFlow::Continue(())
                } else {
                    ControlFlow::Break(SandboxError::Forbidden {
                        table: format!("{name}(…)"),
                    })
                }
            }
            other => {
                let text = other.to_string();
                ControlFlow::Break(SandboxError::Forbidden {
                    table: text.chars().take(60).collect(),
                })
            }
        }
    }
}

/// Checks the plan of a checked statement: a query, whose table scans are all of allowed
/// tables, table functions or its recursive common table expressions.
pub(crate) fn check_plan(
    plan: &LogicalPlan,
    allowed: &BTreeSet<String>,
    ctes: &BTreeSet<String>,
) -> Result<(), SandboxError> {
    let kind = match plan {
        LogicalPlan::Ddl(ddl) => Some(words_of(ddl.name())),
        LogicalPlan::Dml(_) => Some("DML".to_owned()),
        LogicalPlan::Copy(_) => Some("COPY".to_owned()),
        LogicalPlan::Statement(_) => Some("a statement".to_owned()),
        LogicalPlan::Explain(_) | LogicalPlan::Analyze(_) => Some("EXPLAIN".to_owned()),
        LogicalPlan::DescribeTable(_) => Some("DESCRIBE".to_owned()),
        _ => None,
    };
    if let Some(statement) = kind {
        return Err(SandboxError::NotAQuery { statement });
    }
    let mut refused = None;
    let _ = plan.apply_with_subqueries(|node| {
        if let LogicalPlan::TableScan(scan) = node {
            let name = scan.table_name.table().trim_end_matches("()");
            let qualified_elsewhere = match &scan.table_name {
                TableReference::Bare { .. } => false,
                TableReference::Partial { schema, .. } => schema.as_ref() != "public",
                TableReference::Full {
                    catalog, schema, ..
                } => catalog.as_ref() != "datafusion" || schema.as_ref() != "public",
            };
            let known =
                allowed.contains(name) || ctes.contains(name) || TABLE_FUNCTIONS.contains(&name);
            if qualified_elsewhere || !known {
                refused = Some(scan.table_name.to_string());
                return Ok(TreeNodeRecursion::Stop);
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    match refused {
        Some(table) => Err(SandboxError::Forbidden { table }),
        None => Ok(()),
    }
}

fn not_a_query(statement: &str) -> SandboxError {
    SandboxError::NotAQuery {
        statement: statement.to_owned(),
    }
}

/// `CREATE TABLE`, `INSERT`, `SET` … from a statement's text.
fn statement_kind(text: &str) -> String {
    const SKIPPED: [&str; 9] = [
        "OR",
        "REPLACE",
        "TEMPORARY",
        "TEMP",
        "UNIQUE",
        "IF",
        "NOT",
        "EXISTS",
        "MATERIALIZED",
    ];
    let mut words = text.split_whitespace().map(str::to_uppercase);
    let first = words.next().unwrap_or_default();
    match first.as_str() {
        "CREATE" | "DROP" | "ALTER" | "SHOW" => {
            match words.find(|w| !SKIPPED.contains(&w.as_str())) {
                Some(object) => format!("{first} {object}"),
                None => first,
            }
        }
        _ => first,
    }
}

/// `CreateMemoryTable` → `CREATE MEMORY TABLE`.
fn words_of(camel: &str) -> String {
    let mut out = String::new();
    for (i, c) in camel.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_uppercase());
    }
    out
}
