//! The GraphQL API through HTTP against a running server.

mod administration;
mod hostile;
mod http_audit;
mod n_plus_one;
mod queries;
mod roles;
mod schema_file;
mod tokens;
mod visibility;
