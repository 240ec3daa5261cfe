//! The metric catalogue: public to read; administrators add, change and retire metrics.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use super::enums::{Direction, MetricDomain, MetricKind, MetricUnit};
use super::errors::{UserError, parse_id, payload, to_graphql};
use super::types::Metric;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::model::metric;
use crate::service::metrics::{self, MetricInput as ServiceMetricInput};

/// Everything about a metric; an update replaces all of it.
#[derive(Debug, InputObject)]
pub struct MetricInput {
    /// Capital letters, digits and underscores, starting with a letter, like `LOS_DAYS`.
    code: String,
    name: String,
    unit: MetricUnit,
    direction: Direction,
    domain: MetricDomain,
    /// Continuous (mean with SD) or binary (events out of n; its unit is a proportion).
    kind: MetricKind,
    definition: String,
    /// The lowest possible value, where the scale has one (a score needs both bounds).
    min_value: Option<f64>,
    /// The highest possible value.
    max_value: Option<f64>,
}

impl From<MetricInput> for ServiceMetricInput {
    fn from(input: MetricInput) -> Self {
        Self {
            code: input.code,
            name: input.name,
            unit: input.unit.into(),
            direction: input.direction.into(),
            domain: input.domain.into(),
            kind: input.kind.into(),
            definition: input.definition,
            min_value: input.min_value,
            max_value: input.max_value,
        }
    }
}

#[derive(Debug, SimpleObject)]
pub struct MetricPayload {
    metric: Option<Metric>,
    user_errors: Vec<UserError>,
}

impl MetricPayload {
    fn from(result: Result<metric::Model, ServiceError>) -> Result<Self> {
        let (metric, user_errors) = payload(result)?;
        Ok(Self {
            metric: metric.map(Metric),
            user_errors,
        })
    }
}

#[derive(Debug, Default)]
pub struct MetricQuery;

#[Object]
impl MetricQuery {
    /// The whole catalogue of standard metrics, by code, retired ones included (they keep
    /// their measures and comparisons).
    async fn metrics(&self, ctx: &Context<'_>) -> Result<Vec<Metric>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(metrics::list(db)
            .await
            .map_err(to_graphql)?
            .into_iter()
            .map(Metric)
            .collect())
    }
}

#[derive(Debug, Default)]
pub struct MetricMutation;

#[Object]
impl MetricMutation {
    /// Adds a metric to the catalogue (administrators only).
    async fn create_metric(&self, ctx: &Context<'_>, input: MetricInput) -> Result<MetricPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        MetricPayload::from(metrics::create(db, actor, input.into()).await)
    }

    /// Replaces a metric's details (administrators only). `version` is the one you read; a
    /// stale one is refused.
    async fn update_metric(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
        input: MetricInput,
    ) -> Result<MetricPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("id", &id) {
            Ok(id) => metrics::update(db, actor, id, version, input.into()).await,
            Err(e) => Err(e),
        };
        MetricPayload::from(result)
    }

    /// Retires a metric (administrators only): it keeps its measures and comparisons, but no
    /// new measure can be recorded on it.
    async fn retire_metric(
        &self,
        ctx: &Context<'_>,
        id: ID,
        version: i32,
    ) -> Result<MetricPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("id", &id) {
            Ok(id) => metrics::retire(db, actor, id, version).await,
            Err(e) => Err(e),
        };
        MetricPayload::from(result)
    }
}
