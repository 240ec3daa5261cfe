//! Optimistic concurrency: every update names the `version` it read, and no writer overwrites
//! a change it has not seen. A stale version is the `version` field error (`STALE`), whether
//! the check before the update or the update itself found it.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryTrait,
};

use crate::error::{ServiceError, ServiceResult};
use crate::model::{metric, organisation, pilot, pilot_measure, report_revision, technology};

/// A record with a `version` column that every change moves on by one.
pub(crate) trait Versioned: EntityTrait {
    fn version_column() -> Self::Column;
}

macro_rules! versioned {
    ($($entity:ident),+ $(,)?) => {
        $(impl Versioned for $entity::Entity {
            fn version_column() -> Self::Column {
                $entity::Column::Version
            }
        })+
    };
}

versioned!(
    organisation,
    metric,
    technology,
    pilot,
    pilot_measure,
    report_revision
);

/// Refuses an update whose `version` is not the record's current one, before any other check,
/// so a stale form is not answered with validation errors about someone else's change.
pub(crate) fn ensure_version(current: i32, given: i32, what: &str) -> ServiceResult<()> {
    if current == given {
        Ok(())
    } else {
        Err(ServiceError::stale(what))
    }
}

/// Runs `UPDATE … SET <changes>, version = version + 1 WHERE id = ? AND version = ?` and
/// returns the row as updated. The `WHERE` on the version is what makes the check race-free:
/// if another writer moved the record on after it was read, no row matches and the answer is
/// the stale-version field error. Any other failure goes through `on_error` (which can turn a
/// unique-constraint violation into a field error, say); `changes` need not set the version.
pub(crate) async fn update_versioned<A>(
    db: &impl ConnectionTrait,
    mut changes: A,
    version: i32,
    what: &str,
    on_error: impl FnOnce(DbErr) -> ServiceError,
) -> ServiceResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait,
    A::Entity: Versioned,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    let column = <A::Entity as Versioned>::version_column();
    changes.not_set(column);
    let mut update = <A::Entity as EntityTrait>::update(changes).validate()?;
    QueryTrait::query(&mut update).value(column, Expr::col(column).add(1));
    update
        .filter(column.eq(version))
        .exec(db)
        .await
        .map_err(|err| match err {
            DbErr::RecordNotUpdated => ServiceError::stale(what),
            other => on_error(other),
        })
}
