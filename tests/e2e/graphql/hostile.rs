//! Hostile requests are refused with a clear error before they cost anything, and the server
//! answers the next request as usual.

use serde_json::{Value, json};

use crate::support::{self, app::TestApp};

async fn post_raw(app: &TestApp, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let response = app
        .http
        .post(format!("{}/graphql", app.base))
        .header("content-type", content_type)
        .header("accept", "application/graphql-response+json")
        .body(body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

async fn still_answers(app: &TestApp) {
    let body = app
        .graphql(None, "{ __typename metrics { code } }", json!({}))
        .await;
    assert_eq!(
        body["data"]["__typename"], "Query",
        "the server answers the next request: {body}"
    );
}

fn message(body: &Value) -> String {
    body["errors"][0]["message"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase()
}

#[tokio::test]
async fn hostile_requests_are_refused_and_the_server_carries_on() {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    let app = test_db.app().await;
    let json_body = |value: Value| serde_json::to_vec(&value).expect("json");

    let deep = format!(
        "{{ {}__typename{} }}",
        "viewer { memberships { organisation { parentIcb { ".repeat(25),
        " } } } }".repeat(25)
    );
    let (status, body) = post_raw(
        &app,
        "application/json",
        json_body(json!({ "query": deep })),
    )
    .await;
    assert_eq!(status, 400, "depth 100: {body}");
    assert!(
        message(&body).contains("limit") || message(&body).contains("nested"),
        "a clear reason: {body}"
    );
    still_answers(&app).await;

    // 150 aliases: few enough tokens to pass the document scan, too many for the alias limit
    // (10 000 would already be refused as too many tokens).
    let aliases: Vec<String> = (0..150).map(|i| format!("a{i}: __typename")).collect();
    let (status, body) = post_raw(
        &app,
        "application/json",
        json_body(json!({ "query": format!("{{ {} }}", aliases.join(" ")) })),
    )
    .await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (400, Some("TOO_MANY_ALIASES")),
        "150 aliases: {body}"
    );
    still_answers(&app).await;

    let batch: Vec<Value> = (0..1_000)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let (status, body) = post_raw(&app, "application/json", json_body(Value::Array(batch))).await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].as_str()),
        (400, Some("BATCH_TOO_LARGE")),
        "a batch of 1 000: {body}"
    );
    let small_batch: Vec<Value> = (0..3)
        .map(|_| json!({ "query": "{ __typename }" }))
        .collect();
    let (status, body) = post_raw(
        &app,
        "application/json",
        json_body(Value::Array(small_batch)),
    )
    .await;
    assert_eq!(
        (status, body.as_array().map(Vec::len)),
        (200, Some(3)),
        "a small batch runs: {body}"
    );

    let mut huge = b"{\"query\": \"{ __typename }\", \"padding\": \"".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 20 * 1024 * 1024));
    huge.extend(b"\"}");
    let (status, _) = post_raw(&app, "application/json", huge).await;
    assert_eq!(status, 413, "a 20 MB body is refused by size");
    still_answers(&app).await;

    let (status, body) = post_raw(
        &app,
        "application/json",
        b"{\"query\": \"{ __typename }\"".to_vec(),
    )
    .await;
    assert_eq!(status, 400, "invalid JSON: {body}");
    assert!(message(&body).contains("json"), "{body}");

    let (status, body) = post_raw(&app, "application/json", json_body(json!({
        "query": "query($n: Int) { technologies(first: $n) { totalCount } }", "variables": { "n": "twenty" } }))).await;
    assert_eq!(status, 400, "a variable of the wrong type: {body}");
    assert!(message(&body).contains("int"), "{body}");
    still_answers(&app).await;

    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let (status, _) = post_raw(
            &app,
            content_type,
            json_body(json!({ "query": "mutation { createApiToken(name: \"x\") { token } }" })),
        )
        .await;
        assert_eq!(
            status, 415,
            "a {content_type} body, which any web page can send, is refused"
        );
    }
    let get = app
        .http
        .get(format!("{}/graphql?query=%7B__typename%7D", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(get.status().as_u16(), 405, "nothing runs over GET");
    let page = app
        .http
        .get(format!("{}/graphql", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .expect("graphiql");
    assert!(
        page.text().await.expect("html").contains("graphiql"),
        "browsers get GraphiQL"
    );

    let plain = app
        .http
        .post(format!("{}/graphql", app.base))
        .json(&json!({ "query": "{ nope }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(
        plain.status().as_u16(),
        200,
        "application/json responses keep 200 for GraphQL errors"
    );
    assert_eq!(plain.headers()["content-type"], "application/json");
    app.stop();
    test_db.finish().await;
}
