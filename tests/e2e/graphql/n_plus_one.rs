//! A nested page costs the same number of SQL statements whatever its size: technologies →
//! pilots → measures → metric, for 5 and for 50 technologies.

use std::sync::atomic::Ordering;

use registry_api::service::technologies;
use serde_json::json;

use crate::support::app::TestApp;
use crate::support::{self, World};

const QUERY: &str = "query($first: Int) { technologies(first: $first) { totalCount edges { node {
    name supplier { name } pilots { title host { name } measures { metric { code } baseline { value } change { improved } } } } } } }";

/// The statements one request ran, and its response.
async fn statements_for(app: &TestApp, first: usize) -> (Vec<String>, serde_json::Value) {
    let before = app.statements.load(Ordering::SeqCst);
    let body = app.graphql(None, QUERY, json!({ "first": first })).await;
    let log = app.log.lock().expect("statement log")[before..].to_vec();
    (log, body)
}

#[tokio::test]
async fn statement_count_does_not_grow_with_the_page() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        registry_seed::demo::load(db).await.expect("demo data");
        let w = World::build(db).await;
        for i in 0..5 {
            let input = support::world::technology_input(w.supplier.id, &format!("extra-{i}"));
            technologies::register(db, &w.system, input)
                .await
                .expect("technology");
        }
        let app = test_db.app().await;
        let (small, small_body) = statements_for(&app, 5).await;
        let (large, large_body) = statements_for(&app, 50).await;
        let edges = |body: &serde_json::Value| {
            body["data"]["technologies"]["edges"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0)
        };
        assert_eq!(
            (edges(&small_body), edges(&large_body)),
            (5, 50),
            "{engine}: {large_body}"
        );
        let measures = large_body.to_string().matches("\"code\"").count();
        assert!(
            measures > 50,
            "{engine}: the large page really reaches measures and metrics ({measures})"
        );
        assert_eq!(
            small.len(),
            large.len(),
            "{engine}: statements for 5 technologies {small:#?}, for 50 {large:#?}"
        );
        assert!(
            small.len() <= 15,
            "{engine}: a handful of statements, not one per record: {small:#?}"
        );
        app.stop();
        test_db.finish().await;
    }
}
