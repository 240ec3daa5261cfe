use sea_orm::entity::prelude::*;

use super::enums::{DeviceClass, EsfTier, TechnologyCategory};

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "technologies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub slug: String,
    pub name: String,
    pub supplier_id: Uuid,
    pub summary: String,
    pub description: String,
    pub category: TechnologyCategory,
    pub device_class: DeviceClass,
    pub ukca_marked: bool,
    pub ce_marked: bool,
    pub mhra_registered: bool,
    pub esf_tier: Option<EsfTier>,
    pub withdrawn_at: Option<DateTimeUtc>,
    pub withdrawn_reason: Option<String>,
    pub version: i32,
    /// Moves on with every change to the technology's pilots, their measures and reports (see
    /// [`crate::service::journal::reindex`]): what keys the figures kept of them.
    pub evidence_version: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
