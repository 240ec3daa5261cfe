//! Heavy fields cost what they cost, and one HTTP request has one budget however many
//! operations it batches: 10 operations × 100 aliased comparisons once ran 1 000 comparisons
//! in one request.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::support::app::error_code;
use crate::support::{self, World};

fn comparisons(count: usize) -> String {
    let fields: String = (0..count)
        .map(|i| format!(" c{i}: metricComparison(metricCode: \"TEST_WAIT\") {{ effectMeasure }}"))
        .collect();
    format!("{{{fields} }}")
}

#[tokio::test]
async fn a_request_cannot_run_hundreds_of_comparisons() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        World::build(db).await;
        let app = test_db.app().await;
        let post = |body: Value| {
            let app = &app;
            async move {
                app.http
                    .post(format!("{}/graphql", app.base))
                    .json(&body)
                    .send()
                    .await
                    .expect("send")
                    .json::<Value>()
                    .await
                    .expect("json")
            }
        };

        // A handful of comparisons in one operation is fine.
        let body = post(json!({ "query": comparisons(5) })).await;
        assert!(body["errors"].is_null(), "{engine}: {body}");

        // A hundred in one operation is refused before any runs.
        let before = app.statements.load(Ordering::SeqCst);
        let body = post(json!({ "query": comparisons(100) })).await;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("complex")),
            "{engine}: {body}"
        );
        // Ten operations of fifteen each: each alone is within the limit, together not.
        let batch: Vec<Value> = (0..10)
            .map(|_| json!({ "query": comparisons(15) }))
            .collect();
        let body = post(Value::Array(batch)).await;
        let refused = body
            .as_array()
            .expect("a batch answer")
            .iter()
            .filter(|answer| error_code(answer) == Some("QUERY_TOO_COMPLEX"))
            .count();
        assert!(
            refused >= 8,
            "{engine}: at most one request's worth runs: {body}"
        );
        let ran = app.statements.load(Ordering::SeqCst) - before;
        // One operation of 15 comparisons reads the metric and its measures for each.
        assert!(ran < 150, "{engine}: {ran} statements ran for refused work");
        app.stop();
        test_db.finish().await;
    }
}
