//! One rule, every door: each actor, through a read-only and a read-write API token, against
//! every state of a pilot and of a report revision. Reading one pilot, listing, counting,
//! searching and comparing must agree with each other and with the rule as written in
//! `service::access`, on both databases.

use std::collections::BTreeSet;

use registry_api::Actor;
use registry_api::indexing::outbox::{self, WorkerSettings};
use registry_api::model::{Recommendation, TokenScope, Visibility};
use registry_api::service::{measures, pilots, reports, tokens};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::support::app::TestApp;
use crate::support::{self, World};

const DRAFT: &str = "Zephyr draft";
const NHS: &str = "Zephyr nhs";
const PUBLIC: &str = "Zephyr public";
const WITHDRAWN: &str = "Zephyr withdrawn";
const NHS_WITHDRAWN: &str = "Zephyr nhs withdrawn";
const ALL: [&str; 5] = [DRAFT, NHS, PUBLIC, WITHDRAWN, NHS_WITHDRAWN];

fn report(summary: &str, publish: bool, amendment: Option<&str>) -> reports::ReportInput {
    reports::ReportInput {
        summary: summary.to_owned(),
        findings: "Waits fell.".to_owned(),
        recommendation: Recommendation::Adopt,
        barriers: String::new(),
        lessons: String::new(),
        costs_and_savings: String::new(),
        links: vec![],
        amendment_reason: amendment.map(str::to_owned),
        publish,
        draft_version: None,
    }
}

/// The pilots of every state, each with a measure; the public one with a published report
/// revision, an amendment of it and a draft revision after that.
async fn records(db: &sea_orm::DatabaseConnection, w: &World) -> String {
    let mut public_id = String::new();
    for (title, visibility, withdraw) in [
        (DRAFT, Visibility::Draft, false),
        (NHS, Visibility::Nhs, false),
        (PUBLIC, Visibility::Public, false),
        (WITHDRAWN, Visibility::Public, true),
        (NHS_WITHDRAWN, Visibility::Nhs, true),
    ] {
        let draft = w.pilot(db, title, Visibility::Draft).await;
        measures::record(db, &w.evaluator_a, w.wait_measure(draft.id))
            .await
            .expect("measure");
        let pilot = if visibility == Visibility::Draft {
            draft
        } else {
            pilots::publish(db, &w.evaluator_a, draft.id, draft.version, visibility)
                .await
                .expect("publish")
        };
        if withdraw {
            pilots::withdraw(db, &w.admin, pilot.id, pilot.version, "Duplicate entry")
                .await
                .expect("withdraw");
        }
        if title == PUBLIC {
            public_id = pilot.id.to_string();
            for input in [
                report("First", true, None),
                report("Corrected", true, Some("A figure was mistyped")),
                report("Next", false, Some("Adding the twelve-month results")),
            ] {
                reports::submit(db, &w.evaluator_a, pilot.id, input)
                    .await
                    .expect("report");
            }
        }
    }
    public_id
}

fn titles(values: impl IntoIterator<Item = Value>) -> BTreeSet<String> {
    values
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

fn expected(titles: &[&str]) -> BTreeSet<String> {
    titles.iter().map(|t| (*t).to_owned()).collect()
}

/// What one credential sees through every door.
async fn through_every_door(app: &TestApp, token: Option<&str>, ids: &[(String, String)]) -> Doors {
    let query = r#"query($tech: ID) {
      pilots(first: 100, filter: { technologyId: $tech }) { totalCount edges { node { title } } }
      search(query: "Zephyr", filter: { kind: [PILOT] }, first: 50) {
        totalCount edges { node { title } }
        facets { facet values { value count } } }
      metricComparison(metricCode: "TEST_WAIT") { pilots { title } excluded { title } }
    }"#;
    let body = app.graphql(token, query, json!({ "tech": ids[0].1 })).await;
    assert!(body["errors"].is_null(), "{body}");
    let data = &body["data"];
    let listed = titles(
        data["pilots"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["title"].clone()),
    );
    let searched = titles(
        data["search"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|e| e["node"]["title"].clone()),
    );
    let kind_facet = data["search"]["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["facet"] == "KIND")
        .and_then(|f| f["values"].as_array())
        .and_then(|values| values.iter().find(|v| v["value"] == "PILOT"))
        .and_then(|v| v["count"].as_u64())
        .unwrap_or(0);
    let comparison = &data["metricComparison"];
    let compared = titles(
        comparison["pilots"]
            .as_array()
            .expect("pilots")
            .iter()
            .chain(comparison["excluded"].as_array().expect("excluded"))
            .map(|p| p["title"].clone()),
    );
    let mut read = BTreeSet::new();
    let mut revisions = Vec::new();
    for (title, id) in &ids[1..] {
        let body = app
            .graphql(
                token,
                "query($id: ID!) { pilot(id: $id) { title reportRevisions { revision status } } }",
                json!({ "id": id }),
            )
            .await;
        if !body["data"]["pilot"].is_null() {
            read.insert(title.clone());
            if title == PUBLIC {
                revisions = body["data"]["pilot"]["reportRevisions"]
                    .as_array()
                    .expect("revisions")
                    .iter()
                    .filter_map(|r| r["revision"].as_i64())
                    .collect();
            }
        }
    }
    Doors {
        read,
        listed,
        counted: data["pilots"]["totalCount"].as_u64().unwrap_or(u64::MAX),
        searched,
        search_total: data["search"]["totalCount"].as_u64().unwrap_or(u64::MAX),
        kind_facet,
        compared,
        revisions,
    }
}

/// Who, acting as whom (none: anonymous), may read which pilots and which revisions of the
/// public pilot's report.
type Case<'a> = (&'a str, Option<&'a Actor>, &'a [&'a str], &'a [i64]);

#[derive(Debug)]
struct Doors {
    read: BTreeSet<String>,
    listed: BTreeSet<String>,
    counted: u64,
    searched: BTreeSet<String>,
    search_total: u64,
    kind_facet: u64,
    compared: BTreeSet<String>,
    revisions: Vec<i64>,
}

#[tokio::test]
async fn every_door_agrees_for_every_actor_and_record_state() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let public_id = records(db, &w).await;
        let app = test_db.app().await;
        // The index as the worker leaves it once it has caught up.
        outbox::drain(db, &app.search, WorkerSettings::default())
            .await
            .expect("index");
        let mut ids = vec![("technology".to_owned(), w.technology.record.id.to_string())];
        for title in ALL {
            let found = registry_api::model::pilot::Entity::find()
                .filter(registry_api::model::pilot::Column::Title.eq(title))
                .one(db)
                .await
                .expect("pilot")
                .expect("exists");
            ids.push((title.to_owned(), found.id.to_string()));
        }
        assert_eq!(ids[3].1, public_id);

        let host_only = [DRAFT, NHS, PUBLIC, WITHDRAWN, NHS_WITHDRAWN];
        let nhs = [NHS, PUBLIC];
        let cases: [Case; 8] = [
            ("anonymous", None, &[PUBLIC], &[1, 2]),
            (
                "member of the host",
                Some(&w.member_a),
                &host_only,
                &[1, 2, 3],
            ),
            (
                "member of another NHS body",
                Some(&w.member_b),
                &nhs,
                &[1, 2],
            ),
            ("innovator", Some(&w.innovator), &[PUBLIC], &[1, 2]),
            (
                "evaluator at the host",
                Some(&w.evaluator_a),
                &host_only,
                &[1, 2, 3],
            ),
            ("evaluator elsewhere", Some(&w.evaluator_b), &nhs, &[1, 2]),
            ("commissioner", Some(&w.commissioner), &nhs, &[1, 2]),
            (
                "administrator",
                Some(&w.admin),
                &[NHS, PUBLIC, WITHDRAWN, NHS_WITHDRAWN],
                &[1, 2],
            ),
        ];
        for (who, actor, may_read, revisions) in cases {
            let credentials: Vec<(&str, Option<String>)> = match actor {
                None => vec![("no token", None)],
                Some(actor) => {
                    let mut made = Vec::new();
                    for (label, scope) in [
                        ("read token", TokenScope::Read),
                        ("read-write token", TokenScope::ReadWrite),
                    ] {
                        let token = tokens::create(db, actor, label, scope, 1)
                            .await
                            .expect("token")
                            .secret;
                        made.push((label, Some(token)));
                    }
                    made
                }
            };
            let want = expected(may_read);
            for (label, token) in credentials {
                let doors = through_every_door(&app, token.as_deref(), &ids).await;
                let context = format!("{engine}: {who} with {label}: {doors:?}");
                assert_eq!(doors.read, want, "reading one by one: {context}");
                assert_eq!(doors.listed, want, "listing: {context}");
                assert_eq!(doors.counted, want.len() as u64, "counting: {context}");
                assert_eq!(doors.searched, want, "searching: {context}");
                assert_eq!(
                    doors.search_total,
                    want.len() as u64,
                    "search count: {context}"
                );
                assert_eq!(
                    doors.kind_facet,
                    want.len() as u64,
                    "search facets: {context}"
                );
                // Aggregates leave withdrawn pilots out, for those who may still read them too.
                let comparable: BTreeSet<String> = want
                    .iter()
                    .filter(|t| !t.ends_with("withdrawn"))
                    .cloned()
                    .collect();
                assert_eq!(doors.compared, comparable, "comparing: {context}");
                assert_eq!(doors.revisions, revisions, "report revisions: {context}");
            }
        }
        app.stop();
        test_db.finish().await;
    }
}
