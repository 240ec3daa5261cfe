//! Schema migrations of the registry. They change structure only (demo data lives in `seed/`),
//! run forwards and backwards on SQLite and PostgreSQL, and are append-only once released.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_registry;
mod m20261125_000002_sign_in;
mod m20261201_000003_comparisons;
mod m20261201_000004_search_progress;
mod m20261202_000005_technology_evidence_version;
mod m20261202_000006_record_revisions;
mod m20261202_000007_pilot_shares;
mod m20261202_000008_metric_retirement;
mod m20261203_000009_audit_log_time;
mod m20261203_000010_search_outbox_record;

/// Every migration of the registry, in order.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_registry::Migration),
            Box::new(m20261125_000002_sign_in::Migration),
            Box::new(m20261201_000003_comparisons::Migration),
            Box::new(m20261201_000004_search_progress::Migration),
            Box::new(m20261202_000005_technology_evidence_version::Migration),
            Box::new(m20261202_000006_record_revisions::Migration),
            Box::new(m20261202_000007_pilot_shares::Migration),
            Box::new(m20261202_000008_metric_retirement::Migration),
            Box::new(m20261203_000009_audit_log_time::Migration),
            Box::new(m20261203_000010_search_outbox_record::Migration),
        ]
    }
}
