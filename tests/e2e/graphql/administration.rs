//! The administrator's mutations through GraphQL: the metric catalogue (`createMetric`,
//! `updateMetric`, `retireMetric`), organisations (`createOrganisation`, `updateOrganisation`,
//! their ODS codes validated and unique) and `withdrawTechnology`. Anyone but an administrator
//! is refused and nothing changes; validation failures are `userErrors` naming the field; a
//! retired metric keeps its comparison but takes no new measure.

use registry_api::model::{Visibility, metric, organisation};
use registry_api::service::technologies;
use serde_json::{Value, json};

use crate::support::app::{error_code, token_for};
use crate::support::{self, World};

const CREATE_METRIC: &str = "mutation($i: MetricInput!) {
  createMetric(input: $i) { metric { id code version retiredAt } userErrors { field message code } }
}";
const UPDATE_METRIC: &str = "mutation($id: ID!, $v: Int!, $i: MetricInput!) {
  updateMetric(id: $id, version: $v, input: $i) { metric { name version } userErrors { field message code } }
}";
const RETIRE_METRIC: &str = "mutation($id: ID!, $v: Int!) {
  retireMetric(id: $id, version: $v) { metric { retiredAt version } userErrors { field message code } }
}";
const CREATE_ORGANISATION: &str = "mutation($i: OrganisationInput!) {
  createOrganisation(input: $i) { organisation { id odsCode version } userErrors { field message code } }
}";
const UPDATE_ORGANISATION: &str = "mutation($id: ID!, $v: Int!, $i: OrganisationInput!) {
  updateOrganisation(id: $id, version: $v, input: $i) { organisation { name odsCode version } userErrors { field message code } }
}";
const WITHDRAW_TECHNOLOGY: &str = "mutation($id: ID!, $v: Int!, $r: String!) {
  withdrawTechnology(id: $id, version: $v, reason: $r) { technology { withdrawnAt withdrawnReason } userErrors { field message code } }
}";

fn metric_input(code: &str, name: &str) -> Value {
    json!({
        "code": code, "name": name, "unit": "MINUTES", "direction": "LOWER_IS_BETTER",
        "domain": "OPERATIONAL_EFFICIENCY", "kind": "CONTINUOUS",
        "definition": "Minutes from arrival to the first treatment.",
    })
}

fn organisation_input(name: &str, ods: &str) -> Value {
    json!({ "name": name, "kind": "COMMUNITY_PROVIDER", "odsCode": ods, "region": "SOUTH_WEST" })
}

/// The payload's user errors as (field, code).
fn user_errors(payload: &Value) -> Vec<(String, String)> {
    payload["userErrors"]
        .as_array()
        .expect("userErrors")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap_or_default().to_owned(),
                e["code"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The credentials of everyone but an administrator: anonymous, and a token of each other role.
async fn everyone_else(db: &sea_orm::DatabaseConnection, w: &World) -> Vec<Option<String>> {
    let mut tokens = vec![None];
    for actor in [&w.member_b, &w.innovator, &w.evaluator_a, &w.commissioner] {
        tokens.push(Some(token_for(db, actor).await));
    }
    tokens
}

#[tokio::test]
async fn only_administrators_change_the_catalogue_and_organisations() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let metrics_before = test_db.count::<metric::Entity>().await;
        let organisations_before = test_db.count::<organisation::Entity>().await;
        let technology = &w.technology.record;
        for token in everyone_else(db, &w).await {
            let who = if token.is_some() {
                "a token"
            } else {
                "anonymous"
            };
            for (query, variables) in [
                (
                    CREATE_METRIC,
                    json!({ "i": metric_input("REFUSED_MIN", "Refused") }),
                ),
                (
                    UPDATE_METRIC,
                    json!({ "id": w.wait_minutes.id, "v": w.wait_minutes.version,
                            "i": metric_input(&w.wait_minutes.code, "Renamed") }),
                ),
                (
                    RETIRE_METRIC,
                    json!({ "id": w.wait_minutes.id, "v": w.wait_minutes.version }),
                ),
                (
                    CREATE_ORGANISATION,
                    json!({ "i": organisation_input("Refused Trust", "RQQ") }),
                ),
                (
                    UPDATE_ORGANISATION,
                    json!({ "id": w.trust_a.id, "v": w.trust_a.version,
                            "i": organisation_input("Renamed", "RQQ") }),
                ),
                (
                    WITHDRAW_TECHNOLOGY,
                    json!({ "id": technology.id, "v": technology.version, "r": "Unsafe" }),
                ),
            ] {
                let body = app.graphql(token.as_deref(), query, variables).await;
                let code = error_code(&body);
                assert!(
                    matches!(code, Some("UNAUTHENTICATED" | "FORBIDDEN")),
                    "{engine}: {who} is refused: {body}"
                );
            }
        }
        assert_eq!(test_db.count::<metric::Entity>().await, metrics_before);
        assert_eq!(
            test_db.count::<organisation::Entity>().await,
            organisations_before
        );
        let unchanged = registry_api::service::metrics::get(db, w.wait_minutes.id)
            .await
            .expect("metric");
        assert_eq!(
            (unchanged.version, unchanged.retired_at),
            (w.wait_minutes.version, None),
            "{engine}: nothing changed"
        );
        let still = technologies::get(db, &w.anonymous, technology.id)
            .await
            .expect("the technology is still there");
        assert_eq!(still.record.version, technology.version, "{engine}");
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn an_administrator_curates_metrics_and_organisations_with_field_errors() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let admin = token_for(db, &w.admin).await;
        let admin = Some(admin.as_str());

        // Metrics: made, refused with the field named, renamed with its version, stale refused.
        let body = app
            .graphql(
                admin,
                CREATE_METRIC,
                json!({ "i": metric_input("time_to_treatment_min", "Time to treatment") }),
            )
            .await;
        let created = &body["data"]["createMetric"]["metric"];
        assert_eq!(created["code"], "TIME_TO_TREATMENT_MIN", "{engine}: {body}");
        assert!(created["retiredAt"].is_null(), "{engine}: {body}");
        let body = app
            .graphql(
                admin,
                CREATE_METRIC,
                json!({ "i": metric_input("TIME_TO_TREATMENT_MIN", "Again") }),
            )
            .await;
        assert_eq!(
            user_errors(&body["data"]["createMetric"]),
            [("code".to_owned(), "TAKEN".to_owned())],
            "{engine}: a taken code is the code's error: {body}"
        );
        let body = app
            .graphql(
                admin,
                CREATE_METRIC,
                json!({ "i": metric_input("9 lives", "") }),
            )
            .await;
        let fields: Vec<String> = user_errors(&body["data"]["createMetric"])
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["code", "name"], "{engine}: {body}");
        let id = created["id"].clone();
        let body = app
            .graphql(
                admin,
                UPDATE_METRIC,
                json!({ "id": id, "v": 1, "i": metric_input("TIME_TO_TREATMENT_MIN", "Minutes to first treatment") }),
            )
            .await;
        assert_eq!(
            body["data"]["updateMetric"]["metric"]["version"], 2,
            "{engine}: {body}"
        );
        let body = app
            .graphql(
                admin,
                UPDATE_METRIC,
                json!({ "id": id, "v": 1, "i": metric_input("TIME_TO_TREATMENT_MIN", "Lost update") }),
            )
            .await;
        assert_eq!(
            user_errors(&body["data"]["updateMetric"]),
            [("version".to_owned(), "STALE".to_owned())],
            "{engine}: {body}"
        );

        // Organisations: a malformed ODS code and a taken one are the odsCode field's errors.
        let body = app
            .graphql(
                admin,
                CREATE_ORGANISATION,
                json!({ "i": organisation_input("Harbourside Diagnostics", "R!1") }),
            )
            .await;
        assert_eq!(
            user_errors(&body["data"]["createOrganisation"]),
            [("odsCode".to_owned(), "INVALID".to_owned())],
            "{engine}: {body}"
        );
        let taken = w.trust_a.ods_code.clone().expect("trust A has an ODS code");
        let body = app
            .graphql(
                admin,
                CREATE_ORGANISATION,
                json!({ "i": organisation_input("Harbourside Diagnostics", &taken.to_lowercase()) }),
            )
            .await;
        let payload = &body["data"]["createOrganisation"];
        assert_eq!(
            user_errors(payload),
            [("odsCode".to_owned(), "TAKEN".to_owned())],
            "{engine}: a duplicate ODS code, in any case, is refused: {body}"
        );
        assert!(
            payload["userErrors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("already has this ODS code")),
            "{engine}: said in plain English: {body}"
        );
        assert!(payload["organisation"].is_null(), "{engine}");
        let body = app
            .graphql(
                admin,
                CREATE_ORGANISATION,
                json!({ "i": organisation_input("Harbourside Diagnostics", "nqz09") }),
            )
            .await;
        let made = &body["data"]["createOrganisation"]["organisation"];
        assert_eq!(made["odsCode"], "NQZ09", "{engine}: {body}");
        let body = app
            .graphql(
                admin,
                UPDATE_ORGANISATION,
                json!({ "id": made["id"], "v": made["version"], "i": organisation_input("Harbourside Diagnostics", &taken) }),
            )
            .await;
        assert_eq!(
            user_errors(&body["data"]["updateOrganisation"]),
            [("odsCode".to_owned(), "TAKEN".to_owned())],
            "{engine}: an update cannot take another's code: {body}"
        );
        let body = app
            .graphql(
                admin,
                UPDATE_ORGANISATION,
                json!({ "id": made["id"], "v": made["version"], "i": organisation_input("Harbourside Community Diagnostics", "NQZ09") }),
            )
            .await;
        assert_eq!(
            body["data"]["updateOrganisation"]["organisation"]["name"],
            "Harbourside Community Diagnostics",
            "{engine}: keeping its own code is no clash: {body}"
        );

        // Withdrawing a technology: a reason is needed, then it is gone from every list.
        let t = &w.technology.record;
        let body = app
            .graphql(
                admin,
                WITHDRAW_TECHNOLOGY,
                json!({ "id": t.id, "v": t.version, "r": "  " }),
            )
            .await;
        assert_eq!(
            user_errors(&body["data"]["withdrawTechnology"]),
            [("reason".to_owned(), "REQUIRED".to_owned())],
            "{engine}: {body}"
        );
        let body = app
            .graphql(
                admin,
                WITHDRAW_TECHNOLOGY,
                json!({ "id": t.id, "v": t.version, "r": "The supplier recalled it" }),
            )
            .await;
        let withdrawn = &body["data"]["withdrawTechnology"]["technology"];
        assert_eq!(
            withdrawn["withdrawnReason"], "The supplier recalled it",
            "{engine}: {body}"
        );
        assert!(withdrawn["withdrawnAt"].is_string(), "{engine}: {body}");
        let listed = app
            .graphql(
                None,
                "{ technologies(first: 10) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(
            listed["data"]["technologies"]["totalCount"], 0,
            "{engine}: {listed}"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_retired_metric_keeps_its_comparison_and_refuses_new_measures() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let pilot = w.pilot(db, "Retirement pilot", Visibility::Public).await;
        registry_api::service::measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
            .await
            .expect("a measure on the metric");
        let other = w.pilot(db, "Too late pilot", Visibility::Public).await;
        let app = test_db.app().await;
        let admin = token_for(db, &w.admin).await;
        let metric = &w.wait_minutes;

        let body = app
            .graphql(
                Some(&admin),
                RETIRE_METRIC,
                json!({ "id": metric.id, "v": metric.version }),
            )
            .await;
        let retired = &body["data"]["retireMetric"]["metric"];
        assert!(retired["retiredAt"].is_string(), "{engine}: {body}");
        assert_eq!(retired["version"], metric.version + 1, "{engine}: {body}");
        let again = app
            .graphql(
                Some(&admin),
                RETIRE_METRIC,
                json!({ "id": metric.id, "v": metric.version + 1 }),
            )
            .await;
        assert_eq!(
            user_errors(&again["data"]["retireMetric"]),
            [("id".to_owned(), "NOT_ALLOWED".to_owned())],
            "{engine}: {again}"
        );

        let compared = app
            .graphql(
                None,
                &format!(
                    r#"{{ metricComparison(metricCode: "{}") {{ pilots {{ title }} }}
                         metrics {{ code retiredAt }} }}"#,
                    metric.code
                ),
                json!({}),
            )
            .await;
        assert_eq!(
            compared["data"]["metricComparison"]["pilots"],
            json!([{ "title": "Retirement pilot" }]),
            "{engine}: the comparison keeps its pilots: {compared}"
        );
        let listed = compared["data"]["metrics"]
            .as_array()
            .expect("metrics")
            .iter()
            .find(|m| m["code"] == metric.code.as_str())
            .cloned()
            .expect("still in the catalogue");
        assert!(
            listed["retiredAt"].is_string(),
            "{engine}: shown as retired: {listed}"
        );

        let evaluator = token_for(db, &w.evaluator_a).await;
        let body = app
            .graphql(
                Some(&evaluator),
                "mutation($i: RecordMeasureInput!) { recordMeasure(input: $i) { measure { id } userErrors { field message code } } }",
                json!({ "i": {
                    "pilotId": other.id, "metricId": metric.id, "isPrimary": true, "timeFrame": "12 weeks",
                    "comparator": "BEFORE_AFTER", "baseline": { "value": 90.0, "n": 50, "sd": 10.0 },
                    "result": { "value": 70.0, "n": 50, "sd": 9.0 },
                } }),
            )
            .await;
        let payload = &body["data"]["recordMeasure"];
        assert!(payload["measure"].is_null(), "{engine}: {body}");
        assert_eq!(
            user_errors(payload),
            [("metricId".to_owned(), "NOT_ALLOWED".to_owned())],
            "{engine}: {body}"
        );
        assert!(
            payload["userErrors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("was retired") && m.contains("choose another metric")),
            "{engine}: in plain English: {body}"
        );
        let web = app
            .http
            .get(app.url(&format!("/evidence/{}", metric.code)))
            .send()
            .await
            .expect("comparison page");
        assert_eq!(web.status(), reqwest::StatusCode::OK, "{engine}");
        let page = web.text().await.expect("body");
        assert!(
            page.contains("Retired metric"),
            "{engine}: the page says so"
        );
        assert!(
            page.contains("Retirement pilot"),
            "{engine}: and still compares"
        );
        app.stop();
        test_db.finish().await;
    }
}
