//! Pilot measures: a metric's baseline and result at one pilot, validated against the metric's
//! unit and kind so that outcomes stay comparable across pilots.

use chrono::{NaiveDate, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::check::Check;
use super::pilots::{find_readable, reindex_with_technology};
use super::{access, ensure_version, journal, metrics, update_versioned};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{Comparator, EffectMeasure, MetricKind, MetricUnit, metric, pilot_measure};

/// Largest gap allowed between a binary value and its events / n (rounding to 4 places).
const PROPORTION_TOLERANCE: f64 = 5e-4;

/// One side of a measure: the baseline or the result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservationInput {
    pub value: f64,
    /// Sample size.
    pub n: Option<i32>,
    /// Standard deviation (continuous metrics).
    pub sd: Option<f64>,
    /// Number of events out of `n` (binary metrics).
    pub events: Option<i32>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct MeasureInput {
    pub pilot_id: Uuid,
    pub metric_id: Uuid,
    pub is_primary: bool,
    pub time_frame: String,
    pub comparator: Comparator,
    pub baseline: ObservationInput,
    pub result: ObservationInput,
    pub target: Option<f64>,
}

/// The largest sample size a pilot can have: more than the population of the UK.
const MAX_SAMPLE_SIZE: i32 = 100_000_000;

/// The range a reading of `metric` may take: its unit's plausible range, narrowed by the
/// metric's own bounds.
fn value_range(metric: &metric::Model) -> (f64, f64) {
    let (unit_min, unit_max) = metric.unit.plausible_range();
    (
        metric.min_value.map_or(unit_min, |v| v.max(unit_min)),
        metric.max_value.map_or(unit_max, |v| v.min(unit_max)),
    )
}

/// Checks that a value can be a reading of the metric: finite, within its unit's plausible
/// range and its own bounds, a whole number for counts.
fn check_value(check: &mut Check, field: &str, label: &str, value: f64, metric: &metric::Model) {
    if !check.finite(field, label, value) {
        return;
    }
    let (min, max) = value_range(metric);
    if value < min || value > max {
        check.fail(
            field,
            ErrorCode::OutOfRange,
            format!(
                "{label} must be between {min} and {max} for {} ({})",
                metric.name,
                metric.unit.label()
            ),
        );
    } else if metric.unit == MetricUnit::Count && value.fract() != 0.0 {
        check.fail(
            field,
            ErrorCode::Invalid,
            format!("{label} must be a whole number: {} is a count", metric.name),
        );
    }
}

/// A standard deviation is above 0 and no wider than the whole range a reading can take.
fn check_sd(check: &mut Check, field: &str, sd: f64, metric: &metric::Model) {
    if !check.finite(field, "The standard deviation", sd) {
        return;
    }
    let (min, max) = value_range(metric);
    let widest = max - min;
    if sd <= 0.0 {
        check.fail(
            field,
            ErrorCode::OutOfRange,
            "The standard deviation must be more than 0",
        );
    } else if sd > widest {
        check.fail(
            field,
            ErrorCode::OutOfRange,
            format!(
                "The standard deviation must be {widest} or less for {} ({}), the width of \
                 every value it can take",
                metric.name,
                metric.unit.label()
            ),
        );
    }
}

fn check_observation(
    check: &mut Check,
    side: &str,
    obs: &ObservationInput,
    metric: &metric::Model,
) {
    let field = |name: &str| format!("{side}.{name}");
    let label = if side == "baseline" {
        "The baseline"
    } else {
        "The result"
    };
    check_value(check, &field("value"), label, obs.value, metric);
    if let Some(n) = obs.n
        && !(1..=MAX_SAMPLE_SIZE).contains(&n)
    {
        check.fail(
            &field("n"),
            ErrorCode::OutOfRange,
            format!("{label}'s sample size must be between 1 and {MAX_SAMPLE_SIZE}"),
        );
    }
    match metric.kind {
        MetricKind::Continuous => {
            if let Some(sd) = obs.sd {
                check_sd(check, &field("sd"), sd, metric);
            }
            if obs.events.is_some() {
                check.fail(
                    &field("events"),
                    ErrorCode::NotAllowed,
                    format!(
                        "{} is continuous: give a mean and standard deviation, not an event count",
                        metric.name
                    ),
                );
            }
        }
        MetricKind::Binary => {
            if obs.sd.is_some() {
                check.fail(
                    &field("sd"),
                    ErrorCode::NotAllowed,
                    format!(
                        "{} is binary: give events out of n, not a standard deviation",
                        metric.name
                    ),
                );
            }
            match (obs.events, obs.n) {
                (Some(events), Some(n)) if events < 0 || events > n => check.fail(
                    &field("events"),
                    ErrorCode::OutOfRange,
                    format!("The number of events must be between 0 and the sample size ({n})"),
                ),
                (Some(events), Some(n)) if n > 0 => {
                    let proportion = f64::from(events) / f64::from(n);
                    if (proportion - obs.value).abs() > PROPORTION_TOLERANCE {
                        check.fail(
                            &field("value"),
                            ErrorCode::Invalid,
                            format!(
                                "{label} should be {events} / {n} = {proportion:.4}, not {}",
                                obs.value
                            ),
                        );
                    }
                }
                (Some(_), None) => check.fail(
                    &field("n"),
                    ErrorCode::Required,
                    "Enter the sample size the events are counted out of",
                ),
                _ => {}
            }
        }
    }
    check.dates_in_order(
        &field("periodEnd"),
        obs.period_start,
        obs.period_end,
        &format!("{label} period's"),
    );
}

/// What validation keeps of a measure's input.
#[derive(Debug)]
pub struct ValidMeasure {
    pub time_frame: String,
}

/// `kept_metric` is the metric a measure being changed already records: it may stay on it
/// after the metric was retired, but nothing new goes onto a retired metric.
async fn validate(
    db: &impl ConnectionTrait,
    input: &MeasureInput,
    kept_metric: Option<Uuid>,
) -> ServiceResult<ValidMeasure> {
    let Some(metric) = metric::Entity::find_by_id(input.metric_id).one(db).await? else {
        let mut check = Check::new();
        check.text(
            "timeFrame",
            "the time frame, like 12 weeks",
            &input.time_frame,
            100,
        );
        check.fail(
            "metricId",
            ErrorCode::NotFound,
            "There is no metric with that id",
        );
        check.finish()?;
        return Err(ServiceError::NotFound("metric"));
    };
    if kept_metric != Some(metric.id) {
        metrics::ensure_recordable(&metric)?;
    }
    check_against(&metric, input)
}

/// Every check of a measure that needs only its metric, not the database: the readings'
/// plausibility for the metric's unit and kind, the time frame, the periods' order.
pub fn check_against(metric: &metric::Model, input: &MeasureInput) -> ServiceResult<ValidMeasure> {
    let mut check = Check::new();
    let time_frame = check.text(
        "timeFrame",
        "the time frame, like 12 weeks",
        &input.time_frame,
        100,
    );
    check_observation(&mut check, "baseline", &input.baseline, metric);
    check_observation(&mut check, "result", &input.result, metric);
    if let Some(target) = input.target {
        check_value(&mut check, "target", "The target", target, metric);
    }
    if let (Some(baseline_end), Some(result_start)) =
        (input.baseline.period_end, input.result.period_start)
        && input.comparator == Comparator::BeforeAfter
        && result_start < baseline_end
    {
        check.fail(
            "result.periodStart",
            ErrorCode::OutOfRange,
            "In a before-and-after comparison the result period starts after the baseline period ends",
        );
    }
    check.finish()?;
    Ok(ValidMeasure { time_frame })
}

const TAKEN: &str = "This pilot already records this metric over this time frame";

fn observation_columns(
    model: &mut pilot_measure::ActiveModel,
    baseline: &ObservationInput,
    result: &ObservationInput,
) {
    model.baseline_value = Set(baseline.value);
    model.baseline_n = Set(baseline.n);
    model.baseline_sd = Set(baseline.sd);
    model.baseline_events = Set(baseline.events);
    model.baseline_period_start = Set(baseline.period_start);
    model.baseline_period_end = Set(baseline.period_end);
    model.result_value = Set(result.value);
    model.result_n = Set(result.n);
    model.result_sd = Set(result.sd);
    model.result_events = Set(result.events);
    model.result_period_start = Set(result.period_start);
    model.result_period_end = Set(result.period_end);
}

#[tracing::instrument(skip_all)]
pub async fn record(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: MeasureInput,
) -> ServiceResult<pilot_measure::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let pilot = find_readable(&txn, actor, input.pilot_id).await?;
    access::ensure_evaluator_at(actor, pilot.host_organisation_id)?;
    let valid = validate(&txn, &input, None).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let mut model = pilot_measure::ActiveModel {
        id: Set(id),
        pilot_id: Set(pilot.id),
        metric_id: Set(input.metric_id),
        is_primary: Set(input.is_primary),
        time_frame: Set(valid.time_frame),
        comparator: Set(input.comparator),
        target: Set(input.target),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    observation_columns(&mut model, &input.baseline, &input.result);
    pilot_measure::Entity::insert(model)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| on_unique(e, "timeFrame", TAKEN))?;
    journal::audit(
        &txn,
        actor,
        "measure.record",
        "pilot_measure",
        id,
        json!({ "pilot_id": pilot.id }),
    )
    .await?;
    reindex_with_technology(&txn, pilot.id, pilot.technology_id).await?;
    let created = find(&txn, id).await?;
    txn.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: MeasureInput,
) -> ServiceResult<pilot_measure::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let current = find(&txn, id).await?;
    let pilot = find_readable(&txn, actor, current.pilot_id)
        .await
        .map_err(|_| ServiceError::NotFound("measure"))?;
    access::ensure_evaluator_at(actor, pilot.host_organisation_id)?;
    if input.pilot_id != current.pilot_id {
        return Err(ServiceError::field(
            "pilotId",
            ErrorCode::NotAllowed,
            "A measure cannot move to another pilot; record it there instead",
        ));
    }
    ensure_version(current.version, version, "measure")?;
    let valid = validate(&txn, &input, Some(current.metric_id)).await?;
    let mut model = pilot_measure::ActiveModel {
        id: Set(id),
        metric_id: Set(input.metric_id),
        is_primary: Set(input.is_primary),
        time_frame: Set(valid.time_frame),
        comparator: Set(input.comparator),
        target: Set(input.target),
        updated_at: Set(Utc::now()),
        ..Default::default()
    };
    observation_columns(&mut model, &input.baseline, &input.result);
    let updated = update_versioned(&txn, model, version, "measure", |e| {
        on_unique(e, "timeFrame", TAKEN)
    })
    .await?;
    journal::audit(
        &txn,
        actor,
        "measure.update",
        "pilot_measure",
        id,
        json!({ "pilot_id": pilot.id }),
    )
    .await?;
    reindex_with_technology(&txn, pilot.id, pilot.technology_id).await?;
    txn.commit().await?;
    Ok(updated)
}

async fn find(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<pilot_measure::Model> {
    pilot_measure::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("measure"))
}

/// The measures of many pilots at once, only of pilots the actor may see.
pub async fn of_pilots(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<pilot_measure::Model>> {
    let pilot_ids: Vec<Uuid> = pilot_ids.into_iter().collect();
    let readable = access::readable_among(actor, pilot_ids.clone());
    Ok(pilot_measure::Entity::find()
        .filter(pilot_measure::Column::PilotId.is_in(pilot_ids))
        .filter(pilot_measure::Column::PilotId.in_subquery(readable))
        .order_by_desc(pilot_measure::Column::IsPrimary)
        .order_by_asc(pilot_measure::Column::Id)
        .all(db)
        .await?)
}

/// How many measures a pilot records, for callers that only need the count.
pub async fn count_for_pilot(db: &impl ConnectionTrait, pilot_id: Uuid) -> ServiceResult<u64> {
    use sea_orm::PaginatorTrait;
    Ok(pilot_measure::Entity::find()
        .filter(pilot_measure::Column::PilotId.eq(pilot_id))
        .select_only()
        .column(pilot_measure::Column::Id)
        .count(db)
        .await?)
}

/// One side of a stored measure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Side {
    pub value: f64,
    pub n: Option<i32>,
    pub sd: Option<f64>,
    pub events: Option<i32>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

impl Side {
    /// This side's own 95% confidence interval (a mean's from its SD and n, a proportion's
    /// by Wilson from its events and n), where what it needs was recorded.
    pub fn ci95(&self, kind: MetricKind) -> Option<crate::evidence::Interval> {
        crate::evidence::side_interval(
            kind,
            &crate::evidence::Arm {
                value: self.value,
                n: self.n,
                sd: self.sd,
                events: self.events,
            },
        )
    }
}

pub fn baseline(m: &pilot_measure::Model) -> Side {
    Side {
        value: m.baseline_value,
        n: m.baseline_n,
        sd: m.baseline_sd,
        events: m.baseline_events,
        period_start: m.baseline_period_start,
        period_end: m.baseline_period_end,
    }
}

pub fn result(m: &pilot_measure::Model) -> Side {
    Side {
        value: m.result_value,
        n: m.result_n,
        sd: m.result_sd,
        events: m.result_events,
        period_start: m.result_period_start,
        period_end: m.result_period_end,
    }
}

impl From<Side> for crate::evidence::Arm {
    fn from(side: Side) -> Self {
        Self {
            value: side.value,
            n: side.n,
            sd: side.sd,
            events: side.events,
        }
    }
}

/// The effect measure a metric's kind suits unless another is asked for: the mean difference
/// for continuous metrics, the risk ratio for binary ones.
pub fn default_effect_measure(metric: &metric::Model) -> EffectMeasure {
    match metric.kind {
        MetricKind::Binary => EffectMeasure::Rr,
        MetricKind::Continuous => EffectMeasure::Md,
    }
}

/// One measure's own effect, its result against its baseline, on the reporting scale (ratios
/// as ratios) with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeasureEffect {
    pub measure: EffectMeasure,
    pub estimate: f64,
    pub ci_lower: f64,
    pub ci_upper: f64,
}

/// The measure's effect in the measure its metric suits, or why it cannot be worked out (no
/// sample sizes, no spread, no events); the same formulas a comparison uses.
pub fn effect(
    m: &pilot_measure::Model,
    metric: &metric::Model,
) -> Result<MeasureEffect, crate::evidence::Exclusion> {
    let measure = default_effect_measure(metric);
    let effect = crate::evidence::effect_size(measure, &result(m).into(), &baseline(m).into())?;
    let (lower, upper) = effect.ci95();
    Ok(MeasureEffect {
        measure,
        estimate: measure.to_reporting(effect.y),
        ci_lower: measure.to_reporting(lower),
        ci_upper: measure.to_reporting(upper),
    })
}

/// The change from baseline to result.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Change {
    /// Result minus baseline.
    pub absolute: f64,
    /// Absolute change over the baseline; `None` when the baseline is 0.
    pub relative: Option<f64>,
    /// Better than the baseline by the metric's direction (never flipped by sign conventions).
    pub improved: bool,
}

pub fn change(m: &pilot_measure::Model, direction: crate::model::Direction) -> Change {
    let absolute = m.result_value - m.baseline_value;
    let relative = (m.baseline_value != 0.0).then(|| absolute / m.baseline_value.abs());
    let improved = match direction {
        crate::model::Direction::HigherIsBetter => absolute > 0.0,
        crate::model::Direction::LowerIsBetter => absolute < 0.0,
    };
    Change {
        absolute,
        relative,
        improved,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Direction;

    fn measure(baseline: f64, result: f64) -> pilot_measure::Model {
        pilot_measure::Model {
            id: Uuid::nil(),
            pilot_id: Uuid::nil(),
            metric_id: Uuid::nil(),
            is_primary: true,
            time_frame: "12 weeks".to_owned(),
            comparator: Comparator::BeforeAfter,
            baseline_value: baseline,
            baseline_n: None,
            baseline_sd: None,
            baseline_events: None,
            baseline_period_start: None,
            baseline_period_end: None,
            result_value: result,
            result_n: None,
            result_sd: None,
            result_events: None,
            result_period_start: None,
            result_period_end: None,
            target: None,
            version: 1,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn improvement_follows_the_metrics_direction() {
        let fewer_days = change(&measure(8.0, 6.0), Direction::LowerIsBetter);
        assert_eq!(
            (
                fewer_days.absolute,
                fewer_days.relative,
                fewer_days.improved
            ),
            (-2.0, Some(-0.25), true)
        );
        let lower_satisfaction = change(&measure(80.0, 60.0), Direction::HigherIsBetter);
        assert!(!lower_satisfaction.improved);
        assert_eq!(
            change(&measure(0.0, 3.0), Direction::HigherIsBetter).relative,
            None
        );
        assert!(
            !change(&measure(5.0, 5.0), Direction::LowerIsBetter).improved,
            "no change is not an improvement"
        );
    }
}
