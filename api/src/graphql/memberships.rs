//! Administrators' mutations over memberships: invite, change a role, remove. The service
//! checks the rights and audits every change.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use super::enums::Role;
use super::errors::{UserError, parse_id, payload};
use super::types::{Invitation, Membership};
use crate::actor::Actor;
use crate::service::memberships;

#[derive(Debug, SimpleObject)]
pub struct InviteMemberPayload {
    /// The invitation: it becomes a membership when someone signs in with that address,
    /// verified by the identity provider.
    invitation: Option<Invitation>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, SimpleObject)]
pub struct SetMembershipRolePayload {
    membership: Option<Membership>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, SimpleObject)]
pub struct RemoveMembershipPayload {
    removed_membership_id: Option<ID>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub struct MembershipMutation;

#[Object]
impl MembershipMutation {
    /// Invites the person who signs in with `email` (verified by the identity provider) to
    /// `role` at an organisation (administrators only).
    async fn invite_member(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        email: String,
        role: Role,
    ) -> Result<InviteMemberPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("organisationId", &organisation_id) {
            Ok(id) => memberships::invite(db, actor, id, &email, role.into()).await,
            Err(e) => Err(e),
        };
        let (invited, user_errors) = payload(result)?;
        Ok(InviteMemberPayload {
            invitation: invited.map(Invitation),
            user_errors,
        })
    }

    /// Changes a membership's role (administrators only).
    async fn set_membership_role(
        &self,
        ctx: &Context<'_>,
        membership_id: ID,
        role: Role,
    ) -> Result<SetMembershipRolePayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("membershipId", &membership_id) {
            Ok(id) => memberships::set_role(db, actor, id, role.into()).await,
            Err(e) => Err(e),
        };
        let (held, user_errors) = payload(result)?;
        Ok(SetMembershipRolePayload {
            membership: held.map(|(m, o)| Membership(m, o)),
            user_errors,
        })
    }

    /// Ends a membership (administrators only).
    async fn remove_membership(
        &self,
        ctx: &Context<'_>,
        membership_id: ID,
    ) -> Result<RemoveMembershipPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("membershipId", &membership_id) {
            Ok(id) => memberships::revoke(db, actor, id).await.map(|()| id),
            Err(e) => Err(e),
        };
        let (removed, user_errors) = payload(result)?;
        Ok(RemoveMembershipPayload {
            removed_membership_id: removed.map(|id| ID(id.to_string())),
            user_errors,
        })
    }
}
