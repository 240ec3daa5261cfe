//! Saved comparisons: a cross-pilot comparison's question and every input it used (each value,
//! with the version of its measure), so the same figures can be shown later, whatever has
//! changed since.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

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
                    .table(Comparisons::Table)
                    .col(pk_uuid(Comparisons::Id))
                    .col(uuid(Comparisons::MetricId))
                    .col(uuid(Comparisons::SavedBy))
                    .col(one_of(
                        Comparisons::EffectMeasure,
                        3,
                        &["md", "smd", "rr", "or", "rd"],
                    ))
                    .col(one_of(Comparisons::Method, 4, &["reml", "dl"]))
                    .col(string_len_null(Comparisons::SubgroupBy, 30))
                    .col(json(Comparisons::Filter))
                    .col(json(Comparisons::Inputs))
                    .col(one_of(
                        Comparisons::Audience,
                        10,
                        &["public", "nhs", "draft"],
                    ))
                    .col(timestamp_with_time_zone(Comparisons::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comparisons::Table, Comparisons::MetricId)
                            .to(Metrics::Table, Metrics::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Comparisons::Table, Comparisons::SavedBy)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Comparisons::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Comparisons {
    Table,
    Id,
    MetricId,
    SavedBy,
    EffectMeasure,
    Method,
    SubgroupBy,
    Filter,
    Inputs,
    Audience,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Metrics {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}
