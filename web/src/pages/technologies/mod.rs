//! The technology pages: reading one, and the innovator's forms to register and edit one.

mod form;
mod show;

pub use form::{edit, edit_post, new, new_post};
pub use show::show;
