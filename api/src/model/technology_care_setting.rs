use sea_orm::entity::prelude::*;

use super::enums::CareSetting;

/// One value of a technology's multi-valued attribute, a row of its own so it can be filtered on.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "technology_care_settings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub technology_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub care_setting: CareSetting,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
