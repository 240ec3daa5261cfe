//! The web front end through the running server: the design system's assets are the
//! registry's own, every page carries the security headers, and in a real browser every page
//! passes axe-core and works without JavaScript.

mod admin;
mod assets;
mod browser;
mod evaluator;
mod forms;
mod my_organisation;
mod pages;

use crate::support;

/// A migrated SQLite database with the demo data set (whose people the demo accounts page
/// offers), served with demo sign-in.
pub(super) async fn demo_app() -> (support::TestDb, support::app::TestApp) {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    registry_seed::demo::load(&test_db.db)
        .await
        .expect("demo data");
    let app = test_db.app().await;
    (test_db, app)
}

/// [`demo_app`] on every engine under test: SQLite, and PostgreSQL when
/// `REGISTRY_TEST_POSTGRES_URL` is set.
pub(super) async fn demo_apps() -> Vec<(support::TestDb, support::app::TestApp)> {
    let mut apps = Vec::new();
    for test_db in support::empty_databases().await {
        registry_api::db::migrate(&test_db.db)
            .await
            .unwrap_or_else(|e| panic!("migrate {}: {e}", test_db.engine));
        registry_seed::demo::load(&test_db.db)
            .await
            .unwrap_or_else(|e| panic!("demo data on {}: {e}", test_db.engine));
        let app = test_db.app().await;
        apps.push((test_db, app));
    }
    apps
}
