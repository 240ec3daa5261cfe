//! Evidence across pilots: `metricComparison`, `saveComparison` and `comparison(id)`. The
//! figures come from the service; these types only show them.

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::errors::{UserError, parse_id, payload, to_graphql};
use super::pilots::PilotFilterInput;
use super::types::{Metric, Pilot};
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::model::{EffectMeasure, PoolingMethod, SubgroupBy};
use crate::service::comparisons::{self, Comparison, Question, SinceSaved, figures};

#[derive(Debug, Default)]
pub struct ComparisonQuery;

#[Object]
impl ComparisonQuery {
    /// Across the pilots you may see that measured one metric: each pilot's effect (result
    /// against baseline) and the pooled estimate with its uncertainty. Methods:
    /// `docs/evidence.md`. Defaults: MD or RR by the metric's kind, REML.
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
        let question = question(metric_code, filter, effect_measure, method, subgroup_by);
        comparisons::compare(db, actor, &question)
            .await
            .map(MetricComparison)
            .map_err(to_graphql)
    }

    /// A saved comparison, with the figures it had when saved; each input says whether it has
    /// since been amended, withdrawn or removed.
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
        let question = question(metric_code, filter, effect_measure, method, subgroup_by);
        let (saved, user_errors) = payload(comparisons::save(db, actor, &question).await)?;
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
) -> Question {
    Question {
        metric_code,
        filter: filter.unwrap_or_default().into_filter(),
        effect_measure,
        method,
        subgroup_by,
    }
}

/// One metric compared across pilots.
#[derive(Debug)]
pub struct MetricComparison(Comparison);

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
        self.0.effect_measure
    }
    async fn method(&self) -> PoolingMethod {
        self.0.method
    }
    async fn subgroup_by(&self) -> Option<SubgroupBy> {
        self.0.subgroup_by
    }
    /// One entry per pilot in the pooled figure, in order of start date.
    async fn pilots(&self) -> Vec<ComparedPilot> {
        self.0
            .figured
            .pilots
            .iter()
            .map(|p| ComparedPilot {
                pilot: self
                    .0
                    .visible_pilots
                    .get(&p.input.pilot_id)
                    .cloned()
                    .map(Pilot),
                effect: p.effect,
                se: p.se,
                ci_lower: p.ci_lower,
                ci_upper: p.ci_upper,
                weight_fixed: p.weight_fixed,
                weight_random: p.weight_random,
                input: p.input.clone(),
                subgroup: self.0.subgroup_by.map(|by| p.input.attributes.subgroup(by)),
                since_saved: self.0.since_saved.get(&p.input.measure_id).copied(),
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
                pilot: self
                    .0
                    .visible_pilots
                    .get(&e.input.pilot_id)
                    .cloned()
                    .map(Pilot),
                reason: e.reason.clone(),
                since_saved: self.0.since_saved.get(&e.input.measure_id).copied(),
                input: e.input.clone(),
            })
            .collect()
    }
    /// The pooled figures; null when fewer than two pilots can be pooled.
    async fn pooled(&self) -> Option<PooledEstimate> {
        self.0.figured.pooled.clone().map(PooledEstimate::from)
    }
    async fn subgroups(&self) -> Vec<ComparisonSubgroup> {
        self.0
            .figured
            .subgroups
            .iter()
            .map(|s| ComparisonSubgroup {
                key: s.key.clone(),
                k: s.k,
                pooled: s.pooled.clone().map(PooledEstimate::from),
            })
            .collect()
    }
    /// The test for subgroup differences; null without subgroups or with only one.
    async fn subgroup_test(&self) -> Option<SubgroupTest> {
        self.0.figured.subgroup_test.map(|t| SubgroupTest {
            q: t.q,
            df: t.df,
            p_value: t.p_value,
        })
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
    /// The pilot, if you may see it now (a saved comparison may outlive your access).
    pilot: Option<Pilot>,
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
}

#[ComplexObject]
impl ComparedPilot {
    async fn pilot_id(&self) -> ID {
        ID(self.input.pilot_id.to_string())
    }
    async fn title(&self) -> &str {
        &self.input.pilot_title
    }
    async fn host_name(&self) -> &str {
        &self.input.host_name
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
    pilot: Option<Pilot>,
    reason: String,
    since_saved: Option<SinceSaved>,
    #[graphql(skip)]
    input: figures::Input,
}

#[ComplexObject]
impl ExcludedPilot {
    async fn pilot_id(&self) -> ID {
        ID(self.input.pilot_id.to_string())
    }
    async fn title(&self) -> &str {
        &self.input.pilot_title
    }
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

/// Pooled figures. Estimates and bounds on the reporting scale (ratios for RR and OR); `se`s,
/// `tau2` and `tau` on the analysis scale (log for ratios); I² in percent; no rounding.
#[derive(Debug, SimpleObject)]
pub struct PooledEstimate {
    k: usize,
    fixed_estimate: f64,
    fixed_se: f64,
    fixed_ci_lower: f64,
    fixed_ci_upper: f64,
    /// Cochran's Q.
    q: f64,
    q_df: usize,
    q_p_value: f64,
    tau2: f64,
    /// Q-profile 95% interval for τ².
    tau2_ci_lower: f64,
    tau2_ci_upper: f64,
    tau: f64,
    i2: f64,
    i2_ci_lower: f64,
    i2_ci_upper: f64,
    h2: f64,
    random_estimate: f64,
    random_se: f64,
    random_ci_lower: f64,
    random_ci_upper: f64,
    /// Hartung–Knapp–Sidik–Jonkman 95% interval.
    hksj_ci_lower: f64,
    hksj_ci_upper: f64,
    /// 95% prediction interval for a new pilot; null when fewer than three pilots.
    prediction_lower: Option<f64>,
    prediction_upper: Option<f64>,
    method: PoolingMethod,
}

impl From<figures::Figures> for PooledEstimate {
    fn from(f: figures::Figures) -> Self {
        Self {
            k: f.k,
            fixed_estimate: f.fixed_estimate,
            fixed_se: f.fixed_se,
            fixed_ci_lower: f.fixed_ci_lower,
            fixed_ci_upper: f.fixed_ci_upper,
            q: f.q,
            q_df: f.q_df,
            q_p_value: f.q_p_value,
            tau2: f.tau2,
            tau2_ci_lower: f.tau2_ci_lower,
            tau2_ci_upper: f.tau2_ci_upper,
            tau: f.tau,
            i2: f.i2,
            i2_ci_lower: f.i2_ci_lower,
            i2_ci_upper: f.i2_ci_upper,
            h2: f.h2,
            random_estimate: f.random_estimate,
            random_se: f.random_se,
            random_ci_lower: f.random_ci_lower,
            random_ci_upper: f.random_ci_upper,
            hksj_ci_lower: f.hksj_ci_lower,
            hksj_ci_upper: f.hksj_ci_upper,
            prediction_lower: f.prediction_lower,
            prediction_upper: f.prediction_upper,
            method: f.method,
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

/// The test for subgroup differences.
#[derive(Debug, SimpleObject)]
pub struct SubgroupTest {
    q: f64,
    df: usize,
    p_value: f64,
}
