//! `/my-organisation`: a signed-in member's page of what their organisations' own pilots ask
//! of them, on both databases: drafts, pilots past their end date with no published report,
//! and published reports to amend; one section per organisation; nothing of other
//! organisations'; and in a browser without JavaScript, the demo evaluator sees theirs and
//! the page passes axe-core.

use registry_api::Actor;
use registry_api::auth::SessionPolicy;
use registry_api::model::{PilotStatus, Recommendation, Role, Visibility};
use registry_api::service::{memberships, pilots, reports, sessions};
use reqwest::StatusCode;

use super::demo_apps;
use crate::support::app::TestApp;
use crate::support::chromium::Chromium;
use crate::support::world::date;
use crate::support::{self, World};

/// The demo evaluator at Northmoor Valley NHS Foundation Trust.
const EVALUATOR: &str = "Rhodri Penhallow";

/// The page as the session `cookie` (anonymous when `None`) sees it, redirects not followed.
async fn page(app: &TestApp, cookie: Option<&str>) -> (StatusCode, String, Option<String>) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut request = client.get(app.url("/my-organisation"));
    if let Some(secret) = cookie {
        request = request.header("cookie", format!("registry_session={secret}"));
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned);
    (status, response.text().await.expect("body"), location)
}

async fn signed_in(db: &sea_orm::DatabaseConnection, actor: &Actor) -> String {
    sessions::start(
        db,
        actor.user_id().expect("a person"),
        SessionPolicy::default(),
        None,
    )
    .await
    .expect("session")
}

fn report() -> reports::ReportInput {
    reports::ReportInput {
        summary: "It worked.".to_owned(),
        findings: "Waits fell by a quarter.".to_owned(),
        recommendation: Recommendation::Adopt,
        barriers: String::new(),
        lessons: String::new(),
        costs_and_savings: String::new(),
        links: Vec::new(),
        amendment_reason: None,
        publish: true,
        draft_version: None,
    }
}

/// The text of `body` from `start` up to `end` (to its end when `end` is not found).
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} in {body}"));
    let rest = &body[from..];
    rest.find(end).map_or(rest, |to| &rest[..to])
}

#[tokio::test]
async fn a_member_sees_their_organisations_drafts_overdue_pilots_and_reports() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        // The world's pilots end on 31 December 2024: all of these have ended.
        let draft = w
            .pilot(db, "Draft still being written", Visibility::Draft)
            .await;
        let silent = w
            .pilot(db, "Ended and never reported", Visibility::Public)
            .await;
        let reported = w.pilot(db, "Ended and reported", Visibility::Nhs).await;
        reports::submit(db, &w.evaluator_a, reported.id, report())
            .await
            .expect("report");
        let mut running = w.pilot_input("Still running");
        running.end_date = None;
        running.status = PilotStatus::Live;
        let running = pilots::register(db, &w.evaluator_a, running)
            .await
            .expect("register");
        let gone = w
            .pilot(db, "Withdrawn and forgotten", Visibility::Public)
            .await;
        pilots::withdraw(db, &w.admin, gone.id, gone.version, "Entered twice")
            .await
            .expect("withdraw");
        let elsewhere = pilots::register(
            db,
            &w.evaluator_b,
            registry_api::service::pilots::PilotInput {
                host_organisation_id: w.trust_b.id,
                ..w.pilot_input("Trust B's own draft")
            },
        )
        .await
        .expect("trust B's pilot");

        // The rule, in the service.
        let today = date(2026, 1, 1);
        let attention = pilots::needing_attention(db, &w.evaluator_a, today)
            .await
            .expect("attention");
        assert_eq!(attention.len(), 1, "{engine}: one organisation");
        let a = &attention[0];
        assert_eq!(a.organisation.id, w.trust_a.id);
        assert!(a.evaluator);
        let titles = |pilots: &[registry_api::model::pilot::Model]| -> Vec<String> {
            pilots.iter().map(|p| p.title.clone()).collect()
        };
        assert_eq!(
            titles(&a.drafts),
            ["Draft still being written", "Still running"],
            "{engine}"
        );
        assert_eq!(
            titles(&a.overdue),
            ["Draft still being written", "Ended and never reported"],
            "{engine}: ended, not withdrawn, no published report"
        );
        let with_reports: Vec<&str> = a
            .published_reports
            .iter()
            .map(|(p, _)| p.title.as_str())
            .collect();
        assert_eq!(with_reports, ["Ended and reported"], "{engine}");
        let before_the_end = pilots::needing_attention(db, &w.evaluator_a, date(2024, 12, 31))
            .await
            .expect("attention");
        assert!(
            before_the_end[0].overdue.is_empty(),
            "{engine}: on its last day a pilot is not overdue"
        );

        // The page, as the evaluator.
        let app = test_db.app().await;
        let cookie = signed_in(db, &w.evaluator_a).await;
        let (status, body, _) = page(&app, Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        let drafts = between(&body, "Drafts (2)", "Ended with no reported result");
        assert!(
            drafts.contains(&format!("/pilots/{}", draft.id)),
            "{engine}: {drafts}"
        );
        assert!(drafts.contains(&format!("/pilots/{}", running.id)));
        let overdue = between(
            &body,
            "Ended with no reported result (2)",
            "Published reports",
        );
        assert!(
            overdue.contains(&format!("/pilots/{}", silent.id)),
            "{engine}: {overdue}"
        );
        assert!(!overdue.contains(&format!("/pilots/{}", reported.id)));
        let published = between(&body, "Published reports (1)", "</section>");
        assert!(
            published.contains(&format!("/pilots/{}/report", reported.id)),
            "{engine}: a link to amend it: {published}"
        );
        assert!(body.contains("no published"), "the page says the rule");
        for absent in [gone.id, elsewhere.id] {
            assert!(!body.contains(&absent.to_string()), "{engine}: {absent}");
        }
        assert!(
            body.contains(r#"href="/my-organisation""#),
            "the header links here"
        );

        // A plain member reads the lists but is offered no amendment.
        let member = signed_in(db, &w.member_a).await;
        let (_, body, _) = page(&app, Some(&member)).await;
        assert!(body.contains("Ended and reported"), "{engine}");
        assert!(!body.contains(&format!("/pilots/{}/report", reported.id)));

        // A member of two organisations has a section for each.
        memberships::grant(
            db,
            &w.system,
            w.member_b.user_id().expect("user"),
            w.trust_a.id,
            Role::Member,
        )
        .await
        .expect("grant");
        let both = signed_in(db, &w.member_b).await;
        let (_, body, _) = page(&app, Some(&both)).await;
        let trust_a = body.find(">Trust A<").expect("a section for trust A");
        let trust_b = body.find(">Trust B<").expect("a section for trust B");
        assert!(trust_a < trust_b, "{engine}: by name");
        assert!(between(&body, ">Trust B<", "</section>").contains(&elsewhere.id.to_string()));

        // Someone of no organisation is told so; nobody signed in is sent to sign in and back.
        let admin = signed_in(db, &w.admin).await;
        let (status, body, _) = page(&app, Some(&admin)).await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            body.contains("not a member of any organisation"),
            "{engine}"
        );
        assert!(
            !body.contains(r#"href="/my-organisation""#),
            "no header link for them"
        );
        let (status, _, location) = page(&app, None).await;
        assert!(status.is_redirection(), "{engine}");
        assert_eq!(
            location.as_deref(),
            Some("/auth/login?return_to=%2Fmy-organisation")
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_demo_evaluator_sees_their_drafts_and_overdue_pilots_without_javascript() {
    for (test_db, app) in demo_apps().await {
        let engine = test_db.engine;
        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url("/my-organisation"))
            .snapshot("sent to sign in")
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .snapshot("my organisation")
            .axe()
            .click_link("Evaluation of Tidewarren Heart Failure Virtual Ward")
            .snapshot("a draft")
            .run()
            .await;
        assert_eq!(journey.page("sent to sign in").path(), "/auth/login");
        let mine = journey.page("my organisation");
        assert_eq!(mine.path(), "/my-organisation", "{engine}: brought back");
        assert_eq!(mine.heading.as_deref(), Some("My organisation"));
        assert!(
            mine.header().contains("My organisation"),
            "the header links here"
        );
        let main = &mine.main;
        assert!(
            main.contains("Northmoor Valley NHS Foundation Trust"),
            "{main}"
        );
        let drafts = between(main, "Drafts (3)", "Ended with no reported result");
        for title in [
            "Evaluation of Tidewarren Heart Failure Virtual Ward",
            "Digital board rounds and discharge planning",
            "Digital maternity notes using Brightwater Maternity Companion",
        ] {
            assert!(drafts.contains(title), "{engine}: {title}: {drafts}");
        }
        let overdue = between(
            main,
            "Ended with no reported result (3)",
            "Published reports",
        );
        for title in [
            "Remote monitoring in advanced kidney disease",
            "Evaluation of Quillon DermaSight",
            "Increasing MRI capacity with AI reconstruction",
        ] {
            assert!(overdue.contains(title), "{engine}: {title}: {overdue}");
        }
        assert!(
            !overdue.contains("Little Steps Paediatric Virtual Ward"),
            "{engine}: a reported pilot is not overdue"
        );
        assert!(between(main, "Published reports", "\u{0}").contains("Little Steps"));
        assert!(
            !main.contains("Greyhaven"),
            "{engine}: nothing of other organisations"
        );
        let draft = journey.page("a draft");
        assert_eq!(
            draft.heading.as_deref(),
            Some(
                "Evaluation of Tidewarren Heart Failure Virtual Ward (heart failure virtual ward) \
                 – Northmoor Valley"
            ),
        );
        app.stop();
        test_db.finish().await;
    }
}
