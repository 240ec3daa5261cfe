//! Cursors are checked before they reach the engine or the database: an offset of 10⁹ once
//! made the search engine allocate 48 GB and abort, and u64::MAX panicked in a conversion.

use base64::Engine;
use serde_json::json;

use crate::support::app::error_code;
use crate::support::{self, World};

/// The cursor a list would hand out for the record at `offset`.
fn cursor(offset: u64) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(offset.to_string())
}

#[tokio::test]
async fn cursors_beyond_the_ceiling_or_the_end_are_bad_user_input_on_every_connection() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        for title in ["One", "Two", "Three"] {
            w.pilot(db, title, registry_api::model::Visibility::Public)
                .await;
        }
        let app = test_db.app().await;
        let lists = [
            "query($a: String) { search(after: $a) { totalCount } }",
            "query($a: String) { pilots(after: $a) { totalCount } }",
            "query($a: String) { technologies(after: $a) { totalCount } }",
            "query($a: String) { organisations(after: $a) { totalCount } }",
        ];
        for query in lists {
            for offset in [1_000_000_000, u64::MAX, 10_001] {
                let body = app
                    .graphql(None, query, json!({ "a": cursor(offset) }))
                    .await;
                assert_eq!(
                    error_code(&body),
                    Some("BAD_USER_INPUT"),
                    "{engine}: {query} after {offset}: {body}"
                );
                assert!(
                    body["errors"][0]["message"]
                        .as_str()
                        .is_some_and(|m| m.contains("after")),
                    "{engine}: the message names the field: {body}"
                );
            }
            // Within the ceiling but past the end of a short list.
            let body = app.graphql(None, query, json!({ "a": cursor(500) })).await;
            assert_eq!(
                error_code(&body),
                Some("BAD_USER_INPUT"),
                "{engine}: {query} past the end: {body}"
            );
        }
        // The cursor of the last record gives the empty page after it, as Relay expects.
        let body = app
            .graphql(
                None,
                "query($a: String) { pilots(after: $a) { totalCount edges { cursor } pageInfo { hasNextPage } } }",
                json!({ "a": cursor(3) }),
            )
            .await;
        assert!(body["errors"].is_null(), "{engine}: {body}");
        assert_eq!(body["data"]["pilots"]["edges"], json!([]), "{engine}");
        let health = app
            .http
            .get(format!("{}/healthz", app.base))
            .send()
            .await
            .expect("the server still answers");
        assert_eq!(health.status(), 200);
        app.stop();
        test_db.finish().await;
    }
}
