//! The pages through the running server, on both databases: a draft and an `nhs` pilot never
//! reach a reader who may not read them, on any page, in any count or facet; each viewer sees
//! on the pages what GraphQL shows them; and text people typed is shown as text, never as
//! markup.

use registry_api::Actor;
use registry_api::auth::SessionPolicy;
use registry_api::indexing::outbox::{self, WorkerSettings};
use registry_api::model::Visibility;
use registry_api::service::{measures, sessions};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

/// A title that would run as script, or break out of an attribute, if pasted unescaped.
const HOSTILE: &str = r#"<script>alert("pwned")</script> "Quoted" pilot"#;
/// How askama writes it.
const HOSTILE_ESCAPED: &str = "&#60;script&#62;alert(&#34;pwned&#34;)&#60;/script&#62;";

/// A page as `viewer` (anonymous when `None`) sees it: status and body.
async fn page(app: &TestApp, cookie: Option<&str>, path: &str) -> (StatusCode, String) {
    let mut request = app.http.get(app.url(path));
    if let Some(secret) = cookie {
        request = request.header("cookie", format!("registry_session={secret}"));
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// A browser session for a person, as signing in would start it.
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

#[tokio::test]
async fn pages_show_each_viewer_exactly_what_they_may_read() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let draft = w.pilot(db, "Draft-only trial", Visibility::Draft).await;
        let nhs = w.pilot(db, "NHS-only trial", Visibility::Nhs).await;
        let public = w.pilot(db, HOSTILE, Visibility::Public).await;
        for pilot in [&draft, &nhs, &public] {
            measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
                .await
                .expect("measure");
        }
        let app = test_db.app().await;
        outbox::drain(db, &app.search, WorkerSettings::default())
            .await
            .expect("index");

        let slug = &w.technology.record.slug;
        let ods = w.trust_a.ods_code.clone().expect("ODS code");
        let wait = &w.wait_minutes.code;
        let pages_of_records = [
            "/".to_owned(),
            "/search".to_owned(),
            format!("/technologies/{slug}"),
            format!("/organisations/{ods}"),
            "/evidence".to_owned(),
            format!("/evidence/{wait}"),
            format!("/evidence/{wait}?subgroupBy=DESIGN"),
            format!("/pilots/{}", public.id),
        ];

        // Anonymous readers: only the public pilot, wherever they look.
        for path in &pages_of_records {
            let (status, body) = page(&app, None, path).await;
            assert_eq!(status, StatusCode::OK, "{engine} {path}");
            for hidden in ["Draft-only trial", "NHS-only trial"] {
                let at = body
                    .find(hidden)
                    .map(|i| &body[i.saturating_sub(200)..i + 20]);
                assert!(at.is_none(), "{engine} {path} shows {hidden:?}: {at:?}");
            }
            assert!(
                !body.contains("<script>alert"),
                "{engine} {path} pastes the title as markup"
            );
        }
        for path in [
            format!("/pilots/{}", draft.id),
            format!("/pilots/{}", nhs.id),
        ] {
            let (status, body) = page(&app, None, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{engine} {path}");
            assert!(body.contains("Page not found"), "{engine}: a styled 404");
        }
        let (_, pilot_page) = page(&app, None, &format!("/pilots/{}", public.id)).await;
        assert!(
            pilot_page.contains(HOSTILE_ESCAPED),
            "{engine}: the title is shown as text"
        );
        let (_, technology) = page(&app, None, &format!("/technologies/{slug}")).await;
        assert!(
            technology.contains("Pilots (1)"),
            "{engine}: one pilot counted"
        );
        let (_, organisation) = page(&app, None, &format!("/organisations/{ods}")).await;
        assert!(
            organisation.contains("Pilots it hosts (1)"),
            "{engine}: one hosted pilot counted"
        );
        let (_, search) = page(&app, None, "/search?kind=PILOT").await;
        assert!(
            search.contains("Pilot (1)"),
            "{engine}: the kind facet counts one pilot"
        );
        assert!(
            search.contains(HOSTILE_ESCAPED),
            "{engine}: the hit is escaped"
        );

        // The same viewer counts the same through GraphQL and on the search page.
        let totals = |body: serde_json::Value| {
            body["data"]["search"]["totalCount"]
                .as_u64()
                .expect("a count")
        };
        let anonymous_total = totals(
            app.graphql(None, "{ search(query: \"\") { totalCount } }", json!({}))
                .await,
        );
        let (_, all) = page(&app, None, "/search").await;
        assert!(
            all.contains(&format!(">{anonymous_total} result")),
            "{engine}: the page counts {anonymous_total}, as GraphQL does"
        );

        // NHS staff of another trust read the `nhs` pilot, never the draft.
        let member_b = signed_in(db, &w.member_b).await;
        let (status, _) = page(&app, Some(&member_b), &format!("/pilots/{}", nhs.id)).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{engine}: NHS staff read nhs pilots"
        );
        let (status, _) = page(&app, Some(&member_b), &format!("/pilots/{}", draft.id)).await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{engine}: not another's draft"
        );
        let token = token_for(db, &w.member_b).await;
        let member_total = totals(
            app.graphql(
                Some(&token),
                "{ search(query: \"\") { totalCount } }",
                json!({}),
            )
            .await,
        );
        let (_, search) = page(&app, Some(&member_b), "/search").await;
        assert!(
            search.contains("NHS-only trial"),
            "{engine}: NHS staff find it"
        );
        assert!(
            !search.contains("Draft-only trial"),
            "{engine}: not the draft"
        );
        assert!(
            search.contains(&format!(">{member_total} result")),
            "{engine}: NHS staff count {member_total} on both doors"
        );

        // The host's own members read the draft.
        let member_a = signed_in(db, &w.member_a).await;
        let (status, body) = page(&app, Some(&member_a), &format!("/pilots/{}", draft.id)).await;
        assert_eq!(status, StatusCode::OK, "{engine}: the host reads its draft");
        assert!(body.contains("Draft-only trial"));

        app.stop();
        test_db.finish().await;
    }
}

/// The technology page keeps its evidence figures between views; each change that alters them
/// (another measure, a draft only its host reads, a withdrawal, a renamed metric) shows on the
/// next view, on both databases.
#[tokio::test]
async fn the_technology_evidence_follows_every_change() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let measured = |title: &'static str, visibility| {
            let w = &w;
            async move {
                let p = w.pilot(db, title, visibility).await;
                measures::record(db, &w.evaluator_a, w.wait_measure(p.id))
                    .await
                    .expect("measure");
                p
            }
        };
        measured("First trial", Visibility::Public).await;
        measured("Second trial", Visibility::Public).await;
        let app = test_db.app().await;
        let path = format!("/technologies/{}", w.technology.record.slug);
        let member_a = signed_in(db, &w.member_a).await;
        let evidence = |cookie: Option<String>| {
            let (app, path) = (&app, &path);
            async move {
                let (status, body) = page(app, cookie.as_deref(), path).await;
                assert_eq!(status, StatusCode::OK, "{engine}");
                body
            }
        };
        assert!(evidence(None).await.contains("Across 2 pilots"), "{engine}");
        assert!(
            evidence(None).await.contains("Across 2 pilots"),
            "{engine}: kept"
        );

        let third = measured("Third trial", Visibility::Public).await;
        assert!(
            evidence(None).await.contains("Across 3 pilots"),
            "{engine}: a new measure shows at once"
        );

        measured("Draft trial", Visibility::Draft).await;
        assert!(
            evidence(None).await.contains("Across 3 pilots"),
            "{engine}: the draft is not counted for anonymous readers"
        );
        assert!(
            evidence(Some(member_a.clone()))
                .await
                .contains("Across 4 pilots"),
            "{engine}: its host counts it"
        );
        assert!(
            evidence(None).await.contains("Across 3 pilots"),
            "{engine}: nor after its host looked"
        );

        let third = registry_api::service::pilots::get(db, &w.admin, third.id)
            .await
            .expect("third");
        registry_api::service::pilots::withdraw(
            db,
            &w.admin,
            third.id,
            third.version,
            "Entered twice by mistake",
        )
        .await
        .expect("withdraw");
        assert!(
            evidence(None).await.contains("Across 2 pilots"),
            "{engine}: a withdrawal shows at once"
        );

        let metric = &w.wait_minutes;
        registry_api::service::metrics::update(
            db,
            &w.admin,
            metric.id,
            metric.version,
            registry_api::service::metrics::MetricInput {
                name: "Minutes waited to be seen".to_owned(),
                ..support::world::metric_input(&metric.code, metric.unit, metric.kind)
            },
        )
        .await
        .expect("rename");
        assert!(
            evidence(None).await.contains("Minutes waited to be seen"),
            "{engine}: a renamed metric shows at once"
        );

        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn unknown_addresses_and_bad_parameters_get_styled_pages() {
    let test_db = support::sqlite().await;
    let app = test_db.app().await;
    for (path, status, text) in [
        ("/no/such/page", StatusCode::NOT_FOUND, "Page not found"),
        ("/pilots/not-an-id", StatusCode::NOT_FOUND, "Page not found"),
        (
            "/pilots/00000000-0000-0000-0000-000000000000",
            StatusCode::NOT_FOUND,
            "Page not found",
        ),
        (
            "/technologies/nothing-here",
            StatusCode::NOT_FOUND,
            "Page not found",
        ),
        (
            "/organisations/ZZZ99",
            StatusCode::NOT_FOUND,
            "Page not found",
        ),
        (
            "/evidence/NO_SUCH_METRIC",
            StatusCode::NOT_FOUND,
            "Page not found",
        ),
        (
            "/search?careSetting=MOON",
            StatusCode::BAD_REQUEST,
            "careSetting cannot be &#34;MOON&#34;",
        ),
        (
            "/search?page=999999",
            StatusCode::BAD_REQUEST,
            "narrow the filter",
        ),
        (
            "/evidence/X?method=MAGIC",
            StatusCode::BAD_REQUEST,
            "method cannot be &#34;MAGIC&#34;",
        ),
    ] {
        let (got, body) = page(&app, None, path).await;
        assert_eq!(got, status, "{path}");
        assert!(body.contains(text), "{path}: {body}");
        assert!(
            body.contains("Innovation Outcomes Registry – NHS</title>"),
            "{path}: a page of the registry"
        );
    }
    app.stop();
    test_db.finish().await;
}
