//! Rate limits per client on sign-in and on GraphQL: 429 with `Retry-After`.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::app::Options;
use crate::support::{self};

#[tokio::test]
async fn sign_in_and_graphql_answer_429_with_retry_after_over_the_limit() {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let app = test_db
        .app_with(Options {
            sign_in_per_minute: Some(3),
            graphql_per_minute: Some(5),
            ..Options::default()
        })
        .await;
    let login = format!("{}/auth/login", app.base);
    for _ in 0..3 {
        let ok = app.http.get(&login).send().await.expect("GET");
        assert_eq!(ok.status(), StatusCode::OK);
    }
    let limited = app.http.get(&login).send().await.expect("GET");
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("whole seconds");
    assert!((1..=60).contains(&retry), "Retry-After {retry}");

    for _ in 0..5 {
        let body = app
            .graphql(None, "{ viewer { signedIn } }", json!({}))
            .await;
        assert_eq!(body["data"]["viewer"]["signedIn"], json!(false), "{body}");
    }
    let limited = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": "{ viewer { signedIn } }" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
    let body: Value = limited.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        json!("RATE_LIMITED")
    );

    // The pages are not limited with sign-in: the limits are separate.
    let home = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("GET");
    assert_eq!(home.status(), StatusCode::OK);
    app.stop();
}
