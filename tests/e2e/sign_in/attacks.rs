//! Each attack on the callback is refused with a plain page and no session: a tampered
//! `state`, a wrong `nonce`, a callback carried to another browser (login CSRF), a replayed
//! callback, an expired code, and ID tokens from another
//! issuer, for another audience, unsigned or wrongly signed.

use std::time::Duration;

use reqwest::StatusCode;

use super::sessions_and_attempts;
use crate::support::app::{Options, ProviderClient, TestApp};
use crate::support::browser::{Browser, Person, sets_session};
use crate::support::{self, TestDb};

async fn app_for(test_db: &TestDb, client: &'static str) -> TestApp {
    test_db
        .app_with(Options {
            provider: Some(ProviderClient::Secret(client)),
            ..Options::default()
        })
        .await
}

/// The callback was refused cleanly, and no session exists.
async fn assert_refused(test_db: &TestDb, response: reqwest::Response, what: &str) {
    let engine = test_db.engine;
    assert_eq!(
        response.status(),
        StatusCode::BAD_REQUEST,
        "{engine}: {what}"
    );
    assert!(!sets_session(&response), "{engine}: {what} sets no cookie");
    let page = response.text().await.expect("page");
    assert!(page.contains("Start again"), "{engine}: {what}: {page}");
    assert_eq!(
        sessions_and_attempts(test_db).await.0,
        0,
        "{engine}: {what} leaves no session"
    );
}

#[tokio::test]
async fn tampered_state_wrong_nonce_login_csrf_and_replayed_callbacks_are_refused() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let app = app_for(&test_db, "registry").await;
        let person = Person::new("attacked");

        let browser = Browser::new(&app);
        let mut callback = browser
            .authorise(browser.start_sign_in().await, person)
            .await;
        let pairs: Vec<(String, String)> = callback
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "state" {
                    format!("{v}x")
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        callback.query_pairs_mut().clear().extend_pairs(pairs);
        assert_refused(
            &test_db,
            browser.callback(callback).await,
            "a tampered state",
        )
        .await;

        let browser = Browser::new(&app);
        let mut authorisation = browser.start_sign_in().await;
        let pairs: Vec<(String, String)> = authorisation
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "nonce" {
                    "another-nonce".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        authorisation.query_pairs_mut().clear().extend_pairs(pairs);
        let callback = browser.authorise(authorisation, person).await;
        assert_refused(&test_db, browser.callback(callback).await, "a wrong nonce").await;

        // Login CSRF: the attacker's own callback link, opened in the victim's browser.
        let attacker = Browser::new(&app);
        let callback = attacker
            .authorise(attacker.start_sign_in().await, Person::new("attacker"))
            .await;
        let victim = Browser::new(&app);
        assert_refused(
            &test_db,
            victim.callback(callback).await,
            "a callback from another browser",
        )
        .await;

        let browser = Browser::new(&app);
        let callback = browser
            .authorise(browser.start_sign_in().await, person)
            .await;
        let first = browser.callback(callback.clone()).await;
        assert_eq!(
            first.status(),
            StatusCode::SEE_OTHER,
            "{engine}: the real callback"
        );
        assert_eq!(sessions_and_attempts(&test_db).await.0, 1, "{engine}");
        // The same browser again: the pending sign-in was used up.
        let replay = browser.callback(callback).await;
        assert_eq!(
            replay.status(),
            StatusCode::BAD_REQUEST,
            "{engine}: a replay"
        );
        assert!(!sets_session(&replay), "{engine}: a replay sets no cookie");
        assert_eq!(
            sessions_and_attempts(&test_db).await.0,
            1,
            "{engine}: a replay adds no session"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn forged_id_tokens_are_refused() {
    for test_db in support::databases().await {
        for (client, what) in [
            ("registry-wrong-issuer", "an ID token from another issuer"),
            (
                "registry-wrong-audience",
                "an ID token for another audience",
            ),
            ("registry-unsigned", "an unsigned ID token"),
            ("registry-bad-signature", "a wrongly signed ID token"),
        ] {
            let app = app_for(&test_db, client).await;
            let browser = Browser::new(&app);
            let response = browser.sign_in(Person::new("forged")).await;
            assert_refused(&test_db, response, what).await;
            app.stop();
        }
        test_db.finish().await;
    }
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    for test_db in support::databases().await {
        // This client's codes live one second.
        let app = app_for(&test_db, "registry-short-code").await;
        let browser = Browser::new(&app);
        let callback = browser
            .authorise(browser.start_sign_in().await, Person::new("slow"))
            .await;
        tokio::time::sleep(Duration::from_millis(2_500)).await;
        assert_refused(
            &test_db,
            browser.callback(callback).await,
            "an expired code",
        )
        .await;
        app.stop();
        test_db.finish().await;
    }
}
