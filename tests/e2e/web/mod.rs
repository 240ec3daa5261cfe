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

use registry_api::Actor;
use registry_api::auth::SessionPolicy;
use registry_api::model::EntryPoint;
use registry_api::service::sessions;
use reqwest::StatusCode;

use crate::support;
use crate::support::app::TestApp;

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

/// A browser session for `actor`, and the CSRF token its forms carry.
pub(super) async fn session_of(
    db: &sea_orm::DatabaseConnection,
    actor: &Actor,
) -> (String, String) {
    let secret = sessions::start(
        db,
        actor.user_id().expect("a person"),
        SessionPolicy::default(),
        None,
    )
    .await
    .expect("session");
    let current = sessions::current(db, &secret, SessionPolicy::default(), EntryPoint::Web)
        .await
        .expect("read session")
        .expect("live session");
    (secret, current.csrf_token)
}

/// A form posted as `cookie`, with `headers`.
pub(super) async fn post(
    app: &TestApp,
    cookie: &str,
    path: &str,
    headers: &[(&str, &str)],
    form: &[(String, String)],
) -> (StatusCode, String) {
    let mut request = app
        .http
        .post(app.url(path))
        .header("cookie", format!("registry_session={cookie}"))
        .form(form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("send");
    (response.status(), response.text().await.expect("body"))
}
