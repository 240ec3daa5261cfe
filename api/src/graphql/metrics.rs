//! The metric catalogue: public to read.

use async_graphql::{Context, Object, Result};
use sea_orm::DatabaseConnection;

use super::errors::to_graphql;
use super::types::Metric;
use crate::service::metrics;

#[derive(Debug, Default)]
pub struct MetricQuery;

#[Object]
impl MetricQuery {
    /// The whole catalogue of standard metrics, by code.
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
