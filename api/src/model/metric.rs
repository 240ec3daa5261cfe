use sea_orm::entity::prelude::*;

use super::enums::{Direction, MetricDomain, MetricKind, MetricUnit};

/// A standard metric of the shared catalogue, so outcomes are comparable across trusts.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "metrics")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    pub unit: MetricUnit,
    pub direction: Direction,
    pub domain: MetricDomain,
    pub kind: MetricKind,
    pub definition: String,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
    /// When an administrator retired it: it keeps its measures and comparisons, but takes no
    /// new measures.
    pub retired_at: Option<DateTimeUtc>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
