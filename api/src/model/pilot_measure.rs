use sea_orm::entity::prelude::*;

use super::enums::Comparator;

/// One outcome measure of a pilot: a metric's baseline and result.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pilot_measures")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pilot_id: Uuid,
    pub metric_id: Uuid,
    pub is_primary: bool,
    pub time_frame: String,
    pub comparator: Comparator,
    pub baseline_value: f64,
    pub baseline_n: Option<i32>,
    pub baseline_sd: Option<f64>,
    pub baseline_events: Option<i32>,
    pub baseline_period_start: Option<Date>,
    pub baseline_period_end: Option<Date>,
    pub result_value: f64,
    pub result_n: Option<i32>,
    pub result_sd: Option<f64>,
    pub result_events: Option<i32>,
    pub result_period_start: Option<Date>,
    pub result_period_end: Option<Date>,
    pub target: Option<f64>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::pilot::Entity",
        from = "Column::PilotId",
        to = "super::pilot::Column::Id"
    )]
    Pilot,
}

impl Related<super::pilot::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Pilot.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
