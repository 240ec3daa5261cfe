//! The outbox watermark, on the database's side: the highest outbox row id whose change search
//! has applied. Outbox rows are removed once applied, so without it nothing would show that an
//! index restored from an older copy has missed changes; with it, the index's own watermark
//! (kept with each of its commits) is compared at start, and an index behind is rebuilt.
//!
//! The watermark only ever rises: several workers may finish batches out of order, and a lower
//! value written late must not hide a higher one.

use chrono::Utc;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};

use crate::model::search_progress;

/// The database's watermark (0 before search has applied anything).
pub async fn applied_through(db: &impl ConnectionTrait) -> Result<i64, DbErr> {
    Ok(search_progress::Entity::find_by_id(search_progress::ROW)
        .one(db)
        .await?
        .map_or(0, |row| row.applied_through))
}

/// Raises the watermark to `through` (never lowers it).
pub async fn advance(db: &impl ConnectionTrait, through: i64) -> Result<(), DbErr> {
    let now = Utc::now();
    // The row exists after the first call; inserting it is a no-op then. Both statements are
    // portable SQL, unlike a GREATEST/MAX upsert that differs between the engines.
    search_progress::Entity::insert(search_progress::ActiveModel {
        id: Set(search_progress::ROW),
        applied_through: Set(0),
        updated_at: Set(now),
    })
    .on_conflict_do_nothing_on([search_progress::Column::Id])
    .exec(db)
    .await?;
    search_progress::Entity::update_many()
        .col_expr(
            search_progress::Column::AppliedThrough,
            Expr::value(through),
        )
        .col_expr(search_progress::Column::UpdatedAt, Expr::value(now))
        .filter(search_progress::Column::Id.eq(search_progress::ROW))
        .filter(search_progress::Column::AppliedThrough.lt(through))
        .exec(db)
        .await?;
    Ok(())
}
