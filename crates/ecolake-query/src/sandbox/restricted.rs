//! A table that shows a plan's rows through a barrier: `observations` of a sandbox is
//! `SELECT * FROM observations WHERE <rows>` of an inner session, and nothing the caller
//! writes is evaluated on a row before that predicate passed it.
//!
//! Pushing a caller's filter below the predicate would be fast, but a filter that can fail
//! (`CAST(site AS INT) = 1`, an integer overflow …) evaluated on hidden rows tells by its error
//! that such rows exist. So:
//!
//! * the logical plan is not inlined into the caller's ([`TableProvider::get_logical_plan`] is
//!   `None`), and only filters that cannot fail — comparisons, `IN` lists, `BETWEEN`, `LIKE`
//!   with a constant pattern, `IS NULL` … of columns and constants, combined with `AND`, `OR`,
//!   `NOT` — are pushed into it ([`TableProviderFilterPushDown::Exact`]); those reach the
//!   Parquet scan (row-group, page and row filtering) together with the predicate;
//! * the physical plan is wrapped in [`BarrierExec`], which accepts no filter from above, so
//!   DataFusion's physical filter push-down cannot move the others (or dynamic join and TopK
//!   filters) below the predicate either.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use arrow::datatypes::{DataType, Schema, SchemaRef};
use async_trait::async_trait;
use datafusion::catalog::{Session, TableProvider};
use datafusion::common::tree_node::{Transformed, TreeNode, TreeNodeRecursion};
use datafusion::common::{Column, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::logical_expr::expr::{Between, InList, Like};
use datafusion::logical_expr::utils::conjunction;
use datafusion::logical_expr::{
    BinaryExpr, Cast, Expr, LogicalPlan, LogicalPlanBuilder, Operator, TableProviderFilterPushDown,
    TableType,
};
use datafusion::physical_plan::{
    DisplayAs, DisplayFormatType, ExecutionPlan, PhysicalExpr, PlanProperties,
};

/// A table whose rows are those of `plan`, behind a barrier (see the module documentation).
#[derive(Debug)]
pub(crate) struct Restricted {
    plan: LogicalPlan,
    schema: SchemaRef,
}

impl Restricted {
    /// The rows of `plan` (its columns must have distinct names).
    pub(crate) fn new(plan: LogicalPlan) -> Self {
        let schema = Arc::new(plan.schema().as_arrow().clone());
        Restricted { plan, schema }
    }
}

#[async_trait]
impl TableProvider for Restricted {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    fn get_logical_plan(&'_ self) -> Option<Cow<'_, LogicalPlan>> {
        None
    }

    fn supports_filters_pushdown(
        &self,
        filters: &[&Expr],
    ) -> Result<Vec<TableProviderFilterPushDown>> {
        Ok(filters
            .iter()
            .map(|f| {
                if cannot_fail(f, &self.schema) {
                    TableProviderFilterPushDown::Exact
                } else {
                    TableProviderFilterPushDown::Unsupported
                }
            })
            .collect())
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let mut plan = LogicalPlanBuilder::from(self.plan.clone());
        let filters = filters
            .iter()
            .cloned()
            .map(unqualified)
            .collect::<Result<Vec<_>>>()?;
        if let Some(filter) = conjunction(filters) {
            plan = plan.filter(filter)?;
        }
        if let Some(projection) = projection {
            let columns = projection
                .iter()
                .map(|&i| Expr::Column(Column::from(self.plan.schema().qualified_field(i))))
                .collect::<Vec<_>>();
            plan = plan.project(columns)?;
        }
        if let Some(limit) = limit {
            plan = plan.limit(0, Some(limit))?;
        }
        let physical = state.create_physical_plan(&plan.build()?).await?;
        Ok(Arc::new(BarrierExec::new(physical)))
    }
}

/// `expr` with every column unqualified (the caller's plan qualifies them by its table name
/// or alias; the inner plan has its own).
fn unqualified(expr: Expr) -> Result<Expr> {
    expr.transform(|e| {
        Ok(match e {
            Expr::Column(c) => Transformed::yes(Expr::Column(Column::new_unqualified(c.name))),
            e => Transformed::no(e),
        })
    })
    .map(|t| t.data)
}

/// Whether evaluating `expr` on any row can never fail: columns, constants, comparisons,
/// `AND`/`OR`/`NOT`, `IS [NOT] NULL/TRUE/FALSE/UNKNOWN`, `BETWEEN`, `IN (list)`, `LIKE` with a
/// constant pattern, `TRY_CAST`, and `CAST`s that cannot fail (a constant; a text to text; a
/// timestamp to a timestamp; an integer or float to a float).
pub(crate) fn cannot_fail(expr: &Expr, schema: &Schema) -> bool {
    let mut safe = true;
    // `apply` visits every sub-expression; any that is not on the list makes the whole unsafe.
    let _ = expr.apply(|e| {
        let ok = match e {
            Expr::Column(_) | Expr::Literal(..) | Expr::Alias(_) => true,
            Expr::BinaryExpr(BinaryExpr { op, .. }) => matches!(
                op,
                Operator::Eq
                    | Operator::NotEq
                    | Operator::Lt
                    | Operator::LtEq
                    | Operator::Gt
                    | Operator::GtEq
                    | Operator::And
                    | Operator::Or
                    | Operator::IsDistinctFrom
                    | Operator::IsNotDistinctFrom
            ),
            Expr::Not(_)
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsTrue(_)
            | Expr::IsFalse(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotTrue(_)
            | Expr::IsNotFalse(_)
            | Expr::IsNotUnknown(_)
            | Expr::TryCast(_)
            | Expr::Between(Between { .. })
            | Expr::InList(InList { .. }) => true,
            Expr::Like(Like {
                pattern,
                escape_char: None,
                ..
            }) => plain_pattern(pattern),
            Expr::Cast(Cast { expr, field }) => cast_cannot_fail(expr, field.data_type(), schema),
            _ => false,
        };
        if ok {
            Ok(TreeNodeRecursion::Continue)
        } else {
            safe = false;
            Ok(TreeNodeRecursion::Stop)
        }
    });
    safe
}

/// A constant `LIKE` pattern without backslashes (so no escape in it can be malformed).
fn plain_pattern(pattern: &Expr) -> bool {
    use datafusion::common::ScalarValue as S;
    match pattern {
        Expr::Literal(S::Utf8(Some(p)) | S::LargeUtf8(Some(p)) | S::Utf8View(Some(p)), _) => {
            !p.contains('\\')
        }
        _ => false,
    }
}

fn cast_cannot_fail(expr: &Expr, to: &DataType, schema: &Schema) -> bool {
    let from = match expr {
        Expr::Literal(..) => return true,
        Expr::Column(c) => match schema.field_with_name(&c.name) {
            Ok(f) => f.data_type().clone(),
            Err(_) => return false,
        },
        _ => return false,
    };
    let text = |t: &DataType| match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => {
            matches!(
                **v,
                DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
            )
        }
        _ => false,
    };
    match (&from, to) {
        (f, t) if text(f) && text(t) => true,
        (DataType::Timestamp(..), DataType::Timestamp(..)) => true,
        (f, DataType::Float64) => f.is_numeric(),
        _ => from == *to,
    }
}

/// A node that passes its input through and refuses every filter DataFusion's physical
/// optimizer would push into it (the default of [`ExecutionPlan::gather_filters_for_pushdown`]),
/// as well as projections, limits and sorts; its statistics are unknown (the default), so no
/// count, minimum or maximum is answered from the files' statistics of hidden rows.
#[derive(Debug)]
pub(crate) struct BarrierExec {
    input: Arc<dyn ExecutionPlan>,
    properties: Arc<PlanProperties>,
}

impl BarrierExec {
    fn new(input: Arc<dyn ExecutionPlan>) -> Self {
        let properties = Arc::clone(input.properties());
        BarrierExec { input, properties }
    }
}

impl DisplayAs for BarrierExec {
    fn fmt_as(&self, _t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BarrierExec")
    }
}

impl ExecutionPlan for BarrierExec {
    fn name(&self) -> &str {
        "BarrierExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn maintains_input_order(&self) -> Vec<bool> {
        vec![true]
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.input]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn with_new_children(
        self: Arc<Self>,
        mut children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        match (children.pop(), children.is_empty()) {
            (Some(input), true) => Ok(Arc::new(BarrierExec::new(input))),
            _ => datafusion::common::internal_err!("BarrierExec has exactly one child"),
        }
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        self.input.execute(partition, context)
    }
}
