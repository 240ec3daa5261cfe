//! GraphQL documents and variables are bounded before anything recursive parses them: a few
//! kilobytes of nested brackets once overflowed a worker's stack and aborted the process.

use serde_json::{Value, json};

use crate::support;
use crate::support::app::{TestApp, error_code};

async fn post(app: &TestApp, body: Value) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}

async fn assert_alive(app: &TestApp) {
    let health = app
        .http
        .get(format!("{}/healthz", app.base))
        .send()
        .await
        .expect("the server still answers");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn deep_value_literals_and_input_objects_are_refused_before_parsing() {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let app = test_db.app().await;

    let lists = format!("{{ a(b: {}1{}) }}", "[".repeat(2_000), "]".repeat(2_000));
    let (status, body) = post(&app, json!({ "query": lists })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("QUERY_TOO_DEEP"), "{body}");

    let objects = format!("{{ a(b: {}1{}) }}", "{c: ".repeat(2_000), "}".repeat(2_000));
    let (status, body) = post(&app, json!({ "query": objects })).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("QUERY_TOO_DEEP"), "{body}");

    // The same inside a batch, behind an innocent first operation.
    let batch = json!([{ "query": "{ metrics { code } }" }, { "query": lists }]);
    let (status, body) = post(&app, batch).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(error_code(&body), Some("QUERY_TOO_DEEP"), "{body}");
    assert_alive(&app).await;
    app.stop();
    test_db.finish().await;
}

#[tokio::test]
async fn oversized_documents_and_variables_are_refused_with_stable_codes() {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let app = test_db.app().await;

    let tokens = format!("{{ {} }}", "viewer { __typename } ".repeat(3_000));
    let (_, body) = post(&app, json!({ "query": tokens })).await;
    assert_eq!(error_code(&body), Some("QUERY_TOO_LARGE"), "{body}");

    let list = format!("{{ a(b: [{}]) }}", "1, ".repeat(5_000));
    let (_, body) = post(&app, json!({ "query": list })).await;
    assert_eq!(error_code(&body), Some("LIST_TOO_LONG"), "{body}");

    let string = format!("{{ a(b: \"{}\") }}", "x".repeat(200_000));
    let (_, body) = post(&app, json!({ "query": string })).await;
    assert_eq!(error_code(&body), Some("STRING_TOO_LONG"), "{body}");

    let mut deep = json!("leaf");
    for _ in 0..100 {
        deep = json!({ "c": deep });
    }
    let query = "query($f: PilotFilterInput) { pilots(filter: $f) { totalCount } }";
    let (_, body) = post(&app, json!({ "query": query, "variables": { "f": deep } })).await;
    assert_eq!(error_code(&body), Some("VARIABLES_TOO_DEEP"), "{body}");

    let wide = json!({ "f": { "technologyId": vec!["x"; 5_000] } });
    let (_, body) = post(&app, json!({ "query": query, "variables": wide })).await;
    assert_eq!(error_code(&body), Some("LIST_TOO_LONG"), "{body}");

    // An ordinary query still runs.
    let (status, body) = post(&app, json!({ "query": "{ metrics { code } }" })).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["errors"].is_null(), "{body}");
    assert_alive(&app).await;
    app.stop();
    test_db.finish().await;
}
