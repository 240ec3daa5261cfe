//! Rebuilds an engine's index from the database, in chunks, reporting progress. Searching goes on
//! meanwhile: the embedded engine swaps at its commit, Meilisearch by swapping a new index in.

use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder, QuerySelect};

use super::{SearchEngine, SearchError, documents};
use crate::model::{IndexedKind, pilot, technology};

/// Records per chunk.
const CHUNK: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum ReindexError {
    #[error(transparent)]
    Database(#[from] DbErr),
    #[error(transparent)]
    Search(#[from] SearchError),
}

/// Rebuilds the index; `progress(done, total)` is called after each chunk. Returns the number of
/// documents indexed.
pub async fn rebuild(
    db: &impl ConnectionTrait,
    engine: &SearchEngine,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64, ReindexError> {
    let technologies: Vec<_> = technology::Entity::find()
        .select_only()
        .column(technology::Column::Id)
        .order_by_asc(technology::Column::Id)
        .into_tuple::<sea_orm::prelude::Uuid>()
        .all(db)
        .await?;
    let pilots: Vec<_> = pilot::Entity::find()
        .select_only()
        .column(pilot::Column::Id)
        .order_by_asc(pilot::Column::Id)
        .into_tuple::<sea_orm::prelude::Uuid>()
        .all(db)
        .await?;
    let total = (technologies.len() + pilots.len()) as u64;
    let mut rebuild = engine.rebuild_start().await?;
    let mut done = 0;
    let mut indexed = 0;
    for (kind, ids) in [
        (IndexedKind::Technology, technologies),
        (IndexedKind::Pilot, pilots),
    ] {
        for chunk in ids.chunks(CHUNK) {
            let (docs, _) = documents::build(db, kind, chunk).await?;
            indexed += docs.len() as u64;
            rebuild.add(docs).await?;
            done += chunk.len() as u64;
            progress(done, total);
        }
    }
    rebuild.finish().await?;
    Ok(indexed)
}
