use sea_orm::entity::prelude::*;

/// How far through the search outbox the database knows search to be: the highest outbox row id
/// whose change the index has applied (its row then removed). One row, [`ROW`]. The index keeps
/// the same watermark with its commits; comparing the two at start tells an index restored from
/// an older copy, which no outbox row would ever bring up to date, since those rows are gone.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_progress")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: i32,
    pub applied_through: i64,
    pub updated_at: DateTimeUtc,
}

/// The key of the one row.
pub const ROW: i32 = 1;

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
