//! Drafts shared before publication: each row lets the members of one named organisation read
//! one pilot as its host's members do (its draft report revisions excepted), until the
//! sharing ends (the row is deleted; the audit log keeps both events).

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
                    .table(PilotShares::Table)
                    .col(uuid(PilotShares::PilotId))
                    .col(uuid(PilotShares::OrganisationId))
                    .col(uuid_null(PilotShares::SharedByUserId))
                    .col(timestamp_with_time_zone(PilotShares::SharedAt))
                    .primary_key(
                        Index::create()
                            .col(PilotShares::PilotId)
                            .col(PilotShares::OrganisationId),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PilotShares::Table, PilotShares::PilotId)
                            .to(Pilots::Table, Pilots::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PilotShares::Table, PilotShares::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PilotShares::Table, PilotShares::SharedByUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Readers look shares up by their own organisation.
        manager
            .create_index(
                Index::create()
                    .name("pilot_shares_organisation_idx")
                    .table(PilotShares::Table)
                    .col(PilotShares::OrganisationId)
                    .col(PilotShares::PilotId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(PilotShares::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum PilotShares {
    Table,
    PilotId,
    OrganisationId,
    SharedByUserId,
    SharedAt,
}

#[derive(DeriveIden)]
enum Pilots {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
