//! The pages in a real browser (headless chromium, see `support::chromium`): every page passes
//! axe-core's WCAG 2.2 AA rules, signed out and signed in, and signing in and out works with
//! JavaScript disabled, because the specification promises both and only a browser can show
//! them. A page test is a journey of a few lines; add each new page to the lists below.

use registry_api::model::session;

use crate::support::chromium::{Chromium, Journey};
use crate::support::{self, TestDb, app::TestApp};

/// The demo trust evaluator, whose Sign in button the journeys press.
const EVALUATOR: &str = "Rhodri Penhallow";

/// Pages everyone may open, checked signed out and signed in.
const PAGES: &[&str] = &["/", "/auth/login", "/graphql"];
/// The error page, answering 404: with demo accounts there is no provider to call back from.
/// (A path no route answers gets no page yet, only an empty 404, which chromium replaces with
/// its own; once it has one, check it here too.)
const MISSING: &str = "/auth/callback";

/// A migrated SQLite database with the demo data set (whose people the demo accounts page
/// offers), served with demo sign-in.
async fn demo_app() -> (TestDb, TestApp) {
    let test_db = support::sqlite().await;
    registry_api::db::migrate(&test_db.db)
        .await
        .expect("migrate");
    registry_seed::demo::load(&test_db.db)
        .await
        .expect("demo data");
    let app = test_db.app().await;
    (test_db, app)
}

/// Adds an axe-core check of each page in `PAGES` and of the error page to `journey`.
fn check_every_page(mut journey: Chromium, app: &TestApp) -> Chromium {
    for path in PAGES {
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
    let signed_out = check_every_page(Chromium::new(), &app);
    let journey = check_every_page(
        signed_out
            .goto(app.url("/auth/login"))
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .snapshot("signed in"),
        &app,
    )
    .run()
    .await;

    let mut expected: Vec<String> = PAGES
        .iter()
        .chain(&[MISSING])
        .map(|p| (*p).to_owned())
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
