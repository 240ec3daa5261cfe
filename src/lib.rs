//! The registry server, as a library so tests can start it on port 0 and stop it on cue.
//!
//! - `settings`: the typed configuration; `config`: the command line that fills it.
//! - `application`: starts everything `registry serve` runs ([`Application::build`]).
//! - `server`: the router; `graphql_http`: `/graphql`; `state`: what both share.
//! - `connections`: accepting connections within limits; `rate_limit`: per-client limits.

pub mod application;
pub mod config;
pub mod connections;
mod graphql_http;
pub mod rate_limit;
pub mod server;
pub mod settings;
pub mod state;

pub use application::{Application, Connections};
pub use connections::{ConnectionLimits, serve};
pub use server::build_app;
pub use settings::Settings;
pub use state::AppState;
