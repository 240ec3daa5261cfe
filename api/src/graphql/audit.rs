//! The audit log: who changed what, and who opened which restricted record. Administrators
//! read all of it; an organisation's members the entries about its own records.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use super::connection::{self, Paged};
use super::enums::EntryPoint;
use super::errors::{filter_id, to_graphql};
use super::types::AuditEntry;
use crate::actor::Actor;
use crate::error::ServiceError;
use crate::service::audit::{self, AuditFilter};

/// Which audit entries to list; every field left out matches every entry.
#[derive(Debug, InputObject, Default)]
pub struct AuditLogFilterInput {
    /// The user who acted.
    actor_user_id: Option<ID>,
    /// Part of the name the log gives whoever acted, in any case.
    actor_label: Option<String>,
    /// The kind of record: `pilot`, `pilot_measure`, `report_revision`, `technology`,
    /// `organisation`, …
    entity_kind: Option<String>,
    /// The record's id.
    entity_id: Option<ID>,
    /// An action (`pilot.read`), or one word for all its actions (`pilot`).
    action: Option<String>,
    /// The door it came in by.
    entry_point: Option<EntryPoint>,
    /// The first day (UTC) to include.
    from: Option<NaiveDate>,
    /// The last day (UTC) to include.
    to: Option<NaiveDate>,
}

impl AuditLogFilterInput {
    fn into_filter(self) -> Result<AuditFilter, ServiceError> {
        Ok(AuditFilter {
            actor_user_id: filter_id("filter.actorUserId", self.actor_user_id.as_ref())?,
            actor_label: self.actor_label,
            entity_kind: self.entity_kind,
            entity_id: filter_id("filter.entityId", self.entity_id.as_ref())?,
            action: self.action,
            entry_point: self.entry_point.map(Into::into),
            from: self.from,
            to: self.to,
        })
    }
}

#[derive(Debug, Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first: all of it for administrators; for an organisation's
    /// members, the entries about its own records (who outside opened its restricted pilots
    /// included). Needs a signed-in user.
    #[graphql(complexity = "super::limits::page_cost(first, child_complexity)")]
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditLogFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Paged<AuditEntry>> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let filter = filter
            .unwrap_or_default()
            .into_filter()
            .map_err(to_graphql)?;
        let request = connection::request(ctx, first, after).map_err(to_graphql)?;
        let page = audit::list(db, actor, &filter, request)
            .await
            .map_err(|err| to_graphql(within_filter(err)))?;
        Ok(connection::connection(request, page, AuditEntry))
    }
}

/// The filter's field errors under `filter`, as the query spells its argument.
fn within_filter(err: ServiceError) -> ServiceError {
    match err {
        ServiceError::Invalid(errors) => ServiceError::Invalid(
            errors
                .into_iter()
                .map(|e| {
                    if matches!(e.field.as_str(), "first" | "after") {
                        e
                    } else {
                        e.within("filter")
                    }
                })
                .collect(),
        ),
        other => other,
    }
}
