use sea_orm::entity::prelude::*;

use super::enums::{
    CareSetting, EvaluationDesign, EvaluatorKind, PilotStatus, Specialty, Visibility,
};

/// A technology tried at a host organisation.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pilots")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub technology_id: Uuid,
    pub host_organisation_id: Uuid,
    pub title: String,
    pub problem: String,
    pub status: PilotStatus,
    pub start_date: Option<Date>,
    pub end_date: Option<Date>,
    pub care_setting: CareSetting,
    pub specialty: Specialty,
    pub population: String,
    pub patients: Option<i32>,
    pub staff: Option<i32>,
    pub funding_source: Option<String>,
    pub cost_gbp: Option<i64>,
    pub design: EvaluationDesign,
    pub evaluator_kind: EvaluatorKind,
    pub evaluator_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub visibility: Visibility,
    pub published_at: Option<DateTimeUtc>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_reason: Option<String>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::organisation::Entity",
        from = "Column::HostOrganisationId",
        to = "super::organisation::Column::Id"
    )]
    Host,
    #[sea_orm(
        belongs_to = "super::technology::Entity",
        from = "Column::TechnologyId",
        to = "super::technology::Column::Id"
    )]
    Technology,
}

impl Related<super::organisation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Host.def()
    }
}

impl Related<super::technology::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Technology.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
