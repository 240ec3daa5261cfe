use sea_orm::entity::prelude::*;

use super::enums::{DtacSection, DtacStatus};

/// A technology's standing against one section of the Digital Technology Assessment Criteria.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "technology_dtac")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub technology_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub section: DtacSection,
    pub status: DtacStatus,
    pub assessed_on: Option<Date>,
    pub evidence_url: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
