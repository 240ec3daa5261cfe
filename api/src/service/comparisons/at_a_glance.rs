//! A technology's evidence at a glance: for each metric its readable pilots measured, how many
//! did and the pooled estimate over them. Its page shows this on every view, and pooling every
//! metric over a technology's thousands of pilots takes tens of milliseconds, so the figures are
//! kept in an [`EvidenceCache`], keyed by everything they depend on: the technology's evidence
//! version (moved on by every change to its pilots, their measures and reports, in the change's
//! own transaction), the catalogue's metrics at their versions, the viewer's
//! [`Audience`](access::Audience) and the method.
//!
//! The key is read before the inputs, so the figures kept under a key are never older than the
//! records it names: a change committed in between can only make them newer, and whoever reads
//! the key after that change gets another key. Every app node keeps its own cache; the key is
//! in the database, so none of them shows figures from before a change it can see.

use std::sync::Arc;

use quick_cache::{Weighter, sync::Cache};
use sea_orm::{ConnectionTrait, prelude::Uuid};

use super::{figures, inputs_by_metric};
use crate::actor::Actor;
use crate::error::ServiceResult;
use crate::evidence::Pooled;
use crate::model::{EffectMeasure, PoolingMethod, metric, technology};
use crate::service::pilots::PilotFilter;
use crate::service::{access, measures, metrics};

/// One metric's evidence for a technology.
#[derive(Debug, Clone)]
pub struct MetricEvidence {
    pub metric: metric::Model,
    pub effect_measure: EffectMeasure,
    /// Readable pilots of the technology that measured the metric.
    pub pilots: usize,
    /// Of those, how many reported the numbers needed to weigh it.
    pub weighed: usize,
    /// `None` when fewer than two can be weighed.
    pub pooled: Option<Pooled>,
}

/// Figures of a technology's metrics kept for reuse; cheap to clone (one cache behind it).
#[derive(Clone)]
pub struct EvidenceCache(Arc<Cache<Key, Arc<[Kept]>, ByMetrics>>);

impl std::fmt::Debug for EvidenceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvidenceCache")
            .field("entries", &self.0.len())
            .finish()
    }
}

impl EvidenceCache {
    /// Room for the figures of about `metrics` metrics, over all technologies and audiences.
    pub fn new(metrics: u64) -> Self {
        let entries = usize::try_from(metrics / 10).unwrap_or(usize::MAX).max(1);
        Self(Arc::new(Cache::with_weighter(entries, metrics, ByMetrics)))
    }
}

impl Default for EvidenceCache {
    /// Room for 100 000 metrics' figures: a few tens of megabytes at most.
    fn default() -> Self {
        Self::new(100_000)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    technology_id: Uuid,
    evidence_version: i32,
    catalogue: Vec<(Uuid, i32)>,
    audience: access::Audience,
    method: PoolingMethod,
}

/// One metric's figures as kept: the metric itself is taken from the catalogue as read.
#[derive(Debug, Clone)]
struct Kept {
    metric_id: Uuid,
    effect_measure: EffectMeasure,
    pilots: usize,
    weighed: usize,
    pooled: Option<Pooled>,
}

/// Weighs an entry by its metrics, so the cache's bound is on what it holds.
#[derive(Debug, Clone)]
struct ByMetrics;

impl Weighter<Key, Arc<[Kept]>> for ByMetrics {
    fn weight(&self, _key: &Key, kept: &Arc<[Kept]>) -> u64 {
        kept.len() as u64 + 1
    }
}

/// For each metric that the actor's readable pilots of the technology measured, in the
/// catalogue's order: how many did, and the pooled estimate over them (the metric's default
/// effect measure). Kept in `cache`; worked out from one statement's inputs when not there.
#[tracing::instrument(skip_all)]
pub async fn of_technology(
    db: &impl ConnectionTrait,
    cache: &EvidenceCache,
    actor: &Actor,
    technology: &technology::Model,
    method: PoolingMethod,
) -> ServiceResult<Vec<MetricEvidence>> {
    let catalogue = metrics::list(db).await?;
    let key = Key {
        technology_id: technology.id,
        evidence_version: technology.evidence_version,
        catalogue: catalogue.iter().map(|m| (m.id, m.version)).collect(),
        audience: access::audience(actor),
        method,
    };
    let kept = cache
        .0
        .get_or_insert_async(&key, work_out(db, actor, technology.id, &catalogue, method))
        .await?;
    Ok(kept
        .iter()
        .filter_map(|k| {
            let metric = catalogue.iter().find(|m| m.id == k.metric_id)?;
            Some(MetricEvidence {
                metric: metric.clone(),
                effect_measure: k.effect_measure,
                pilots: k.pilots,
                weighed: k.weighed,
                pooled: k.pooled.clone(),
            })
        })
        .collect())
}

/// Every metric's inputs in one statement, then every pooling in one blocking task.
async fn work_out(
    db: &impl ConnectionTrait,
    actor: &Actor,
    technology_id: Uuid,
    catalogue: &[metric::Model],
    method: PoolingMethod,
) -> ServiceResult<Arc<[Kept]>> {
    let filter = PilotFilter {
        technology_id: Some(technology_id),
        ..PilotFilter::default()
    };
    let ids: Vec<Uuid> = catalogue.iter().map(|m| m.id).collect();
    let mut inputs = inputs_by_metric(db, actor, &ids, &filter).await?;
    let measured: Vec<_> = catalogue
        .iter()
        .filter_map(|m| {
            let of_metric = inputs.remove(&m.id)?;
            Some((m.id, measures::default_effect_measure(m), of_metric))
        })
        .collect();
    figures::bounded(move || {
        measured
            .into_iter()
            .map(|(metric_id, effect_measure, inputs)| {
                let (weighed, pooled) = figures::pooled_only(&inputs, effect_measure, method);
                Kept {
                    metric_id,
                    effect_measure,
                    pilots: inputs.len(),
                    weighed,
                    pooled,
                }
            })
            .collect::<Arc<[Kept]>>()
    })
    .await
}
