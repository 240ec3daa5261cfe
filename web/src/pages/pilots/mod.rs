//! The pilot pages: reading one (and the pilot tables other pages list pilots in), and the
//! evaluator's pages to register and edit one, record its measures, write its report, share
//! the draft and publish it.

mod answers;
mod form;
mod measures;
mod publish;
mod report;
mod sharing;
mod show;
mod work;

pub use form::{edit, edit_post, new, new_post};
pub use show::{PilotTable, show, table};

/// The evaluator's pages for one pilot of their organisation.
pub mod work_pages {
    pub use super::measures::{form as measure_form, post as measure_post};
    pub use super::publish::{form as publish_form, post as publish_post};
    pub use super::report::{form as report_form, post as report_post};
    pub use super::sharing::{end as end_sharing, share, show as sharing};
}
