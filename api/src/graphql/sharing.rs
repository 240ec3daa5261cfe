//! Sharing a pilot before publication with named organisations, whose members then read it as
//! the host's members do, until the sharing ends.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::DatabaseConnection;

use super::errors::parse_id;
use super::pilots::PilotPayload;
use super::types::Organisation;
use crate::actor::Actor;
use crate::service::sharing;

/// An organisation a pilot is shared with.
#[derive(Debug, SimpleObject)]
pub struct PilotShare {
    organisation: Organisation,
    shared_at: DateTime<Utc>,
    /// Who shared it, unless their account is gone.
    shared_by: Option<String>,
}

impl From<sharing::Share> for PilotShare {
    fn from(share: sharing::Share) -> Self {
        Self {
            organisation: Organisation(share.organisation),
            shared_at: share.shared_at,
            shared_by: share.shared_by,
        }
    }
}

#[derive(Debug, Default)]
pub struct SharingMutation;

#[Object]
impl SharingMutation {
    /// Lets the members of an organisation read a pilot of yours before you publish it to
    /// them (its draft report revisions excepted). Audited.
    async fn share_pilot(
        &self,
        ctx: &Context<'_>,
        id: ID,
        organisation_id: ID,
    ) -> Result<PilotPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match (
            parse_id("id", &id),
            parse_id("organisationId", &organisation_id),
        ) {
            (Ok(id), Ok(organisation)) => sharing::share(db, actor, id, organisation).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        PilotPayload::from(result)
    }

    /// Ends a sharing: the organisation's members read the pilot only as anyone else does.
    /// Audited.
    async fn end_pilot_sharing(
        &self,
        ctx: &Context<'_>,
        id: ID,
        organisation_id: ID,
    ) -> Result<PilotPayload> {
        let db = ctx.data::<DatabaseConnection>()?;
        let actor = ctx.data::<Actor>()?;
        let result = match (
            parse_id("id", &id),
            parse_id("organisationId", &organisation_id),
        ) {
            (Ok(id), Ok(organisation)) => sharing::end(db, actor, id, organisation).await,
            (Err(e), _) | (_, Err(e)) => Err(e),
        };
        PilotPayload::from(result)
    }
}
