//! End-to-end tests of the registry, compiled as one binary. Every database test runs on SQLite
//! and, when `REGISTRY_TEST_POSTGRES_URL` is set, on PostgreSQL too, each in a database of its own.

mod atomicity;
mod concurrency;
mod migrations;
mod roles;
mod seeding;
mod serve;
mod support;
mod validation;
mod visibility;
