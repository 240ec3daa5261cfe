use async_graphql::{ID, Object};
use chrono::{DateTime, Utc};

use crate::graphql::enums::{EntryPoint, ReadDoor};
use crate::model::audit_log;
use crate::service::audit;

#[derive(Debug)]
pub struct AuditEntry(pub audit_log::Model);

/// One entry of the audit log: who did what to which record, when and through which door;
/// or who opened a restricted record.
#[Object]
impl AuditEntry {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// The user who acted; null for the operator and for anyone not signed in.
    async fn actor_user_id(&self) -> Option<ID> {
        self.0.actor_user_id.map(|id| ID(id.to_string()))
    }
    /// Who acted, as the log names them (a user's name when they acted).
    async fn actor_label(&self) -> &str {
        &self.0.actor_label
    }
    /// The door it came in by.
    async fn entry_point(&self) -> EntryPoint {
        self.0.entry_point.into()
    }
    /// What was done: `pilot.publish`, `measure.record`, `pilot.read`, …
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of record it was done to: `pilot`, `pilot_measure`, `technology`, …
    async fn entity_kind(&self) -> &str {
        &self.0.entity_kind
    }
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// For a read (`pilot.read`, `report.read`): the kind of view it was opened through.
    async fn door(&self) -> Option<ReadDoor> {
        audit::door(&self.0).map(Into::into)
    }
    /// What else the entry records, as a JSON object in text.
    async fn detail(&self) -> String {
        self.0.detail.to_string()
    }
}
