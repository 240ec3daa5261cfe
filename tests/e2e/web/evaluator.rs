//! The evaluator's whole journey in a browser with JavaScript disabled, on every engine: a
//! pilot registered (a mistake first), two measures recorded, a report submitted, the draft
//! shared with one organisation (a member there reads it, a member elsewhere gets 404),
//! published to everyone and found by an anonymous search, the report amended with a reason,
//! and the history showing what changed.

use std::time::Duration;

use registry_api::Actor;
use registry_api::model::{
    EntryPoint, Visibility, pilot, pilot_measure, pilot_share, report_revision, user,
};
use registry_api::service::{accounts, sharing};
use reqwest::StatusCode;
use sea_orm::prelude::Uuid;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use super::{demo_apps, session_of};
use crate::support::app::TestApp;
use crate::support::chromium::{Chromium, Journey};

/// The demo evaluator at Northmoor Valley NHS Foundation Trust (RZ4).
const EVALUATOR: &str = "Rhodri Penhallow";
const TITLE: &str = "Remote monitoring after heart failure discharge in Northmoor";

async fn status_of(app: &TestApp, path: &str, cookie: Option<&str>) -> (StatusCode, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = request.send().await.expect("send");
    (response.status(), response.text().await.expect("body"))
}

fn assert_accessible(journey: &Journey, engine: &str) {
    for (page, violations) in journey.axe_results() {
        assert!(
            violations.is_empty(),
            "{engine} {}: {violations:?}",
            page.url
        );
    }
}

#[tokio::test]
async fn an_evaluator_records_shares_publishes_and_amends_a_pilot_without_javascript() {
    for (test_db, app) in demo_apps().await {
        let engine = test_db.engine;
        let first = Chromium::new()
            .javascript(false)
            .goto(app.url("/pilots/new"))
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .select("Technology being piloted", "Lumenward Virtual Ward Platform")
            .fill("Problem it addresses", "People went home from hospital after heart failure and came back within weeks.")
            .check("Live")
            .click_button("Continue")
            .snapshot("pilot errors")
            .axe()
            .click_link("Enter a title")
            .snapshot("to the title")
            .fill("Title", TITLE)
            .fill("Day of start date", "6")
            .fill("Month of start date", "1")
            .fill("Year of start date", "2025")
            .check("Community care")
            .select("Specialty", "Cardiology")
            .fill("Population", "Adults discharged after a heart failure admission")
            .check("Before and after")
            .check("Internal")
            .click_button("Continue")
            .click_button("Register pilot")
            .snapshot("registered")
            // The first measure: binary, events out of n.
            .click_link("Record a measure")
            .snapshot("choose a metric")
            .axe()
            .click_button("Continue")
            .snapshot("no metric chosen")
            .axe()
            .check("Emergency readmission within 30 days")
            .click_button("Continue")
            .snapshot("binary figures")
            .axe()
            .fill("Time frame", "30 days after discharge")
            .check("The service before the pilot")
            .check("Yes, it is the primary outcome")
            .fill("Events at baseline", "48")
            .fill("People at baseline (n)", "40")
            .fill("Events with the technology", "21")
            .fill("People with the technology (n)", "190")
            .click_button("Continue")
            .snapshot("measure errors")
            .axe()
            .fill("People at baseline (n)", "200")
            .click_button("Continue")
            .snapshot("check measure")
            .axe()
            .click_button("Save the measure")
            .snapshot("first measure")
            // The second: continuous, mean, SD and n.
            .click_link("Record a measure")
            .check("Length of stay")
            .click_button("Continue")
            .snapshot("continuous figures")
            .axe()
            .fill("Time frame", "Index admission")
            .check("The service before the pilot")
            .check("No, it is a secondary outcome")
            .fill("Mean at baseline", "9.4")
            .fill("Standard deviation at baseline", "3.1")
            .fill("People at baseline (n)", "200")
            .fill("Mean with the technology", "7.9")
            .fill("Standard deviation with the technology", "2.8")
            .fill("People with the technology (n)", "190")
            .click_button("Continue")
            .click_button("Save the measure")
            .snapshot("second measure")
            // The report, published as its first revision (the pilot is still a draft).
            .click_link("Write the evaluation report")
            .snapshot("report form")
            .axe()
            .click_button("Continue")
            .snapshot("report errors")
            .axe()
            .fill("Summary", "Readmissions within 30 days fell from 24% to 11% with daily weight and symptom checks at home.")
            .fill("Findings", "Of 190 people monitored, 21 were readmitted within 30 days, against 48 of 200 the year before.")
            .check("Adopt with conditions")
            .click_button("Continue")
            .snapshot("check report")
            .axe()
            .click_button("Publish this revision")
            .snapshot("report published")
            // Shared with Greyhaven University Hospitals (RZ2) before publication.
            .click_link("Share the draft with another organisation")
            .snapshot("sharing")
            .axe()
            .fill("ODS code", "ZZ999")
            .click_button("Continue")
            .snapshot("sharing errors")
            .axe()
            .fill("ODS code", "rz2")
            .click_button("Continue")
            .snapshot("check sharing")
            .axe()
            .click_button("Share the draft")
            .snapshot("shared")
            .run()
            .await;
        assert_accessible(&first, engine);
        assert_eq!(
            first.axe_results().len(),
            13,
            "{engine}: every form page checked"
        );

        let errors = first.page("pilot errors");
        assert_eq!(errors.status, Some(422), "{engine}");
        assert!(
            errors.main.contains("There is a problem"),
            "{engine}: {}",
            errors.main
        );
        assert!(
            first.page("to the title").url.ends_with("#title"),
            "{engine}: the summary links to the field: {}",
            first.page("to the title").url
        );
        let registered = first.page("registered");
        let pilot_path = registered.path().to_owned();
        assert!(pilot_path.starts_with("/pilots/"), "{engine}: {pilot_path}");

        let metric = first.page("binary figures");
        for shown in [
            "Proportion",
            "Binary: events out of a number of people",
            "Lower is better",
        ] {
            assert!(
                metric.main.to_lowercase().contains(&shown.to_lowercase()),
                "{engine} {shown}: {}",
                metric.main
            );
        }
        assert_eq!(first.page("no metric chosen").status, Some(422), "{engine}");
        let wrong = first.page("measure errors");
        assert_eq!(wrong.status, Some(422), "{engine}");
        assert!(
            wrong
                .main
                .contains("The number of events must be between 0 and the sample size (40)"),
            "{engine}: the service's own message: {}",
            wrong.main
        );
        let check = first.page("check measure");
        assert!(
            check.main.contains("48 out of 200"),
            "{engine}: {}",
            check.main
        );
        let measured = first.page("second measure");
        assert!(
            measured.main.contains("Measure saved"),
            "{engine}: {}",
            measured.main
        );
        for shown in [
            "Emergency readmission within 30 days",
            "Length of stay",
            "7.9",
        ] {
            assert!(
                measured.main.contains(shown),
                "{engine} {shown}: {}",
                measured.main
            );
        }
        let report_errors = first.page("report errors");
        assert_eq!(report_errors.status, Some(422), "{engine}");
        assert!(
            report_errors.main.contains("Select your recommendation"),
            "{engine}: {}",
            report_errors.main
        );
        let published = first.page("report published");
        assert!(
            published.main.contains("Report revision published"),
            "{engine}: {}",
            published.main
        );
        let sharing_errors = first.page("sharing errors");
        assert!(
            sharing_errors
                .main
                .contains("No organisation in the registry has the ODS code ZZ999"),
            "{engine}: {}",
            sharing_errors.main
        );
        let confirm = first.page("check sharing");
        assert!(
            confirm
                .main
                .contains("Greyhaven University Hospitals NHS Foundation Trust"),
            "{engine}: {}",
            confirm.main
        );
        let shared = first.page("shared");
        assert!(
            shared.main.contains("Draft shared"),
            "{engine}: {}",
            shared.main
        );

        // A member of the organisation it is shared with reads the draft; a member elsewhere,
        // and an anonymous reader, are told there is no such page.
        let db = &test_db.db;
        let reader = cookie_of(db, "Kwame Loveridge").await;
        let (status, body) = status_of(&app, &pilot_path, Some(&reader)).await;
        assert_eq!(status, StatusCode::OK, "{engine}: the shared draft: {body}");
        assert!(
            body.contains("Readmissions within 30 days fell"),
            "{engine}: with its published report"
        );
        let (_, mine) = status_of(&app, "/my-organisation", Some(&reader)).await;
        assert!(
            mine.contains("Drafts shared with you (1)") && mine.contains(TITLE),
            "{engine}: listed on their organisation's page: {mine}"
        );
        let outsider = cookie_of(db, "Saoirse Marchbank").await;
        assert_eq!(
            status_of(&app, &pilot_path, Some(&outsider)).await.0,
            StatusCode::NOT_FOUND,
            "{engine}"
        );
        assert_eq!(
            status_of(&app, &pilot_path, None).await.0,
            StatusCode::NOT_FOUND,
            "{engine}"
        );

        let second = Chromium::new()
            .javascript(false)
            .goto(app.url(&format!("{pilot_path}/publish")))
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .snapshot("publish")
            .axe()
            .click_button("Continue")
            .snapshot("publish errors")
            .axe()
            .check("Everyone, without signing in")
            .click_button("Continue")
            .snapshot("confirm publishing")
            .axe()
            .click_button("Publish the pilot")
            .snapshot("published")
            .click_link("Amend the evaluation report")
            .snapshot("amend")
            .axe()
            .fill("Findings", "Of 190 people monitored, 21 were readmitted within 30 days, against 48 of 200 the year before; two readmissions were for other causes.")
            .click_button("Continue")
            .snapshot("amend errors")
            .axe()
            .fill("Reason for the amendment", "Two readmissions were not for heart failure")
            .click_button("Continue")
            .click_button("Publish this revision")
            .snapshot("amended")
            .goto(app.url(&format!("{pilot_path}/history")))
            .snapshot("history")
            .axe()
            .run()
            .await;
        assert_accessible(&second, engine);
        let confirm = second.page("confirm publishing");
        assert!(
            confirm.main.contains("anyone on the internet can read it"),
            "{engine}: says who will read it: {}",
            confirm.main
        );
        assert_eq!(second.page("publish errors").status, Some(422), "{engine}");
        assert!(
            second.page("published").main.contains("Pilot published"),
            "{engine}"
        );
        let amend = second.page("amend errors");
        assert_eq!(amend.status, Some(422), "{engine}");
        assert!(
            amend
                .main
                .contains("Say why you are amending the published report"),
            "{engine}: an amendment needs its reason: {}",
            amend.main
        );
        let amended = second.page("amended");
        for shown in [
            "Report revision published",
            "Two readmissions were not for heart failure",
            "two readmissions were for other causes",
        ] {
            assert!(
                amended.main.contains(shown),
                "{engine} {shown}: {}",
                amended.main
            );
        }
        let history = second.page("history");
        for shown in ["Published", "Who can read it"] {
            assert!(
                history.main.contains(shown),
                "{engine} {shown}: {}",
                history.main
            );
        }

        // Anyone now finds it by search, once the index has caught up.
        let query = "/search?q=heart+failure+discharge+Northmoor";
        let mut found = false;
        for _ in 0..100 {
            if status_of(&app, query, None).await.1.contains(TITLE) {
                found = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            found,
            "{engine}: the published pilot is found by an anonymous search"
        );
        let anonymous = Chromium::new()
            .javascript(false)
            .goto(app.url(query))
            .click_link(TITLE)
            .snapshot("read anonymously")
            .run()
            .await;
        assert_eq!(anonymous.last().path(), pilot_path, "{engine}");
        assert!(
            anonymous
                .last()
                .main
                .contains("two readmissions were for other causes"),
            "{engine}"
        );
        app.stop();
        test_db.finish().await;
    }
}

/// The demo person called `name`, signed in.
async fn person(db: &sea_orm::DatabaseConnection, name: &str) -> Actor {
    let found = user::Entity::find()
        .filter(user::Column::Name.eq(name))
        .one(db)
        .await
        .expect("find person")
        .expect("a demo person");
    accounts::actor_for_user(db, found.id, EntryPoint::Web, None)
        .await
        .expect("actor")
}

/// A browser session's cookie for the demo person called `name`.
async fn cookie_of(db: &sea_orm::DatabaseConnection, name: &str) -> String {
    let secret = session_of(db, &person(db, name).await).await.0;
    format!("registry_session={secret}")
}

/// What a forged POST could have changed of a pilot: its visibility and version, its shares,
/// measures and report revisions.
async fn state_of(
    db: &sea_orm::DatabaseConnection,
    id: Uuid,
) -> (String, i32, usize, usize, usize) {
    let p = pilot::Entity::find_by_id(id)
        .one(db)
        .await
        .expect("pilot")
        .expect("exists");
    let shares = pilot_share::Entity::find()
        .filter(pilot_share::Column::PilotId.eq(id))
        .count(db)
        .await
        .expect("shares");
    let measures = pilot_measure::Entity::find()
        .filter(pilot_measure::Column::PilotId.eq(id))
        .count(db)
        .await
        .expect("measures");
    let reports = report_revision::Entity::find()
        .filter(report_revision::Column::PilotId.eq(id))
        .count(db)
        .await
        .expect("reports");
    (
        p.visibility.as_str().to_owned(),
        p.version,
        shares as usize,
        measures as usize,
        reports as usize,
    )
}

#[tokio::test]
async fn forged_posts_to_the_evaluator_pages_change_nothing() {
    for (test_db, app) in demo_apps().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let actor = person(db, EVALUATOR).await;
        let (secret, csrf) = session_of(db, &actor).await;
        let cookie = format!("registry_session={secret}");
        let draft = pilot::Entity::find()
            .filter(pilot::Column::Visibility.eq(Visibility::Draft))
            .filter(pilot::Column::HostOrganisationId.is_in(actor.organisation_ids()))
            .one(db)
            .await
            .expect("find")
            .expect("a draft of the evaluator's trust");
        let other = registry_api::service::organisations::find_by_ods_code(db, "RZ2")
            .await
            .expect("find")
            .expect("RZ2");
        sharing::share(db, &actor, draft.id, other.id)
            .await
            .expect("share");
        let before = state_of(db, draft.id).await;
        let id = draft.id;
        let posts: Vec<(String, Vec<(&str, String)>)> = vec![
            (
                format!("/pilots/{id}/publish"),
                vec![
                    ("step", "confirm".into()),
                    ("visibility", "public".into()),
                    ("version", draft.version.to_string()),
                ],
            ),
            (
                format!("/pilots/{id}/sharing"),
                vec![("step", "confirm".into()), ("odsCode", "RZ6".into())],
            ),
            (format!("/pilots/{id}/sharing/{}/end", other.id), vec![]),
            (
                format!("/pilots/{id}/report"),
                vec![
                    ("step", "publish".into()),
                    ("summary", "Forged".into()),
                    ("findings", "Forged".into()),
                    ("recommendation", "adopt".into()),
                ],
            ),
            (
                format!("/pilots/{id}/measures/new"),
                vec![
                    ("step", "confirm".into()),
                    ("metric", "LOS_DAYS".into()),
                    ("timeFrame", "Forged".into()),
                    ("comparator", "before_after".into()),
                    ("isPrimary", "no".into()),
                    ("baseline.value", "9".into()),
                    ("result.value", "8".into()),
                ],
            ),
        ];
        for (path, fields) in &posts {
            for (headers, token) in [
                (vec![], ""),
                (vec![], "not-the-token"),
                (vec![("sec-fetch-site", "cross-site")], csrf.as_str()),
                (vec![("origin", "https://elsewhere.example")], csrf.as_str()),
            ] {
                let mut form: Vec<(String, String)> = fields
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.clone()))
                    .collect();
                form.push(("csrf_token".to_owned(), token.to_owned()));
                let mut request = app
                    .http
                    .post(app.url(path))
                    .header("cookie", &cookie)
                    .form(&form);
                for (name, value) in &headers {
                    request = request.header(*name, *value);
                }
                let status = request.send().await.expect("send").status();
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{engine} {path} {headers:?} {token:?}"
                );
            }
        }
        assert_eq!(
            state_of(db, draft.id).await,
            before,
            "{engine}: nothing was changed"
        );
        // The same posts with the token do change it, so the refusals above were the checks'.
        let (path, fields) = &posts[0];
        let mut form: Vec<(String, String)> = fields
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        form.push(("csrf_token".to_owned(), csrf.clone()));
        let status = app
            .http
            .post(app.url(path))
            .header("cookie", &cookie)
            .form(&form)
            .send()
            .await
            .expect("send")
            .status();
        assert!(
            status.is_success() || status.is_redirection(),
            "{engine}: {status}"
        );
        assert_eq!(
            state_of(db, draft.id).await.0,
            "public",
            "{engine}: published with the token"
        );
        app.stop();
        test_db.finish().await;
    }
}
