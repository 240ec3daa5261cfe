//! Who may see and change what: the roles and visibility rules of the registry, written once.
//!
//! - Pilots (and their measures and published reports) are readable when they are `public`, when
//!   they are `nhs` and the actor reads NHS records, or by the host organisation's own members
//!   whatever their state. Administrators also see every non-draft record, withdrawn ones
//!   included, to moderate them. Nobody outside the host organisation sees a draft.
//! - Technologies are readable unless withdrawn; withdrawn ones only by their supplier's members
//!   and administrators.
//! - Evaluators at the host organisation change its pilots, measures and reports; innovators at
//!   the supplier change its technologies; administrators manage organisations, the metric
//!   catalogue and memberships, and withdraw records.

use sea_orm::sea_query::{Condition, Expr};
use sea_orm::{ColumnTrait, prelude::Uuid};

use crate::actor::{Actor, Principal};
use crate::error::{ServiceError, ServiceResult};
use crate::model::{Role, Visibility, pilot, technology};

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

pub fn can_read_pilot(actor: &Actor, pilot: &pilot::Model) -> bool {
    if actor.is_system() || actor.belongs_to(pilot.host_organisation_id) {
        return true;
    }
    if actor.is_administrator() && pilot.visibility != Visibility::Draft {
        return true;
    }
    pilot.withdrawn_at.is_none()
        && match pilot.visibility {
            Visibility::Public => true,
            Visibility::Nhs => actor.reads_nhs(),
            Visibility::Draft => false,
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
        readable = readable.add(pilot::Column::HostOrganisationId.is_in(own));
    }
    if actor.is_administrator() {
        readable = readable.add(pilot::Column::Visibility.ne(Visibility::Draft));
    }
    readable
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

/// A condition that is never true, for actors who may see nothing of a kind.
pub fn nothing() -> Condition {
    Condition::all().add(Expr::value(false))
}
