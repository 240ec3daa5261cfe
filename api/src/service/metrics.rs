//! The shared metric catalogue, so outcomes are comparable across trusts. Public to read;
//! administrators curate it.

use chrono::Utc;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    TransactionSession, TransactionTrait, prelude::Uuid,
};
use serde_json::json;

use super::check::Check;
use super::{access, ensure_version, journal, update_versioned};
use crate::actor::Actor;
use crate::error::{ErrorCode, ServiceError, ServiceResult, on_unique};
use crate::model::{Direction, MetricDomain, MetricKind, MetricUnit, metric};

#[derive(Debug, Clone)]
pub struct MetricInput {
    pub code: String,
    pub name: String,
    pub unit: MetricUnit,
    pub direction: Direction,
    pub domain: MetricDomain,
    pub kind: MetricKind,
    pub definition: String,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
}

struct ValidMetric {
    code: String,
    name: String,
    definition: String,
}

/// Every rule a metric's details obey, the code's uniqueness included (a code taken by another
/// metric than `own_id`), so a form can say so before anything is written.
async fn validate(
    db: &impl ConnectionTrait,
    input: &MetricInput,
    own_id: Option<Uuid>,
) -> ServiceResult<ValidMetric> {
    let mut check = Check::new();
    let code = check
        .text("code", "a code", &input.code, 40)
        .to_ascii_uppercase();
    let shaped = code.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && code
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    if !code.is_empty() && !shaped {
        check.fail(
            "code",
            ErrorCode::Invalid,
            "Code must start with a letter and hold only letters, digits and underscores, like LOS_DAYS",
        );
    }
    let name = check.text("name", "the metric's name", &input.name, 200);
    let definition = check.prose("definition", "a definition", &input.definition, 4000);
    let (unit_min, unit_max) = input.unit.plausible_range();
    for (field, value) in [("minValue", input.min_value), ("maxValue", input.max_value)] {
        if let Some(value) = value
            && check.finite(field, "The bound", value)
            && !(unit_min..=unit_max).contains(&value)
        {
            check.fail(
                field,
                ErrorCode::OutOfRange,
                format!(
                    "The bound must be between {unit_min} and {unit_max} for a metric in {}",
                    input.unit.label()
                ),
            );
        }
    }
    if let (Some(min), Some(max)) = (input.min_value, input.max_value)
        && min >= max
    {
        check.fail(
            "maxValue",
            ErrorCode::OutOfRange,
            "The highest value must be above the lowest",
        );
    }
    if input.unit == MetricUnit::Score && (input.min_value.is_none() || input.max_value.is_none()) {
        check.fail(
            "minValue",
            ErrorCode::Required,
            "A score needs its lowest and highest possible values",
        );
    }
    if input.kind == MetricKind::Binary && input.unit != MetricUnit::Proportion {
        check.fail(
            "unit",
            ErrorCode::Invalid,
            "A binary metric counts events out of n, so its unit must be a proportion",
        );
    }
    if shaped
        && let Some(holder) = find_by_code(db, &code).await?
        && Some(holder.id) != own_id
    {
        check.fail("code", ErrorCode::Taken, CODE_TAKEN);
    }
    check.finish()?;
    Ok(ValidMetric {
        code,
        name,
        definition,
    })
}

const CODE_TAKEN: &str = "Another metric already has this code";

#[tracing::instrument(skip_all)]
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    input: MetricInput,
) -> ServiceResult<metric::Model> {
    access::ensure_administrator(actor, "change the metric catalogue")?;
    let txn = crate::db::begin_write(db).await?;
    let valid = validate(&txn, &input, None).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    metric::Entity::insert(metric::ActiveModel {
        id: Set(id),
        code: Set(valid.code),
        name: Set(valid.name),
        unit: Set(input.unit),
        direction: Set(input.direction),
        domain: Set(input.domain),
        kind: Set(input.kind),
        definition: Set(valid.definition),
        min_value: Set(input.min_value),
        max_value: Set(input.max_value),
        retired_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(&txn)
    .await
    .map_err(|e| on_unique(e, "code", CODE_TAKEN))?;
    journal::audit(&txn, actor, "metric.create", "metric", id, json!({})).await?;
    let created = get(&txn, id).await?;
    txn.commit().await?;
    Ok(created)
}

#[tracing::instrument(skip_all)]
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
    input: MetricInput,
) -> ServiceResult<metric::Model> {
    access::ensure_administrator(actor, "change the metric catalogue")?;
    let txn = crate::db::begin_write(db).await?;
    let current = get(&txn, id).await?;
    ensure_version(current.version, version, "metric")?;
    let valid = validate(&txn, &input, Some(id)).await?;
    let updated = update_versioned(
        &txn,
        metric::ActiveModel {
            id: Set(id),
            code: Set(valid.code),
            name: Set(valid.name),
            unit: Set(input.unit),
            direction: Set(input.direction),
            domain: Set(input.domain),
            kind: Set(input.kind),
            definition: Set(valid.definition),
            min_value: Set(input.min_value),
            max_value: Set(input.max_value),
            updated_at: Set(Utc::now()),
            ..Default::default()
        },
        version,
        "metric",
        |e| on_unique(e, "code", CODE_TAKEN),
    )
    .await?;
    journal::audit(&txn, actor, "metric.update", "metric", id, json!({})).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Checks a new metric (`existing` of `None`) or a change to one without writing anything:
/// the same rules, rights first, as [`create`] and [`update`] apply, for a form's "check your
/// answers" step.
pub async fn check(
    db: &impl ConnectionTrait,
    actor: &Actor,
    existing: Option<Uuid>,
    input: &MetricInput,
) -> ServiceResult<()> {
    access::ensure_administrator(actor, "change the metric catalogue")?;
    validate(db, input, existing).await.map(|_| ())
}

/// Retires a metric: it keeps its measures, and the comparisons and evidence pages still show
/// them, but no new measure can be recorded on it. `version` is the one the administrator read.
#[tracing::instrument(skip_all)]
pub async fn retire(
    db: &(impl ConnectionTrait + TransactionTrait),
    actor: &Actor,
    id: Uuid,
    version: i32,
) -> ServiceResult<metric::Model> {
    access::ensure_administrator(actor, "change the metric catalogue")?;
    let txn = crate::db::begin_write(db).await?;
    let current = get(&txn, id).await?;
    ensure_version(current.version, version, "metric")?;
    if current.retired_at.is_some() {
        return Err(ServiceError::field(
            "id",
            ErrorCode::NotAllowed,
            "This metric is already retired",
        ));
    }
    let now = Utc::now();
    let retired = update_versioned(
        &txn,
        metric::ActiveModel {
            id: Set(id),
            retired_at: Set(Some(now)),
            updated_at: Set(now),
            ..Default::default()
        },
        version,
        "metric",
        ServiceError::from,
    )
    .await?;
    journal::audit(&txn, actor, "metric.retire", "metric", id, json!({})).await?;
    txn.commit().await?;
    Ok(retired)
}

/// Refuses a new measure on a retired metric, as the `metricId` field error.
pub fn ensure_recordable(metric: &metric::Model) -> ServiceResult<()> {
    match metric.retired_at {
        None => Ok(()),
        Some(at) => Err(ServiceError::field(
            "metricId",
            ErrorCode::NotAllowed,
            format!(
                "{} was retired from the catalogue on {}: choose another metric",
                metric.name,
                at.format("%-d %B %Y")
            ),
        )),
    }
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> ServiceResult<metric::Model> {
    metric::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(ServiceError::NotFound("metric"))
}

pub async fn find_by_code(
    db: &impl ConnectionTrait,
    code: &str,
) -> ServiceResult<Option<metric::Model>> {
    Ok(metric::Entity::find()
        .filter(metric::Column::Code.eq(code.trim().to_ascii_uppercase()))
        .one(db)
        .await?)
}

/// Metrics by id (for batch loading).
pub async fn get_many(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> ServiceResult<Vec<metric::Model>> {
    Ok(metric::Entity::find()
        .filter(metric::Column::Id.is_in(ids))
        .all(db)
        .await?)
}

/// The whole catalogue, by code.
pub async fn list(db: &impl ConnectionTrait) -> ServiceResult<Vec<metric::Model>> {
    Ok(metric::Entity::find()
        .order_by_asc(metric::Column::Code)
        .all(db)
        .await?)
}
