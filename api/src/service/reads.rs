//! Reads of restricted records, audited: who outside a pilot's host organisation opened a
//! draft or `nhs` pilot (or a withdrawn one), or a draft report revision, when, and through
//! which door. The host organisation and administrators read these entries back
//! ([`access::readable_audit_entries`], [`crate::service::audit::reads_of`]).
//!
//! One rule, [`is_audited`], decides which reads are written; the doors that show one record
//! call [`opened`] (through [`crate::service::pilots::open`]) and [`opened_report`]. Lists,
//! search results and aggregates are not audited (they are many records at once, and show
//! only what a list shows), nor are the operator's reads, public records, or the host's own
//! members, who work on their records all day: the log is for who else read them.
//!
//! An entry costs one insert and no read, and a failed insert is logged and never fails the
//! read: a person is not refused their page because the log could not be written.

use sea_orm::ConnectionTrait;
use serde_json::json;

use super::journal;
use crate::actor::Actor;
use crate::model::{RevisionStatus, Visibility, pilot, report_revision};

/// The action written for opening a restricted pilot.
pub const PILOT_READ: &str = "pilot.read";
/// The action written for reading a draft revision of a pilot's report.
pub const REPORT_READ: &str = "report.read";

/// The door a record was opened through, as the entry's `detail.door` says. The entry point
/// (web or GraphQL) is the actor's; the door says which kind of view it was within it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Door {
    /// A page of the web front end.
    Page,
    /// The GraphQL API.
    Graphql,
    /// A file of the record downloaded (an export or document of that one record).
    Download,
}

impl Door {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Page => "page",
            Self::Graphql => "graphql",
            Self::Download => "download",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Page => "Web page",
            Self::Graphql => "GraphQL API",
            Self::Download => "Download",
        }
    }

    pub fn from_str_value(value: &str) -> Option<Self> {
        [Self::Page, Self::Graphql, Self::Download]
            .into_iter()
            .find(|d| d.as_str() == value)
    }
}

/// Whether the actor's opening of the pilot is written to the audit log: a signed-in person
/// outside the host organisation opening a pilot that is not open to everyone.
pub fn is_audited(actor: &Actor, pilot: &pilot::Model) -> bool {
    let restricted = pilot.visibility != Visibility::Public || pilot.withdrawn_at.is_some();
    restricted
        && actor.user_id().is_some()
        && !actor.is_system()
        && !actor.belongs_to(pilot.host_organisation_id)
}

/// Records that the actor opened the pilot through `door`, when [`is_audited`] says so.
pub async fn opened(db: &impl ConnectionTrait, actor: &Actor, pilot: &pilot::Model, door: Door) {
    if is_audited(actor, pilot) {
        write(
            db,
            actor,
            PILOT_READ,
            pilot,
            json!({ "door": door.as_str() }),
        )
        .await;
    }
}

/// Records that the actor read a revision of the pilot's report through `door`, when it is a
/// draft and [`is_audited`] says so of the pilot (a published revision is read with its pilot,
/// which [`opened`] covers). The entry is about the pilot, so its host reads it with the rest.
pub async fn opened_report(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot: &pilot::Model,
    revision: &report_revision::Model,
    door: Door,
) {
    if revision.status == RevisionStatus::Draft && is_audited(actor, pilot) {
        let detail = json!({ "door": door.as_str(), "revision": revision.revision });
        write(db, actor, REPORT_READ, pilot, detail).await;
    }
}

/// Writes the entry, with the organisations the reader belonged to then (so the host sees
/// which trust read it, whatever their memberships become); a failure is logged, not raised.
async fn write(
    db: &impl ConnectionTrait,
    actor: &Actor,
    action: &str,
    pilot: &pilot::Model,
    mut detail: serde_json::Value,
) {
    detail["organisations"] = json!(actor.organisation_ids());
    if let Err(err) = journal::audit(db, actor, action, "pilot", pilot.id, detail).await {
        tracing::warn!(
            error = %crate::error::CauseChain(&err),
            pilot = %pilot.id,
            action,
            "could not audit a read; the read goes on"
        );
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use sea_orm::prelude::Uuid;

    use super::*;
    use crate::actor::{Grant, UserActor};
    use crate::model::{
        CareSetting, EntryPoint, EvaluationDesign, EvaluatorKind, OrganisationKind, PilotStatus,
        Role, Specialty,
    };

    fn member_of(organisation_id: Uuid) -> Actor {
        Actor::user(
            UserActor {
                id: Uuid::now_v7(),
                name: "Reader".to_owned(),
                is_administrator: false,
                grants: vec![Grant {
                    organisation_id,
                    organisation_kind: OrganisationKind::NhsTrust,
                    role: Role::Member,
                }],
                token_scope: None,
            },
            EntryPoint::Web,
        )
    }

    fn pilot(host: Uuid, visibility: Visibility, withdrawn: bool) -> pilot::Model {
        let now = Utc::now();
        pilot::Model {
            id: Uuid::now_v7(),
            technology_id: Uuid::now_v7(),
            host_organisation_id: host,
            title: "T".to_owned(),
            problem: "P".to_owned(),
            status: PilotStatus::Live,
            start_date: None,
            end_date: None,
            care_setting: CareSetting::Primary,
            specialty: Specialty::Cardiology,
            population: "P".to_owned(),
            patients: None,
            staff: None,
            funding_source: None,
            cost_gbp: None,
            design: EvaluationDesign::BeforeAfter,
            evaluator_kind: EvaluatorKind::Internal,
            evaluator_name: None,
            contact_name: None,
            contact_email: None,
            visibility,
            published_at: None,
            withdrawn_at: withdrawn.then_some(now),
            withdrawn_reason: None,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn only_outsiders_reading_restricted_pilots_are_audited() {
        let host = Uuid::now_v7();
        let outsider = member_of(Uuid::now_v7());
        let insider = member_of(host);
        for (visibility, withdrawn, audited) in [
            (Visibility::Draft, false, true),
            (Visibility::Nhs, false, true),
            (Visibility::Public, false, false),
            (Visibility::Public, true, true),
        ] {
            let p = pilot(host, visibility, withdrawn);
            assert_eq!(
                is_audited(&outsider, &p),
                audited,
                "{visibility:?} {withdrawn}"
            );
            assert!(!is_audited(&insider, &p), "the host's own members");
            assert!(
                !is_audited(&Actor::system(EntryPoint::Cli), &p),
                "the operator"
            );
            assert!(!is_audited(&Actor::anonymous(EntryPoint::Web), &p));
        }
    }

    #[test]
    fn doors_read_back() {
        for door in [Door::Page, Door::Graphql, Door::Download] {
            assert_eq!(Door::from_str_value(door.as_str()), Some(door));
        }
        assert_eq!(Door::from_str_value("Page"), None);
    }
}
