//! The registry server, as a library so tests can start it on port 0 and stop it on cue.

pub mod config;
pub mod connections;
mod graphql_http;
pub mod rate_limit;
pub mod server;
pub mod state;

pub use connections::{ConnectionLimits, serve};
pub use server::build_app;
pub use state::AppState;
