use sea_orm::entity::prelude::*;

use super::enums::{Recommendation, RevisionStatus};

/// One revision of a pilot's evaluation report. Published revisions are never edited: an
/// amendment is a new revision with a reason.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "report_revisions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pilot_id: Uuid,
    pub revision: i32,
    pub summary: String,
    pub findings: String,
    pub recommendation: Recommendation,
    pub barriers: String,
    pub lessons: String,
    pub costs_and_savings: String,
    /// `[{"title": …, "url": …}]`
    pub links: Json,
    pub amendment_reason: Option<String>,
    pub status: RevisionStatus,
    pub published_at: Option<DateTimeUtc>,
    pub author_id: Option<Uuid>,
    pub version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
