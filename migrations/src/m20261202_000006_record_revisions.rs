//! Revisions of pilots and technologies: every change, in the same transaction, with who made
//! it, through which entry point and why, and the record's fields as people read them after
//! it, so any two revisions can be compared. One table for both kinds of record (reports keep
//! their own revisions in `report_revisions`).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

fn one_of(column: impl IntoIden, len: u32, values: &[&str]) -> ColumnDef {
    let column = column.into_iden();
    let check = Expr::col(column.clone()).is_in(values.iter().copied());
    string_len(column, len).check(check).take()
}

fn one_of_null(column: impl IntoIden, len: u32, values: &[&str]) -> ColumnDef {
    let column = column.into_iden();
    let check = Expr::col(column.clone()).is_in(values.iter().copied());
    string_len_null(column, len).check(check).take()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RecordRevisions::Table)
                    .col(pk_uuid(RecordRevisions::Id))
                    .col(one_of(
                        RecordRevisions::RecordKind,
                        20,
                        &["pilot", "technology"],
                    ))
                    // No foreign key: the table holds revisions of two kinds of record.
                    .col(uuid(RecordRevisions::RecordId))
                    .col(integer(RecordRevisions::Revision))
                    .col(one_of(
                        RecordRevisions::Action,
                        20,
                        &["register", "update", "publish", "withdraw"],
                    ))
                    // A pilot's visibility when the revision was made, which decides who may
                    // read it; technologies have none.
                    .col(one_of_null(
                        RecordRevisions::Visibility,
                        10,
                        &["draft", "nhs", "public"],
                    ))
                    .col(json(RecordRevisions::Snapshot))
                    .col(uuid_null(RecordRevisions::ActorUserId))
                    .col(string_len(RecordRevisions::ActorLabel, 200))
                    .col(one_of(
                        RecordRevisions::EntryPoint,
                        20,
                        &["graphql", "web", "cli", "seed", "worker"],
                    ))
                    .col(text_null(RecordRevisions::Reason))
                    .col(timestamp_with_time_zone(RecordRevisions::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RecordRevisions::Table, RecordRevisions::ActorUserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .index(
                        Index::create()
                            .name("record_revisions_record_revision_key")
                            .col(RecordRevisions::RecordKind)
                            .col(RecordRevisions::RecordId)
                            .col(RecordRevisions::Revision)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RecordRevisions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RecordRevisions {
    Table,
    Id,
    RecordKind,
    RecordId,
    Revision,
    Action,
    Visibility,
    Snapshot,
    ActorUserId,
    ActorLabel,
    EntryPoint,
    Reason,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
