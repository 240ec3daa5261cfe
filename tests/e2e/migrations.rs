//! The schema migrates up and down, and up again, on every engine, and the database itself
//! enforces foreign keys, unique constraints, NOT NULLs and closed lists.

use registry_migrations::{Migrator, MigratorTrait, SchemaManager};
use sea_orm::ConnectionTrait;

use crate::support;

const TABLES: [&str; 22] = [
    "organisations",
    "users",
    "memberships",
    "technologies",
    "technology_specialties",
    "technology_care_settings",
    "technology_standards",
    "technology_dtac",
    "metrics",
    "pilots",
    "pilot_measures",
    "report_revisions",
    "audit_log",
    "search_outbox",
    "api_tokens",
    "sessions",
    "login_attempts",
    "invitations",
    "comparisons",
    "search_progress",
    "record_revisions",
    "pilot_shares",
];

async fn present(db: &sea_orm::DatabaseConnection) -> Vec<&'static str> {
    let manager = SchemaManager::new(db);
    let mut found = Vec::new();
    for table in TABLES {
        if manager.has_table(table).await.expect("inspect schema") {
            found.push(table);
        }
    }
    found
}

#[tokio::test]
async fn migrations_run_up_down_and_up_again() {
    for test_db in support::empty_databases().await {
        let db = &test_db.db;
        assert!(
            present(db).await.is_empty(),
            "{}: starts empty",
            test_db.engine
        );

        Migrator::up(db, None).await.expect("migrate up");
        assert_eq!(
            present(db).await,
            TABLES.to_vec(),
            "{}: every table after up",
            test_db.engine
        );
        assert!(
            Migrator::get_pending_migrations(db)
                .await
                .expect("pending")
                .is_empty(),
            "{}: nothing pending",
            test_db.engine
        );

        Migrator::down(db, None).await.expect("migrate down");
        assert!(
            present(db).await.is_empty(),
            "{}: no table after down",
            test_db.engine
        );

        Migrator::up(db, None).await.expect("migrate up again");
        assert_eq!(
            present(db).await,
            TABLES.to_vec(),
            "{}: every table after up again",
            test_db.engine
        );
        test_db.finish().await;
    }
}

/// Runs raw SQL that breaks a rule and expects the database, not the code, to refuse it.
async fn refused(db: &sea_orm::DatabaseConnection, sql: &str) -> bool {
    db.execute_unprepared(sql).await.is_err()
}

#[tokio::test]
async fn the_database_enforces_the_model_rules() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = support::World::build(db).await;
        let engine = test_db.engine;
        let id = "'00000000-0000-7000-8000-000000000001'";
        let (uuid, now) = if engine == "postgres" {
            (format!("{id}::uuid"), "now()")
        } else {
            // sqlx stores UUIDs in SQLite as 16-byte blobs.
            (
                "x'00000000000070008000000000000001'".to_owned(),
                "'2026-01-01T00:00:00Z'",
            )
        };
        let columns = "id, name, kind, ods_code, region, version, created_at, updated_at";
        assert!(
            refused(db, &format!("INSERT INTO organisations ({columns}) VALUES ({uuid}, 'Dup', 'nhs_trust', 'RTA', NULL, 1, {now}, {now})")).await,
            "{engine}: a duplicate ODS code is refused by the database"
        );
        assert!(
            refused(db, &format!("INSERT INTO organisations ({columns}) VALUES ({uuid}, 'Odd', 'castle', NULL, NULL, 1, {now}, {now})")).await,
            "{engine}: a kind outside the closed list is refused by the database"
        );
        assert!(
            refused(db, &format!("INSERT INTO organisations ({columns}) VALUES ({uuid}, NULL, 'nhs_trust', NULL, NULL, 1, {now}, {now})")).await,
            "{engine}: a missing name is refused by the database"
        );
        assert!(
            refused(
                db,
                &format!("UPDATE technologies SET slug = 'heart-watch-2', supplier_id = {uuid}")
            )
            .await,
            "{engine}: a technology whose supplier does not exist is refused by the database"
        );
        let slug_dup = format!(
            "INSERT INTO technologies SELECT {uuid}, slug, name, supplier_id, summary, description, category, device_class, ukca_marked, ce_marked, mhra_registered, esf_tier, withdrawn_at, withdrawn_reason, version, created_at, updated_at FROM technologies WHERE id = (SELECT id FROM technologies LIMIT 1)"
        );
        assert!(
            refused(db, &slug_dup).await,
            "{engine}: a duplicate slug is refused by the database"
        );
        assert_eq!(world.technology.record.slug, "heart-watch");
        test_db.finish().await;
    }
}
