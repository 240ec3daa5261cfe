//! The domain model: sea-orm entities (one module a table), the closed lists, and value types
//! that validate on construction.

pub mod api_token;
pub mod audit_log;
pub mod comparison;
pub mod enums;
pub mod invitation;
pub mod login_attempt;
pub mod membership;
pub mod metric;
pub mod organisation;
pub mod pilot;
pub mod pilot_measure;
pub mod pilot_share;
pub mod record_revision;
pub mod report_revision;
pub mod search_outbox;
pub mod search_progress;
pub mod session;
pub mod technology;
pub mod technology_care_setting;
pub mod technology_dtac;
pub mod technology_specialty;
pub mod technology_standard;
pub mod user;
pub mod values;

pub use enums::*;
