//! Sharing a draft before publication, on every engine and through GraphQL: the members of
//! the organisation it is shared with read it, find it by search and count it in comparisons;
//! nobody else does; only the host's evaluators share it, or see with whom; the sharing and
//! its end are audited, and ending it takes the draft back from search and comparisons.

use std::time::Duration;

use registry_api::model::{Visibility, audit_log};
use registry_api::service::measures;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::search::outbox_empties;
use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

const TITLE: &str = "Zephyr shared draft";

/// What one viewer sees of the draft: through `pilot(id)`, search and the comparison.
async fn seen(app: &TestApp, token: &str, id: &str) -> (bool, bool, bool, Value) {
    let query = r#"query($id: ID!) {
      pilot(id: $id) { title sharedWith { organisation { name } sharedBy } }
      search(query: "Zephyr", filter: { kind: [PILOT] }) { edges { node { title } } }
      metricComparison(metricCode: "TEST_WAIT") { pilots { title } }
    }"#;
    let body = app.graphql(Some(token), query, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    let data = &body["data"];
    let found = data["search"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .any(|e| e["node"]["title"] == TITLE);
    let compared = data["metricComparison"]["pilots"]
        .as_array()
        .expect("pilots")
        .iter()
        .any(|p| p["title"] == TITLE);
    (
        !data["pilot"].is_null(),
        found,
        compared,
        data["pilot"]["sharedWith"].clone(),
    )
}

async fn share(app: &TestApp, token: &str, mutation: &str, id: &str, organisation: &str) -> Value {
    let query = format!(
        "mutation($id: ID!, $org: ID!) {{ {mutation}(id: $id, organisationId: $org) {{ \
         pilot {{ title }} userErrors {{ field code message }} }} }}"
    );
    app.graphql(
        Some(token),
        &query,
        json!({ "id": id, "org": organisation }),
    )
    .await
}

async fn audited(db: &sea_orm::DatabaseConnection, action: &str) -> usize {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.eq(action))
        .all(db)
        .await
        .expect("audit log")
        .len()
}

#[tokio::test]
async fn a_shared_draft_is_read_by_the_named_organisation_only() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let draft = w.pilot(db, TITLE, Visibility::Draft).await;
        measures::record(db, &w.evaluator_a, w.wait_measure(draft.id))
            .await
            .expect("measure");
        let app = test_db.app().await;
        let id = draft.id.to_string();
        let trust_b = w.trust_b.id.to_string();
        let host = token_for(db, &w.evaluator_a).await;
        let member_b = token_for(db, &w.member_b).await;
        let evaluator_b = token_for(db, &w.evaluator_b).await;
        let innovator = token_for(db, &w.innovator).await;
        let settle = || async {
            assert!(
                outbox_empties(db, Duration::from_secs(20)).await,
                "{engine}: indexed"
            );
        };

        settle().await;
        let (read, found, compared, _) = seen(&app, &member_b, &id).await;
        assert!(
            !read && !found && !compared,
            "{engine}: a draft is its host's alone"
        );

        // Only the host's evaluators share it; bad requests name the field.
        let refused = share(&app, &member_b, "sharePilot", &id, &trust_b).await;
        assert!(
            refused["data"].is_null() || !refused["errors"].is_null(),
            "{engine}: an outsider cannot share what they cannot read: {refused}"
        );
        let own = share(&app, &host, "sharePilot", &id, &w.trust_a.id.to_string()).await;
        assert_eq!(
            own["data"]["sharePilot"]["userErrors"][0]["field"], "organisationId",
            "{engine}: {own}"
        );
        let shared = share(&app, &host, "sharePilot", &id, &trust_b).await;
        assert_eq!(
            shared["data"]["sharePilot"]["userErrors"],
            json!([]),
            "{engine}: {shared}"
        );
        let again = share(&app, &host, "sharePilot", &id, &trust_b).await;
        assert_eq!(
            again["data"]["sharePilot"]["userErrors"][0]["code"], "NOT_ALLOWED",
            "{engine}: {again}"
        );
        assert_eq!(
            audited(db, "pilot.share").await,
            1,
            "{engine}: the sharing is audited"
        );

        settle().await;
        let (read, found, compared, shared_with) = seen(&app, &member_b, &id).await;
        assert!(
            read && found && compared,
            "{engine}: trust B reads, finds and compares it"
        );
        assert_eq!(
            shared_with,
            json!([]),
            "{engine}: only the host sees with whom it is shared"
        );
        let (read, found, compared, _) = seen(&app, &evaluator_b, &id).await;
        assert!(
            read && found && compared,
            "{engine}: every member of trust B does"
        );
        let (read, found, compared, _) = seen(&app, &innovator, &id).await;
        assert!(!read && !found && !compared, "{engine}: nobody else does");
        let (_, _, _, shared_with) = seen(&app, &host, &id).await;
        assert_eq!(
            shared_with[0]["organisation"]["name"], w.trust_b.name,
            "{engine}: the host sees with whom"
        );
        let anonymous = app
            .graphql(
                None,
                "query($id: ID!) { pilot(id: $id) { title } }",
                json!({ "id": id }),
            )
            .await;
        assert!(
            anonymous["data"]["pilot"].is_null(),
            "{engine}: {anonymous}"
        );

        // Ending it takes the draft back.
        let ended = share(&app, &host, "endPilotSharing", &id, &trust_b).await;
        assert_eq!(
            ended["data"]["endPilotSharing"]["userErrors"],
            json!([]),
            "{engine}: {ended}"
        );
        assert_eq!(
            audited(db, "pilot.share_end").await,
            1,
            "{engine}: its end is audited"
        );
        settle().await;
        let (read, found, compared, _) = seen(&app, &member_b, &id).await;
        assert!(!read && !found && !compared, "{engine}: no longer shared");
        let twice = share(&app, &host, "endPilotSharing", &id, &trust_b).await;
        assert_eq!(
            twice["data"]["endPilotSharing"]["userErrors"][0]["field"], "organisationId",
            "{engine}: {twice}"
        );
        app.stop();
        test_db.finish().await;
    }
}
