//! The pilot pages: reading one (and the pilot tables other pages list pilots in), and the
//! evaluator's form to register or edit one.

mod answers;
mod form;
mod show;

pub use form::{edit, edit_post, new, new_post};
pub use show::{PilotTable, show, table};
