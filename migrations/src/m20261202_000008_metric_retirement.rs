//! Retiring a metric of the catalogue: it keeps its measures and comparisons, but new measures
//! cannot be recorded on it. `retired_at` is when an administrator retired it (null while it is
//! in use).

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
            .alter_table(
                Table::alter()
                    .table(Metrics::Table)
                    .add_column(timestamp_with_time_zone_null(Metrics::RetiredAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Metrics::Table)
                    .drop_column(Metrics::RetiredAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Metrics {
    Table,
    RetiredAt,
}
