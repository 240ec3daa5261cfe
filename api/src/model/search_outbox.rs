use sea_orm::entity::prelude::*;

use super::enums::IndexedKind;

/// A record whose search document must be rebuilt, written in the same transaction as the
/// change (a transactional outbox), so the index can always catch up with the database.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_outbox")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_kind: IndexedKind,
    pub entity_id: Uuid,
    pub created_at: DateTimeUtc,
    pub available_at: DateTimeUtc,
    pub attempts: i32,
    pub last_error: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
