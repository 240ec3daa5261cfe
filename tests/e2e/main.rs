//! End-to-end tests of the registry, compiled as one binary. Every database test runs on SQLite
//! and, when `REGISTRY_TEST_POSTGRES_URL` is set, on PostgreSQL too, each in a database of its own.

#![expect(
    clippy::expect_used,
    reason = "a test that cannot go on should stop and say why"
)]

mod access_matrix;
mod atomicity;
mod audit;
mod concurrency;
mod evidence;
mod graphql;
mod hardening;
mod history;
mod migrations;
mod rating;
mod roles;
mod saved_comparisons;
mod search;
mod seeding;
mod serve;
mod sharing;
mod sign_in;
mod support;
mod validation;
mod visibility;
mod web;
