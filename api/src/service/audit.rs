//! Reading the audit log: what every change writes (`journal::audit`), and the reads of
//! restricted records (`reads`). Newest first, filtered by who, which record, which action,
//! which door and when, in pages; each actor reads the entries
//! [`access::readable_audit_entries`] allows, so the whole log is the administrators' and an
//! organisation's members read what concerns its own records.

use chrono::{Days, NaiveDate, NaiveTime};
use sea_orm::sea_query::{Condition, Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, prelude::Uuid};

use super::reads::{PILOT_READ, REPORT_READ};
use super::{Page, PageRequest, access, page_sorted};
use crate::actor::{Actor, Principal};
use crate::error::{ErrorCode, FieldError, ServiceError, ServiceResult};
use crate::model::{EntryPoint, audit_log, pilot};

/// Which entries to list; every part left empty matches every entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The user who acted.
    pub actor_user_id: Option<Uuid>,
    /// Part of the name the log gives whoever acted, in any case ("penhallow", "system").
    pub actor_label: Option<String>,
    /// The kind of record (`pilot`, `technology`, `organisation`, …).
    pub entity_kind: Option<String>,
    /// The record's id.
    pub entity_id: Option<Uuid>,
    /// An action (`pilot.read`), or without a dot a family of them (`pilot`: `pilot.publish`,
    /// `pilot.read`, …).
    pub action: Option<String>,
    /// The door it came in by.
    pub entry_point: Option<EntryPoint>,
    /// The first day (UTC) to include.
    pub from: Option<NaiveDate>,
    /// The last day (UTC) to include.
    pub to: Option<NaiveDate>,
}

/// The longest name, kind and action the log holds (its columns' lengths).
const MAX_LABEL: usize = 200;
const MAX_KIND: usize = 40;
const MAX_ACTION: usize = 60;

impl AuditFilter {
    /// The filter's problems, each naming its field as the API spells it.
    fn check(&self) -> ServiceResult<()> {
        let mut errors = Vec::new();
        let too_long = |value: &Option<String>, max: usize| {
            value.as_ref().is_some_and(|v| v.chars().count() > max)
        };
        if too_long(&self.actor_label, MAX_LABEL) {
            errors.push(FieldError::new(
                "actorLabel",
                ErrorCode::TooLong,
                format!("a name is at most {MAX_LABEL} characters"),
            ));
        }
        if !word(&self.entity_kind, MAX_KIND, false) {
            errors.push(FieldError::new(
                "entityKind",
                ErrorCode::Invalid,
                "a kind of record is one word in lower case, like pilot or pilot_measure",
            ));
        }
        if !word(&self.action, MAX_ACTION, true) {
            errors.push(FieldError::new(
                "action",
                ErrorCode::Invalid,
                "an action is words in lower case joined by dots, like pilot.read, or one word \
                 for all its actions, like pilot",
            ));
        }
        if let (Some(from), Some(to)) = (self.from, self.to)
            && from > to
        {
            errors.push(FieldError::new(
                "to",
                ErrorCode::OutOfRange,
                "the last day must be the same as or after the first day",
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(errors))
        }
    }

    fn condition(&self) -> Condition {
        let mut all = Condition::all();
        if let Some(id) = self.actor_user_id {
            all = all.add(audit_log::Column::ActorUserId.eq(id));
        }
        if let Some(label) = self.actor_label.as_deref().map(str::trim)
            && !label.is_empty()
        {
            let pattern = format!("%{}%", escape_like(&label.to_lowercase()));
            all = all.add(
                Expr::expr(Func::lower(Expr::col(audit_log::Column::ActorLabel)))
                    .like(LikeExpr::new(pattern).escape('\\')),
            );
        }
        if let Some(kind) = &self.entity_kind {
            all = all.add(audit_log::Column::EntityKind.eq(kind.as_str()));
        }
        if let Some(id) = self.entity_id {
            all = all.add(audit_log::Column::EntityId.eq(id));
        }
        if let Some(action) = &self.action {
            all = all.add(if action.contains('.') {
                Condition::all().add(audit_log::Column::Action.eq(action.as_str()))
            } else {
                let family = format!("{}.%", escape_like(action));
                Condition::any()
                    .add(audit_log::Column::Action.eq(action.as_str()))
                    .add(
                        Expr::col(audit_log::Column::Action)
                            .like(LikeExpr::new(family).escape('\\')),
                    )
            });
        }
        if let Some(entry_point) = self.entry_point {
            all = all.add(audit_log::Column::EntryPoint.eq(entry_point));
        }
        if let Some(from) = self.from {
            all = all.add(audit_log::Column::At.gte(from.and_time(NaiveTime::MIN).and_utc()));
        }
        if let Some(to) = self.to.and_then(|to| to.checked_add_days(Days::new(1))) {
            all = all.add(audit_log::Column::At.lt(to.and_time(NaiveTime::MIN).and_utc()));
        }
        all
    }
}

/// Whether `value`, if given, is lower-case words of letters, digits and `_`, joined by dots
/// when `dots` allows, within `max` characters.
fn word(value: &Option<String>, max: usize, dots: bool) -> bool {
    value.as_deref().is_none_or(|v| {
        !v.is_empty()
            && v.len() <= max
            && (dots || !v.contains('.'))
            && v.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            })
    })
}

/// `text` with LIKE's wildcards (and the escape character) escaped by `\`.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// Refuses anyone who may not read the whole log: the administrators' page of it asks this.
pub fn ensure_reads_everything(actor: &Actor) -> ServiceResult<()> {
    match actor.principal {
        Principal::Anonymous => Err(ServiceError::Unauthenticated),
        _ if actor.is_administrator() => Ok(()),
        _ => Err(ServiceError::Forbidden("read the whole audit log")),
    }
}

/// One page of the entries the filter selects among those the actor may read, newest first.
#[tracing::instrument(skip_all)]
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    filter: &AuditFilter,
    page: PageRequest,
) -> ServiceResult<Page<audit_log::Model>> {
    if matches!(actor.principal, Principal::Anonymous) {
        return Err(ServiceError::Unauthenticated);
    }
    filter.check()?;
    let select = audit_log::Entity::find()
        .filter(access::readable_audit_entries(actor))
        .filter(filter.condition());
    page_sorted(
        db,
        select,
        &[(audit_log::Column::At, true)],
        (audit_log::Column::Id, true),
        page,
    )
    .await
}

/// The pilot, and who opened it (or a draft of its report) and when, newest first: for its host
/// organisation's members and administrators ([`access::can_read_audit_of`]); anyone else is
/// told the pilot is not found, as if it did not exist.
#[tracing::instrument(skip_all)]
pub async fn reads_of(
    db: &impl ConnectionTrait,
    actor: &Actor,
    pilot_id: Uuid,
    page: PageRequest,
) -> ServiceResult<(pilot::Model, Page<audit_log::Model>)> {
    let pilot = super::pilots::get(db, actor, pilot_id).await?;
    if !access::can_read_audit_of(actor, &pilot) {
        return Err(ServiceError::NotFound("pilot"));
    }
    let select = audit_log::Entity::find()
        .filter(access::readable_audit_entries(actor))
        .filter(audit_log::Column::EntityKind.eq("pilot"))
        .filter(audit_log::Column::EntityId.eq(pilot.id))
        .filter(audit_log::Column::Action.is_in([PILOT_READ, REPORT_READ]));
    let reads = page_sorted(
        db,
        select,
        &[(audit_log::Column::At, true)],
        (audit_log::Column::Id, true),
        page,
    )
    .await?;
    Ok((pilot, reads))
}

/// The door an entry's `detail` names, for a read.
pub fn door(entry: &audit_log::Model) -> Option<super::reads::Door> {
    entry
        .detail
        .get("door")
        .and_then(|d| d.as_str())
        .and_then(super::reads::Door::from_str_value)
}

/// The organisations an entry's `detail` says the reader belonged to, for a read.
pub fn reader_organisations(entry: &audit_log::Model) -> Vec<Uuid> {
    entry
        .detail
        .get("organisations")
        .and_then(|o| o.as_array())
        .map(|ids| {
            ids.iter()
                .filter_map(|id| id.as_str().and_then(|s| Uuid::parse_str(s).ok()))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_actions_are_lower_case_words() {
        let ok = |v: &str, dots| word(&Some(v.to_owned()), 60, dots);
        assert!(ok("pilot", false));
        assert!(ok("pilot_measure", false));
        assert!(!ok("pilot.read", false));
        assert!(ok("pilot.read", true));
        assert!(ok("api_token.revoke", true));
        for bad in [
            "",
            "Pilot",
            "pilot.",
            ".read",
            "pilot read",
            "pilot%",
            "pilot..read",
        ] {
            assert!(!ok(bad, true), "{bad:?}");
        }
        assert!(word(&None, 60, false));
    }

    #[test]
    fn wildcards_are_escaped() {
        assert_eq!(escape_like(r"a_b%c\d"), r"a\_b\%c\\d");
    }

    #[test]
    fn the_last_day_is_not_before_the_first() {
        let filter = AuditFilter {
            from: NaiveDate::from_ymd_opt(2026, 3, 2),
            to: NaiveDate::from_ymd_opt(2026, 3, 1),
            ..AuditFilter::default()
        };
        let Err(err) = filter.check() else {
            panic!("a range that ends before it starts is refused");
        };
        assert_eq!(err.field_errors()[0].field, "to");
    }
}
