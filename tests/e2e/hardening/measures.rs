//! Measures are plausible before they are stored, and the maths answers on whatever is
//! stored: a result of 1e100 minutes once made every comparison of its metric spin forever on
//! an async worker (and SIGTERM could not stop the server), and an SD of 1e200 silently removed
//! the pooled estimate for everyone.

use std::time::Duration;

use registry_api::model::{MetricKind, MetricUnit, Visibility, pilot_measure};
use registry_api::service::{measures, metrics};
use registry_api::{ErrorCode, ServiceError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use crate::support::world::metric_input;
use crate::support::{self, World};

fn refusal(result: Result<pilot_measure::Model, ServiceError>) -> (String, ErrorCode, String) {
    match result {
        Err(ServiceError::Invalid(errors)) => {
            assert_eq!(errors.len(), 1, "{errors:?}");
            let e = errors.into_iter().next().expect("one error");
            (e.field, e.code, e.message)
        }
        other => panic!("expected a validation failure, got {other:?}"),
    }
}

#[tokio::test]
async fn implausible_readings_are_refused_naming_the_field_and_the_bound() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let days = metrics::create(
            db,
            &w.admin,
            metric_input("TEST_LOS", MetricUnit::Days, MetricKind::Continuous),
        )
        .await
        .expect("metric in days");
        let pilot = w.pilot(db, "Virtual ward", Visibility::Draft).await;

        let mut minutes = w.wait_measure(pilot.id);
        minutes.result.value = 1e100;
        let (field, code, message) = refusal(measures::record(db, &w.evaluator_a, minutes).await);
        assert_eq!(
            (field.as_str(), code),
            ("result.value", ErrorCode::OutOfRange),
            "{engine}"
        );
        assert!(
            message.contains("1440"),
            "{engine}: names the bound: {message}"
        );

        let mut spread = w.wait_measure(pilot.id);
        spread.metric_id = days.id;
        spread.baseline.value = 6.0;
        spread.baseline.sd = Some(3.0);
        spread.result.value = 5.0;
        spread.result.sd = Some(1e200);
        spread.target = None;
        let (field, code, message) = refusal(measures::record(db, &w.evaluator_a, spread).await);
        assert_eq!(
            (field.as_str(), code),
            ("result.sd", ErrorCode::OutOfRange),
            "{engine}"
        );
        assert!(
            message.contains("3660"),
            "{engine}: names the bound: {message}"
        );

        let mut crowd = w.wait_measure(pilot.id);
        crowd.baseline.n = Some(i32::MAX);
        let (field, code, _) = refusal(measures::record(db, &w.evaluator_a, crowd).await);
        assert_eq!(
            (field.as_str(), code),
            ("baseline.n", ErrorCode::OutOfRange),
            "{engine}"
        );

        // A reading at the bound is still taken.
        let mut longest = w.wait_measure(pilot.id);
        longest.result.value = 1_440.0;
        measures::record(db, &w.evaluator_a, longest)
            .await
            .unwrap_or_else(|e| panic!("{engine}: a day's wait is plausible: {e:?}"));
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_stored_extreme_measure_is_excluded_with_its_reason_and_every_door_answers() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let mut absurd_id = None;
        for (title, result) in [("First", 71.0), ("Second", 80.0), ("Absurd", 72.0)] {
            let pilot = w.pilot(db, title, Visibility::Draft).await;
            let mut input = w.wait_measure(pilot.id);
            input.result.value = result;
            let measure = measures::record(db, &w.evaluator_a, input)
                .await
                .expect("record");
            registry_api::service::pilots::publish(
                db,
                &w.evaluator_a,
                pilot.id,
                pilot.version,
                Visibility::Public,
            )
            .await
            .expect("publish");
            if title == "Absurd" {
                absurd_id = Some(measure.id);
            }
        }
        // As a measure recorded before readings were bounded would be.
        pilot_measure::Entity::update_many()
            .col_expr(pilot_measure::Column::ResultValue, Expr::value(1e100))
            .filter(pilot_measure::Column::Id.eq(absurd_id.expect("absurd measure")))
            .exec(db)
            .await
            .expect("store an extreme reading");
        let app = test_db.app().await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");

        let query = r#"{ metricComparison(metricCode: "TEST_WAIT") {
            pilots { title } excluded { title reason } pooled { k randomEstimate } } }"#;
        let body: serde_json::Value = http
            .post(format!("{}/graphql", app.base))
            .json(&json!({ "query": query }))
            .send()
            .await
            .unwrap_or_else(|e| panic!("{engine}: the comparison answers: {e}"))
            .json()
            .await
            .expect("json");
        assert!(body["errors"].is_null(), "{engine}: {body}");
        let comparison = &body["data"]["metricComparison"];
        assert_eq!(
            comparison["pooled"]["k"],
            json!(2),
            "{engine}: {comparison}"
        );
        assert_eq!(
            comparison["excluded"][0]["title"],
            json!("Absurd"),
            "{engine}"
        );
        let reason = comparison["excluded"][0]["reason"].as_str().unwrap_or("");
        assert!(reason.contains("too extreme"), "{engine}: {reason}");

        for door in ["forest.svg", "comparison.csv"] {
            let response = http
                .get(format!("{}/metrics/TEST_WAIT/{door}", app.base))
                .send()
                .await
                .unwrap_or_else(|e| panic!("{engine}: {door} answers: {e}"));
            assert_eq!(response.status(), 200, "{engine}: {door}");
            let text = response.text().await.expect("body");
            if door == "forest.svg" {
                roxmltree::Document::parse(&text)
                    .unwrap_or_else(|e| panic!("{engine}: not XML: {e}"));
            } else {
                assert!(
                    text.contains("Absurd"),
                    "{engine}: the CSV lists the exclusion"
                );
            }
        }
        app.stop();
        test_db.finish().await;
    }
}
