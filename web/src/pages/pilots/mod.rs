//! The pilot pages: reading one (and the pilot tables other pages list pilots in), and the
//! evaluator's form to register one.

mod form;
mod show;

pub use form::{new, new_post};
pub use show::{PilotTable, show, table};
