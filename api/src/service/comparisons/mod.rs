//! Evidence across pilots on one metric: which pilots the viewer may see, what each measured,
//! and the figures (see [`figures`] and [`crate::evidence`]). A comparison can be saved with
//! every input it used, so its figures can be shown again later, with a flag on each input
//! that has since been amended, withdrawn or removed.

mod at_a_glance;
pub mod figures;
pub mod saved_filter;

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, JoinType,
    QueryFilter, QuerySelect, RelationTrait, TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

pub use at_a_glance::{EvidenceCache, MetricEvidence, of_technology};
pub use figures::{Excluded, Figured, Input, PilotEffect, Subgroup};

use super::pilots::{self, PilotFilter};
use super::{access, journal, measures, metrics};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::model::{
    CareSetting, Comparator, EffectMeasure, EsfTier, EvaluationDesign, MetricKind,
    OrganisationKind, PoolingMethod, Region, SubgroupBy, Visibility, comparison, metric,
    organisation, pilot, pilot_measure, technology,
};
use figures::{Attributes, Observation};

/// What is being compared: one metric across the pilots a filter selects.
#[derive(Debug, Clone, Default)]
pub struct Question {
    pub metric_code: String,
    pub filter: PilotFilter,
    /// `None`: the mean difference for continuous metrics, the risk ratio for binary ones.
    pub effect_measure: Option<EffectMeasure>,
    pub method: PoolingMethod,
    pub subgroup_by: Option<SubgroupBy>,
}

/// How a saved comparison's input stands now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinceSaved {
    /// As it was when saved.
    Unchanged,
    /// The measure has been amended since.
    Amended,
    /// The pilot has been withdrawn since.
    Withdrawn,
    /// The measure no longer exists.
    Removed,
}

/// What a viewer is shown of an input's pilot. A saved comparison is checked when it is read,
/// not when it was saved, so what it shows of each input follows the viewer's access now.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// Readable: as recorded in the comparison.
    Pilot {
        id: Uuid,
        title: String,
        host: String,
    },
    /// Withdrawn since by a moderator: shown as its tombstone is, to those who could read it.
    Withdrawn {
        id: Uuid,
        title: String,
        host: String,
        at: DateTime<Utc>,
        reason: String,
    },
    /// No longer readable by this viewer: neither its title, its host nor its id.
    Hidden,
}

impl Shown {
    fn of(input: &Input) -> Self {
        Self::Pilot {
            id: input.pilot_id,
            title: input.pilot_title.clone(),
            host: input.host_name.clone(),
        }
    }
}

/// A comparison and its figures.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// Set for a saved comparison.
    pub id: Option<Uuid>,
    pub saved_at: Option<DateTime<Utc>>,
    pub metric: metric::Model,
    pub effect_measure: EffectMeasure,
    pub method: PoolingMethod,
    pub subgroup_by: Option<SubgroupBy>,
    pub figured: Figured,
    /// For a saved comparison: how each input (by measure id) stands now.
    pub since_saved: HashMap<Uuid, SinceSaved>,
    /// For a saved comparison: what the viewer is shown of each input's pilot (by measure id).
    shown: HashMap<Uuid, Shown>,
}

impl Comparison {
    /// What the viewer is shown of an input's pilot: in a comparison just made, the pilot as
    /// read (every input was readable); in a saved one, as [`get`] found it.
    pub fn shown(&self, input: &Input) -> Shown {
        self.shown
            .get(&input.measure_id)
            .cloned()
            .unwrap_or_else(|| Shown::of(input))
    }

    /// An unsaved comparison of `inputs`, with its figures (worked out off the async workers).
    async fn of(
        metric: metric::Model,
        effect_measure: EffectMeasure,
        method: PoolingMethod,
        subgroup_by: Option<SubgroupBy>,
        inputs: &[Input],
    ) -> ServiceResult<Self> {
        Ok(Comparison {
            id: None,
            saved_at: None,
            figured: figures::figure_bounded(inputs.to_vec(), effect_measure, method, subgroup_by)
                .await?,
            metric,
            effect_measure,
            method,
            subgroup_by,
            since_saved: HashMap::new(),
            shown: HashMap::new(),
        })
    }
}

/// The question's metric, the effect measure that suits it, and the inputs the actor may see.
async fn gather(
    db: &impl ConnectionTrait,
    actor: &Actor,
    question: &Question,
) -> ServiceResult<(metric::Model, EffectMeasure, Vec<Input>)> {
    let metric = metric_for(db, &question.metric_code).await?;
    let measure = effect_measure_for(&metric, question.effect_measure)?;
    let inputs = inputs(db, actor, &metric, &question.filter).await?;
    Ok((metric, measure, inputs))
}

/// Compares the pilots the actor may see.
#[tracing::instrument(skip_all, fields(metric = %question.metric_code))]
pub async fn compare(
    db: &impl ConnectionTrait,
    actor: &Actor,
    question: &Question,
) -> ServiceResult<Comparison> {
    let started = std::time::Instant::now();
    let (metric, measure, inputs) = gather(db, actor, question).await?;
    let comparison = Comparison::of(
        metric,
        measure,
        question.method,
        question.subgroup_by,
        &inputs,
    )
    .await?;
    ::metrics::histogram!("registry_comparison_seconds").record(started.elapsed().as_secs_f64());
    Ok(comparison)
}

/// How many pilots the actor could compare on each metric (by metric id): the catalogue's
/// counts, in one statement.
pub async fn comparable_counts(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> ServiceResult<HashMap<Uuid, u64>> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    let rows: Vec<(Uuid, i64)> = pilot_measure::Entity::find()
        .select_only()
        .column(pilot_measure::Column::MetricId)
        .column_as(
            Expr::col((pilot_measure::Entity, pilot_measure::Column::PilotId)).count_distinct(),
            "pilots",
        )
        .join(JoinType::InnerJoin, pilot_measure::Relation::Pilot.def())
        .filter(pilots::condition(actor, &PilotFilter::default()))
        .filter(access::comparable_pilots())
        .group_by(pilot_measure::Column::MetricId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(metric, pilots)| (metric, u64::try_from(pilots).unwrap_or(0)))
        .collect())
}

/// Compares, then keeps the question and every input used.
#[tracing::instrument(skip_all, fields(metric = %question.metric_code))]
pub async fn save(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    question: &Question,
) -> ServiceResult<Comparison> {
    access::ensure_can_write(actor)?;
    let saved_by = actor.user_id().ok_or(ServiceError::Unauthenticated)?;
    let txn = crate::db::begin_write(db).await?;
    let (metric, measure, inputs) = gather(&txn, actor, question).await?;
    let audience = inputs
        .iter()
        .map(|i| i.visibility)
        .min()
        .unwrap_or(Visibility::Public);
    let id = Uuid::now_v7();
    let now = Utc::now();
    let stored = |value: serde_json::Result<serde_json::Value>| {
        value.map_err(|e| ServiceError::Internal(Box::new(e)))
    };
    comparison::Entity::insert(comparison::ActiveModel {
        id: Set(id),
        metric_id: Set(metric.id),
        saved_by: Set(saved_by),
        effect_measure: Set(measure),
        method: Set(question.method),
        subgroup_by: Set(question.subgroup_by),
        filter: Set(stored(saved_filter::to_json(&question.filter))?),
        inputs: Set(stored(serde_json::to_value(&inputs))?),
        audience: Set(audience),
        created_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await?;
    journal::audit(
        &txn,
        actor,
        "comparison.save",
        "comparison",
        id,
        json!({ "metric": metric.code, "effect_measure": measure, "method": question.method, "inputs": inputs.len() }),
    )
    .await?;
    txn.commit().await?;
    let since_saved = inputs
        .iter()
        .map(|i| (i.measure_id, SinceSaved::Unchanged))
        .collect();
    Ok(Comparison {
        id: Some(id),
        saved_at: Some(now),
        since_saved,
        ..Comparison::of(
            metric,
            measure,
            question.method,
            question.subgroup_by,
            &inputs,
        )
        .await?
    })
}

/// A saved comparison with the figures it had, and how each input stands now, checked as it is
/// read: whoever saved it may read it; anyone else only while they may read every input, or,
/// for one withdrawn since, could read it before (see [`access::can_read_comparison`]). Each
/// input shows its pilot only to a viewer who may read that pilot now; one withdrawn since shows as withdrawn, with the
/// moderator's reason, to a viewer who could read it before.
#[tracing::instrument(skip_all)]
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, id: Uuid) -> ServiceResult<Comparison> {
    let found = comparison::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("comparison"))?;
    let inputs: Vec<Input> = serde_json::from_value(found.inputs.clone())
        .map_err(|e| ServiceError::Internal(Box::new(e)))?;

    let measure_ids: Vec<Uuid> = inputs.iter().map(|i| i.measure_id).collect();
    let pilot_ids: Vec<Uuid> = inputs.iter().map(|i| i.pilot_id).collect();
    let versions: HashMap<Uuid, i32> = pilot_measure::Entity::find()
        .filter(pilot_measure::Column::Id.is_in(measure_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.version))
        .collect();
    let pilots: HashMap<Uuid, pilot::Model> = pilot::Entity::find()
        .filter(pilot::Column::Id.is_in(pilot_ids))
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p))
        .collect();
    let shared = super::sharing::shared_with_actor(db, actor, pilots.keys().copied()).await?;

    let mut since_saved = HashMap::new();
    let mut shown = HashMap::new();
    let mut readable = Vec::new();
    for input in &inputs {
        let pilot = pilots.get(&input.pilot_id);
        let withdrawn = pilot.is_some_and(|p| p.withdrawn_at.is_some());
        let state = match versions.get(&input.measure_id) {
            None => SinceSaved::Removed,
            Some(_) if withdrawn => SinceSaved::Withdrawn,
            Some(v) if *v != input.measure_version => SinceSaved::Amended,
            Some(_) => SinceSaved::Unchanged,
        };
        since_saved.insert(input.measure_id, state);
        let view = match pilot {
            Some(p) if access::can_read_unless_withdrawn(actor, p, shared.contains(&p.id)) => {
                match p.withdrawn_at {
                    Some(at) => Shown::Withdrawn {
                        id: input.pilot_id,
                        title: input.pilot_title.clone(),
                        host: input.host_name.clone(),
                        at,
                        reason: p.withdrawn_reason.clone().unwrap_or_default(),
                    },
                    None => Shown::of(input),
                }
            }
            _ => Shown::Hidden,
        };
        readable.push(view != Shown::Hidden);
        shown.insert(input.measure_id, view);
    }
    if !access::can_read_comparison(actor, found.saved_by, readable) {
        return Err(ServiceError::NotFound("comparison"));
    }
    let metric = metrics::get(db, found.metric_id).await?;
    Ok(Comparison {
        id: Some(found.id),
        saved_at: Some(found.created_at),
        since_saved,
        shown,
        ..Comparison::of(
            metric,
            found.effect_measure,
            found.method,
            found.subgroup_by,
            &inputs,
        )
        .await?
    })
}

async fn metric_for(db: &impl ConnectionTrait, code: &str) -> ServiceResult<metric::Model> {
    metrics::find_by_code(db, code).await?.ok_or_else(|| {
        ServiceError::field(
            "metricCode",
            ErrorCode::NotFound,
            format!("There is no metric with the code {:?}", code.trim()),
        )
    })
}

/// The effect measure asked for, if it suits the metric's kind, else the kind's default.
fn effect_measure_for(
    metric: &metric::Model,
    asked: Option<EffectMeasure>,
) -> ServiceResult<EffectMeasure> {
    let binary = metric.kind == MetricKind::Binary;
    match asked {
        None => Ok(measures::default_effect_measure(metric)),
        Some(m)
            if matches!(m, EffectMeasure::Rr | EffectMeasure::Or | EffectMeasure::Rd) == binary =>
        {
            Ok(m)
        }
        Some(m) => Err(ServiceError::field(
            "effectMeasure",
            ErrorCode::Invalid,
            format!(
                "{} does not suit {} ({}): use {}",
                m.label(),
                metric.code,
                if binary {
                    "a binary metric"
                } else {
                    "a continuous metric"
                },
                if binary {
                    "a risk ratio, odds ratio or risk difference"
                } else {
                    "a mean difference or standardised mean difference"
                }
            ),
        )),
    }
}

/// What one measure row brings: the measure, and the facts of its pilot, host and
/// technology a comparison uses (one query, only these columns).
#[derive(Debug, FromQueryResult)]
struct MeasureRow {
    measure_id: Uuid,
    metric_id: Uuid,
    pilot_id: Uuid,
    is_primary: bool,
    time_frame: String,
    comparator: Comparator,
    baseline_value: f64,
    baseline_n: Option<i32>,
    baseline_sd: Option<f64>,
    baseline_events: Option<i32>,
    result_value: f64,
    result_n: Option<i32>,
    result_sd: Option<f64>,
    result_events: Option<i32>,
    measure_version: i32,
    pilot_title: String,
    visibility: Visibility,
    start_date: Option<NaiveDate>,
    care_setting: CareSetting,
    design: EvaluationDesign,
    host_name: String,
    host_kind: OrganisationKind,
    host_region: Option<Region>,
    esf_tier: Option<EsfTier>,
}

/// Every visible, not withdrawn pilot the filter selects that measured the metric, one measure
/// each (its primary one, else the first recorded), in order of start date then title.
async fn inputs(
    db: &impl ConnectionTrait,
    actor: &Actor,
    metric: &metric::Model,
    filter: &PilotFilter,
) -> ServiceResult<Vec<Input>> {
    Ok(inputs_by_metric(db, actor, &[metric.id], filter)
        .await?
        .remove(&metric.id)
        .unwrap_or_default())
}

/// [`inputs`] for many metrics in one statement, by metric id (metrics no pilot measured are
/// left out).
async fn inputs_by_metric(
    db: &impl ConnectionTrait,
    actor: &Actor,
    metric_ids: &[Uuid],
    filter: &PilotFilter,
) -> ServiceResult<HashMap<Uuid, Vec<Input>>> {
    use pilot_measure::Column as M;
    let rows = pilot_measure::Entity::find()
        .select_only()
        .column_as(M::Id, "measure_id")
        .columns([
            M::MetricId,
            M::PilotId,
            M::IsPrimary,
            M::TimeFrame,
            M::Comparator,
            M::BaselineValue,
            M::BaselineN,
            M::BaselineSd,
            M::BaselineEvents,
            M::ResultValue,
            M::ResultN,
            M::ResultSd,
            M::ResultEvents,
        ])
        .column_as(M::Version, "measure_version")
        .column_as(pilot::Column::Title, "pilot_title")
        .columns([
            pilot::Column::Visibility,
            pilot::Column::StartDate,
            pilot::Column::CareSetting,
            pilot::Column::Design,
        ])
        .column_as(organisation::Column::Name, "host_name")
        .column_as(organisation::Column::Kind, "host_kind")
        .column_as(organisation::Column::Region, "host_region")
        .column(technology::Column::EsfTier)
        .join(JoinType::InnerJoin, pilot_measure::Relation::Pilot.def())
        .join(JoinType::InnerJoin, pilot::Relation::Host.def())
        .join(JoinType::InnerJoin, pilot::Relation::Technology.def())
        .filter(M::MetricId.is_in(metric_ids.iter().copied()))
        .filter(pilots::condition(actor, filter))
        .filter(access::comparable_pilots())
        .into_model::<MeasureRow>()
        .all(db)
        .await?;
    let mut chosen: HashMap<(Uuid, Uuid), MeasureRow> = HashMap::with_capacity(rows.len());
    for row in rows {
        let key = (row.metric_id, row.pilot_id);
        let better = chosen.get(&key).is_none_or(|held| {
            (!held.is_primary, held.measure_id) > (!row.is_primary, row.measure_id)
        });
        if better {
            chosen.insert(key, row);
        }
    }
    let mut ordered: Vec<MeasureRow> = chosen.into_values().collect();
    ordered.sort_by(|a, b| {
        (
            a.start_date.is_none(),
            a.start_date,
            &a.pilot_title,
            a.measure_id,
        )
            .cmp(&(
                b.start_date.is_none(),
                b.start_date,
                &b.pilot_title,
                b.measure_id,
            ))
    });
    let mut by_metric: HashMap<Uuid, Vec<Input>> = HashMap::new();
    for r in ordered {
        by_metric.entry(r.metric_id).or_default().push(Input {
            pilot_id: r.pilot_id,
            pilot_title: r.pilot_title,
            host_name: r.host_name,
            visibility: r.visibility,
            measure_id: r.measure_id,
            measure_version: r.measure_version,
            time_frame: r.time_frame,
            baseline: Observation {
                value: r.baseline_value,
                n: r.baseline_n,
                sd: r.baseline_sd,
                events: r.baseline_events,
            },
            result: Observation {
                value: r.result_value,
                n: r.result_n,
                sd: r.result_sd,
                events: r.result_events,
            },
            attributes: Attributes {
                care_setting: r.care_setting,
                primary_care: r.host_kind.is_primary_care(),
                design: r.design,
                esf_tier: r.esf_tier,
                region: r.host_region,
                comparator: r.comparator,
            },
        });
    }
    Ok(by_metric)
}
