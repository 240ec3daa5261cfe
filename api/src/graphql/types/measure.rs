use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};

use super::loader;
use crate::graphql::enums::{Comparator, Direction, MetricDomain, MetricKind, MetricUnit};
use crate::graphql::loaders::MetricId;
use crate::model::{metric, pilot_measure};
use crate::service::measures::{self, Side};

/// A standard metric of the shared catalogue.
#[derive(Debug)]
pub struct Metric(pub metric::Model);

#[Object]
impl Metric {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn code(&self) -> &str {
        &self.0.code
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn unit(&self) -> MetricUnit {
        self.0.unit.into()
    }
    async fn direction(&self) -> Direction {
        self.0.direction.into()
    }
    async fn domain(&self) -> MetricDomain {
        self.0.domain.into()
    }
    /// Continuous (mean with SD) or binary (events out of n).
    async fn kind(&self) -> MetricKind {
        self.0.kind.into()
    }
    async fn definition(&self) -> &str {
        &self.0.definition
    }
    async fn min_value(&self) -> Option<f64> {
        self.0.min_value
    }
    async fn max_value(&self) -> Option<f64> {
        self.0.max_value
    }
    /// When it was retired from the catalogue: its measures and comparisons remain, but no
    /// new measure can be recorded on it. Null while it is in use.
    async fn retired_at(&self) -> Option<DateTime<Utc>> {
        self.0.retired_at
    }
    /// Give it back to `updateMetric` or `retireMetric`; a stale one is refused.
    async fn version(&self) -> i32 {
        self.0.version
    }
}

/// One side of a measure: the baseline or the result.
#[derive(Debug, SimpleObject)]
pub struct Observation {
    value: f64,
    /// Sample size.
    n: Option<i32>,
    /// Standard deviation (continuous metrics).
    sd: Option<f64>,
    /// Events out of `n` (binary metrics).
    events: Option<i32>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
}

impl From<Side> for Observation {
    fn from(side: Side) -> Self {
        Self {
            value: side.value,
            n: side.n,
            sd: side.sd,
            events: side.events,
            period_start: side.period_start,
            period_end: side.period_end,
        }
    }
}

/// The change from baseline to result.
#[derive(Debug, SimpleObject)]
pub struct Change {
    /// Result minus baseline, in the metric's unit.
    absolute: f64,
    /// The absolute change as a fraction of the baseline; null when the baseline is 0.
    relative: Option<f64>,
    /// Whether the result is better than the baseline, by the metric's direction.
    improved: bool,
}

/// A metric's baseline and result at one pilot.
#[derive(Debug)]
pub struct Measure(pub pilot_measure::Model);

#[Object]
impl Measure {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn metric(&self, ctx: &Context<'_>) -> Result<Option<Metric>> {
        Ok(loader(ctx)?
            .load_one(MetricId(self.0.metric_id))
            .await?
            .map(Metric))
    }
    async fn is_primary(&self) -> bool {
        self.0.is_primary
    }
    async fn time_frame(&self) -> &str {
        &self.0.time_frame
    }
    /// What the baseline is: the service before the pilot, or a concurrent control group.
    async fn comparator(&self) -> Comparator {
        self.0.comparator.into()
    }
    async fn baseline(&self) -> Observation {
        measures::baseline(&self.0).into()
    }
    async fn result(&self) -> Observation {
        measures::result(&self.0).into()
    }
    async fn target(&self) -> Option<f64> {
        self.0.target
    }
    /// The change from baseline to result, judged by the metric's direction.
    async fn change(&self, ctx: &Context<'_>) -> Result<Option<Change>> {
        let Some(metric) = loader(ctx)?.load_one(MetricId(self.0.metric_id)).await? else {
            return Ok(None);
        };
        let change = measures::change(&self.0, metric.direction);
        Ok(Some(Change {
            absolute: change.absolute,
            relative: change.relative,
            improved: change.improved,
        }))
    }
    async fn version(&self) -> i32 {
        self.0.version
    }
}
