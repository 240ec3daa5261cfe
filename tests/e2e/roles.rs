//! The roles of SPEC, enforced in the services for every entry point: who may register, change,
//! publish and withdraw what.

use registry_api::ServiceError;
use registry_api::model::*;
use registry_api::service::organisations::OrganisationInput;
use registry_api::service::reports::ReportInput;
use registry_api::service::{measures, organisations, pilots, reports, technologies};

use crate::support::{self, World};

fn refused<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> bool {
    matches!(
        result,
        Err(ServiceError::Forbidden(_) | ServiceError::Unauthenticated)
    )
}

fn report(publish: bool) -> ReportInput {
    ReportInput {
        summary: "Fewer readmissions.".to_owned(),
        findings: "Readmissions fell by a fifth.".to_owned(),
        recommendation: Recommendation::Adopt,
        barriers: String::new(),
        lessons: "Start with one ward.".to_owned(),
        costs_and_savings: String::new(),
        links: vec![],
        amendment_reason: None,
        publish,
        draft_version: None,
    }
}

#[tokio::test]
async fn only_the_host_organisations_evaluators_change_its_pilots() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let engine = test_db.engine;
        let input = w.pilot_input("Role matrix pilot");
        for (who, actor) in [
            ("anonymous", &w.anonymous),
            ("evaluator at another trust", &w.evaluator_b),
            ("member of another trust", &w.member_b),
            ("innovator", &w.innovator),
            ("commissioner", &w.commissioner),
            ("administrator", &w.admin),
        ] {
            assert!(
                refused(pilots::register(db, actor, input.clone()).await),
                "{engine}: {who} cannot register a pilot at trust A"
            );
        }
        let pilot = pilots::register(db, &w.evaluator_a, input.clone())
            .await
            .expect("host evaluator registers");
        let pilot = pilots::publish(
            db,
            &w.evaluator_a,
            pilot.id,
            pilot.version,
            Visibility::Public,
        )
        .await
        .expect("host evaluator publishes");

        for (who, actor) in [
            ("evaluator at another trust", &w.evaluator_b),
            ("commissioner", &w.commissioner),
            ("innovator", &w.innovator),
        ] {
            assert!(
                refused(
                    pilots::update(db, actor, pilot.id, pilot.version, input.clone(), None).await
                ),
                "{engine}: {who} cannot edit"
            );
            assert!(
                refused(measures::record(db, actor, w.wait_measure(pilot.id)).await),
                "{engine}: {who} cannot record a measure"
            );
            assert!(
                refused(reports::submit(db, actor, pilot.id, report(true)).await),
                "{engine}: {who} cannot submit a report"
            );
            assert!(
                refused(
                    pilots::withdraw(db, actor, pilot.id, pilot.version, "Duplicate entry").await
                ),
                "{engine}: {who} cannot withdraw"
            );
        }
        measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
            .await
            .expect("host evaluator records a measure");
        reports::submit(db, &w.evaluator_a, pilot.id, report(true))
            .await
            .expect("host evaluator reports");
        let withdrawn = pilots::withdraw(
            db,
            &w.admin,
            pilot.id,
            pilot.version,
            "Duplicate of another entry",
        )
        .await
        .expect("administrator withdraws");
        assert_eq!(
            withdrawn.withdrawn_reason.as_deref(),
            Some("Duplicate of another entry")
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn innovators_change_their_own_technologies_and_administrators_run_the_catalogue() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let engine = test_db.engine;
        let input = support::world::technology_input(w.supplier.id, "new-tool");
        for (who, actor) in [
            ("anonymous", &w.anonymous),
            ("trust evaluator", &w.evaluator_a),
            ("commissioner", &w.commissioner),
        ] {
            assert!(
                refused(technologies::register(db, actor, input.clone()).await),
                "{engine}: {who} cannot register for the supplier"
            );
        }
        let created = technologies::register(db, &w.innovator, input.clone())
            .await
            .expect("innovator registers");
        let mut elsewhere = input.clone();
        elsewhere.supplier_id = w.trust_b.id;
        assert!(
            refused(
                technologies::update(
                    db,
                    &w.innovator,
                    created.record.id,
                    created.record.version,
                    elsewhere,
                    None
                )
                .await
            ),
            "{engine}: an innovator cannot hand a technology to an organisation they do not belong to"
        );

        let organisation = OrganisationInput {
            name: "Another ICB".to_owned(),
            kind: OrganisationKind::Icb,
            ods_code: Some("QT9".to_owned()),
            region: Some(Region::Midlands),
            parent_icb_id: None,
        };
        for (who, actor) in [
            ("innovator", &w.innovator),
            ("commissioner", &w.commissioner),
            ("evaluator", &w.evaluator_a),
        ] {
            assert!(
                refused(organisations::create(db, actor, organisation.clone()).await),
                "{engine}: {who} cannot register organisations"
            );
        }
        organisations::create(db, &w.admin, organisation)
            .await
            .expect("administrator registers organisations");
        assert!(
            refused(
                technologies::withdraw(
                    db,
                    &w.innovator,
                    created.record.id,
                    created.record.version,
                    "Unsafe"
                )
                .await
            ),
            "{engine}: only administrators withdraw"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_read_only_token_cannot_write() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let mut read_only = w.evaluator_a.clone();
        if let registry_api::actor::Principal::User(user) = &mut read_only.principal {
            user.token_scope = Some(TokenScope::Read);
        }
        assert!(
            refused(pilots::register(db, &read_only, w.pilot_input("Via a read token")).await),
            "{}",
            test_db.engine
        );
        assert_eq!(test_db.count::<pilot::Entity>().await, 0);
        test_db.finish().await;
    }
}

#[tokio::test]
async fn published_report_revisions_are_amended_never_edited() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let engine = test_db.engine;
        let pilot = w.pilot(db, "Reported pilot", Visibility::Public).await;
        let draft = reports::submit(db, &w.evaluator_a, pilot.id, report(false))
            .await
            .expect("draft");
        let mut rewrite = report(false);
        rewrite.draft_version = Some(draft.version);
        rewrite.summary = "Rewritten draft".to_owned();
        let rewritten = reports::submit(db, &w.evaluator_a, pilot.id, rewrite)
            .await
            .expect("rewrite the draft");
        assert_eq!(
            (rewritten.id, rewritten.revision),
            (draft.id, 1),
            "{engine}: a draft is rewritten in place"
        );

        let mut publish = report(true);
        publish.draft_version = Some(rewritten.version);
        let published = reports::submit(db, &w.evaluator_a, pilot.id, publish)
            .await
            .expect("publish");
        assert_eq!(published.status, RevisionStatus::Published);

        let no_reason = reports::submit(db, &w.evaluator_a, pilot.id, report(true)).await;
        assert!(
            matches!(&no_reason, Err(ServiceError::Invalid(e)) if e.iter().any(|e| e.field == "amendmentReason")),
            "{engine}: an amendment needs a reason: {no_reason:?}"
        );
        let mut amendment = report(true);
        amendment.amendment_reason = Some("Added the 12-month follow-up".to_owned());
        amendment.summary = "Readmissions fell by a quarter at 12 months.".to_owned();
        let amended = reports::submit(db, &w.evaluator_a, pilot.id, amendment)
            .await
            .expect("amend");
        assert_eq!(
            amended.revision, 2,
            "{engine}: the amendment is a new revision"
        );

        let history = reports::of_pilots(db, &w.anonymous, [pilot.id])
            .await
            .expect("history");
        let summaries: Vec<_> = history
            .iter()
            .map(|r| (r.revision, r.summary.as_str()))
            .collect();
        assert_eq!(
            summaries,
            [
                (1, "Fewer readmissions."),
                (2, "Readmissions fell by a quarter at 12 months.")
            ],
            "{engine}: the published history stays readable as written"
        );
        test_db.finish().await;
    }
}
