//! How far through the search outbox the index has got, as the database knows it: the highest
//! outbox row whose change search has applied. The index records the same watermark with each
//! of its commits, so an index that is behind the database (an older copy restored in place) is
//! noticed at start and rebuilt.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SearchProgress::Table)
                    // One row, `id = 1`: a fixed key rather than a sequence, so every writer
                    // updates the same row.
                    .col(integer(SearchProgress::Id).primary_key())
                    .col(big_integer(SearchProgress::AppliedThrough).default(0))
                    .col(timestamp_with_time_zone(SearchProgress::UpdatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchProgress::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum SearchProgress {
    Table,
    Id,
    AppliedThrough,
    UpdatedAt,
}
