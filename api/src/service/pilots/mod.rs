//! Pilots: a technology tried at a host organisation. Evaluators at the host register, edit and
//! publish them; administrators withdraw them. Reads obey the visibility rules in `access`.
//!
//! `validate` holds the rules a pilot's details obey, `write` the changes, `read` the
//! reads, `filter` the filter that lists, counts and comparisons share, and `attention` what
//! an organisation's own pilots ask of it.

mod attention;
mod filter;
mod read;
mod validate;
mod write;

use chrono::NaiveDate;
use sea_orm::prelude::Uuid;

use crate::model::{CareSetting, EvaluationDesign, EvaluatorKind, PilotStatus, Specialty};

pub use attention::{Attention, OVERDUE_RULE, is_overdue, needing_attention};
pub use filter::{PilotFilter, condition};
pub(in crate::service) use read::find_readable;
pub use read::{get, get_many, hosted_by, list, of_technologies, open};
pub use validate::check;
pub(in crate::service) use write::reindex_with_technology;
pub use write::{publish, register, update, withdraw};

/// Everything about a pilot, as registered or updated (visibility changes through `publish`).
#[derive(Debug, Clone)]
pub struct PilotInput {
    pub technology_id: Uuid,
    pub host_organisation_id: Uuid,
    pub title: String,
    pub problem: String,
    pub status: PilotStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub care_setting: CareSetting,
    pub specialty: Specialty,
    pub population: String,
    pub patients: Option<i32>,
    pub staff: Option<i32>,
    pub funding_source: Option<String>,
    pub cost_gbp: Option<i64>,
    pub design: EvaluationDesign,
    pub evaluator_kind: EvaluatorKind,
    pub evaluator_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
}
