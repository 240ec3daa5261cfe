//! The outbox worker takes along every row queued for the records of a batch, so that each
//! record is indexed once however often it changed (see `indexing::batch`): an index on the
//! record, with the row id for the oldest row of each, keeps that from scanning the outbox.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("search_outbox_entity_idx")
                    .table(SearchOutbox::Table)
                    .col(SearchOutbox::EntityKind)
                    .col(SearchOutbox::EntityId)
                    .col(SearchOutbox::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("search_outbox_entity_idx")
                    .table(SearchOutbox::Table)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum SearchOutbox {
    Table,
    EntityKind,
    EntityId,
    Id,
}
