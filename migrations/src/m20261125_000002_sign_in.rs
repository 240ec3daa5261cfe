//! Sign-in: browser sessions and pending OpenID Connect logins kept in the database (so any
//! server process can serve any request), invitations to organisations, and where each
//! membership came from (an administrator, or the identity provider's organisation claim).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const ROLES: &[&str] = &["member", "innovator", "evaluator", "commissioner"];

fn one_of(column: impl IntoIden, len: u32, values: &[&str]) -> ColumnDef {
    let column = column.into_iden();
    let check = Expr::col(column.clone()).is_in(values.iter().copied());
    string_len(column, len).check(check).take()
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
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(string_len(Sessions::SecretHash, 64).unique_key())
                    .col(uuid(Sessions::UserId))
                    .col(string_len(Sessions::CsrfToken, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::LastSeenAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Sessions::Table, Sessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("sessions_user_id_idx")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginAttempts::Table)
                    .col(string_len(LoginAttempts::StateHash, 64).primary_key())
                    .col(string_len(LoginAttempts::Nonce, 128))
                    .col(string_len(LoginAttempts::PkceVerifier, 128))
                    .col(string_len(LoginAttempts::ReturnTo, 500))
                    .col(timestamp_with_time_zone(LoginAttempts::CreatedAt))
                    .col(timestamp_with_time_zone(LoginAttempts::ExpiresAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Invitations::Table)
                    .col(pk_uuid(Invitations::Id))
                    .col(uuid(Invitations::OrganisationId))
                    .col(string_len(Invitations::Email, 254))
                    .col(one_of(Invitations::Role, 20, ROLES))
                    .col(uuid_null(Invitations::InvitedBy))
                    .col(timestamp_with_time_zone(Invitations::CreatedAt))
                    .col(timestamp_with_time_zone_null(Invitations::AcceptedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::OrganisationId)
                            .to(Organisations::Table, Organisations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitations::Table, Invitations::InvitedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .index(
                        Index::create()
                            .name("invitations_organisation_email_role_key")
                            .col(Invitations::OrganisationId)
                            .col(Invitations::Email)
                            .col(Invitations::Role)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .alter_table(
                Table::alter()
                    .table(Memberships::Table)
                    .add_column(
                        one_of(Memberships::Source, 20, &["administrator", "claim"])
                            .default("administrator")
                            .take(),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Memberships::Table)
                    .drop_column(Memberships::Source)
                    .to_owned(),
            )
            .await?;
        for table in [
            Invitations::Table.into_iden(),
            LoginAttempts::Table.into_iden(),
            Sessions::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Organisations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Source,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    SecretHash,
    UserId,
    CsrfToken,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum LoginAttempts {
    Table,
    StateHash,
    Nonce,
    PkceVerifier,
    ReturnTo,
    CreatedAt,
    ExpiresAt,
}

#[derive(DeriveIden)]
enum Invitations {
    Table,
    Id,
    OrganisationId,
    Email,
    Role,
    InvitedBy,
    CreatedAt,
    AcceptedAt,
}
