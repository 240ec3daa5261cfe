//! Recording a pilot's outcome measures.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::enums::Comparator;
use super::errors::{UserError, parse_id, payload};
use super::types::Measure;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::service::measures::{self, MeasureInput, ObservationInput};

/// One side of a measure.
#[derive(Debug, InputObject)]
pub struct ObservationFields {
    value: f64,
    /// Sample size.
    n: Option<i32>,
    /// Standard deviation, for continuous metrics.
    sd: Option<f64>,
    /// Events out of `n`, for binary metrics.
    events: Option<i32>,
    period_start: Option<NaiveDate>,
    period_end: Option<NaiveDate>,
}

impl From<ObservationFields> for ObservationInput {
    fn from(o: ObservationFields) -> Self {
        Self {
            value: o.value,
            n: o.n,
            sd: o.sd,
            events: o.events,
            period_start: o.period_start,
            period_end: o.period_end,
        }
    }
}

#[derive(Debug, InputObject)]
pub struct RecordMeasureInput {
    pilot_id: ID,
    metric_id: ID,
    #[graphql(default)]
    is_primary: bool,
    time_frame: String,
    comparator: Comparator,
    baseline: ObservationFields,
    result: ObservationFields,
    target: Option<f64>,
}

impl RecordMeasureInput {
    fn into_service(self) -> Result<MeasureInput, ServiceError> {
        Ok(MeasureInput {
            pilot_id: parse_id("pilotId", &self.pilot_id)?,
            metric_id: parse_id("metricId", &self.metric_id)?,
            is_primary: self.is_primary,
            time_frame: self.time_frame,
            comparator: self.comparator.into(),
            baseline: self.baseline.into(),
            result: self.result.into(),
            target: self.target,
        })
    }
}

#[derive(Debug, SimpleObject)]
pub struct MeasurePayload {
    measure: Option<Measure>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub struct MeasureMutation;

#[Object]
impl MeasureMutation {
    /// Records a metric's baseline and result at a pilot you evaluate. With `id` and `version`,
    /// replaces that measure instead.
    async fn record_measure(
        &self,
        ctx: &Context<'_>,
        input: RecordMeasureInput,
        id: Option<ID>,
        version: Option<i32>,
    ) -> Result<MeasurePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match (input.into_service(), id) {
            (Err(e), _) => Err(e),
            (Ok(input), None) => measures::record(db, actor, input).await,
            (Ok(input), Some(id)) => match (parse_id("id", &id), version) {
                (Ok(id), Some(version)) => measures::update(db, actor, id, version, input).await,
                (Err(e), _) => Err(e),
                (Ok(_), None) => Err(ServiceError::field(
                    "version",
                    crate::error::ErrorCode::Required,
                    "Give the version of the measure you are replacing",
                )),
            },
        };
        let (measure, user_errors) = payload(result)?;
        Ok(MeasurePayload {
            measure: measure.map(Measure),
            user_errors,
        })
    }
}
