use async_graphql::{Context, ID, Object, Result};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::Organisation;
use crate::actor::{Actor, Principal};
use crate::graphql::enums::{MembershipSource, Role, TokenScope};
use crate::graphql::errors::to_graphql;
use crate::model::{api_token, invitation, membership, organisation};
use crate::service::{accounts, tokens};

/// Who is asking: anonymous, or a signed-in user with their memberships.
#[derive(Debug)]
pub struct Viewer;

/// A role held at an organisation.
#[derive(Debug)]
pub struct Membership(pub membership::Model, pub organisation::Model);

#[Object]
impl Membership {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The member.
    async fn user_id(&self) -> ID {
        ID(self.0.user_id.to_string())
    }
    async fn organisation(&self) -> Organisation {
        Organisation(self.1.clone())
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    /// Granted by an administrator, or read from the identity provider's organisation claim.
    async fn source(&self) -> MembershipSource {
        self.0.source.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// An invitation waiting for someone to sign in with its e-mail address.
#[derive(Debug)]
pub struct Invitation(pub invitation::Model);

#[Object]
impl Invitation {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn organisation_id(&self) -> ID {
        ID(self.0.organisation_id.to_string())
    }
    async fn email(&self) -> &str {
        &self.0.email
    }
    async fn role(&self) -> Role {
        self.0.role.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// An API token, without its secret.
#[derive(Debug)]
pub struct ApiToken(pub api_token::Model);

#[Object]
impl ApiToken {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn scope(&self) -> TokenScope {
        self.0.scope.into()
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn expires_at(&self) -> DateTime<Utc> {
        self.0.expires_at
    }
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at
    }
}

#[Object]
impl Viewer {
    /// Whether anyone is signed in.
    async fn signed_in(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(ctx.data::<Actor>()?.user_id().is_some())
    }
    async fn name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(match &ctx.data::<Actor>()?.principal {
            Principal::User(user) => Some(user.name.clone()),
            _ => None,
        })
    }
    async fn is_administrator(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(ctx.data::<Actor>()?.is_administrator())
    }
    /// Whether `nhs` records are open to you.
    async fn reads_nhs_records(&self, ctx: &Context<'_>) -> Result<bool> {
        Ok(ctx.data::<Actor>()?.reads_nhs())
    }
    /// The scope of the API token this request came with, if any.
    async fn token_scope(&self, ctx: &Context<'_>) -> Result<Option<TokenScope>> {
        Ok(match &ctx.data::<Actor>()?.principal {
            Principal::User(user) => user.token_scope.map(Into::into),
            _ => None,
        })
    }
    async fn memberships(&self, ctx: &Context<'_>) -> Result<Vec<Membership>> {
        let Some(user_id) = ctx.data::<Actor>()?.user_id() else {
            return Ok(Vec::new());
        };
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(accounts::memberships_of(db, user_id)
            .await
            .map_err(to_graphql)?
            .into_iter()
            .map(|(m, o)| Membership(m, o))
            .collect())
    }
    /// Your API tokens, newest first.
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let db = ctx.data::<DatabaseConnection>()?;
        Ok(tokens::of_viewer(db, ctx.data::<Actor>()?)
            .await
            .map_err(to_graphql)?
            .into_iter()
            .map(ApiToken)
            .collect())
    }
}
