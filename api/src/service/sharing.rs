//! Sharing a pilot before publication: evaluators at the host name organisations whose members
//! may then read the pilot (its measures and published report revisions with it) as the
//! host's members do, until the sharing ends. The reading rule itself is in
//! [`access`](super::access); each share and each end is audited, and moves the pilot's
//! search document and its technology's evidence on, as any change of who reads a pilot does.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::pilots::{find_readable, reindex_with_technology};
use super::{access, journal};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult};
use crate::model::{Visibility, organisation, pilot, pilot_share, user};

/// One organisation a pilot is shared with, as its host's members see it.
#[derive(Debug, Clone)]
pub struct Share {
    pub organisation: organisation::Model,
    pub shared_at: DateTime<Utc>,
    /// The name of who shared it, unless their account is gone.
    pub shared_by: Option<String>,
}

/// With whom the pilot is shared, oldest first: for the host's own members; anyone else who
/// may read the pilot sees no one.
pub async fn of_pilot(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_id: Uuid,
) -> ServiceResult<Vec<Share>> {
    find_readable(db, actor, pilot_id).await?;
    Ok(of_pilots(db, actor, [pilot_id])
        .await?
        .remove(&pilot_id)
        .unwrap_or_default())
}

/// With whom each of the pilots is shared, oldest first, for those whose host the actor is a
/// member of ([`access::sharing_visible`]); three statements however many pilots.
pub async fn of_pilots(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<HashMap<Uuid, Vec<Share>>> {
    let shares = pilot_share::Entity::find()
        .filter(pilot_share::Column::PilotId.is_in(pilot_ids))
        .filter(access::sharing_visible(actor))
        .order_by_asc(pilot_share::Column::SharedAt)
        .all(db)
        .await?;
    if shares.is_empty() {
        return Ok(HashMap::new());
    }
    let organisations: HashMap<Uuid, organisation::Model> = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(shares.iter().map(|s| s.organisation_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|o| (o.id, o))
        .collect();
    let people: HashMap<Uuid, String> = user::Entity::find()
        .filter(user::Column::Id.is_in(shares.iter().filter_map(|s| s.shared_by_user_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.name))
        .collect();
    let mut found: HashMap<Uuid, Vec<Share>> = HashMap::new();
    for s in shares {
        let Some(organisation) = organisations.get(&s.organisation_id) else {
            continue;
        };
        found.entry(s.pilot_id).or_default().push(Share {
            organisation: organisation.clone(),
            shared_at: s.shared_at,
            shared_by: s.shared_by_user_id.and_then(|id| people.get(&id)).cloned(),
        });
    }
    Ok(found)
}

/// The pilot and the organisation to share it with or stop sharing it with, once the actor is
/// known to be an evaluator at the host.
async fn parties(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_id: Uuid,
    organisation_id: Uuid,
) -> ServiceResult<(pilot::Model, organisation::Model)> {
    let pilot = find_readable(db, actor, pilot_id).await?;
    access::ensure_evaluator_at(actor, pilot.host_organisation_id)?;
    let organisation = organisation::Entity::find_by_id(organisation_id)
        .one(db)
        .await?
        .ok_or_else(|| {
            ServiceError::field(
                "organisationId",
                ErrorCode::NotFound,
                "No organisation in the registry has that identifier",
            )
        })?;
    Ok((pilot, organisation))
}

async fn is_shared(
    db: &impl ConnectionTrait,
    pilot_id: Uuid,
    organisation_id: Uuid,
) -> ServiceResult<bool> {
    Ok(pilot_share::Entity::find_by_id((pilot_id, organisation_id))
        .one(db)
        .await?
        .is_some())
}

/// Lets the members of `organisation_id` read the pilot before it is published to them.
#[tracing::instrument(skip_all)]
pub async fn share(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    pilot_id: Uuid,
    organisation_id: Uuid,
) -> ServiceResult<pilot::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let (pilot, organisation) = parties(&txn, actor, pilot_id, organisation_id).await?;
    let refuse = |message: String| {
        Err(ServiceError::field(
            "organisationId",
            ErrorCode::NotAllowed,
            message,
        ))
    };
    if pilot.withdrawn_at.is_some() {
        return refuse(
            "This pilot was withdrawn by an administrator, so it cannot be shared".into(),
        );
    }
    if pilot.visibility == Visibility::Public {
        return refuse(
            "Everyone can already read this pilot, so there is no need to share it".into(),
        );
    }
    if organisation.id == pilot.host_organisation_id {
        return refuse(format!(
            "This is the pilot's own organisation: the members of {} already read it",
            organisation.name
        ));
    }
    if is_shared(&txn, pilot_id, organisation_id).await? {
        return refuse(format!(
            "The pilot is already shared with {}",
            organisation.name
        ));
    }
    pilot_share::Entity::insert(pilot_share::ActiveModel {
        pilot_id: Set(pilot_id),
        organisation_id: Set(organisation_id),
        shared_by_user_id: Set(actor.user_id()),
        shared_at: Set(Utc::now()),
    })
    .exec_without_returning(&txn)
    .await?;
    journal::audit(
        &txn,
        actor,
        "pilot.share",
        "pilot",
        pilot_id,
        json!({ "organisationId": organisation.id, "organisation": organisation.name }),
    )
    .await?;
    reindex_with_technology(&txn, pilot_id, pilot.technology_id).await?;
    txn.commit().await?;
    Ok(pilot)
}

/// Ends a sharing: the organisation's members read the pilot only as anyone outside the host
/// does.
#[tracing::instrument(skip_all)]
pub async fn end(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    pilot_id: Uuid,
    organisation_id: Uuid,
) -> ServiceResult<pilot::Model> {
    access::ensure_can_write(actor)?;
    let txn = crate::db::begin_write(db).await?;
    let (pilot, organisation) = parties(&txn, actor, pilot_id, organisation_id).await?;
    let removed = pilot_share::Entity::delete_by_id((pilot_id, organisation_id))
        .exec(&txn)
        .await?;
    if removed.rows_affected == 0 {
        return Err(ServiceError::field(
            "organisationId",
            ErrorCode::NotFound,
            format!("The pilot is not shared with {}", organisation.name),
        ));
    }
    journal::audit(
        &txn,
        actor,
        "pilot.share_end",
        "pilot",
        pilot_id,
        json!({ "organisationId": organisation.id, "organisation": organisation.name }),
    )
    .await?;
    reindex_with_technology(&txn, pilot_id, pilot.technology_id).await?;
    txn.commit().await?;
    Ok(pilot)
}

/// The pilots among `pilot_ids` shared with any of the actor's organisations.
pub async fn shared_with_actor(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<HashSet<Uuid>> {
    let own = actor.organisation_ids();
    if own.is_empty() {
        return Ok(HashSet::new());
    }
    Ok(pilot_share::Entity::find()
        .filter(pilot_share::Column::PilotId.is_in(pilot_ids))
        .filter(pilot_share::Column::OrganisationId.is_in(own))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.pilot_id)
        .collect())
}

/// The organisations each of `pilot_ids` is shared with, for their search documents.
pub(crate) async fn organisations_of(
    db: &impl ConnectionTrait,
    pilot_ids: Vec<Uuid>,
) -> Result<HashMap<Uuid, Vec<Uuid>>, DbErr> {
    let mut shared: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for s in pilot_share::Entity::find()
        .filter(pilot_share::Column::PilotId.is_in(pilot_ids))
        .all(db)
        .await?
    {
        shared
            .entry(s.pilot_id)
            .or_default()
            .push(s.organisation_id);
    }
    Ok(shared)
}

/// The draft pilots other organisations shared with the actor's, newest first (at most 100).
pub async fn drafts_shared_with(
    db: &impl ConnectionTrait,
    actor: &Actor,
) -> ServiceResult<Vec<pilot::Model>> {
    let own = actor.organisation_ids();
    if own.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = pilot_share::Entity::find()
        .filter(pilot_share::Column::OrganisationId.is_in(own))
        .all(db)
        .await?
        .into_iter()
        .map(|s| s.pilot_id)
        .collect();
    let mut pilots = super::pilots::get_many(db, actor, ids).await?;
    pilots.retain(|p| p.visibility == Visibility::Draft);
    pilots.sort_by_key(|p| std::cmp::Reverse(p.updated_at));
    pilots.truncate(100);
    Ok(pilots)
}
