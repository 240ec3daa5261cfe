//! A draft is invisible to other organisations through every query, list, count and nested field.

use registry_api::model::Visibility;
use registry_api::service::{measures, reports};
use serde_json::json;

use crate::support::app::token_for;
use crate::support::{self, World};

#[tokio::test]
async fn a_draft_is_invisible_to_other_organisations_everywhere() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let draft = w.pilot(db, "Secret draft", Visibility::Draft).await;
        w.pilot(db, "Open pilot", Visibility::Public).await;
        measures::record(db, &w.evaluator_a, w.wait_measure(draft.id))
            .await
            .expect("measure");
        reports::submit(
            db,
            &w.evaluator_a,
            draft.id,
            reports::ReportInput {
                summary: "Draft findings".to_owned(),
                findings: "Confidential.".to_owned(),
                recommendation: registry_api::model::Recommendation::Adopt,
                barriers: String::new(),
                lessons: String::new(),
                costs_and_savings: String::new(),
                links: vec![],
                amendment_reason: None,
                publish: true,
                draft_version: None,
            },
        )
        .await
        .expect("report");
        let app = test_db.app().await;
        let query = "query($id: ID!, $tech: ID) {
            pilot(id: $id) { title }
            pilots { totalCount edges { node { title } } }
            drafts: pilots(filter: { visibility: DRAFT }) { totalCount }
            byHost: pilots(filter: { hostOrganisationId: $tech }) { totalCount }
            technology(slug: \"heart-watch\") {
                pilots { totalCount nodes { title measures { id } reportRevisions { summary } } }
            }
            technologies { edges { node { pilots { nodes { title } } } } }
            host: organisation(id: $tech) { pilots { totalCount nodes { title } } }
        }";
        let viewers = [
            ("anonymous", None),
            (
                "NHS member of another trust",
                Some(token_for(db, &w.member_b).await),
            ),
            (
                "evaluator at another trust",
                Some(token_for(db, &w.evaluator_b).await),
            ),
            ("commissioner", Some(token_for(db, &w.commissioner).await)),
            ("administrator", Some(token_for(db, &w.admin).await)),
        ];
        for (who, token) in &viewers {
            let body = app
                .graphql(
                    token.as_deref(),
                    query,
                    json!({ "id": draft.id, "tech": w.trust_a.id }),
                )
                .await;
            assert!(body["errors"].is_null(), "{engine}: {who}: {body}");
            let data = &body["data"];
            assert_eq!(
                data["pilot"],
                json!(null),
                "{engine}: {who} cannot read the draft"
            );
            assert_eq!(
                data["pilots"]["totalCount"], 1,
                "{engine}: {who} counts only the open pilot"
            );
            assert_eq!(
                data["pilots"]["edges"],
                json!([{ "node": { "title": "Open pilot" } }]),
                "{engine}: {who}"
            );
            assert_eq!(data["drafts"]["totalCount"], 0, "{engine}: {who}");
            assert_eq!(data["byHost"]["totalCount"], 1, "{engine}: {who}");
            assert_eq!(
                data["technology"]["pilots"],
                json!({
                    "totalCount": 1,
                    "nodes": [{ "title": "Open pilot", "measures": [], "reportRevisions": [] }],
                }),
                "{engine}: {who} nested"
            );
            assert_eq!(
                data["technologies"]["edges"][0]["node"]["pilots"]["nodes"],
                json!([{ "title": "Open pilot" }]),
                "{engine}: {who} nested in a list"
            );
            assert_eq!(
                data["host"]["pilots"],
                json!({ "totalCount": 1, "nodes": [{ "title": "Open pilot" }] }),
                "{engine}: {who} through the host organisation"
            );
            assert!(
                !body.to_string().contains("Secret draft")
                    && !body.to_string().contains("Confidential"),
                "{engine}: {who}: nothing leaks"
            );
        }
        let host = token_for(db, &w.evaluator_a).await;
        let body = app
            .graphql(
                Some(&host),
                query,
                json!({ "id": draft.id, "tech": w.trust_a.id }),
            )
            .await;
        assert_eq!(
            body["data"]["pilot"]["title"], "Secret draft",
            "{engine}: the host sees its draft"
        );
        assert_eq!(body["data"]["pilots"]["totalCount"], 2, "{engine}");
        app.stop();
        test_db.finish().await;
    }
}
