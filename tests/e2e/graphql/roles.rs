//! The role-by-mutation matrix through GraphQL: each mutation, as each kind of actor, allowed or
//! refused as SPEC says. Refusals carry `extensions.code` UNAUTHENTICATED or FORBIDDEN (or, for a
//! record the actor may not see, NOT_FOUND) and change nothing.

use registry_api::Actor;
use registry_api::model::{TokenScope, Visibility};
use registry_api::service::tokens;
use sea_orm::DatabaseConnection;
use serde_json::{Value, json};

use crate::support::app::{TestApp, error_code, token_for};
use crate::support::world::date;
use crate::support::{self, World};

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    OtherNhsMember,
    Innovator,
    HostEvaluator,
    Commissioner,
    Administrator,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::OtherNhsMember,
    Who::Innovator,
    Who::HostEvaluator,
    Who::Commissioner,
    Who::Administrator,
];

fn actor(w: &World, who: Who) -> Option<&Actor> {
    match who {
        Who::Anonymous => None,
        Who::OtherNhsMember => Some(&w.member_b),
        Who::Innovator => Some(&w.innovator),
        Who::HostEvaluator => Some(&w.evaluator_a),
        Who::Commissioner => Some(&w.commissioner),
        Who::Administrator => Some(&w.admin),
    }
}

fn technology_input(w: &World, slug: &str) -> Value {
    json!({
        "slug": slug, "name": "Matrix tool", "supplierId": w.supplier.id,
        "summary": "A tool.", "description": "A tool for the matrix.",
        "category": "REMOTE_MONITORING", "specialties": ["CARDIOLOGY"], "careSettings": ["COMMUNITY"],
        "deviceClass": "NOT_A_DEVICE",
    })
}

fn pilot_input(w: &World, title: &str) -> Value {
    json!({
        "technologyId": w.technology.record.id, "hostOrganisationId": w.trust_a.id, "title": title,
        "problem": "Waits are long.", "status": "LIVE", "startDate": date(2025, 2, 1),
        "careSetting": "COMMUNITY", "specialty": "CARDIOLOGY", "population": "Adults",
        "design": "BEFORE_AFTER", "evaluatorKind": "INTERNAL",
    })
}

/// Runs one mutation as `who` after `setup` prepared a fresh record; returns the response.
async fn attempt(
    app: &TestApp,
    db: &DatabaseConnection,
    w: &World,
    who: Who,
    mutation: &str,
    n: usize,
) -> Value {
    let token = match actor(w, who) {
        Some(a) => Some(token_for(db, a).await),
        None => None,
    };
    let tag = format!("{mutation} {who:?} {n}");
    let (query, variables) = match mutation {
        "registerTechnology" => (
            "mutation($i: RegisterTechnologyInput!) { registerTechnology(input: $i) { technology { slug } userErrors { field } } }",
            json!({ "i": technology_input(w, &format!("matrix-{n}")) }),
        ),
        "updateTechnology" => {
            let t = registry_api::service::technologies::register(
                db,
                &w.system,
                support::world::technology_input(w.supplier.id, &format!("upd-{n}")),
            )
            .await
            .expect("technology");
            (
                "mutation($id: ID!, $v: Int!, $i: RegisterTechnologyInput!) { updateTechnology(id: $id, version: $v, input: $i) { technology { slug } userErrors { field } } }",
                json!({ "id": t.record.id, "v": t.record.version, "i": technology_input(w, &format!("upd-{n}")) }),
            )
        }
        "registerPilot" => (
            "mutation($i: RegisterPilotInput!) { registerPilot(input: $i) { pilot { title } userErrors { field } } }",
            json!({ "i": pilot_input(w, &tag) }),
        ),
        "updatePilot" => {
            let p = w.pilot(db, &tag, Visibility::Public).await;
            (
                "mutation($id: ID!, $v: Int!, $i: RegisterPilotInput!) { updatePilot(id: $id, version: $v, input: $i) { pilot { title } userErrors { field } } }",
                json!({ "id": p.id, "v": p.version, "i": pilot_input(w, &format!("{tag} renamed")) }),
            )
        }
        "recordMeasure" => {
            let p = w.pilot(db, &tag, Visibility::Public).await;
            (
                "mutation($i: RecordMeasureInput!) { recordMeasure(input: $i) { measure { isPrimary } userErrors { field } } }",
                json!({ "i": {
                    "pilotId": p.id, "metricId": w.wait_minutes.id, "isPrimary": true, "timeFrame": "12 weeks",
                    "comparator": "BEFORE_AFTER", "baseline": { "value": 90.0, "n": 50, "sd": 10.0 },
                    "result": { "value": 70.0, "n": 50, "sd": 9.0 },
                } }),
            )
        }
        "submitEvaluationReport" => {
            let p = w.pilot(db, &tag, Visibility::Public).await;
            (
                "mutation($i: SubmitEvaluationReportInput!) { submitEvaluationReport(input: $i) { revision { revision } userErrors { field } } }",
                json!({ "i": { "pilotId": p.id, "summary": "Worked.", "findings": "Waits fell.", "recommendation": "ADOPT" } }),
            )
        }
        "publishPilot" => {
            let p = w.pilot(db, &tag, Visibility::Nhs).await;
            (
                "mutation($id: ID!, $v: Int!) { publishPilot(id: $id, version: $v, visibility: PUBLIC) { pilot { visibility } userErrors { field } } }",
                json!({ "id": p.id, "v": p.version }),
            )
        }
        "withdrawPilot" => {
            let p = w.pilot(db, &tag, Visibility::Public).await;
            (
                "mutation($id: ID!, $v: Int!) { withdrawPilot(id: $id, version: $v, reason: \"Duplicate entry\") { pilot { withdrawnReason } userErrors { field } } }",
                json!({ "id": p.id, "v": p.version }),
            )
        }
        "createApiToken" => (
            "mutation { createApiToken(name: \"matrix\", scope: READ, expiresInDays: 7) { token apiToken { scope } userErrors { field } } }",
            json!({}),
        ),
        "revokeApiToken" => {
            let t = tokens::create(db, &w.commissioner, "to revoke", TokenScope::Read, 7)
                .await
                .expect("token");
            (
                "mutation($id: ID!) { revokeApiToken(id: $id) { apiToken { revokedAt } userErrors { field } } }",
                json!({ "id": t.token.id }),
            )
        }
        other => panic!("no such mutation {other}"),
    };
    app.graphql(token.as_deref(), query, variables).await
}

#[tokio::test]
async fn each_mutation_is_allowed_or_refused_by_role() {
    use Who::*;
    let matrix: [(&str, &[Who]); 10] = [
        ("registerTechnology", &[Innovator, Administrator]),
        ("updateTechnology", &[Innovator, Administrator]),
        ("registerPilot", &[HostEvaluator]),
        ("updatePilot", &[HostEvaluator]),
        ("recordMeasure", &[HostEvaluator]),
        ("submitEvaluationReport", &[HostEvaluator]),
        ("publishPilot", &[HostEvaluator]),
        ("withdrawPilot", &[Administrator]),
        (
            "createApiToken",
            &[
                OtherNhsMember,
                Innovator,
                HostEvaluator,
                Commissioner,
                Administrator,
            ],
        ),
        ("revokeApiToken", &[Commissioner, Administrator]),
    ];
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let mut n = 0;
        for (mutation, allowed) in matrix {
            for who in EVERYONE {
                n += 1;
                let body = attempt(&app, db, &w, who, mutation, n).await;
                if allowed.contains(&who) {
                    let payload = &body["data"][mutation];
                    assert!(
                        body["errors"].is_null(),
                        "{engine}: {who:?} may {mutation}: {body}"
                    );
                    assert_eq!(
                        payload["userErrors"],
                        json!([]),
                        "{engine}: {who:?} {mutation}: {body}"
                    );
                } else {
                    let code = error_code(&body);
                    let expected: &[&str] = match (who, mutation) {
                        (Anonymous, _) => &["UNAUTHENTICATED"],
                        // Someone else's token is, for them, a token that does not exist; so
                        // is an NHS-only pilot for a supplier's innovator.
                        (_, "revokeApiToken") | (Innovator, "publishPilot") => &["NOT_FOUND"],
                        _ => &["FORBIDDEN"],
                    };
                    assert!(
                        code.is_some_and(|c| expected.contains(&c)),
                        "{engine}: {who:?} may not {mutation}, expected {expected:?}: {body}"
                    );
                    assert!(
                        body["data"].is_null() || body["data"][mutation].is_null(),
                        "{engine}: {body}"
                    );
                }
            }
        }
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn validation_failures_and_stale_versions_come_back_as_user_errors() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let token = token_for(db, &w.evaluator_a).await;
        let mut input = pilot_input(&w, "");
        input["endDate"] = json!("2025-01-01");
        input["contactEmail"] = json!("nobody");
        let body = app.graphql(Some(&token), "mutation($i: RegisterPilotInput!) { registerPilot(input: $i) { pilot { id } userErrors { field message code } } }", json!({ "i": input })).await;
        let errors = &body["data"]["registerPilot"]["userErrors"];
        let fields: Vec<_> = errors
            .as_array()
            .expect("user errors")
            .iter()
            .map(|e| {
                (
                    e["field"].as_str().unwrap_or(""),
                    e["code"].as_str().unwrap_or(""),
                )
            })
            .collect();
        assert!(fields.contains(&("title", "REQUIRED")), "{engine}: {body}");
        assert!(
            fields.contains(&("endDate", "NOT_ALLOWED")),
            "{engine}: {body}"
        );
        assert!(
            fields.contains(&("contactEmail", "INVALID")),
            "{engine}: {body}"
        );
        assert_eq!(
            body["data"]["registerPilot"]["pilot"],
            json!(null),
            "{engine}"
        );

        let pilot = w.pilot(db, "Versioned", Visibility::Nhs).await;
        let update = "mutation($id: ID!, $v: Int!, $i: RegisterPilotInput!) { updatePilot(id: $id, version: $v, input: $i) { pilot { version } userErrors { field code } } }";
        let first = app
            .graphql(
                Some(&token),
                update,
                json!({ "id": pilot.id, "v": pilot.version, "i": pilot_input(&w, "First") }),
            )
            .await;
        assert_eq!(
            first["data"]["updatePilot"]["pilot"]["version"],
            pilot.version + 1,
            "{engine}: {first}"
        );
        let stale = app
            .graphql(
                Some(&token),
                update,
                json!({ "id": pilot.id, "v": pilot.version, "i": pilot_input(&w, "Second") }),
            )
            .await;
        assert_eq!(
            stale["data"]["updatePilot"]["userErrors"],
            json!([{ "field": "version", "code": "STALE" }]),
            "{engine}: {stale}"
        );
        app.stop();
        test_db.finish().await;
    }
}
