//! Every class of bad input is refused with the field and a plain-English reason, and nothing
//! is written.

use registry_api::model::*;
use registry_api::service::measures::ObservationInput;
use registry_api::service::organisations::OrganisationInput;
use registry_api::service::technologies::DtacInput;
use registry_api::service::{measures, metrics, organisations, pilots, technologies};
use registry_api::{ErrorCode, ServiceError};

use crate::support::world::{date, metric_input, technology_input};
use crate::support::{self, World};

/// The (field, code) pairs of a validation failure.
fn fields(result: Result<impl std::fmt::Debug, ServiceError>) -> Vec<(String, ErrorCode)> {
    match result {
        Err(ServiceError::Invalid(errors)) => {
            for e in &errors {
                assert!(!e.message.is_empty(), "{} has a message", e.field);
            }
            errors.into_iter().map(|e| (e.field, e.code)).collect()
        }
        other => panic!("expected a validation failure, got {other:?}"),
    }
}

fn has(errors: &[(String, ErrorCode)], field: &str, code: ErrorCode) -> bool {
    errors.iter().any(|(f, c)| f == field && *c == code)
}

#[tokio::test]
async fn ods_codes_must_be_shaped_and_unique() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let input = |ods: &str| OrganisationInput {
            name: "New Trust".to_owned(),
            kind: OrganisationKind::NhsTrust,
            ods_code: Some(ods.to_owned()),
            region: Some(Region::London),
            parent_icb_id: None,
        };
        let before = test_db.count::<organisation::Entity>().await;
        let bad = fields(organisations::create(db, &world.system, input("R-1")).await);
        assert!(
            has(&bad, "odsCode", ErrorCode::Invalid),
            "{}: {bad:?}",
            test_db.engine
        );
        let taken = fields(organisations::create(db, &world.system, input("rta")).await);
        assert!(
            has(&taken, "odsCode", ErrorCode::Taken),
            "{}: lower case is the same code: {taken:?}",
            test_db.engine
        );
        let mut not_icb = input("RZZ");
        not_icb.parent_icb_id = Some(world.trust_b.id);
        let parent = fields(organisations::create(db, &world.system, not_icb).await);
        assert!(
            has(&parent, "parentIcbId", ErrorCode::Invalid),
            "{}: {parent:?}",
            test_db.engine
        );
        assert_eq!(
            test_db.count::<organisation::Entity>().await,
            before,
            "{}: nothing written",
            test_db.engine
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn pilot_dates_lengths_and_numbers_are_checked() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let mut input = world.pilot_input(&"x".repeat(201));
        input.start_date = Some(date(2024, 6, 1));
        input.end_date = Some(date(2024, 5, 1));
        input.patients = Some(-3);
        input.problem = "   ".to_owned();
        input.contact_email = Some("not-an-address".to_owned());
        input.evaluator_kind = EvaluatorKind::Independent;
        let errors = fields(pilots::register(db, &world.evaluator_a, input).await);
        for (field, code) in [
            ("title", ErrorCode::TooLong),
            ("endDate", ErrorCode::OutOfRange),
            ("patients", ErrorCode::OutOfRange),
            ("problem", ErrorCode::Required),
            ("contactEmail", ErrorCode::Invalid),
            ("evaluatorName", ErrorCode::Required),
        ] {
            assert!(
                has(&errors, field, code),
                "{}: expected {field} {code:?} in {errors:?}",
                test_db.engine
            );
        }

        let mut live_with_end = world.pilot_input("Live pilot");
        live_with_end.status = PilotStatus::Live;
        let errors = fields(pilots::register(db, &world.evaluator_a, live_with_end).await);
        assert!(
            has(&errors, "endDate", ErrorCode::NotAllowed),
            "{}: {errors:?}",
            test_db.engine
        );

        let mut unknown = world.pilot_input("Unknown technology");
        unknown.technology_id = uuid::Uuid::now_v7();
        let errors = fields(pilots::register(db, &world.evaluator_a, unknown).await);
        assert!(
            has(&errors, "technologyId", ErrorCode::NotFound),
            "{}: {errors:?}",
            test_db.engine
        );

        assert_eq!(
            test_db.count::<pilot::Entity>().await,
            0,
            "{}: nothing written",
            test_db.engine
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn measures_must_fit_their_metric() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let pilot = world.pilot(db, "Measured pilot", Visibility::Public).await;

        let mut negative = world.wait_measure(pilot.id);
        negative.baseline.value = -5.0;
        negative.result.sd = Some(0.0);
        let errors = fields(measures::record(db, &world.evaluator_a, negative).await);
        assert!(
            has(&errors, "baseline.value", ErrorCode::OutOfRange),
            "{}: {errors:?}",
            test_db.engine
        );
        assert!(
            has(&errors, "result.sd", ErrorCode::OutOfRange),
            "{}: {errors:?}",
            test_db.engine
        );

        let mut not_finite = world.wait_measure(pilot.id);
        not_finite.result.value = f64::NAN;
        let errors = fields(measures::record(db, &world.evaluator_a, not_finite).await);
        assert!(
            has(&errors, "result.value", ErrorCode::Invalid),
            "{}: {errors:?}",
            test_db.engine
        );

        let mut score = world.wait_measure(pilot.id);
        score.metric_id = world.phq9.id;
        score.result.value = 31.0;
        score.target = None;
        let errors = fields(measures::record(db, &world.evaluator_a, score).await);
        assert!(
            has(&errors, "result.value", ErrorCode::OutOfRange),
            "{}: PHQ-9 tops out at 27: {errors:?}",
            test_db.engine
        );

        let binary = |value: f64, n: i32, events: i32| ObservationInput {
            value,
            n: Some(n),
            sd: None,
            events: Some(events),
            period_start: None,
            period_end: None,
        };
        let mut wrong_proportion = world.wait_measure(pilot.id);
        wrong_proportion.metric_id = world.readmission.id;
        wrong_proportion.baseline = binary(0.5, 100, 20);
        wrong_proportion.result = binary(0.1, 100, 120);
        wrong_proportion.target = None;
        let errors = fields(measures::record(db, &world.evaluator_a, wrong_proportion).await);
        assert!(
            has(&errors, "baseline.value", ErrorCode::Invalid),
            "{}: 20/100 is not 0.5: {errors:?}",
            test_db.engine
        );
        assert!(
            has(&errors, "result.events", ErrorCode::OutOfRange),
            "{}: 120 events out of 100: {errors:?}",
            test_db.engine
        );

        let mut sd_on_binary = world.wait_measure(pilot.id);
        sd_on_binary.metric_id = world.readmission.id;
        sd_on_binary.baseline = binary(0.2, 100, 20);
        sd_on_binary.result = ObservationInput {
            sd: Some(0.1),
            ..binary(0.1, 100, 10)
        };
        sd_on_binary.target = None;
        let errors = fields(measures::record(db, &world.evaluator_a, sd_on_binary).await);
        assert!(
            has(&errors, "result.sd", ErrorCode::NotAllowed),
            "{}: {errors:?}",
            test_db.engine
        );

        assert_eq!(
            test_db.count::<pilot_measure::Entity>().await,
            0,
            "{}: nothing written",
            test_db.engine
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn technologies_and_metrics_check_shapes_and_enumerated_rules() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let mut input = technology_input(world.supplier.id, "Bad Slug");
        input.care_settings.clear();
        input.dtac.push(DtacInput {
            section: DtacSection::ClinicalSafety,
            status: DtacStatus::Met,
            assessed_on: None,
            evidence_url: Some("javascript:alert(1)".to_owned()),
        });
        let errors = fields(technologies::register(db, &world.innovator, input).await);
        for (field, code) in [
            ("slug", ErrorCode::Invalid),
            ("careSettings", ErrorCode::Required),
            ("dtac[1].section", ErrorCode::Invalid),
            ("dtac[1].assessedOn", ErrorCode::Required),
            ("dtac[1].evidenceUrl", ErrorCode::Invalid),
        ] {
            assert!(
                has(&errors, field, code),
                "{}: expected {field} {code:?} in {errors:?}",
                test_db.engine
            );
        }
        let taken = fields(
            technologies::register(
                db,
                &world.innovator,
                technology_input(world.supplier.id, "heart-watch"),
            )
            .await,
        );
        assert!(
            has(&taken, "slug", ErrorCode::Taken),
            "{}: {taken:?}",
            test_db.engine
        );

        let binary_minutes = metric_input("ODD", MetricUnit::Minutes, MetricKind::Binary);
        let errors = fields(metrics::create(db, &world.admin, binary_minutes).await);
        assert!(
            has(&errors, "unit", ErrorCode::Invalid),
            "{}: {errors:?}",
            test_db.engine
        );
        let mut unbounded_score =
            metric_input("SCORE_X", MetricUnit::Score, MetricKind::Continuous);
        unbounded_score.max_value = None;
        let errors = fields(metrics::create(db, &world.admin, unbounded_score).await);
        assert!(
            has(&errors, "minValue", ErrorCode::Required),
            "{}: {errors:?}",
            test_db.engine
        );

        assert_eq!(
            test_db.count::<technology::Entity>().await,
            1,
            "{}: nothing written",
            test_db.engine
        );
        assert_eq!(
            test_db.count::<metric::Entity>().await,
            3,
            "{}: nothing written",
            test_db.engine
        );
        test_db.finish().await;
    }
}
