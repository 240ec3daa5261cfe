use sea_orm::entity::prelude::*;

use super::enums::Standard;

/// One value of a technology's multi-valued attribute, a row of its own so it can be filtered on.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "technology_standards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub technology_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub standard: Standard,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
