//! Who is asking, and their API tokens.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use sea_orm::DatabaseConnection;

use super::enums::TokenScope;
use super::errors::{UserError, parse_id, payload};
use super::types::{ApiToken, Viewer};
use crate::actor::Actor;
use crate::service::tokens;

#[derive(Debug, Default)]
pub struct ViewerQuery;

#[Object]
impl ViewerQuery {
    /// You: anonymous, or a signed-in user with your memberships.
    async fn viewer(&self) -> Viewer {
        Viewer
    }
}

#[derive(Debug, SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The secret, to send as `Authorization: Bearer …`. Shown this once and never again.
    token: Option<String>,
    api_token: Option<ApiToken>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, SimpleObject)]
pub struct RevokeApiTokenPayload {
    api_token: Option<ApiToken>,
    user_errors: Vec<UserError>,
}

#[derive(Debug, Default)]
pub struct TokenMutation;

#[Object]
impl TokenMutation {
    /// Creates an API token acting as you, limited to `scope`, expiring after `expiresInDays`.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        name: String,
        #[graphql(default_with = "TokenScope::Read")] scope: TokenScope,
        #[graphql(default = 90)] expires_in_days: i32,
    ) -> Result<CreateApiTokenPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let (created, user_errors) = payload(
            tokens::create(db, actor, &name, scope.into(), i64::from(expires_in_days)).await,
        )?;
        Ok(match created {
            Some(created) => CreateApiTokenPayload {
                token: Some(created.secret),
                api_token: Some(ApiToken(created.token)),
                user_errors,
            },
            None => CreateApiTokenPayload {
                token: None,
                api_token: None,
                user_errors,
            },
        })
    }

    /// Revokes one of your tokens (administrators: anyone's). It stops working at once.
    async fn revoke_api_token(&self, ctx: &Context<'_>, id: ID) -> Result<RevokeApiTokenPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match parse_id("id", &id) {
            Ok(id) => tokens::revoke(db, actor, id).await,
            Err(e) => Err(e),
        };
        let (token, user_errors) = payload(result)?;
        Ok(RevokeApiTokenPayload {
            api_token: token.map(ApiToken),
            user_errors,
        })
    }
}
