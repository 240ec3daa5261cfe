use sea_orm::entity::prelude::*;

use super::enums::{EffectMeasure, PoolingMethod, SubgroupBy, Visibility};

/// A saved cross-pilot comparison: the question asked and every input used, so its figures can
/// be shown again, unchanged, after the records move on.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "comparisons")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub metric_id: Uuid,
    pub saved_by: Uuid,
    pub effect_measure: EffectMeasure,
    pub method: PoolingMethod,
    pub subgroup_by: Option<SubgroupBy>,
    /// The pilot filter, as asked.
    pub filter: Json,
    /// Every pilot considered, with the values and measure versions used.
    pub inputs: Json,
    /// Who may read it: the most restricted visibility among its pilots (`draft`: only
    /// whoever saved it).
    pub audience: Visibility,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
