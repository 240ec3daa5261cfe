//! Sessions: a new id at every sign-in (a planted or earlier cookie stops working), sign-out
//! ends the session on the server, and a cookie alone never authorises a request: GraphQL
//! requests and form posts need the session's CSRF token.

use reqwest::StatusCode;
use serde_json::json;

use super::sessions_and_attempts;
use crate::support::app::{Options, ProviderClient, TestApp};
use crate::support::browser::{Browser, Person};
use crate::support::{self};

/// What `/graphql` says about a request that carries only this session cookie.
async fn signed_in_with(app: &TestApp, cookie: &str) -> bool {
    let body: serde_json::Value = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("cookie", format!("registry_session={cookie}"))
        .json(&json!({ "query": "{ viewer { signedIn } }" }))
        .send()
        .await
        .expect("POST")
        .json()
        .await
        .expect("JSON");
    // A dead session is anonymous; a live one without its CSRF token is refused.
    match body["data"]["viewer"]["signedIn"].as_bool() {
        Some(signed_in) => signed_in,
        None => {
            assert_eq!(
                body["errors"][0]["extensions"]["code"],
                json!("CSRF"),
                "{body}"
            );
            true
        }
    }
}

#[tokio::test]
async fn the_session_id_changes_at_sign_in_and_sign_out_ends_it_on_the_server() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let app = test_db
            .app_with(Options {
                provider: Some(ProviderClient::Secret("registry")),
                ..Options::default()
            })
            .await;
        let browser = Browser::new(&app);
        browser.plant_session("planted-by-an-attacker");
        browser.sign_in(Person::new("rotating")).await;
        let first = browser.session().expect("a session cookie");
        assert_ne!(first, "planted-by-an-attacker", "{engine}");

        browser.sign_in(Person::new("rotating")).await;
        let second = browser.session().expect("a session cookie");
        assert_ne!(first, second, "{engine}: a new session id at sign-in");
        assert!(
            !signed_in_with(&app, &first).await,
            "{engine}: the old session is over"
        );
        assert!(signed_in_with(&app, &second).await, "{engine}");
        assert_eq!(sessions_and_attempts(&test_db).await.0, 1, "{engine}");

        let refused = browser.sign_out(None).await;
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "{engine}: no CSRF token"
        );
        let refused = browser.sign_out(Some("not-the-token")).await;
        assert_eq!(
            refused.status(),
            StatusCode::FORBIDDEN,
            "{engine}: a wrong CSRF token"
        );
        assert!(
            signed_in_with(&app, &second).await,
            "{engine}: still signed in"
        );

        let csrf = browser.csrf_token().await;
        let out = browser.sign_out(Some(&csrf)).await;
        assert_eq!(out.status(), StatusCode::SEE_OTHER, "{engine}");
        assert_eq!(browser.session().as_deref().unwrap_or(""), "", "{engine}");
        assert_eq!(
            sessions_and_attempts(&test_db).await.0,
            0,
            "{engine}: gone from the server"
        );
        assert!(
            !signed_in_with(&app, &second).await,
            "{engine}: a copy of the cookie no longer works"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn graphql_requests_with_a_cookie_need_the_csrf_token() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let app = test_db
            .app_with(Options {
                provider: Some(ProviderClient::Secret("registry")),
                ..Options::default()
            })
            .await;
        let browser = Browser::new(&app);
        browser.sign_in(Person::new("csrf")).await;
        let mutation = "mutation { createApiToken(name: \"from the browser\") { token } }";

        for (csrf, what) in [(None, "missing"), (Some("forged-token"), "wrong")] {
            let (status, body) = browser.graphql(csrf, mutation).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{engine}: {what}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["code"], json!("CSRF"));
        }
        assert_eq!(
            test_db
                .count::<registry_api::model::api_token::Entity>()
                .await,
            0,
            "{engine}: nothing was created"
        );

        let csrf = browser.csrf_token().await;
        let (status, body) = browser.graphql(Some(&csrf), mutation).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert!(
            body["data"]["createApiToken"]["token"].is_string(),
            "{engine}: {body}"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn sessions_end_at_their_idle_and_absolute_limits() {
    use chrono::Duration;
    use registry_api::auth::SessionPolicy;

    for (policy, what) in [
        (
            SessionPolicy {
                idle: Duration::seconds(1),
                absolute: Duration::hours(1),
            },
            "idle",
        ),
        (
            SessionPolicy {
                idle: Duration::hours(1),
                absolute: Duration::seconds(1),
            },
            "absolute",
        ),
    ] {
        let test_db = support::sqlite().await;
        registry_api::db::migrate(&test_db.db)
            .await
            .expect("migrate");
        let app = test_db
            .app_with(Options {
                provider: Some(ProviderClient::Secret("registry")),
                session_policy: Some(policy),
                ..Options::default()
            })
            .await;
        let browser = Browser::new(&app);
        browser.sign_in(Person::new("expiring")).await;
        let cookie = browser.session().expect("a session cookie");
        assert!(
            signed_in_with(&app, &cookie).await,
            "{what}: signed in at first"
        );
        tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
        assert!(
            !signed_in_with(&app, &cookie).await,
            "{what}: the session has ended"
        );
        assert_eq!(
            sessions_and_attempts(&test_db).await.0,
            0,
            "{what}: an ended session is deleted"
        );
        app.stop();
    }
}
