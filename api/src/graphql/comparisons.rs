//! Evidence across pilots: `metricComparison`, `saveComparison` and `comparison(id)`. The
//! figures come from the service; these types only show them.

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::enums::SinceSaved;
use super::enums::{EffectMeasure, PoolingMethod, SubgroupBy};
use super::errors::{UserError, parse_id, payload, to_graphql};
use super::loaders::PilotId;
use super::pilots::PilotFilterInput;
use super::types::{Metric, Pilot, PooledEstimate, SubgroupTest, loader};
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::service::comparisons::{self, Comparison, Question, Shown, figures};
use sea_orm::prelude::Uuid;

#[derive(Debug, Default)]
pub struct ComparisonQuery;

#[Object]
impl ComparisonQuery {
    /// Across the pilots you may see that measured one metric: each pilot's effect (result
    /// against baseline) and the pooled estimate with its uncertainty. Methods:
    /// `docs/evidence.md`. Defaults: MD or RR by the metric's kind, REML.
    #[graphql(complexity = "super::limits::COMPARISON_COST + child_complexity")]
    async fn metric_comparison(
        &self,
        ctx: &Context<'_>,
        metric_code: String,
        filter: Option<PilotFilterInput>,
        effect_measure: Option<EffectMeasure>,
        #[graphql(default)] method: PoolingMethod,
        subgroup_by: Option<SubgroupBy>,
    ) -> Result<MetricComparison> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let question = question(metric_code, filter, effect_measure, method, subgroup_by)
            .map_err(to_graphql)?;
        comparisons::compare(db, actor, &question)
            .await
            .map(MetricComparison)
            .map_err(to_graphql)
    }

    /// A saved comparison, with the figures it had when saved; each input says whether it has
    /// since been amended, withdrawn or removed.
    #[graphql(complexity = "super::limits::COMPARISON_COST + child_complexity")]
    async fn comparison(&self, ctx: &Context<'_>, id: ID) -> Result<Option<MetricComparison>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let Ok(id) = parse_id("id", &id) else {
            return Ok(None);
        };
        match comparisons::get(db, actor, id).await {
            Ok(found) => Ok(Some(MetricComparison(found))),
            Err(ServiceError::NotFound(_)) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }
}

#[derive(Debug, SimpleObject)]
pub struct SaveComparisonPayload {
    comparison: Option<MetricComparison>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub struct ComparisonMutation;

#[Object]
impl ComparisonMutation {
    /// Runs a comparison and keeps it, with every value it used, so `comparison(id)` shows
    /// the same figures later.
    #[graphql(complexity = "super::limits::COMPARISON_COST + child_complexity")]
    async fn save_comparison(
        &self,
        ctx: &Context<'_>,
        metric_code: String,
        filter: Option<PilotFilterInput>,
        effect_measure: Option<EffectMeasure>,
        #[graphql(default)] method: PoolingMethod,
        subgroup_by: Option<SubgroupBy>,
    ) -> Result<SaveComparisonPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match question(metric_code, filter, effect_measure, method, subgroup_by) {
            Ok(question) => comparisons::save(db, actor, &question).await,
            Err(e) => Err(e),
        };
        let (saved, user_errors) = payload(result)?;
        Ok(SaveComparisonPayload {
            comparison: saved.map(MetricComparison),
            user_errors,
        })
    }
}

fn question(
    metric_code: String,
    filter: Option<PilotFilterInput>,
    effect_measure: Option<EffectMeasure>,
    method: PoolingMethod,
    subgroup_by: Option<SubgroupBy>,
) -> Result<Question, ServiceError> {
    Ok(Question {
        metric_code,
        filter: filter.unwrap_or_default().into_filter()?,
        effect_measure: effect_measure.map(Into::into),
        method: method.into(),
        subgroup_by: subgroup_by.map(Into::into),
    })
}

/// One metric compared across pilots.
#[derive(Debug)]
pub struct MetricComparison(Comparison);

impl MetricComparison {
    fn since_saved_of(&self, input: &figures::Input) -> Option<SinceSaved> {
        self.0
            .since_saved
            .get(&input.measure_id)
            .map(|&state| state.into())
    }
}

#[Object]
impl MetricComparison {
    /// Set once saved.
    async fn id(&self) -> Option<ID> {
        self.0.id.map(|id| ID(id.to_string()))
    }
    async fn saved_at(&self) -> Option<DateTime<Utc>> {
        self.0.saved_at
    }
    async fn metric(&self) -> Metric {
        Metric(self.0.metric.clone())
    }
    async fn effect_measure(&self) -> EffectMeasure {
        self.0.effect_measure.into()
    }
    async fn method(&self) -> PoolingMethod {
        self.0.method.into()
    }
    async fn subgroup_by(&self) -> Option<SubgroupBy> {
        self.0.subgroup_by.map(Into::into)
    }
    /// One entry per pilot in the pooled figure, in order of start date.
    async fn pilots(&self) -> Vec<ComparedPilot> {
        self.0
            .figured
            .pilots
            .iter()
            .map(|p| ComparedPilot {
                effect: p.effect,
                se: p.se,
                ci_lower: p.ci_lower,
                ci_upper: p.ci_upper,
                weight_fixed: p.weight_fixed,
                weight_random: p.weight_random,
                shown: self.0.shown(&p.input),
                input: p.input.clone(),
                subgroup: self.0.subgroup_by.map(|by| p.input.attributes.subgroup(by)),
                since_saved: self.since_saved_of(&p.input),
            })
            .collect()
    }
    /// Pilots that measured the metric but cannot enter this comparison, and why.
    async fn excluded(&self) -> Vec<ExcludedPilot> {
        self.0
            .figured
            .excluded
            .iter()
            .map(|e| ExcludedPilot {
                reason: e.reason.clone(),
                since_saved: self.since_saved_of(&e.input),
                shown: self.0.shown(&e.input),
            })
            .collect()
    }
    /// The pooled figures; null when fewer than two pilots can be pooled.
    async fn pooled(&self) -> Option<PooledEstimate> {
        self.0.figured.pooled.as_ref().map(PooledEstimate::from)
    }
    async fn subgroups(&self) -> Vec<ComparisonSubgroup> {
        self.0
            .figured
            .subgroups
            .iter()
            .map(|s| ComparisonSubgroup {
                key: s.key.clone(),
                k: s.k,
                pooled: s.pooled.as_ref().map(PooledEstimate::from),
            })
            .collect()
    }
    /// The test for subgroup differences; null without subgroups or with only one.
    async fn subgroup_test(&self) -> Option<SubgroupTest> {
        self.0.figured.subgroup_test.map(SubgroupTest::from)
    }
    /// What the figures amount to when there are too few pilots to pool.
    async fn note(&self) -> Option<&'static str> {
        match self.0.figured.pilots.len() {
            0 => Some(
                "No pilot you can see has what this comparison needs: there is nothing to pool.",
            ),
            1 => Some(
                "Only one pilot can be compared: its own effect is shown and nothing is pooled.",
            ),
            _ => None,
        }
    }
}

/// A pilot in a comparison.
#[derive(Debug, SimpleObject)]
#[graphql(complex)]
pub struct ComparedPilot {
    /// The effect, result against baseline, on the reporting scale (ratios as ratios).
    effect: f64,
    /// Its standard error on the analysis scale (log for ratios).
    se: f64,
    ci_lower: f64,
    ci_upper: f64,
    /// Weight in the fixed-effect estimate, in percent.
    weight_fixed: f64,
    /// Weight in the random-effects estimate, in percent.
    weight_random: f64,
    subgroup: Option<String>,
    /// For a saved comparison: whether this input has changed since.
    since_saved: Option<SinceSaved>,
    #[graphql(skip)]
    input: figures::Input,
    #[graphql(skip)]
    shown: Shown,
}

#[ComplexObject]
impl ComparedPilot {
    /// The pilot, if you may see it now (a saved comparison may outlive your access).
    async fn pilot(&self, ctx: &Context<'_>) -> Result<Option<Pilot>> {
        pilot_of(ctx, &self.shown).await
    }
    /// Null when you can no longer read the pilot (a saved comparison may outlive your
    /// access): then neither its title nor its host is shown either.
    async fn pilot_id(&self) -> Option<ID> {
        identity(&self.shown).map(|(id, _, _)| ID(id.to_string()))
    }
    async fn title(&self) -> Option<&str> {
        identity(&self.shown).map(|(_, title, _)| title)
    }
    async fn host_name(&self) -> Option<&str> {
        identity(&self.shown).map(|(_, _, host)| host)
    }
    /// Set when the pilot was withdrawn after the comparison was saved.
    async fn withdrawal(&self) -> Option<Withdrawal> {
        Withdrawal::of(&self.shown)
    }
    async fn time_frame(&self) -> &str {
        &self.input.time_frame
    }
    async fn baseline(&self) -> ComparedArm {
        ComparedArm::from(self.input.baseline)
    }
    async fn result(&self) -> ComparedArm {
        ComparedArm::from(self.input.result)
    }
}

/// A pilot left out of a comparison.
#[derive(Debug, SimpleObject)]
#[graphql(complex)]
pub struct ExcludedPilot {
    reason: String,
    since_saved: Option<SinceSaved>,
    #[graphql(skip)]
    shown: Shown,
}

#[ComplexObject]
impl ExcludedPilot {
    /// The pilot, if you may see it now.
    async fn pilot(&self, ctx: &Context<'_>) -> Result<Option<Pilot>> {
        pilot_of(ctx, &self.shown).await
    }
    /// Null when you can no longer read the pilot; then its title is not shown either.
    async fn pilot_id(&self) -> Option<ID> {
        identity(&self.shown).map(|(id, _, _)| ID(id.to_string()))
    }
    async fn title(&self) -> Option<&str> {
        identity(&self.shown).map(|(_, title, _)| title)
    }
    /// Set when the pilot was withdrawn after the comparison was saved.
    async fn withdrawal(&self) -> Option<Withdrawal> {
        Withdrawal::of(&self.shown)
    }
}

/// A pilot withdrawn after the comparison was saved: when, and the moderator's reason.
#[derive(Debug, SimpleObject)]
pub struct Withdrawal {
    at: DateTime<Utc>,
    reason: String,
}

impl Withdrawal {
    fn of(shown: &Shown) -> Option<Self> {
        match shown {
            Shown::Withdrawn { at, reason, .. } => Some(Self {
                at: *at,
                reason: reason.clone(),
            }),
            _ => None,
        }
    }
}

/// The id, title and host the viewer may be shown of an input's pilot.
fn identity(shown: &Shown) -> Option<(Uuid, &str, &str)> {
    match shown {
        Shown::Pilot { id, title, host }
        | Shown::Withdrawn {
            id, title, host, ..
        } => Some((*id, title, host)),
        Shown::Hidden => None,
    }
}

/// An input's pilot, loaded in one batch with the rest, as the viewer may see it now.
async fn pilot_of(ctx: &Context<'_>, shown: &Shown) -> Result<Option<Pilot>> {
    let Some((id, _, _)) = identity(shown) else {
        return Ok(None);
    };
    Ok(loader(ctx)?.load_one(PilotId(id)).await?.map(Pilot))
}

/// One side of a measure as the comparison used it.
#[derive(Debug, SimpleObject)]
pub struct ComparedArm {
    /// The mean (continuous) or proportion (binary).
    value: f64,
    n: Option<i32>,
    sd: Option<f64>,
    events: Option<i32>,
}

impl From<figures::Observation> for ComparedArm {
    fn from(o: figures::Observation) -> Self {
        Self {
            value: o.value,
            n: o.n,
            sd: o.sd,
            events: o.events,
        }
    }
}

#[derive(Debug, SimpleObject)]
pub struct ComparisonSubgroup {
    key: String,
    k: usize,
    /// Null for a subgroup of one pilot.
    pooled: Option<PooledEstimate>,
}
