//! A nested page costs the same SQL statements whatever its size: technologies → pilots →
//! measures → metric, for 5 and for 50 technologies of a registry with thousands of pilots,
//! far more than a level can resolve in any batch window. Only a `totalCount` that is asked
//! for is counted.

use std::sync::atomic::Ordering;

use registry_api::service::technologies;
use serde_json::{Value, json};

use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

const QUERY: &str = "query($first: Int) { technologies(first: $first) { nodes {
    name supplier { name } pilots(first: 10) { nodes { title host { name }
    measures { metric { code } baseline { value } result { value } change { improved } } } } } } }";

const COUNTED: &str = "query($first: Int) { technologies(first: $first) { totalCount nodes {
    pilots { totalCount } } } }";

/// The statements one request ran, and its response.
async fn statements_for(
    app: &TestApp,
    token: &str,
    query: &str,
    first: usize,
) -> (Vec<String>, Value) {
    let before = app.statements.load(Ordering::SeqCst);
    let body = app
        .graphql(Some(token), query, json!({ "first": first }))
        .await;
    let mut log = app.log.lock().expect("statement log")[before..].to_vec();
    // The batches of one level run side by side, so they may finish in either order.
    log.sort();
    (log, body)
}

fn is_count(statement: &str) -> bool {
    statement.to_ascii_uppercase().contains("COUNT(")
}

#[tokio::test]
async fn statement_count_does_not_grow_with_the_page() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        registry_seed::demo::load(db).await.expect("demo data");
        let w = World::build(db).await;
        for i in 0..50 {
            let input = support::world::technology_input(w.supplier.id, &format!("extra-{i}"));
            technologies::register(db, &w.system, input)
                .await
                .expect("technology");
        }
        registry_seed::synthetic::generate(db, 4_000)
            .await
            .expect("synthetic pilots");
        let app = test_db.app().await;
        let token = token_for(db, &w.commissioner).await;
        // A token's first use records when it was used; later uses within the hour do not.
        statements_for(&app, &token, QUERY, 1).await;

        let (small, small_body) = statements_for(&app, &token, QUERY, 5).await;
        let (large, large_body) = statements_for(&app, &token, QUERY, 50).await;
        let technologies = |body: &Value| {
            body["data"]["technologies"]["nodes"]
                .as_array()
                .map(Vec::len)
                .unwrap_or(0)
        };
        assert_eq!(
            (technologies(&small_body), technologies(&large_body)),
            (5, 50),
            "{engine}: {large_body}"
        );
        let pilots = large_body.to_string().matches("\"host\"").count();
        let measures = large_body.to_string().matches("\"code\"").count();
        assert!(
            pilots >= 400 && measures >= 400,
            "{engine}: the large page reaches {pilots} pilots and {measures} measures"
        );
        assert_eq!(
            small, large,
            "{engine}: the same statements for 5 technologies and for 50"
        );
        // The token, its user and memberships; the technologies and their four attributes;
        // the suppliers; the pilots; their hosts; their measures; the metrics.
        assert_eq!(
            small.len(),
            13,
            "{engine}: one statement a level, not one per record: {small:#?}"
        );
        assert!(
            !small.iter().any(|s| is_count(s)),
            "{engine}: nothing is counted unless totalCount is asked for: {small:#?}"
        );

        let (small, small_body) = statements_for(&app, &token, COUNTED, 5).await;
        let (large, _) = statements_for(&app, &token, COUNTED, 50).await;
        assert_eq!(
            small, large,
            "{engine}: counting is one statement a level too"
        );
        assert_eq!(
            small.iter().filter(|s| is_count(s)).count(),
            2,
            "{engine}: the technologies, and every technology's pilots at once: {small:#?}"
        );
        assert!(
            small_body["data"]["technologies"]["nodes"][0]["pilots"]["totalCount"]
                .as_u64()
                .is_some_and(|n| n > 20),
            "{engine}: {small_body}"
        );
        app.stop();
        test_db.finish().await;
    }
}
