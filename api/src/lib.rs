//! The registry's domain: the model, the services that are the only way in, and who may do what.

pub mod actor;
pub mod auth;
pub mod db;
pub mod error;
pub mod evidence;
pub mod graphql;
pub mod indexing;
pub mod model;
pub mod search;
pub mod secret;
pub mod service;

pub use actor::Actor;
pub use error::{ErrorCode, FieldError, ServiceError, ServiceResult};
