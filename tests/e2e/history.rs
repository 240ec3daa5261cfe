//! The history of pilots and technologies, on both databases: every change is a revision with
//! who made it, through which door and why, written with the change or not at all; two
//! revisions compare field by field, prose word by word; and a history is read exactly as its
//! record is, through the services and through GraphQL alike.

use registry_api::model::{EntryPoint, RecordKind, RevisionAction, Visibility, record_revision};
use registry_api::service::revisions::{self, Revision, Segment, SegmentKind};
use registry_api::service::{pilots, technologies};
use registry_api::{Actor, ServiceError};
use serde_json::{Value, json};

use crate::support::app::token_for;
use crate::support::{self, World};

/// The actor coming in by another door.
fn through(actor: &Actor, entry_point: EntryPoint) -> Actor {
    Actor {
        principal: actor.principal.clone(),
        entry_point,
    }
}

/// (number, action, actor, door, reason) of each revision, as listed.
fn summary(
    revisions: &[Revision],
) -> Vec<(i32, RevisionAction, String, EntryPoint, Option<String>)> {
    revisions
        .iter()
        .map(|r| {
            (
                r.number,
                r.action,
                r.actor_label.clone(),
                r.entry_point,
                r.reason.clone(),
            )
        })
        .collect()
}

fn run(kind: SegmentKind, text: &str) -> Segment {
    Segment {
        kind,
        text: text.to_owned(),
    }
}

fn numbers(revisions: &[Revision]) -> Vec<i32> {
    revisions.iter().map(|r| r.number).collect()
}

fn not_found<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> bool {
    matches!(result, Err(ServiceError::NotFound(_)))
}

const OLD_PROBLEM: &str = "Emergency readmissions for heart failure are high.";
const NEW_PROBLEM: &str = "Emergency readmissions for heart failure in winter are too high.";
const REASON: &str = "The problem was narrowed after the first month";

#[tokio::test]
async fn a_pilot_keeps_every_change_and_shows_each_reader_what_they_may_read() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;

        // Registered in the browser, renamed through GraphQL, then its problem rewritten by
        // the operator at the command line.
        let registered = pilots::register(
            db,
            &through(&w.evaluator_a, EntryPoint::Web),
            w.pilot_input("Heart failure at home"),
        )
        .await
        .expect("register");
        let mut input = w.pilot_input("Heart failure at home, phase one");
        input.patients = Some(1_200);
        let renamed = pilots::update(
            db,
            &w.evaluator_a,
            registered.id,
            registered.version,
            input.clone(),
            None,
        )
        .await
        .expect("first update");
        input.problem = NEW_PROBLEM.to_owned();
        let rewritten = pilots::update(
            db,
            &w.system,
            renamed.id,
            renamed.version,
            input,
            Some(REASON),
        )
        .await
        .expect("second update");

        let history = revisions::of_pilot(db, &w.member_a, registered.id)
            .await
            .expect("the host's member reads the draft's history");
        let evaluator = "Test evaluator-a".to_owned();
        assert_eq!(
            summary(&history),
            [
                (
                    3,
                    RevisionAction::Update,
                    "system (Command line)".to_owned(),
                    EntryPoint::Cli,
                    Some(REASON.to_owned())
                ),
                (
                    2,
                    RevisionAction::Update,
                    evaluator.clone(),
                    EntryPoint::Graphql,
                    None
                ),
                (
                    1,
                    RevisionAction::Register,
                    evaluator,
                    EntryPoint::Web,
                    None
                ),
            ],
            "{engine}: three revisions, newest first, with who, door and why"
        );
        assert_eq!(history[1].actor_user_id, w.evaluator_a.user_id());
        assert_eq!(history[0].actor_user_id, None, "{engine}: the operator");
        assert!(history[0].at >= history[2].at, "{engine}: newest first");

        let diff = revisions::diff(db, &w.member_a, RecordKind::Pilot, registered.id, 1, 3)
            .await
            .expect("diff 1 to 3");
        let changed: Vec<(&str, &str, Option<&str>, Option<&str>)> = diff
            .changes
            .iter()
            .map(|c| {
                (
                    c.field.as_str(),
                    c.label.as_str(),
                    c.old.as_deref(),
                    c.new.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            changed,
            [
                (
                    "title",
                    "Title",
                    Some("Heart failure at home"),
                    Some("Heart failure at home, phase one")
                ),
                (
                    "problem",
                    "Problem addressed",
                    Some(OLD_PROBLEM),
                    Some(NEW_PROBLEM)
                ),
                ("patients", "Number of patients", Some("240"), Some("1,200")),
            ],
            "{engine}: exactly the changed fields, in the record's order"
        );
        assert_eq!(diff.changes[0].words, None, "{engine}: a title is short");
        assert_eq!(
            diff.changes[1].words,
            Some(vec![
                run(
                    SegmentKind::Equal,
                    "Emergency readmissions for heart failure "
                ),
                run(SegmentKind::Inserted, "in winter "),
                run(SegmentKind::Equal, "are "),
                run(SegmentKind::Inserted, "too "),
                run(SegmentKind::Equal, "high."),
            ]),
            "{engine}: the problem compared word by word"
        );
        assert_eq!((diff.from.number, diff.to.number), (1, 3));
        let backwards = revisions::diff(db, &w.member_a, RecordKind::Pilot, registered.id, 3, 1)
            .await
            .expect("diff 3 to 1");
        assert_eq!(
            backwards.changes[1].words.as_ref().map(|w| w[1].clone()),
            Some(run(SegmentKind::Deleted, "in winter ")),
            "{engine}: compared the other way, the insertion is a deletion"
        );
        let same = revisions::diff(db, &w.member_a, RecordKind::Pilot, registered.id, 2, 2)
            .await
            .expect("diff 2 to 2");
        assert!(
            same.changes.is_empty(),
            "{engine}: a revision equals itself"
        );
        assert!(
            not_found(
                revisions::diff(db, &w.member_a, RecordKind::Pilot, registered.id, 1, 4).await
            ),
            "{engine}: there is no revision 4 yet"
        );
        assert!(
            not_found(
                revisions::diff(db, &w.member_a, RecordKind::Technology, registered.id, 1, 3).await
            ),
            "{engine}: a pilot's id names no technology"
        );

        // A draft's history is the draft's: nobody outside the host reads it.
        for (who, actor) in [
            ("anonymous", &w.anonymous),
            ("a member of another trust", &w.member_b),
            ("a commissioner", &w.commissioner),
            ("an administrator", &w.admin),
        ] {
            assert!(
                not_found(revisions::of_pilot(db, actor, registered.id).await),
                "{engine}: {who} cannot read the draft's history"
            );
            assert!(
                not_found(revisions::diff(db, actor, RecordKind::Pilot, registered.id, 1, 3).await),
                "{engine}: {who} cannot compare the draft's revisions"
            );
        }

        // Published, the pilot's history opens from the publication on; what was only ever
        // the host's stays the host's.
        let published = pilots::publish(
            db,
            &w.evaluator_a,
            rewritten.id,
            rewritten.version,
            Visibility::Public,
        )
        .await
        .expect("publish");
        let anonymous = revisions::of_pilot(db, &w.anonymous, published.id)
            .await
            .expect("anyone reads a public pilot's history");
        assert_eq!(
            numbers(&anonymous),
            [4],
            "{engine}: only the published revision"
        );
        assert_eq!(anonymous[0].action, RevisionAction::Publish);
        let field = |revision: &Revision, name: &str| {
            revision
                .fields
                .iter()
                .find(|f| f.field == name)
                .map(|f| f.value.clone())
        };
        assert_eq!(
            field(&anonymous[0], "visibility"),
            Some(Some("Public".to_owned())),
            "{engine}"
        );
        assert_eq!(
            field(&anonymous[0], "contactEmail"),
            None,
            "{engine}: the contact is for NHS readers only"
        );
        let nhs_reader = revisions::of_pilot(db, &w.member_b, published.id)
            .await
            .expect("an NHS reader");
        assert_eq!(
            field(&nhs_reader[0], "contactEmail"),
            Some(Some("contact@example.nhs.uk".to_owned())),
            "{engine}: NHS readers see the contact"
        );
        assert!(
            not_found(
                revisions::diff(db, &w.anonymous, RecordKind::Pilot, published.id, 3, 4).await
            ),
            "{engine}: a draft revision cannot be compared by anonymous readers"
        );
        assert_eq!(
            numbers(
                &revisions::of_pilot(db, &w.member_a, published.id)
                    .await
                    .expect("host")
            ),
            [4, 3, 2, 1],
            "{engine}: the host reads every revision"
        );

        // Withdrawn by a moderator, with the reason; then only the host and administrators
        // read the pilot, and so its history.
        let withdrawn = pilots::withdraw(
            db,
            &w.admin,
            published.id,
            published.version,
            "Entered twice",
        )
        .await
        .expect("withdraw");
        let by_admin = revisions::of_pilot(db, &w.admin, withdrawn.id)
            .await
            .expect("the administrator reads the withdrawn pilot's history");
        assert_eq!(
            summary(&by_admin)[0],
            (
                5,
                RevisionAction::Withdraw,
                "Test admin".to_owned(),
                EntryPoint::Graphql,
                Some("Entered twice".to_owned())
            ),
            "{engine}"
        );
        assert_eq!(numbers(&by_admin), [5, 4], "{engine}: but not the draft's");
        assert!(
            not_found(revisions::of_pilot(db, &w.anonymous, withdrawn.id).await),
            "{engine}: a withdrawn pilot's history is hidden with it"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_technology_keeps_every_change() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let id = w.technology.record.id;
        let mut input = support::world::technology_input(w.supplier.id, "heart-watch");
        input.description =
            "Patients record weight and symptoms daily; a nurse-led team reviews alerts."
                .to_owned();
        input.ukca_marked = false;
        technologies::update(
            db,
            &w.innovator,
            id,
            w.technology.record.version,
            input,
            Some("Clarified who reviews alerts"),
        )
        .await
        .expect("update");
        let history = revisions::of_technology(db, &w.anonymous, id)
            .await
            .expect("anyone reads a technology's history");
        assert_eq!(
            summary(&history),
            [
                (
                    2,
                    RevisionAction::Update,
                    "Test innovator".to_owned(),
                    EntryPoint::Graphql,
                    Some("Clarified who reviews alerts".to_owned())
                ),
                (
                    1,
                    RevisionAction::Register,
                    "system (Command line)".to_owned(),
                    EntryPoint::Cli,
                    None
                ),
            ],
            "{engine}"
        );
        let diff = revisions::diff(db, &w.anonymous, RecordKind::Technology, id, 1, 2)
            .await
            .expect("diff");
        let fields: Vec<&str> = diff.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, ["description", "ukcaMarked"], "{engine}");
        assert_eq!(
            diff.changes[0].words,
            Some(vec![
                run(
                    SegmentKind::Equal,
                    "Patients record weight and symptoms daily; a "
                ),
                run(SegmentKind::Inserted, "nurse-led "),
                run(SegmentKind::Equal, "team reviews alerts."),
            ]),
            "{engine}"
        );
        assert_eq!(
            (
                diff.changes[1].old.as_deref(),
                diff.changes[1].new.as_deref()
            ),
            (Some("Yes"), Some("No")),
            "{engine}"
        );

        technologies::withdraw(db, &w.admin, id, w.technology.record.version + 1, "Unsafe")
            .await
            .expect("withdraw");
        assert!(
            not_found(revisions::of_technology(db, &w.anonymous, id).await),
            "{engine}: a withdrawn technology's history is hidden with it"
        );
        let supplier = revisions::of_technology(db, &w.innovator, id)
            .await
            .expect("the supplier still reads it");
        assert_eq!(numbers(&supplier), [3, 2, 1], "{engine}");
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_revision_is_written_with_its_change_or_not_at_all() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let pilot = w.pilot(db, "Atomic history", Visibility::Draft).await;
        let before = test_db.count::<record_revision::Entity>().await;
        let stale = pilots::update(
            db,
            &w.evaluator_a,
            pilot.id,
            pilot.version + 1,
            w.pilot_input("Never renamed"),
            None,
        )
        .await;
        assert!(
            stale
                .as_ref()
                .is_err_and(|e| e.field_errors().iter().any(|f| f.field == "version")),
            "{engine}: {stale:?}"
        );
        let long_reason = "x".repeat(2_001);
        let invalid = pilots::update(
            db,
            &w.evaluator_a,
            pilot.id,
            pilot.version,
            w.pilot_input("Never renamed"),
            Some(&long_reason),
        )
        .await;
        let fields: Vec<String> = invalid
            .as_ref()
            .err()
            .map(|e| e.field_errors().iter().map(|f| f.field.clone()).collect())
            .unwrap_or_default();
        assert_eq!(
            fields,
            ["reason"],
            "{engine}: the reason is checked, by name"
        );
        assert_eq!(
            test_db.count::<record_revision::Entity>().await,
            before,
            "{engine}: no revision without its change"
        );
        test_db.finish().await;
    }
}

/// The numbers, doors and reasons of a pilot's history as GraphQL lists it.
fn listed(body: &Value) -> Vec<(i64, String, String, Value)> {
    body["data"]["pilot"]["revisions"]
        .as_array()
        .map(|revisions| {
            revisions
                .iter()
                .map(|r| {
                    (
                        r["number"].as_i64().unwrap_or_default(),
                        r["actorLabel"].as_str().unwrap_or_default().to_owned(),
                        r["entryPoint"].as_str().unwrap_or_default().to_owned(),
                        r["reason"].clone(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn graphql_lists_and_compares_revisions_as_the_services_do() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let pilot = pilots::register(
            db,
            &through(&w.evaluator_a, EntryPoint::Web),
            w.pilot_input("Heart failure at home"),
        )
        .await
        .expect("register");
        let app = test_db.app().await;
        let evaluator = token_for(db, &w.evaluator_a).await;
        let member = token_for(db, &w.member_a).await;

        let mut input = json!({
            "technologyId": w.technology.record.id,
            "hostOrganisationId": w.trust_a.id,
            "title": "Heart failure at home, phase one",
            "problem": OLD_PROBLEM,
            "status": "COMPLETED",
            "startDate": "2024-01-01",
            "endDate": "2024-12-31",
            "careSetting": "COMMUNITY",
            "specialty": "CARDIOLOGY",
            "population": "Adults discharged after a heart failure admission",
            "patients": 1200,
            "staff": 12,
            "fundingSource": "Test fund",
            "costGbp": 85000,
            "design": "BEFORE_AFTER",
            "evaluatorKind": "INTERNAL",
            "contactName": "Dr Test Contact",
            "contactEmail": "contact@example.nhs.uk"
        });
        let update =
            "mutation($id: ID!, $version: Int!, $input: RegisterPilotInput!, $reason: String) {
            updatePilot(id: $id, version: $version, input: $input, reason: $reason) {
                pilot { version } userErrors { field message code } } }";
        let first = app
            .graphql(
                Some(&evaluator),
                update,
                json!({ "id": pilot.id, "version": pilot.version, "input": input }),
            )
            .await;
        assert_eq!(
            first["data"]["updatePilot"]["userErrors"],
            json!([]),
            "{engine}: {first}"
        );
        input["problem"] = json!(NEW_PROBLEM);
        let second = app
            .graphql(
                Some(&evaluator),
                update,
                json!({ "id": pilot.id, "version": pilot.version + 1, "input": input, "reason": REASON }),
            )
            .await;
        assert_eq!(
            second["data"]["updatePilot"]["userErrors"],
            json!([]),
            "{engine}: {second}"
        );
        let too_long = app
            .graphql(
                Some(&evaluator),
                update,
                json!({ "id": pilot.id, "version": pilot.version + 2, "input": input, "reason": "x".repeat(2_001) }),
            )
            .await;
        assert_eq!(
            too_long["data"]["updatePilot"]["userErrors"][0]["field"], "reason",
            "{engine}: {too_long}"
        );

        let history = "query($id: ID!) { pilot(id: $id) { revisions {
            number at action actorLabel entryPoint reason } } }";
        let as_member = app
            .graphql(Some(&member), history, json!({ "id": pilot.id }))
            .await;
        let evaluator_label = "Test evaluator-a".to_owned();
        assert_eq!(
            listed(&as_member),
            [
                (
                    3,
                    evaluator_label.clone(),
                    "GRAPHQL".to_owned(),
                    json!(REASON)
                ),
                (
                    2,
                    evaluator_label.clone(),
                    "GRAPHQL".to_owned(),
                    Value::Null
                ),
                (1, evaluator_label, "WEB".to_owned(), Value::Null),
            ],
            "{engine}: {as_member}"
        );
        let services = revisions::of_pilot(db, &w.member_a, pilot.id)
            .await
            .expect("the services' history");
        let at: Vec<_> = services.iter().map(|r| r.at).collect();
        let listed_at: Vec<_> = as_member["data"]["pilot"]["revisions"]
            .as_array()
            .map(|rs| {
                rs.iter()
                    .filter_map(|r| r["at"].as_str())
                    .filter_map(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.to_utc())
                    .collect()
            })
            .unwrap_or_default();
        assert_eq!(listed_at, at, "{engine}: the same times");

        let diff = "query($id: ID!, $from: Int!, $to: Int!) {
            revisionDiff(kind: PILOT, id: $id, from: $from, to: $to) {
                from { number } to { number actorLabel reason }
                changes { field label old new words { kind text } } } }";
        let compared = app
            .graphql(
                Some(&member),
                diff,
                json!({ "id": pilot.id, "from": 1, "to": 3 }),
            )
            .await;
        assert_eq!(
            compared["data"]["revisionDiff"],
            json!({
                "from": { "number": 1 },
                "to": { "number": 3, "actorLabel": "Test evaluator-a", "reason": REASON },
                "changes": [
                    { "field": "title", "label": "Title", "old": "Heart failure at home",
                      "new": "Heart failure at home, phase one", "words": null },
                    { "field": "problem", "label": "Problem addressed", "old": OLD_PROBLEM,
                      "new": NEW_PROBLEM, "words": [
                        { "kind": "EQUAL", "text": "Emergency readmissions for heart failure " },
                        { "kind": "INSERTED", "text": "in winter " },
                        { "kind": "EQUAL", "text": "are " },
                        { "kind": "INSERTED", "text": "too " },
                        { "kind": "EQUAL", "text": "high." },
                    ] },
                    { "field": "patients", "label": "Number of patients", "old": "240",
                      "new": "1,200", "words": null },
                ]
            }),
            "{engine}: {compared}"
        );

        // Anonymous readers find nothing of a draft, by either field.
        let anonymous_history = app.graphql(None, history, json!({ "id": pilot.id })).await;
        assert_eq!(
            anonymous_history["data"]["pilot"],
            Value::Null,
            "{engine}: {anonymous_history}"
        );
        let anonymous_diff = app
            .graphql(None, diff, json!({ "id": pilot.id, "from": 1, "to": 3 }))
            .await;
        assert!(
            anonymous_diff["errors"].is_null() && anonymous_diff["data"]["revisionDiff"].is_null(),
            "{engine}: {anonymous_diff}"
        );

        // Published, anonymous readers see its history from then on, in lists too.
        pilots::publish(
            db,
            &w.evaluator_a,
            pilot.id,
            pilot.version + 2,
            Visibility::Public,
        )
        .await
        .expect("publish");
        let public = app.graphql(None, history, json!({ "id": pilot.id })).await;
        assert_eq!(
            listed(&public),
            [(
                4,
                "Test evaluator-a".to_owned(),
                "GRAPHQL".to_owned(),
                Value::Null
            )],
            "{engine}: {public}"
        );
        let in_a_list = app
            .graphql(
                None,
                "{ technology(slug: \"heart-watch\") { revisions { number actorLabel entryPoint }
                   pilots { nodes { revisions { number action } } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            in_a_list["data"]["technology"],
            json!({
                "revisions": [{ "number": 1, "actorLabel": "system (Command line)", "entryPoint": "CLI" }],
                "pilots": { "nodes": [{ "revisions": [{ "number": 4, "action": "PUBLISH" }] }] },
            }),
            "{engine}: {in_a_list}"
        );
        app.stop();
        test_db.finish().await;
    }
}
