//! The pages in a real browser (headless chromium, see `support::chromium`): every page passes
//! axe-core's WCAG 2.2 AA rules, signed out and signed in, and signing in and out works with
//! JavaScript disabled, because the specification promises both and only a browser can show
//! them. A page test is a journey of a few lines; add each new page to the lists below.

use registry_api::Actor;
use registry_api::model::{EntryPoint, session};
use registry_api::service::pilots::{self, PilotFilter};
use registry_api::service::{PageRequest, Sort, measures, metrics, organisations, technologies};

use super::demo_app;
use crate::support::app::TestApp;
use crate::support::chromium::{Chromium, Journey};

/// The demo trust evaluator, whose Sign in button the journeys press.
const EVALUATOR: &str = "Rhodri Penhallow";

/// Pages everyone may open, checked signed out and signed in (with a record of each kind
/// from the demo data, see [`record_pages`]).
const PAGES: &[&str] = &[
    "/",
    "/search",
    "/search?q=ward&careSetting=COMMUNITY",
    "/evidence",
    "/auth/login",
    "/graphql",
];
/// The styled "page not found".
const MISSING: &str = "/no/such/page";

/// A technology, a pilot, an organisation and a comparison with subgroups from the demo data,
/// each as anyone may read it.
async fn record_pages(db: &sea_orm::DatabaseConnection) -> Vec<String> {
    let anonymous = Actor::anonymous(EntryPoint::Web);
    let one = PageRequest {
        first: 1,
        offset: 0,
        count: true,
    };
    let pilot = pilots::list(db, &anonymous, &PilotFilter::default(), Sort::Name, one)
        .await
        .expect("pilots")
        .items
        .remove(0);
    let technology = technologies::get(db, &anonymous, pilot.technology_id)
        .await
        .expect("technology");
    let host = organisations::get(db, pilot.host_organisation_id)
        .await
        .expect("host");
    let measured = measures::of_pilots(db, &anonymous, [pilot.id])
        .await
        .expect("measures");
    let metric = metrics::get(db, measured[0].metric_id)
        .await
        .expect("metric");
    vec![
        format!("/technologies/{}", technology.record.slug),
        format!("/pilots/{}", pilot.id),
        format!("/organisations/{}", host.ods_code.expect("ODS code")),
        format!("/evidence/{}?subgroupBy=CARE_SETTING", metric.code),
    ]
}

/// Adds an axe-core check of each page in `paths` and of the error page to `journey`.
fn check_every_page(mut journey: Chromium, app: &TestApp, paths: &[String]) -> Chromium {
    for path in paths {
        journey = journey.goto(app.url(path));
        if *path == "/graphql" {
            // GraphiQL renders with script after the page loads; check what a person then sees.
            journey = journey.wait_for(".graphiql-response .CodeMirror");
        }
        journey = journey.axe();
    }
    journey.goto(app.url(MISSING)).snapshot("missing").axe()
}

/// The pages axe-core checked, as paths, for asserting that none was skipped.
fn checked_paths(journey: &Journey) -> Vec<String> {
    journey
        .axe_results()
        .into_iter()
        .map(|(page, _)| page.path().to_owned())
        .collect()
}

#[tokio::test]
async fn every_page_passes_axe_signed_out_and_signed_in() {
    let (test_db, app) = demo_app().await;
    let mut paths: Vec<String> = PAGES.iter().map(|p| (*p).to_owned()).collect();
    paths.extend(record_pages(&test_db.db).await);
    let signed_out = check_every_page(Chromium::new(), &app, &paths);
    let journey = check_every_page(
        signed_out
            .goto(app.url("/auth/login"))
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .snapshot("signed in"),
        &app,
        &paths,
    )
    .run()
    .await;

    let mut expected: Vec<String> = paths
        .iter()
        .map(|p| p.split('?').next().unwrap_or_default().to_owned())
        .chain([MISSING.to_owned()])
        .collect();
    expected.extend(expected.clone());
    assert_eq!(
        checked_paths(&journey),
        expected,
        "axe-core checked each page"
    );
    for (page, violations) in journey.axe_results() {
        assert!(violations.is_empty(), "{}", page.url);
    }
    let missing = journey.page("missing");
    assert_eq!(missing.status, Some(404), "the error page says 404");
    let signed_in = journey.page("signed in");
    assert_eq!(signed_in.path(), "/", "signing in returns home");
    assert!(
        signed_in.header().contains(EVALUATOR),
        "the header names who is signed in: {:?}",
        signed_in.header
    );
    app.stop();
    test_db.finish().await;
}

#[tokio::test]
async fn signing_in_and_out_works_without_javascript() {
    let (test_db, app) = demo_app().await;
    let journey = Chromium::new()
        .javascript(false)
        .goto(app.url("/"))
        .snapshot("signed out")
        .click_link("Sign in")
        .snapshot("demo accounts")
        .axe()
        .click_button(&format!("Sign in as {EVALUATOR}"))
        .snapshot("signed in")
        .axe()
        .click_button("Sign out")
        .snapshot("signed out again")
        .goto(app.url("/"))
        .snapshot("home after signing out")
        .goto(app.url("/graphql"))
        .snapshot("graphiql")
        .run()
        .await;

    let signed_out = journey.page("signed out");
    assert!(signed_out.header().contains("Sign in"), "{signed_out:?}");
    assert!(!signed_out.header().contains(EVALUATOR), "{signed_out:?}");

    let accounts = journey.page("demo accounts");
    assert_eq!(accounts.path(), "/auth/login");
    assert_eq!(
        accounts.heading.as_deref(),
        Some("Sign in with a demo account")
    );
    assert!(accounts.main.contains(EVALUATOR), "{}", accounts.main);

    let signed_in = journey.page("signed in");
    assert_eq!(signed_in.path(), "/", "signing in returns home");
    assert_eq!(signed_in.status, Some(200));
    assert!(
        signed_in.header().contains(EVALUATOR) && signed_in.header().contains("Sign out"),
        "the header names who is signed in and offers to sign out: {:?}",
        signed_in.header
    );

    for label in ["signed out again", "home after signing out"] {
        let page = journey.page(label);
        assert_eq!(page.path(), "/", "{label}");
        assert!(
            page.header().contains("Sign in") && !page.header().contains(EVALUATOR),
            "{label}: the header offers to sign in again: {:?}",
            page.header
        );
    }
    let graphiql = journey.page("graphiql");
    assert!(
        graphiql.main.contains("GraphiQL needs JavaScript"),
        "no script ran, so GraphiQL's page says what to do instead: {}",
        graphiql.main
    );
    assert_eq!(
        test_db.count::<session::Entity>().await,
        0,
        "signing out ended the session on the server"
    );
    app.stop();
    test_db.finish().await;
}

#[tokio::test]
async fn finding_and_reading_the_evidence_works_without_javascript() {
    let (test_db, app) = demo_app().await;
    let journey = Chromium::new()
        .javascript(false)
        .goto(app.url("/"))
        .fill("Has another trust already tried it?", "virtual ward")
        .submit("Has another trust already tried it?")
        .snapshot("results")
        .check("Community care")
        .click_button("Apply filters")
        .snapshot("narrowed")
        .goto(app.url("/search"))
        .click_link("Next")
        .snapshot("second page")
        .goto(app.url("/search?q=virtual+ward&kind=TECHNOLOGY"))
        .click_link("Lumenward Virtual Ward Platform")
        .snapshot("technology")
        .click_link("Respiratory virtual ward pilot")
        .snapshot("pilot")
        .click_link("Downsvale Hospitals")
        .snapshot("organisation")
        .goto(app.url("/evidence"))
        .click_link("Clinician administrative time per session")
        .snapshot("comparison")
        .select("Show subgroups by", "Care setting")
        .click_button("Update comparison")
        .snapshot("subgroups")
        .run()
        .await;

    let results = journey.page("results");
    assert_eq!(results.path(), "/search");
    assert!(results.url.contains("q=virtual+ward"), "{}", results.url);
    let narrowed = journey.page("narrowed");
    assert!(
        narrowed.url.contains("careSetting=COMMUNITY") && narrowed.url.contains("q=virtual+ward"),
        "ticking a facet and applying it keeps the search: {}",
        narrowed.url
    );
    assert!(
        narrowed.main.contains("Care setting: Community care")
            && narrowed.main.contains("Clear all filters"),
        "the chosen filter is listed with a way to remove it: {}",
        narrowed.main
    );
    // The heading over the hits: "25 results".
    let count = |page: &crate::support::chromium::Page| -> u64 {
        page.main
            .lines()
            .find_map(|line| {
                let number = line
                    .trim()
                    .strip_suffix(" results")
                    .or(line.trim().strip_suffix(" result"))?;
                number.replace(',', "").parse().ok()
            })
            .expect("a result count")
    };
    assert!(
        count(narrowed) < count(results),
        "the facet narrows the results: {} then {}",
        count(results),
        count(narrowed)
    );
    assert!(
        journey.page("second page").url.ends_with("/search?page=2"),
        "{}",
        journey.page("second page").url
    );
    assert_eq!(
        journey.page("technology").heading.as_deref(),
        Some("Lumenward Virtual Ward Platform")
    );
    let pilot = journey.page("pilot");
    assert!(pilot.path().starts_with("/pilots/"), "{}", pilot.url);
    assert!(pilot.main.contains("Outcomes") && pilot.main.contains("Evidence rating"));
    let organisation = journey.page("organisation");
    assert!(organisation.path().starts_with("/organisations/"));
    assert!(organisation.main.contains("Pilots it hosts"));
    let comparison = journey.page("comparison");
    assert_eq!(comparison.path(), "/evidence/ADMIN_TIME_MIN");
    assert!(comparison.main.contains("Forest plot"));
    let subgroups = journey.page("subgroups");
    assert!(
        subgroups.url.contains("subgroupBy=CARE_SETTING"),
        "{}",
        subgroups.url
    );
    assert!(
        subgroups.main.contains("Subgroups") && subgroups.main.contains("Primary care"),
        "{}",
        subgroups.main
    );
    app.stop();
    test_db.finish().await;
}
