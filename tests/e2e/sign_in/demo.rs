//! Demo accounts: offered only with no provider on a loopback address; one per role, each
//! signing in from the page; refused from another site; and the server will not start with
//! demo accounts on a public address.

use std::net::SocketAddr;

use registry_api::auth::{SessionPolicy, SignIn};
use reqwest::{StatusCode, header};
use serde_json::json;

use crate::support::app::{Options, ProviderClient};
use crate::support::browser::{Browser, sets_session};
use crate::support::{self, process};

const ROLES: &str =
    "{ viewer { signedIn isAdministrator memberships { role organisation { odsCode kind } } } }";

#[tokio::test]
async fn each_demo_role_signs_in_from_the_demo_page() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        registry_seed::demo::load(&test_db.db)
            .await
            .expect("demo data");
        let app = test_db.app().await;
        let browser = Browser::new(&app);
        let page = browser.get(browser.url("/auth/login")).await;
        assert_eq!(page.status(), StatusCode::OK, "{engine}");
        let page = page.text().await.expect("page");

        let expected = [
            (
                "demo-innovator",
                json!([{ "role": "INNOVATOR", "organisation": { "odsCode": "8BW12", "kind": "SUPPLIER" } }]),
                false,
            ),
            (
                "demo-trust-evaluator",
                json!([{ "role": "EVALUATOR", "organisation": { "odsCode": "RZ4", "kind": "NHS_TRUST" } }]),
                false,
            ),
            (
                "demo-gp-evaluator",
                json!([{ "role": "EVALUATOR", "organisation": { "odsCode": "Y90101", "kind": "GP_PRACTICE" } }]),
                false,
            ),
            (
                "demo-commissioner",
                json!([{ "role": "COMMISSIONER", "organisation": { "odsCode": "QZ1", "kind": "ICB" } }]),
                false,
            ),
            (
                "demo-admin",
                json!([{ "role": "MEMBER", "organisation": { "odsCode": "HN0N1", "kind": "HEALTH_INNOVATION_NETWORK" } }]),
                true,
            ),
        ];
        for (subject, memberships, administrator) in expected {
            assert!(
                page.contains(&format!("data-subject=\"{subject}\"")),
                "{engine}: the page offers {subject}"
            );
            let browser = Browser::new(&app);
            let response = browser
                .http
                .post(browser.url("/auth/demo"))
                .header(header::ORIGIN, app.base.as_str())
                .header("sec-fetch-site", "same-origin")
                .form(&[("subject", subject), ("return_to", "/")])
                .send()
                .await
                .expect("POST /auth/demo");
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "{engine}: {subject}"
            );
            let csrf = browser.csrf_token().await;
            let (_, body) = browser.graphql(Some(&csrf), ROLES).await;
            assert_eq!(
                body["data"]["viewer"],
                json!({ "signedIn": true, "isAdministrator": administrator, "memberships": memberships }),
                "{engine}: {subject}: {body}"
            );
        }

        let cross_site = Browser::new(&app)
            .http
            .post(format!("{}/auth/demo", app.base))
            .header("sec-fetch-site", "cross-site")
            .header(header::ORIGIN, "https://evil.example")
            .form(&[("subject", "demo-admin")])
            .send()
            .await
            .expect("POST");
        assert_eq!(cross_site.status(), StatusCode::FORBIDDEN, "{engine}");
        assert!(!sets_session(&cross_site), "{engine}");
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn demo_sign_in_is_off_when_an_issuer_is_set() {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    registry_seed::demo::load(&test_db.db)
        .await
        .expect("demo data");
    let app = test_db
        .app_with(Options {
            provider: Some(ProviderClient::Secret("registry")),
            ..Options::default()
        })
        .await;
    let browser = Browser::new(&app);
    let issuer = app.provider.as_ref().expect("provider").issuer.clone();
    let to_provider = browser.start_sign_in().await;
    assert!(
        to_provider.as_str().starts_with(&issuer),
        "login goes to the provider: {to_provider}"
    );
    let demo = browser
        .http
        .post(browser.url("/auth/demo"))
        .header("sec-fetch-site", "same-origin")
        .form(&[("subject", "demo-admin")])
        .send()
        .await
        .expect("POST");
    assert_eq!(demo.status(), StatusCode::NOT_FOUND);
    assert!(!sets_session(&demo));
    app.stop();
}

#[test]
fn demo_sign_in_needs_loopback() {
    let public: SocketAddr = "0.0.0.0:8080".parse().expect("address");
    let refused = SignIn::choose(
        None,
        public,
        Some("https://registry.example".into()),
        SessionPolicy::default(),
    )
    .expect_err("demo accounts on a public address");
    assert!(refused.contains("loopback"), "{refused}");
    let loopback: SocketAddr = "127.0.0.1:8080".parse().expect("address");
    let demo = SignIn::choose(None, loopback, None, SessionPolicy::default()).expect("demo");
    assert!(demo.demo_enabled());
    assert!(!demo.secure_cookies(), "plain http on loopback");
    let behind_https = SignIn::choose(
        None,
        loopback,
        Some("https://registry.example/".into()),
        SessionPolicy::default(),
    )
    .expect("loopback behind an https proxy");
    assert!(
        behind_https.secure_cookies(),
        "cookies are Secure behind https"
    );
}

#[test]
fn the_server_refuses_to_start_with_demo_accounts_on_a_public_address() {
    let data = tempfile::tempdir().expect("data directory");
    let output = process::registry()
        .env("PUBLIC_URL", "https://registry.example")
        .args(["serve", "--addr", "0.0.0.0:0", "--data-dir"])
        .arg(data.path())
        .output()
        .expect("run registry serve");
    assert!(!output.status.success(), "it must not start");
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("cannot start") && said.contains("loopback"),
        "it says why: {said}"
    );
    assert!(
        std::fs::read_dir(data.path())
            .expect("list")
            .next()
            .is_none(),
        "nothing was created before refusing"
    );
}
