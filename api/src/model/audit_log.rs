use sea_orm::entity::prelude::*;

use super::enums::EntryPoint;

/// Who changed what, when, and through which entry point.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub at: DateTimeUtc,
    pub actor_user_id: Option<Uuid>,
    pub actor_label: String,
    pub entry_point: EntryPoint,
    pub action: String,
    pub entity_kind: String,
    pub entity_id: Uuid,
    pub detail: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
