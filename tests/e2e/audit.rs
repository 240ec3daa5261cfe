//! The audit log, on both databases: who outside a pilot's host opens a restricted pilot is
//! written down once per opening with the door it came through (its page, GraphQL), and
//! nothing else is (public pilots, lists, the host's own members, anonymous readers); the log
//! is read whole by administrators, its own records' part by an organisation's members, and
//! by nobody else, through GraphQL's `auditLog` and the pages alike; its filters narrow it and
//! refuse what they cannot read with a reason, never a failure.

use registry_api::Actor;
use registry_api::auth::SessionPolicy;
use registry_api::model::{EntryPoint, OrganisationKind, Region, Role, Visibility, audit_log};
use registry_api::service::organisations::OrganisationInput;
use registry_api::service::{accounts, memberships, organisations, sessions};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};

use crate::support::app::{TestApp, error_code, token_for};
use crate::support::{self, World};

/// A page as the session `cookie` (anonymous when `None`) sees it, redirects not followed.
async fn page(app: &TestApp, cookie: Option<&str>, path: &str) -> (StatusCode, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut request = client.get(app.url(path));
    if let Some(secret) = cookie {
        request = request.header("cookie", format!("registry_session={secret}"));
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// A browser session for a person, as signing in would start it.
async fn signed_in(db: &DatabaseConnection, actor: &Actor) -> String {
    sessions::start(
        db,
        actor.user_id().expect("a person"),
        SessionPolicy::default(),
        None,
    )
    .await
    .expect("session")
}

/// A member of a third NHS trust, which hosts nothing of the world's.
async fn third_trust_member(db: &DatabaseConnection, system: &Actor) -> Actor {
    let trust = organisations::create(
        db,
        system,
        OrganisationInput {
            name: "Trust C".to_owned(),
            kind: OrganisationKind::NhsTrust,
            ods_code: Some("RTC".to_owned()),
            region: Some(Region::SouthWest),
            parent_icb_id: None,
        },
    )
    .await
    .expect("trust C");
    let user = accounts::upsert_user(
        db,
        system,
        accounts::Identity {
            issuer: "https://idp.test".to_owned(),
            subject: "member-c".to_owned(),
            name: "Test member-c".to_owned(),
            email: Some("member-c@example.nhs.uk".to_owned()),
        },
    )
    .await
    .expect("user");
    memberships::grant(db, system, user.id, trust.id, Role::Member)
        .await
        .expect("membership");
    accounts::actor_for_user(db, user.id, EntryPoint::Graphql, None)
        .await
        .expect("actor")
}

/// The audited reads, oldest first.
async fn reads(db: &DatabaseConnection) -> Vec<audit_log::Model> {
    audit_log::Entity::find()
        .filter(audit_log::Column::Action.is_in(["pilot.read", "report.read"]))
        .order_by_asc(audit_log::Column::At)
        .order_by_asc(audit_log::Column::Id)
        .all(db)
        .await
        .expect("read the log")
}

const PILOT: &str = "query($id: ID!) { pilot(id: $id) { id title } }";
const LOG: &str = "query($filter: AuditLogFilterInput, $first: Int, $after: String) {
    auditLog(filter: $filter, first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        nodes { id at actorUserId actorLabel entryPoint action entityKind entityId door detail }
    }
}";

fn nodes(body: &Value) -> Vec<Value> {
    body["data"]["auditLog"]["nodes"]
        .as_array()
        .unwrap_or_else(|| panic!("an audit log page: {body}"))
        .clone()
}

#[tokio::test]
async fn opening_a_restricted_pilot_from_outside_is_audited_with_its_door() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let nhs = w.pilot(db, "NHS-only trial", Visibility::Nhs).await;
        let public = w.pilot(db, "Public trial", Visibility::Public).await;
        let app = test_db.app().await;
        let outsider_cookie = signed_in(db, &w.member_b).await;
        let outsider_token = token_for(db, &w.member_b).await;
        let host_cookie = signed_in(db, &w.member_a).await;
        let host_token = token_for(db, &w.member_a).await;

        // What is not audited: anyone reading a public pilot, the host's own members, lists.
        let public_path = format!("/pilots/{}", public.id);
        assert_eq!(page(&app, None, &public_path).await.0, StatusCode::OK);
        assert_eq!(
            page(&app, Some(&outsider_cookie), &public_path).await.0,
            StatusCode::OK
        );
        let anonymous = app.graphql(None, PILOT, json!({ "id": public.id })).await;
        assert_eq!(
            anonymous["data"]["pilot"]["title"], "Public trial",
            "{engine}"
        );
        let nhs_path = format!("/pilots/{}", nhs.id);
        assert_eq!(
            page(&app, Some(&host_cookie), &nhs_path).await.0,
            StatusCode::OK
        );
        let by_host = app
            .graphql(Some(&host_token), PILOT, json!({ "id": nhs.id }))
            .await;
        assert_eq!(by_host["data"]["pilot"]["title"], "NHS-only trial");
        let listed = app
            .graphql(
                Some(&outsider_token),
                "{ pilots(first: 10) { nodes { id title } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            listed["data"]["pilots"]["nodes"].as_array().map(Vec::len),
            Some(2),
            "{engine}: the outsider lists both: {listed}"
        );
        // An anonymous reader asking for the NHS pilot finds nothing, and nothing is written.
        assert_eq!(page(&app, None, &nhs_path).await.0, StatusCode::NOT_FOUND);
        assert!(
            reads(db).await.is_empty(),
            "{engine}: nothing so far is an audited read: {:?}",
            reads(db).await
        );

        // An NHS member of another trust opens it on its page, then through GraphQL.
        assert_eq!(
            page(&app, Some(&outsider_cookie), &nhs_path).await.0,
            StatusCode::OK
        );
        let by_outsider = app
            .graphql(Some(&outsider_token), PILOT, json!({ "id": nhs.id }))
            .await;
        assert_eq!(by_outsider["data"]["pilot"]["title"], "NHS-only trial");

        let written = reads(db).await;
        assert_eq!(
            written.len(),
            2,
            "{engine}: one entry per opening: {written:?}"
        );
        let doors: Vec<(EntryPoint, &str)> = written
            .iter()
            .map(|e| (e.entry_point, e.detail["door"].as_str().unwrap_or("")))
            .collect();
        assert_eq!(
            doors,
            vec![(EntryPoint::Web, "page"), (EntryPoint::Graphql, "graphql")],
            "{engine}"
        );
        for entry in &written {
            assert_eq!(entry.action, "pilot.read");
            assert_eq!(entry.entity_kind, "pilot");
            assert_eq!(entry.entity_id, nhs.id);
            assert_eq!(entry.actor_user_id, w.member_b.user_id());
            assert_eq!(entry.actor_label, "Test member-b");
            assert_eq!(
                entry.detail["organisations"],
                json!([w.trust_b.id]),
                "{engine}: the reader's trust is kept with the read"
            );
        }
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_host_and_administrators_read_who_opened_a_pilot_and_nobody_else_does() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let third = third_trust_member(db, &w.system).await;
        let nhs = w.pilot(db, "NHS-only trial", Visibility::Nhs).await;
        let app = test_db.app().await;
        let outsider_cookie = signed_in(db, &w.member_b).await;
        let outsider_token = token_for(db, &w.member_b).await;
        let nhs_path = format!("/pilots/{}", nhs.id);
        assert_eq!(
            page(&app, Some(&outsider_cookie), &nhs_path).await.0,
            StatusCode::OK
        );
        let opened = app
            .graphql(Some(&outsider_token), PILOT, json!({ "id": nhs.id }))
            .await;
        assert_eq!(opened["data"]["pilot"]["title"], "NHS-only trial");

        let reads_filter = json!({ "filter": { "action": "pilot.read" } });
        let host_token = token_for(db, &w.member_a).await;
        let admin_token = token_for(db, &w.admin).await;
        let third_token = token_for(db, &third).await;

        // The host organisation's member: both reads, newest first, with their doors.
        let host = app
            .graphql(Some(&host_token), LOG, reads_filter.clone())
            .await;
        let seen = nodes(&host);
        let doors: Vec<&str> = seen.iter().filter_map(|n| n["door"].as_str()).collect();
        assert_eq!(doors, ["GRAPHQL", "PAGE"], "{engine}: {host}");
        assert_eq!(host["data"]["auditLog"]["totalCount"], 2);
        for node in &seen {
            assert_eq!(node["actorLabel"], "Test member-b");
            assert_eq!(node["entityId"], nhs.id.to_string());
            assert_eq!(node["entityKind"], "pilot");
        }
        assert_eq!(seen[0]["entryPoint"], "GRAPHQL");
        assert_eq!(seen[1]["entryPoint"], "WEB");
        // ...and only what is about its own records: never sessions, users or memberships.
        let everything = app
            .graphql(Some(&host_token), LOG, json!({ "first": 100 }))
            .await;
        let kinds: Vec<String> = nodes(&everything)
            .iter()
            .filter_map(|n| n["entityKind"].as_str().map(str::to_owned))
            .collect();
        assert!(
            !kinds.is_empty(),
            "{engine}: the host sees its pilot's entries"
        );
        for kind in &kinds {
            assert!(
                [
                    "pilot",
                    "pilot_measure",
                    "report_revision",
                    "technology",
                    "organisation"
                ]
                .contains(&kind.as_str()),
                "{engine}: the host reads an entry about a {kind}"
            );
        }
        assert!(
            nodes(&everything)
                .iter()
                .all(|n| n["entityId"] == nhs.id.to_string()
                    || n["entityId"] == w.trust_a.id.to_string()),
            "{engine}: only trust A's records: {everything}"
        );

        // An administrator reads them, and the rest of the log.
        let admin = app
            .graphql(Some(&admin_token), LOG, reads_filter.clone())
            .await;
        assert_eq!(
            admin["data"]["auditLog"]["totalCount"], 2,
            "{engine}: {admin}"
        );
        let whole = app.graphql(Some(&admin_token), LOG, json!({})).await;
        let host_total = everything["data"]["auditLog"]["totalCount"]
            .as_u64()
            .expect("count");
        assert!(
            whole["data"]["auditLog"]["totalCount"]
                .as_u64()
                .expect("count")
                > host_total,
            "{engine}: administrators read the whole log"
        );

        // A member of a third trust, and the reader themselves, read none of it.
        for (who, token) in [
            ("a third trust", &third_token),
            ("the reader", &outsider_token),
        ] {
            let body = app.graphql(Some(token), LOG, reads_filter.clone()).await;
            assert_eq!(
                body["data"]["auditLog"]["totalCount"], 0,
                "{engine}: {who}: {body}"
            );
            let about = app
                .graphql(
                    Some(token),
                    LOG,
                    json!({ "filter": { "entityId": nhs.id } }),
                )
                .await;
            assert_eq!(
                about["data"]["auditLog"]["totalCount"], 0,
                "{engine}: {who}"
            );
        }
        let anonymous = app.graphql(None, LOG, reads_filter.clone()).await;
        assert_eq!(
            error_code(&anonymous),
            Some("UNAUTHENTICATED"),
            "{anonymous}"
        );

        // The same on the pages: the pilot's reads for its host and administrators only.
        let reads_path = format!("/pilots/{}/reads", nhs.id);
        let host_cookie = signed_in(db, &w.member_a).await;
        let (status, body) = page(&app, Some(&host_cookie), &reads_path).await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert!(body.contains("Test member-b"), "{engine}: {body}");
        assert!(body.contains("Trust B"), "{engine}: the reader's trust");
        assert!(body.contains("GraphQL API") && body.contains("Web page"));
        let (_, pilot_page) = page(&app, Some(&host_cookie), &nhs_path).await;
        assert!(
            pilot_page.contains(&reads_path),
            "the pilot page links to its reads"
        );
        let admin_cookie = signed_in(db, &w.admin).await;
        assert_eq!(
            page(&app, Some(&admin_cookie), &reads_path).await.0,
            StatusCode::OK
        );
        for who in [&third, &w.member_b] {
            let cookie = signed_in(db, who).await;
            let (status, body) = page(&app, Some(&cookie), &reads_path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{engine}");
            assert!(!body.contains("Test member-b"));
            let (_, pilot_page) = page(&app, Some(&cookie), &nhs_path).await;
            assert!(
                !pilot_page.contains(&reads_path),
                "no link for those who may not"
            );
        }
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_audit_log_filters_narrow_it_and_pages_run_newest_first() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let nhs = w.pilot(db, "NHS-only trial", Visibility::Nhs).await;
        let app = test_db.app().await;
        let admin = token_for(db, &w.admin).await;
        let outsider = token_for(db, &w.member_b).await;
        let opened = app
            .graphql(Some(&outsider), PILOT, json!({ "id": nhs.id }))
            .await;
        assert_eq!(opened["data"]["pilot"]["title"], "NHS-only trial");
        let count = |body: &Value| body["data"]["auditLog"]["totalCount"].as_u64();
        let log = |filter: Value| app.graphql(Some(&admin), LOG, json!({ "filter": filter }));

        let about = log(json!({ "entityKind": "pilot", "entityId": nhs.id })).await;
        let actions: Vec<&str> = nodes(&about)
            .iter()
            .filter_map(|n| n["action"].as_str())
            .map(|a| {
                if a == "pilot.read" {
                    "pilot.read"
                } else {
                    "change"
                }
            })
            .collect();
        assert_eq!(
            actions.first(),
            Some(&"pilot.read"),
            "{engine}: newest first: {about}"
        );
        let family = log(json!({ "entityId": nhs.id, "action": "pilot" })).await;
        assert_eq!(
            count(&family),
            count(&about),
            "{engine}: `pilot` is all a pilot's actions"
        );
        let exact = log(json!({ "entityId": nhs.id, "action": "pilot.publish" })).await;
        assert_eq!(count(&exact), Some(1), "{engine}: {exact}");
        let by_door = log(json!({ "action": "pilot.read", "entryPoint": "WEB" })).await;
        assert_eq!(
            count(&by_door),
            Some(0),
            "{engine}: it was read through GraphQL"
        );
        let by_name = log(json!({ "actorLabel": "MEMBER-B", "action": "pilot.read" })).await;
        assert_eq!(
            count(&by_name),
            Some(1),
            "{engine}: names match in any case"
        );
        let wildcard = log(json!({ "actorLabel": "%" })).await;
        assert_eq!(
            count(&wildcard),
            Some(0),
            "{engine}: % is a character, not a wildcard"
        );
        let by_user = log(json!({ "actorUserId": w.member_b.user_id() })).await;
        assert!(count(&by_user) >= Some(1), "{engine}: {by_user}");
        let today = chrono::Utc::now().date_naive();
        let yesterday = today.pred_opt().expect("a day before");
        let until_yesterday = log(json!({ "to": yesterday })).await;
        assert_eq!(count(&until_yesterday), Some(0), "{engine}");
        let from_today = log(json!({ "from": today, "to": today })).await;
        assert!(count(&from_today) > Some(10), "{engine}: {from_today}");

        // Pages follow on, newest first, none repeated.
        let total = count(&log(json!({})).await).expect("total");
        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let body = app
                .graphql(Some(&admin), LOG, json!({ "first": 7, "after": after }))
                .await;
            seen.extend(nodes(&body));
            let info = &body["data"]["auditLog"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].as_str().map(str::to_owned);
        }
        assert_eq!(seen.len() as u64, total, "{engine}");
        let mut ids: Vec<&str> = seen.iter().filter_map(|n| n["id"].as_str()).collect();
        let times: Vec<chrono::DateTime<chrono::FixedOffset>> = seen
            .iter()
            .filter_map(|n| n["at"].as_str())
            .map(|at| chrono::DateTime::parse_from_rfc3339(at).expect("a time"))
            .collect();
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "{engine}: newest first");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len() as u64, total, "{engine}: no entry twice");

        // What cannot be read is refused, naming the field.
        for (filter, field) in [
            (
                json!({ "from": "2026-03-02", "to": "2026-03-01" }),
                "filter.to",
            ),
            (json!({ "action": "pilot read" }), "filter.action"),
            (json!({ "entityKind": "Pilot" }), "filter.entityKind"),
            (json!({ "entityId": "not-an-id" }), "filter.entityId"),
        ] {
            let body = log(filter.clone()).await;
            assert_eq!(
                error_code(&body),
                Some("BAD_USER_INPUT"),
                "{engine}: {body}"
            );
            let message = body["errors"][0]["message"].as_str().unwrap_or("");
            assert!(message.contains(field), "{filter}: {message}");
        }
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_audit_log_page_is_for_administrators_and_explains_bad_filters() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let (status, _) = page(&app, None, "/admin/audit").await;
        assert!(
            status.is_redirection(),
            "{engine}: not signed in: to sign in"
        );
        let member = signed_in(db, &w.member_a).await;
        assert_eq!(
            page(&app, Some(&member), "/admin/audit").await.0,
            StatusCode::FORBIDDEN,
            "{engine}"
        );
        let admin = signed_in(db, &w.admin).await;
        let (status, body) = page(&app, Some(&admin), "/admin/audit?kind=organisation").await;
        assert_eq!(status, StatusCode::OK, "{engine}: {body}");
        assert!(body.contains("Trust A") || body.contains("organisation.create"));
        assert!(
            body.contains("4 entries"),
            "{engine}: the world's four organisations"
        );
        for (query, message) in [
            ("from=31%2F2%2F2026", "Enter the first day as a real date"),
            ("to=yesterday", "Enter the last day as a real date"),
            (
                "from=2%2F3%2F2026&to=1%2F3%2F2026",
                "The last day must be the same as or after",
            ),
            ("record=42", "id as the registry writes it"),
            ("door=fax", "Select a door from the list"),
            ("action=Pilot%20Read", "An action is words in lower case"),
            ("page=0", "The page must be a whole number"),
            ("page=100000", "Pages start at most"),
        ] {
            let (status, body) = page(&app, Some(&admin), &format!("/admin/audit?{query}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{engine}: {query}");
            assert!(body.contains("There is a problem"), "{query}: {body}");
            assert!(body.contains(message), "{query}: {message}: {body}");
        }
        app.stop();
        test_db.finish().await;
    }
}

/// The demo administrator (a member of a Health Innovation Network, which hosts no pilot).
const ADMINISTRATOR: &str = "Imogen Fairweather";

#[tokio::test]
async fn an_administrator_narrows_the_audit_log_by_door_and_action_without_javascript() {
    for (test_db, app) in crate::web::demo_apps().await {
        let engine = test_db.engine;
        let nhs = registry_api::model::pilot::Entity::find()
            .filter(registry_api::model::pilot::Column::Visibility.eq(Visibility::Nhs))
            .order_by_asc(registry_api::model::pilot::Column::Title)
            .one(&test_db.db)
            .await
            .expect("read")
            .expect("an NHS-only pilot in the demo data");
        let journey = crate::support::chromium::Chromium::new()
            .javascript(false)
            .goto(app.url("/admin/audit"))
            .snapshot("sent to sign in")
            .click_button(&format!("Sign in as {ADMINISTRATOR}"))
            // Opening an NHS-only pilot of a trust she does not belong to: an audited read.
            .goto(app.url(&format!("/pilots/{}", nhs.id)))
            .click_link("Administer")
            .click_link("Audit log")
            .snapshot("whole log")
            .axe()
            .fill("Action", "pilot.read")
            .select("Door", "Web")
            .click_button("Apply filters")
            .snapshot("read on the web")
            .axe()
            .select("Door", "GraphQL API")
            .click_button("Apply filters")
            .snapshot("read through GraphQL")
            .fill("From", "31/2/2026")
            .click_button("Apply filters")
            .snapshot("a date that is not")
            .axe()
            .run()
            .await;
        assert_eq!(journey.page("sent to sign in").path(), "/auth/login");
        let whole = journey.page("whole log");
        assert_eq!(whole.path(), "/admin/audit", "{engine}");
        assert_eq!(whole.heading.as_deref(), Some("Audit log"));
        let total = |main: &str| -> u64 {
            let line = main
                .lines()
                .find(|l| l.ends_with(" entries") || l.ends_with(" entry"))
                .unwrap_or_else(|| panic!("a count of entries: {main}"));
            line.split_whitespace()
                .next()
                .and_then(|n| n.replace(',', "").parse().ok())
                .unwrap_or_else(|| panic!("a number: {line}"))
        };
        assert!(
            total(&whole.main) > 100,
            "{engine}: the demo data's changes"
        );
        assert!(
            whole.main.contains("Seed"),
            "{engine}: the demo data came in as the seed"
        );

        let read = journey.page("read on the web");
        assert_eq!(total(&read.main), 1, "{engine}: {}", read.main);
        assert!(read.main.contains(ADMINISTRATOR), "{engine}: {}", read.main);
        assert!(read.main.contains("pilot.read"));
        assert!(
            read.url.contains("door=web") && read.url.contains("action=pilot.read"),
            "the filters are in the address: {}",
            read.url
        );
        let graphql = journey.page("read through GraphQL");
        assert!(
            graphql.main.contains("No entry matches"),
            "{engine}: {}",
            graphql.main
        );

        let wrong = journey.page("a date that is not");
        assert_eq!(wrong.status, Some(400), "{engine}");
        assert!(wrong.title.starts_with("Error: "), "{}", wrong.title);
        assert!(wrong.main.contains("There is a problem"));
        assert!(
            wrong.main.contains("Enter the first day as a real date"),
            "{}",
            wrong.main
        );
        app.stop();
        test_db.finish().await;
    }
}
