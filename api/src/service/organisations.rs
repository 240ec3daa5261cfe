//! Organisations: trusts, ICBs, GP practices, PCNs, suppliers and the rest. Their details are
//! public; administrators maintain them.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession,
    TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::check::Check;
use super::{
    Page, PageRequest, access, ensure_version, journal, page_of, page_sorted, update_versioned,
};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{OrganisationKind, Region, organisation, values::OdsCode};

#[derive(Debug, Clone)]
pub struct OrganisationInput {
    pub name: String,
    pub kind: OrganisationKind,
    pub ods_code: Option<String>,
    pub region: Option<Region>,
    /// The integrated care board this organisation sits under.
    pub parent_icb_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct OrganisationFilter {
    pub kind: Option<OrganisationKind>,
    pub region: Option<Region>,
    pub parent_icb_id: Option<Uuid>,
}

struct ValidOrganisation {
    name: String,
    ods_code: Option<String>,
}

async fn validate(
    db: &impl ConnectionTrait,
    input: &OrganisationInput,
    own_id: Option<Uuid>,
) -> ServiceResult<ValidOrganisation> {
    let mut check = Check::new();
    let name = check.text("name", "the organisation's name", &input.name, 200);
    let ods_code = input
        .ods_code
        .as_deref()
        .filter(|code| !code.trim().is_empty())
        .and_then(|code| check.take(OdsCode::parse("odsCode", code)))
        .map(OdsCode::into_inner);
    if let Some(code) = &ods_code
        && let Some(holder) = organisation::Entity::find()
            .filter(organisation::Column::OdsCode.eq(code.as_str()))
            .one(db)
            .await?
        && Some(holder.id) != own_id
    {
        check.fail(
            "odsCode",
            ErrorCode::Taken,
            format!("{ODS_TAKEN}: {}", holder.name),
        );
    }
    if let Some(parent_id) = input.parent_icb_id {
        if Some(parent_id) == own_id {
            check.fail(
                "parentIcbId",
                ErrorCode::Invalid,
                "An organisation cannot be its own ICB",
            );
        } else {
            match organisation::Entity::find_by_id(parent_id).one(db).await? {
                None => check.fail(
                    "parentIcbId",
                    ErrorCode::NotFound,
                    "There is no organisation with that id",
                ),
                Some(parent) if parent.kind != OrganisationKind::Icb => check.fail(
                    "parentIcbId",
                    ErrorCode::Invalid,
                    format!("{} is not an integrated care board", parent.name),
                ),
                Some(_) => {}
            }
        }
    }
    check.finish()?;
    Ok(ValidOrganisation { name, ods_code })
}

const ODS_TAKEN: &str = "Another organisation already has this ODS code";

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: OrganisationInput,
) -> ServiceResult<organisation::Model> {
    access::ensure_administrator(actor, "register organisations")?;
    let txn = crate::db::begin_write(db).await?;
    let valid = validate(&txn, &input, None).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let model = organisation::ActiveModel {
        id: Set(id),
        name: Set(valid.name),
        kind: Set(input.kind),
        ods_code: Set(valid.ods_code),
        region: Set(input.region),
        parent_icb_id: Set(input.parent_icb_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    organisation::Entity::insert(model)
        .exec_without_returning(&txn)
        .await
        .map_err(|e| on_unique(e, "odsCode", ODS_TAKEN))?;
    journal::audit(
        &txn,
        actor,
        "organisation.create",
        "organisation",
        id,
        json!({}),
    )
    .await?;
    let created = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))?;
    txn.commit().await?;
    Ok(created)
}

/// Checks a new organisation (`existing` of `None`) or a change to one without writing
/// anything: the same rules, rights first, as [`create`] and [`update`] apply, for a form's
/// "check your answers" step.
pub async fn check(
    db: &impl ConnectionTrait,
    actor: &Actor,
    existing: Option<Uuid>,
    input: &OrganisationInput,
) -> ServiceResult<()> {
    access::ensure_administrator(actor, "change organisations")?;
    validate(db, input, existing).await.map(|_| ())
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: OrganisationInput,
) -> ServiceResult<organisation::Model> {
    access::ensure_administrator(actor, "change organisations")?;
    let txn = crate::db::begin_write(db).await?;
    let current = organisation::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))?;
    ensure_version(current.version, version, "organisation")?;
    let valid = validate(&txn, &input, Some(id)).await?;
    let updated = update_versioned(
        &txn,
        organisation::ActiveModel {
            id: Set(id),
            name: Set(valid.name),
            kind: Set(input.kind),
            ods_code: Set(valid.ods_code),
            region: Set(input.region),
            parent_icb_id: Set(input.parent_icb_id),
            updated_at: Set(Utc::now()),
            ..Default::default()
        },
        version,
        "organisation",
        |e| on_unique(e, "odsCode", ODS_TAKEN),
    )
    .await?;
    journal::audit(
        &txn,
        actor,
        "organisation.update",
        "organisation",
        id,
        json!({}),
    )
    .await?;
    txn.commit().await?;
    Ok(updated)
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<organisation::Model> {
    organisation::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("organisation"))
}

pub async fn find_by_ods_code(
    db: &impl ConnectionTrait,
    ods_code: &str,
) -> ServiceResult<Option<organisation::Model>> {
    let Ok(code) = OdsCode::parse("odsCode", ods_code) else {
        return Ok(None);
    };
    Ok(organisation::Entity::find()
        .filter(organisation::Column::OdsCode.eq(code.into_inner()))
        .one(db)
        .await?)
}

pub async fn get_many(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<organisation::Model>> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

fn filtered(filter: &OrganisationFilter) -> sea_orm::Select<organisation::Entity> {
    let mut select = organisation::Entity::find();
    if let Some(kind) = filter.kind {
        select = select.filter(organisation::Column::Kind.eq(kind));
    }
    if let Some(region) = filter.region {
        select = select.filter(organisation::Column::Region.eq(region));
    }
    if let Some(parent) = filter.parent_icb_id {
        select = select.filter(organisation::Column::ParentIcbId.eq(parent));
    }
    select
}

#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    page: PageRequest,
) -> ServiceResult<Page<organisation::Model>> {
    page_of(db, filtered(filter), organisation::Column::Id, page).await
}

/// One page of the organisations the filter selects, by name (for directories of them).
#[tracing::instrument(skip_all)]
pub async fn list_by_name(
    db: &impl ConnectionTrait,
    filter: &OrganisationFilter,
    page: PageRequest,
) -> ServiceResult<Page<organisation::Model>> {
    page_sorted(
        db,
        filtered(filter),
        &[(organisation::Column::Name, false)],
        (organisation::Column::Id, false),
        page,
    )
    .await
}
