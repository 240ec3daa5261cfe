//! Visibility at the service level: a draft is seen by its own organisation only, `nhs` by NHS
//! staff, `public` by everyone; withdrawn pilots leave every list; nothing leaks through single
//! reads, lists, counts or nested records.

use registry_api::model::*;
use registry_api::service::pilots::PilotFilter;
use registry_api::service::{PageRequest, Sort, measures, pilots, reports, technologies};
use registry_api::{Actor, ServiceError};
use sea_orm::prelude::Uuid;

use crate::support::{self, World};

async fn visible_titles(db: &sea_orm::DatabaseConnection, actor: &Actor) -> (Vec<String>, u64) {
    let page = pilots::list(
        db,
        actor,
        &PilotFilter::default(),
        Sort::default(),
        PageRequest {
            first: 100,
            offset: 0,
            count: true,
        },
    )
    .await
    .expect("list pilots");
    let mut titles: Vec<_> = page.items.into_iter().map(|p| p.title).collect();
    titles.sort();
    (titles, page.total_count.unwrap_or_default())
}

async fn can_get(db: &sea_orm::DatabaseConnection, actor: &Actor, id: Uuid) -> bool {
    match pilots::get(db, actor, id).await {
        Ok(_) => true,
        Err(ServiceError::NotFound(_)) => false,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

#[tokio::test]
async fn each_viewer_sees_exactly_what_the_visibility_rules_allow() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let engine = test_db.engine;
        let draft = w.pilot(db, "Draft pilot", Visibility::Draft).await;
        let nhs = w.pilot(db, "NHS pilot", Visibility::Nhs).await;
        let public = w.pilot(db, "Public pilot", Visibility::Public).await;
        for pilot in [&draft, &nhs, &public] {
            measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
                .await
                .expect("measure");
        }

        let all = ["Draft pilot", "NHS pilot", "Public pilot"];
        let expectations: [(&str, &Actor, &[&str]); 7] = [
            ("anonymous", &w.anonymous, &["Public pilot"]),
            (
                "innovator at a supplier (not NHS)",
                &w.innovator,
                &["Public pilot"],
            ),
            (
                "member of another trust",
                &w.member_b,
                &["NHS pilot", "Public pilot"],
            ),
            (
                "evaluator at another trust",
                &w.evaluator_b,
                &["NHS pilot", "Public pilot"],
            ),
            (
                "commissioner",
                &w.commissioner,
                &["NHS pilot", "Public pilot"],
            ),
            ("administrator", &w.admin, &["NHS pilot", "Public pilot"]),
            ("evaluator at the host", &w.evaluator_a, &all),
        ];
        for (who, actor, expected) in expectations {
            let (titles, total) = visible_titles(db, actor).await;
            assert_eq!(titles, expected, "{engine}: {who} lists");
            assert_eq!(total, expected.len() as u64, "{engine}: {who} counts");
            for (pilot, title) in [
                (&draft, "Draft pilot"),
                (&nhs, "NHS pilot"),
                (&public, "Public pilot"),
            ] {
                assert_eq!(
                    can_get(db, actor, pilot.id).await,
                    expected.contains(&title),
                    "{engine}: {who} reads {title}"
                );
            }
            let measured = measures::of_pilots(db, actor, [draft.id, nhs.id, public.id])
                .await
                .expect("measures");
            assert_eq!(
                measured.len(),
                expected.len(),
                "{engine}: {who} sees the measures of visible pilots only"
            );
            let pilot_count = technologies::count_pilots(db, actor, w.technology.record.id)
                .await
                .expect("count");
            assert_eq!(
                pilot_count,
                expected.len() as u64,
                "{engine}: {who} counts the technology's pilots"
            );
        }

        let filtered = pilots::list(
            db,
            &w.evaluator_b,
            &PilotFilter {
                visibility: Some(Visibility::Draft),
                ..Default::default()
            },
            Sort::default(),
            PageRequest::default(),
        )
        .await
        .expect("filter");
        assert_eq!(
            filtered.total(),
            0,
            "{engine}: filtering on draft does not open drafts"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn withdrawn_pilots_leave_public_view_and_contacts_are_for_nhs_staff() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let engine = test_db.engine;
        let public = w.pilot(db, "Public pilot", Visibility::Public).await;

        let anonymous_view = pilots::get(db, &w.anonymous, public.id)
            .await
            .expect("public read");
        assert_eq!(
            anonymous_view.contact_email, None,
            "{engine}: no contact for anonymous readers"
        );
        let nhs_view = pilots::get(db, &w.member_b, public.id)
            .await
            .expect("nhs read");
        assert_eq!(
            nhs_view.contact_email.as_deref(),
            Some("contact@example.nhs.uk"),
            "{engine}: NHS staff see the contact"
        );

        pilots::withdraw(
            db,
            &w.admin,
            public.id,
            public.version,
            "Data could not be verified",
        )
        .await
        .expect("withdraw");
        assert!(
            !can_get(db, &w.anonymous, public.id).await,
            "{engine}: withdrawn pilots are hidden"
        );
        assert!(
            !can_get(db, &w.member_b, public.id).await,
            "{engine}: from NHS staff too"
        );
        assert!(
            can_get(db, &w.evaluator_a, public.id).await,
            "{engine}: the host still sees it, with the reason"
        );
        assert!(
            can_get(db, &w.admin, public.id).await,
            "{engine}: administrators still see it"
        );
        assert_eq!(visible_titles(db, &w.anonymous).await.1, 0, "{engine}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn draft_reports_stay_with_the_host() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        let pilot = w.pilot(db, "Public pilot", Visibility::Public).await;
        reports::submit(
            db,
            &w.evaluator_a,
            pilot.id,
            reports::ReportInput {
                summary: "Interim".to_owned(),
                findings: "Too early to say.".to_owned(),
                recommendation: Recommendation::ExtendPilot,
                barriers: String::new(),
                lessons: String::new(),
                costs_and_savings: String::new(),
                links: vec![],
                amendment_reason: None,
                publish: false,
                draft_version: None,
            },
        )
        .await
        .expect("draft report");
        assert!(
            reports::of_pilots(db, &w.anonymous, [pilot.id])
                .await
                .expect("read")
                .is_empty(),
            "{}",
            test_db.engine
        );
        assert!(
            reports::of_pilots(db, &w.member_b, [pilot.id])
                .await
                .expect("read")
                .is_empty(),
            "{}",
            test_db.engine
        );
        assert_eq!(
            reports::of_pilots(db, &w.evaluator_a, [pilot.id])
                .await
                .expect("read")
                .len(),
            1,
            "{}",
            test_db.engine
        );
        test_db.finish().await;
    }
}
