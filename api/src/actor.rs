//! Who is asking. Every service call takes an [`Actor`]; the rules of who may read and change
//! what are decided from it in `service::access`, once, for every entry point.

use std::collections::BTreeSet;

use sea_orm::prelude::Uuid;

use crate::model::{EntryPoint, OrganisationKind, Role, TokenScope};

/// One role a user holds at one organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub organisation_id: Uuid,
    pub organisation_kind: OrganisationKind,
    pub role: Role,
}

/// A signed-in user, with everything the access rules need.
#[derive(Debug, Clone)]
pub struct UserActor {
    pub id: Uuid,
    pub name: String,
    pub is_administrator: bool,
    pub grants: Vec<Grant>,
    /// Set when the request came with an API token: what that token allows.
    pub token_scope: Option<TokenScope>,
}

#[derive(Debug, Clone)]
pub enum Principal {
    Anonymous,
    User(UserActor),
    /// The operator at the command line or the demo seeder: trusted, audited as such.
    System,
}

#[derive(Debug, Clone)]
pub struct Actor {
    pub principal: Principal,
    pub entry_point: EntryPoint,
}

impl Actor {
    pub fn anonymous(entry_point: EntryPoint) -> Self {
        Self {
            principal: Principal::Anonymous,
            entry_point,
        }
    }

    pub fn system(entry_point: EntryPoint) -> Self {
        Self {
            principal: Principal::System,
            entry_point,
        }
    }

    pub fn user(user: UserActor, entry_point: EntryPoint) -> Self {
        Self {
            principal: Principal::User(user),
            entry_point,
        }
    }

    pub fn user_id(&self) -> Option<Uuid> {
        match &self.principal {
            Principal::User(user) => Some(user.id),
            _ => None,
        }
    }

    /// How the audit log names this actor.
    pub fn label(&self) -> String {
        match &self.principal {
            Principal::Anonymous => "anonymous".to_owned(),
            Principal::User(user) => user.name.clone(),
            Principal::System => format!("system ({})", self.entry_point.label()),
        }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.principal, Principal::System)
    }

    pub fn is_administrator(&self) -> bool {
        match &self.principal {
            Principal::User(user) => user.is_administrator,
            Principal::System => true,
            Principal::Anonymous => false,
        }
    }

    fn grants(&self) -> &[Grant] {
        match &self.principal {
            Principal::User(user) => &user.grants,
            _ => &[],
        }
    }

    /// The organisations the actor belongs to, in any role.
    pub fn organisation_ids(&self) -> BTreeSet<Uuid> {
        self.grants().iter().map(|g| g.organisation_id).collect()
    }

    pub fn belongs_to(&self, organisation_id: Uuid) -> bool {
        self.grants()
            .iter()
            .any(|g| g.organisation_id == organisation_id)
    }

    pub fn has_role(&self, organisation_id: Uuid, role: Role) -> bool {
        self.grants()
            .iter()
            .any(|g| g.organisation_id == organisation_id && g.role == role)
    }

    pub fn is_commissioner(&self) -> bool {
        self.grants().iter().any(|g| g.role == Role::Commissioner)
    }

    /// Whether `nhs` records are open to this actor: members of NHS organisations,
    /// commissioners and administrators.
    pub fn reads_nhs(&self) -> bool {
        self.is_administrator()
            || self.is_commissioner()
            || self.grants().iter().any(|g| g.organisation_kind.is_nhs())
    }

    /// Whether the credential used allows changes (a read-only API token does not).
    pub fn may_write(&self) -> bool {
        match &self.principal {
            Principal::User(user) => user.token_scope != Some(TokenScope::Read),
            Principal::System => true,
            Principal::Anonymous => false,
        }
    }
}
