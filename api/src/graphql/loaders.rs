//! Batch loading for nested fields, so a page costs the same number of SQL statements whatever
//! its size. One loader per request: it carries the request's actor, so every batch obeys the
//! same visibility rules as a single read.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, HashMapCache, Loader};
use sea_orm::DatabaseConnection;
use sea_orm::prelude::Uuid;

use super::errors::to_graphql;
use crate::actor::Actor;
use crate::error::ServiceResult;
use crate::model::{metric, organisation, pilot, pilot_measure, report_revision};
use crate::service::revisions::{self, Revision};
use crate::service::sharing::{self, Share};
use crate::service::technologies::Technology;
use crate::service::{Page, PageRequest};
use crate::service::{measures, metrics, organisations, pilots, reports, technologies};

/// The loader a request carries, remembering what it loaded (see [`super::for_actor`]).
pub type RequestLoader = DataLoader<RegistryLoader, HashMapCache>;

/// Loads records for one request, as its actor may see them.
#[derive(Debug)]
pub struct RegistryLoader {
    pub db: DatabaseConnection,
    pub actor: Arc<Actor>,
}

/// Keys naming what to load, one type per relation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OrganisationId(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TechnologyId(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MetricId(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PilotId(pub Uuid);
/// One page of a technology's pilots.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PilotsOfTechnology(pub Uuid, pub PageRequest);
/// One page of the pilots an organisation hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PilotsHostedBy(pub Uuid, pub PageRequest);
/// One page of the technologies an organisation supplies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TechnologiesSuppliedBy(pub Uuid, pub PageRequest);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MeasuresOfPilot(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RevisionsOfPilot(pub Uuid);
/// A pilot's own revisions (its history), as against its report's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistoryOfPilot(pub Uuid);
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HistoryOfTechnology(pub Uuid);
/// The organisations a pilot is shared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SharesOfPilot(pub Uuid);

/// The most keys one batch queries at once: a full level of the deepest page the limits allow
/// (100 records of 100), well under the databases' limits on bound parameters.
pub const MAX_BATCH_KEYS: usize = 10_000;

type LoadResult<K, V> = Result<HashMap<K, V>, async_graphql::Error>;

/// Pages of many parents' children: one load per distinct page request among the keys (one in
/// all, when every parent is asked for the same page).
async fn pages<K, V, L>(
    keys: &[K],
    key: impl Fn(Uuid, PageRequest) -> K,
    parts: impl Fn(&K) -> (Uuid, PageRequest),
    load: impl Fn(Vec<Uuid>, PageRequest) -> L,
) -> LoadResult<K, Page<V>>
where
    K: std::hash::Hash + Eq,
    L: std::future::Future<Output = ServiceResult<HashMap<Uuid, Page<V>>>>,
{
    let by_request = group(keys.iter().map(&parts).collect(), |(_, page)| *page);
    let mut found = HashMap::new();
    for (page, parents) in by_request {
        let parents = parents.into_iter().map(|(parent, _)| parent).collect();
        let loaded = load(parents, page).await.map_err(to_graphql)?;
        found.extend(loaded.into_iter().map(|(parent, p)| (key(parent, page), p)));
    }
    Ok(found)
}

fn group<K: std::hash::Hash + Eq, V>(rows: Vec<V>, key: impl Fn(&V) -> K) -> HashMap<K, Vec<V>> {
    let mut grouped: HashMap<K, Vec<V>> = HashMap::new();
    for row in rows {
        grouped.entry(key(&row)).or_default().push(row);
    }
    grouped
}

impl Loader<OrganisationId> for RegistryLoader {
    type Value = organisation::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[OrganisationId]) -> LoadResult<OrganisationId, Self::Value> {
        let rows = organisations::get_many(&self.db, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(rows
            .into_iter()
            .map(|o| (OrganisationId(o.id), o))
            .collect())
    }
}

impl Loader<TechnologyId> for RegistryLoader {
    type Value = Technology;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[TechnologyId]) -> LoadResult<TechnologyId, Self::Value> {
        let rows = technologies::get_many(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(rows
            .into_iter()
            .map(|t| (TechnologyId(t.record.id), t))
            .collect())
    }
}

impl Loader<MetricId> for RegistryLoader {
    type Value = metric::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[MetricId]) -> LoadResult<MetricId, Self::Value> {
        let rows = metrics::get_many(&self.db, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(rows.into_iter().map(|m| (MetricId(m.id), m)).collect())
    }
}

impl Loader<PilotId> for RegistryLoader {
    type Value = pilot::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PilotId]) -> LoadResult<PilotId, Self::Value> {
        let rows = pilots::get_many(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(rows.into_iter().map(|p| (PilotId(p.id), p)).collect())
    }
}

impl Loader<PilotsOfTechnology> for RegistryLoader {
    type Value = Page<pilot::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[PilotsOfTechnology],
    ) -> LoadResult<PilotsOfTechnology, Self::Value> {
        pages(keys, PilotsOfTechnology, |k| (k.0, k.1), |ids, page| async move {
            pilots::of_technologies(&self.db, &self.actor, &ids, page).await
        })
        .await
    }
}

impl Loader<PilotsHostedBy> for RegistryLoader {
    type Value = Page<pilot::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PilotsHostedBy]) -> LoadResult<PilotsHostedBy, Self::Value> {
        pages(
            keys,
            PilotsHostedBy,
            |k| (k.0, k.1),
            |ids, page| async move { pilots::hosted_by(&self.db, &self.actor, &ids, page).await },
        )
        .await
    }
}

impl Loader<TechnologiesSuppliedBy> for RegistryLoader {
    type Value = Page<Technology>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[TechnologiesSuppliedBy],
    ) -> LoadResult<TechnologiesSuppliedBy, Self::Value> {
        pages(
            keys,
            TechnologiesSuppliedBy,
            |k| (k.0, k.1),
            |ids, page| async move {
                technologies::supplied_by(&self.db, &self.actor, &ids, page).await
            },
        )
        .await
    }
}

impl Loader<MeasuresOfPilot> for RegistryLoader {
    type Value = Vec<pilot_measure::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[MeasuresOfPilot]) -> LoadResult<MeasuresOfPilot, Self::Value> {
        let rows = measures::of_pilots(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(group(rows, |m| MeasuresOfPilot(m.pilot_id)))
    }
}

impl Loader<RevisionsOfPilot> for RegistryLoader {
    type Value = Vec<report_revision::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RevisionsOfPilot]) -> LoadResult<RevisionsOfPilot, Self::Value> {
        let rows = reports::of_pilots(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(group(rows, |r| RevisionsOfPilot(r.pilot_id)))
    }
}

impl Loader<HistoryOfPilot> for RegistryLoader {
    type Value = Vec<Revision>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[HistoryOfPilot]) -> LoadResult<HistoryOfPilot, Self::Value> {
        let rows = revisions::of_pilots(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(group(rows, |r| HistoryOfPilot(r.record_id)))
    }
}

impl Loader<HistoryOfTechnology> for RegistryLoader {
    type Value = Vec<Revision>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[HistoryOfTechnology],
    ) -> LoadResult<HistoryOfTechnology, Self::Value> {
        let rows = revisions::of_technologies(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(group(rows, |r| HistoryOfTechnology(r.record_id)))
    }
}

impl Loader<SharesOfPilot> for RegistryLoader {
    type Value = Vec<Share>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[SharesOfPilot]) -> LoadResult<SharesOfPilot, Self::Value> {
        let found = sharing::of_pilots(&self.db, &self.actor, keys.iter().map(|k| k.0))
            .await
            .map_err(to_graphql)?;
        Ok(found
            .into_iter()
            .map(|(id, shares)| (SharesOfPilot(id), shares))
            .collect())
    }
}
