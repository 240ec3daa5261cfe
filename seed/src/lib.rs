//! Data for the registry: the demo data set that makes a new registry look alive, and the
//! synthetic generator for scale tests. Seeds are not migrations: they add rows, never structure.

pub mod demo;
pub mod synthetic;

use registry_api::model::{organisation, pilot};
use sea_orm::{DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QuerySelect};

/// Whether the registry holds nothing yet (no organisations and no pilots).
pub async fn is_empty(db: &DatabaseConnection) -> Result<bool, DbErr> {
    let organisations = organisation::Entity::find().limit(1).count(db).await?;
    let pilots = pilot::Entity::find().limit(1).count(db).await?;
    Ok(organisations == 0 && pilots == 0)
}
