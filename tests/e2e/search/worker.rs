//! The outbox worker that `registry serve` runs, running in the test app too: a pilot published
//! through GraphQL becomes searchable through the worker alone, with nobody draining the outbox
//! by hand, on every database.

use std::time::{Duration, Instant};

use registry_api::model::Visibility;
use serde_json::{Value, json};

use super::outbox_empties;
use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

/// How long the worker may take; it polls every 100 ms, so this is generous even for a debug
/// build on a loaded machine.
const BOUND: Duration = Duration::from_secs(10);

const SEARCH: &str =
    "{ search(query: \"falls clinic\") { totalCount edges { node { kind pilot { id title } } } } }";

/// Searches until a result turns up or `BOUND` passes; returns the last answer.
async fn search_until_found(app: &TestApp) -> Value {
    let deadline = Instant::now() + BOUND;
    loop {
        let answer = app.graphql(None, SEARCH, json!({})).await;
        if answer["data"]["search"]["totalCount"] != 0 || Instant::now() >= deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_published_pilot_becomes_searchable_through_the_running_worker_alone() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let draft = w
            .pilot(db, "Community falls clinic by video", Visibility::Draft)
            .await;
        assert!(
            outbox_empties(db, BOUND).await,
            "{engine}: the worker takes the draft's change from the outbox"
        );
        assert_eq!(
            app.graphql(None, SEARCH, json!({})).await["data"]["search"]["totalCount"],
            0,
            "{engine}: a draft is not found"
        );

        let token = token_for(db, &w.evaluator_a).await;
        let published = app
            .graphql(
                Some(&token),
                "mutation($id: ID!, $v: Int!) { publishPilot(id: $id, version: $v, visibility: PUBLIC) { pilot { visibility } } }",
                json!({ "id": draft.id, "v": draft.version }),
            )
            .await;
        assert_eq!(
            published["data"]["publishPilot"]["pilot"]["visibility"], "PUBLIC",
            "{engine}: {published}"
        );

        let found = search_until_found(&app).await;
        let result = &found["data"]["search"];
        assert_eq!(
            result["totalCount"], 1,
            "{engine}: the published pilot is found within {BOUND:?}: {found}"
        );
        assert_eq!(result["edges"][0]["node"]["kind"], "PILOT", "{engine}");
        assert_eq!(
            result["edges"][0]["node"]["pilot"]["id"],
            json!(draft.id),
            "{engine}: {found}"
        );
        assert!(
            outbox_empties(db, BOUND).await,
            "{engine}: and the worker empties the outbox"
        );
        app.stop();
        test_db.finish().await;
    }
}
