//! Who may see and change what: the roles and visibility rules of the registry, written once.
//!
//! - Pilots (and their measures and published reports) are readable when they are `public`, when
//!   they are `nhs` and the actor reads NHS records, or by the host organisation's own members
//!   whatever their state. Administrators also see every non-draft record, withdrawn ones
//!   included, to moderate them. Nobody outside the host organisation sees a draft, unless
//!   the host shared it with their organisation (`pilot_shares`): the members of an
//!   organisation a pilot is shared with read it as the host's do while it is not withdrawn,
//!   its draft report revisions excepted.
//! - Technologies are readable unless withdrawn; withdrawn ones only by their supplier's members
//!   and administrators.
//! - Aggregates (comparisons and their pooled figures) are of readable pilots that are not
//!   withdrawn: a moderator withdraws a pilot so that its figures stop counting, even for the
//!   host and the administrators who may still read it.
//! - Report revisions are readable with their pilot when published; drafts only by the host
//!   organisation's own members.
//! - Revisions of a pilot or technology are readable with the record, and a pilot's only where
//!   the pilot, at the visibility it had when the revision was made, would be: a draft's
//!   revisions by the host organisation's own members, `nhs` ones by NHS readers.
//! - A saved comparison is readable by whoever saved it, and by anyone who may read every input
//!   it still has (inputs withdrawn since are shown as withdrawn, to those who could read them).
//! - Search carries the same rules as tokens: each document holds the tokens of those who may
//!   read its record ([`pilot_tokens`], [`technology_tokens`]) and each viewer holds its own
//!   ([`viewer_tokens`]); a viewer finds a document when they share one.
//! - Evaluators at the host organisation change its pilots, measures and reports; innovators at
//!   the supplier change its technologies; administrators manage organisations, the metric
//!   catalogue and memberships, and withdraw records.
//! - The audit log is read whole by administrators; an organisation's members read the entries
//!   about its own records (its pilots with their measures and reports, its technologies, the
//!   organisation itself), reads of them by others included ([`readable_audit_entries`]).

use std::collections::BTreeSet;

use sea_orm::sea_query::{Condition, Expr, Query, SelectStatement};
use sea_orm::{ColumnTrait, prelude::Uuid};

use crate::actor::{Actor, Principal};
use crate::error::{ServiceError, ServiceResult};
use crate::model::{
    RecordKind, RevisionStatus, Role, Visibility, audit_log, pilot, pilot_measure, pilot_share,
    record_revision, report_revision, technology,
};

/// Fails unless someone is signed in with a credential that allows changes.
pub fn ensure_can_write(actor: &Actor) -> ServiceResult<()> {
    match actor.principal {
        Principal::Anonymous => Err(ServiceError::Unauthenticated),
        _ if !actor.may_write() => Err(ServiceError::Forbidden(
            "make changes with a read-only token",
        )),
        _ => Ok(()),
    }
}

pub fn ensure_administrator(actor: &Actor, action: &'static str) -> ServiceResult<()> {
    ensure_can_write(actor)?;
    if actor.is_administrator() {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(action))
    }
}

/// Evaluators at the host organisation edit its pilots, measures and reports.
pub fn ensure_evaluator_at(actor: &Actor, host_organisation_id: Uuid) -> ServiceResult<()> {
    ensure_can_write(actor)?;
    if actor.is_system() || actor.has_role(host_organisation_id, Role::Evaluator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "change pilots of an organisation where you are not an evaluator",
        ))
    }
}

/// Innovators at the supplier (and administrators) edit its technologies.
pub fn ensure_innovator_at(actor: &Actor, supplier_id: Uuid) -> ServiceResult<()> {
    ensure_can_write(actor)?;
    if actor.is_administrator() || actor.has_role(supplier_id, Role::Innovator) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(
            "change technologies of a supplier where you are not an innovator",
        ))
    }
}

/// Whether the actor may read the pilot; `shared` says whether it is shared with one of the
/// actor's organisations.
pub fn can_read_pilot(actor: &Actor, pilot: &pilot::Model, shared: bool) -> bool {
    pilot.withdrawn_at.is_none() && (shared || can_read_published(actor, pilot))
        || can_read_withdrawn(actor, pilot)
}

/// Whether the actor may read the pilot setting aside any withdrawal: who sees a withdrawn
/// pilot's tombstone where it once stood (in a saved comparison, say).
pub fn can_read_unless_withdrawn(actor: &Actor, pilot: &pilot::Model, shared: bool) -> bool {
    shared || can_read_published(actor, pilot) || can_read_withdrawn(actor, pilot)
}

/// The pilots shared with any of `organisations`, as a subquery.
fn shared_with(organisations: BTreeSet<Uuid>) -> SelectStatement {
    Query::select()
        .column(pilot_share::Column::PilotId)
        .from(pilot_share::Entity)
        .and_where(pilot_share::Column::OrganisationId.is_in(organisations))
        .to_owned()
}

/// Which shares the actor sees, as a condition on `pilot_shares`: with whom a pilot is shared
/// is its host's own members' business.
pub fn sharing_visible(actor: &Actor) -> Condition {
    if actor.is_system() {
        return Condition::all();
    }
    let own = actor.organisation_ids();
    if own.is_empty() {
        return nothing();
    }
    let own_pilots = Query::select()
        .column(pilot::Column::Id)
        .from(pilot::Entity)
        .and_where(pilot::Column::HostOrganisationId.is_in(own))
        .to_owned();
    Condition::all().add(pilot_share::Column::PilotId.in_subquery(own_pilots))
}

fn can_read_published(actor: &Actor, pilot: &pilot::Model) -> bool {
    match pilot.visibility {
        Visibility::Public => true,
        Visibility::Nhs => actor.reads_nhs(),
        Visibility::Draft => false,
    }
}

/// Host members and administrators read a pilot whatever its state: withdrawn ones too
/// (administrators only those ever published, since nobody outside the host sees a draft).
fn can_read_withdrawn(actor: &Actor, pilot: &pilot::Model) -> bool {
    actor.is_system()
        || actor.belongs_to(pilot.host_organisation_id)
        || actor.is_administrator() && pilot.visibility != Visibility::Draft
}

/// Everything [`readable_pilots`] asks of an actor: two actors with the same audience read the
/// same pilots, so what is worked out from the pilots one may read can be kept for the other.
/// It changes with that function.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Audience {
    system: bool,
    nhs: bool,
    administrator: bool,
    organisations: BTreeSet<Uuid>,
}

pub fn audience(actor: &Actor) -> Audience {
    Audience {
        system: actor.is_system(),
        nhs: actor.reads_nhs(),
        administrator: actor.is_administrator(),
        organisations: actor.organisation_ids(),
    }
}

/// The same rule as [`can_read_pilot`], as a condition for lists, counts and aggregates.
pub fn readable_pilots(actor: &Actor) -> Condition {
    if actor.is_system() {
        return Condition::all();
    }
    let mut open = Condition::any().add(pilot::Column::Visibility.eq(Visibility::Public));
    if actor.reads_nhs() {
        open = open.add(pilot::Column::Visibility.eq(Visibility::Nhs));
    }
    let mut readable = Condition::any().add(
        Condition::all()
            .add(pilot::Column::WithdrawnAt.is_null())
            .add(open),
    );
    let own = actor.organisation_ids();
    if !own.is_empty() {
        readable = readable
            .add(pilot::Column::HostOrganisationId.is_in(own.clone()))
            .add(
                Condition::all()
                    .add(pilot::Column::WithdrawnAt.is_null())
                    .add(pilot::Column::Id.in_subquery(shared_with(own))),
            );
    }
    if actor.is_administrator() {
        readable = readable.add(pilot::Column::Visibility.ne(Visibility::Draft));
    }
    readable
}

/// The subquery of the pilots among `ids` that the actor may read. Narrowing to the ids first
/// keeps it cheap: the readable pilots altogether can be many thousands.
pub fn readable_among(actor: &Actor, ids: Vec<Uuid>) -> SelectStatement {
    Query::select()
        .column(pilot::Column::Id)
        .from(pilot::Entity)
        .and_where(pilot::Column::Id.is_in(ids))
        .cond_where(readable_pilots(actor))
        .to_owned()
}

/// Which revisions of readable pilots' reports the actor may read, as a condition: published
/// ones, and drafts only for the host organisation's own members.
pub fn readable_revisions(actor: &Actor) -> Condition {
    if actor.is_system() {
        return Condition::all();
    }
    let own_pilots = Query::select()
        .column(pilot::Column::Id)
        .from(pilot::Entity)
        .and_where(pilot::Column::HostOrganisationId.is_in(actor.organisation_ids()))
        .to_owned();
    Condition::any()
        .add(report_revision::Column::Status.eq(RevisionStatus::Published))
        .add(report_revision::Column::PilotId.in_subquery(own_pilots))
}

/// Which revisions of the pilots among `ids` the actor may read, as a condition on
/// `record_revisions`: [`readable_pilots`] for the pilot as it is now, and [`can_read_pilot`]'s
/// visibility rule for the visibility it had when each revision was made (its withdrawal is
/// the pilot's own state, already covered). So what was only ever shown to the host, or to the
/// NHS, stays so in the history of a pilot published since.
pub fn readable_pilot_revisions(actor: &Actor, ids: Vec<Uuid>) -> Condition {
    let of_readable = Condition::all()
        .add(record_revision::Column::RecordKind.eq(RecordKind::Pilot))
        .add(record_revision::Column::RecordId.is_in(ids.clone()))
        .add(record_revision::Column::RecordId.in_subquery(readable_among(actor, ids)));
    if actor.is_system() {
        return of_readable;
    }
    let visibility = record_revision::Column::Visibility;
    let mut open = Condition::any().add(visibility.eq(Visibility::Public));
    if actor.reads_nhs() {
        open = open.add(visibility.eq(Visibility::Nhs));
    }
    if actor.is_administrator() {
        open = open.add(visibility.ne(Visibility::Draft));
    }
    let own = actor.organisation_ids();
    if !own.is_empty() {
        let own_pilots = Query::select()
            .column(pilot::Column::Id)
            .from(pilot::Entity)
            .and_where(pilot::Column::HostOrganisationId.is_in(own.clone()))
            .to_owned();
        open = open
            .add(record_revision::Column::RecordId.in_subquery(own_pilots))
            .add(record_revision::Column::RecordId.in_subquery(shared_with(own)));
    }
    of_readable.add(open)
}

/// Which revisions of the technologies among `ids` the actor may read, as a condition on
/// `record_revisions`: all of those they may read ([`readable_technologies`]).
pub fn readable_technology_revisions(actor: &Actor, ids: Vec<Uuid>) -> Condition {
    let readable = Query::select()
        .column(technology::Column::Id)
        .from(technology::Entity)
        .and_where(technology::Column::Id.is_in(ids.clone()))
        .cond_where(readable_technologies(actor))
        .to_owned();
    Condition::all()
        .add(record_revision::Column::RecordKind.eq(RecordKind::Technology))
        .add(record_revision::Column::RecordId.is_in(ids))
        .add(record_revision::Column::RecordId.in_subquery(readable))
}

/// Whether the actor may read a saved comparison, given whether they may read each input's
/// pilot (one withdrawn since: [`can_read_unless_withdrawn`]): whoever saved it always may,
/// since it is theirs (inputs they can no longer read are hidden from them); anyone else only
/// when every input is readable to them, as the pooled figures say something of each.
pub fn can_read_comparison(
    actor: &Actor,
    saved_by: Uuid,
    inputs_readable: impl IntoIterator<Item = bool>,
) -> bool {
    actor.is_system()
        || actor.user_id() == Some(saved_by)
        || inputs_readable.into_iter().all(|readable| readable)
}

/// The token every document carries for the operator, who reads everything.
const SYSTEM: &str = "system";
const PUBLIC: &str = "public";
const NHS: &str = "nhs";
const ADMINISTRATOR: &str = "admin";

fn member_of(organisation_id: Uuid) -> String {
    format!("org:{organisation_id}")
}

/// The search tokens a viewer holds: a document whose record they may read holds one of them.
pub fn viewer_tokens(actor: &Actor) -> Vec<String> {
    let mut tokens = vec![PUBLIC.to_owned()];
    if actor.reads_nhs() {
        tokens.push(NHS.to_owned());
    }
    if actor.is_administrator() {
        tokens.push(ADMINISTRATOR.to_owned());
    }
    if actor.is_system() {
        tokens.push(SYSTEM.to_owned());
    }
    tokens.extend(actor.organisation_ids().into_iter().map(member_of));
    tokens
}

/// The search tokens of a pilot's document: [`can_read_pilot`] as tokens, given the
/// organisations the pilot is shared with.
pub fn pilot_tokens(pilot: &pilot::Model, shared_with: &[Uuid]) -> Vec<String> {
    let mut tokens = vec![SYSTEM.to_owned(), member_of(pilot.host_organisation_id)];
    if pilot.visibility != Visibility::Draft {
        tokens.push(ADMINISTRATOR.to_owned());
    }
    if pilot.withdrawn_at.is_none() {
        tokens.extend(shared_with.iter().copied().map(member_of));
        match pilot.visibility {
            Visibility::Public => tokens.push(PUBLIC.to_owned()),
            Visibility::Nhs => tokens.push(NHS.to_owned()),
            Visibility::Draft => {}
        }
    }
    tokens
}

/// The search tokens of a technology's document: [`can_read_technology`] as tokens.
pub fn technology_tokens(technology: &technology::Model) -> Vec<String> {
    let mut tokens = vec![
        SYSTEM.to_owned(),
        ADMINISTRATOR.to_owned(),
        member_of(technology.supplier_id),
    ];
    if technology.withdrawn_at.is_none() {
        tokens.push(PUBLIC.to_owned());
    }
    tokens
}

/// The pilots an aggregate may count, among those readable: none withdrawn.
pub fn comparable_pilots() -> Condition {
    Condition::all().add(pilot::Column::WithdrawnAt.is_null())
}

/// Whether the actor sees a pilot's named contact: NHS users only.
pub fn can_see_contacts(actor: &Actor) -> bool {
    actor.is_system() || actor.reads_nhs()
}

pub fn can_read_technology(actor: &Actor, technology: &technology::Model) -> bool {
    technology.withdrawn_at.is_none()
        || actor.is_administrator()
        || actor.belongs_to(technology.supplier_id)
}

/// The same rule as [`can_read_technology`], for lists and counts.
pub fn readable_technologies(actor: &Actor) -> Condition {
    if actor.is_administrator() {
        return Condition::all();
    }
    let mut readable = Condition::any().add(technology::Column::WithdrawnAt.is_null());
    let own = actor.organisation_ids();
    if !own.is_empty() {
        readable = readable.add(technology::Column::SupplierId.is_in(own));
    }
    readable
}

/// Which audit entries the actor may read, as a condition on `audit_log`: every one for
/// administrators; for an organisation's members, those about its own records. The kinds are
/// the `entity_kind`s the services write (see `journal::audit`).
pub fn readable_audit_entries(actor: &Actor) -> Condition {
    if actor.is_administrator() {
        return Condition::all();
    }
    let own = actor.organisation_ids();
    if own.is_empty() {
        return nothing();
    }
    let own_pilots = Query::select()
        .column(pilot::Column::Id)
        .from(pilot::Entity)
        .and_where(pilot::Column::HostOrganisationId.is_in(own.clone()))
        .to_owned();
    let own_measures = Query::select()
        .column(pilot_measure::Column::Id)
        .from(pilot_measure::Entity)
        .and_where(pilot_measure::Column::PilotId.in_subquery(own_pilots.clone()))
        .to_owned();
    let own_revisions = Query::select()
        .column(report_revision::Column::Id)
        .from(report_revision::Entity)
        .and_where(report_revision::Column::PilotId.in_subquery(own_pilots.clone()))
        .to_owned();
    let own_technologies = Query::select()
        .column(technology::Column::Id)
        .from(technology::Entity)
        .and_where(technology::Column::SupplierId.is_in(own.clone()))
        .to_owned();
    let about = |kind: &str, ids: SelectStatement| {
        Condition::all()
            .add(audit_log::Column::EntityKind.eq(kind))
            .add(audit_log::Column::EntityId.in_subquery(ids))
    };
    Condition::any()
        .add(about("pilot", own_pilots.clone()))
        .add(about("pilot_measure", own_measures))
        .add(about("report_revision", own_revisions))
        .add(about("technology", own_technologies))
        .add(
            Condition::all()
                .add(audit_log::Column::EntityKind.eq("organisation"))
                .add(audit_log::Column::EntityId.is_in(own)),
        )
}

/// Whether the actor may read who opened a pilot and when: its host organisation's members
/// and administrators, as [`readable_audit_entries`] has it.
pub fn can_read_audit_of(actor: &Actor, pilot: &pilot::Model) -> bool {
    actor.is_administrator() || actor.belongs_to(pilot.host_organisation_id)
}

/// A condition that is never true, for actors who may see nothing of a kind.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::value(false))
}

#[cfg(test)]
mod tests {
    use chrono::Utc;

    use super::*;
    use crate::actor::{Grant, UserActor};
    use crate::model::{
        CareSetting, DeviceClass, EntryPoint, EvaluationDesign, EvaluatorKind, OrganisationKind,
        PilotStatus, Specialty, TechnologyCategory, TokenScope,
    };

    fn user(grants: &[(Uuid, OrganisationKind, Role)], administrator: bool) -> Actor {
        Actor::user(
            UserActor {
                id: Uuid::now_v7(),
                name: "Test".to_owned(),
                is_administrator: administrator,
                grants: grants
                    .iter()
                    .map(|&(organisation_id, organisation_kind, role)| Grant {
                        organisation_id,
                        organisation_kind,
                        role,
                    })
                    .collect(),
                token_scope: Some(TokenScope::Read),
            },
            EntryPoint::Graphql,
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

    fn shares_a_token(viewer: &[String], document: &[String]) -> bool {
        viewer.iter().any(|t| document.contains(t))
    }

    /// The tokens search stores are the reading rule itself, for every actor and record state.
    #[test]
    fn search_tokens_agree_with_the_reading_rule() {
        let host = Uuid::now_v7();
        let other = Uuid::now_v7();
        let supplier = Uuid::now_v7();
        let icb = Uuid::now_v7();
        let actors = [
            Actor::anonymous(EntryPoint::Graphql),
            Actor::system(EntryPoint::Cli),
            user(&[(host, OrganisationKind::NhsTrust, Role::Member)], false),
            user(
                &[(host, OrganisationKind::NhsTrust, Role::Evaluator)],
                false,
            ),
            user(
                &[(other, OrganisationKind::NhsTrust, Role::Evaluator)],
                false,
            ),
            user(
                &[(supplier, OrganisationKind::Supplier, Role::Innovator)],
                false,
            ),
            user(&[(icb, OrganisationKind::Icb, Role::Commissioner)], false),
            user(&[], true),
            user(&[], false),
        ];
        for actor in &actors {
            let viewer = viewer_tokens(actor);
            let own = actor.organisation_ids();
            for visibility in [Visibility::Draft, Visibility::Nhs, Visibility::Public] {
                for withdrawn in [false, true] {
                    for shared_with in [vec![], vec![other], vec![supplier, icb]] {
                        let p = pilot(host, visibility, withdrawn);
                        let shared = shared_with.iter().any(|o| own.contains(o));
                        assert_eq!(
                            shares_a_token(&viewer, &pilot_tokens(&p, &shared_with)),
                            can_read_pilot(actor, &p, shared),
                            "{actor:?} reading a {visibility:?} pilot, withdrawn: {withdrawn}, \
                             shared with {shared_with:?}"
                        );
                    }
                }
            }
            for withdrawn in [false, true] {
                let now = Utc::now();
                let t = technology::Model {
                    id: Uuid::now_v7(),
                    slug: "t".to_owned(),
                    name: "T".to_owned(),
                    supplier_id: supplier,
                    summary: "S".to_owned(),
                    description: "D".to_owned(),
                    category: TechnologyCategory::RemoteMonitoring,
                    device_class: DeviceClass::NotADevice,
                    ukca_marked: false,
                    ce_marked: false,
                    mhra_registered: false,
                    esf_tier: None,
                    withdrawn_at: withdrawn.then_some(now),
                    withdrawn_reason: None,
                    version: 1,
                    evidence_version: 0,
                    created_at: now,
                    updated_at: now,
                };
                assert_eq!(
                    shares_a_token(&viewer, &technology_tokens(&t)),
                    can_read_technology(actor, &t),
                    "{actor:?} reading a technology, withdrawn: {withdrawn}"
                );
            }
        }
    }
}
