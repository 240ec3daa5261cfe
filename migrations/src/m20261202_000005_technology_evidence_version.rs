//! A technology's evidence version: moved on, in the same transaction, by every change to its
//! pilots, their measures and reports, so figures worked out from them can be kept and known
//! to be current by this one number.

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
                    .table(Technologies::Table)
                    .add_column(integer(Technologies::EvidenceVersion).default(0))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Technologies::Table)
                    .drop_column(Technologies::EvidenceVersion)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Technologies {
    Table,
    EvidenceVersion,
}
