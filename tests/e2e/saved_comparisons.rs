//! A saved comparison is checked when it is read, not when it was saved: an input its reader
//! can no longer read shows neither its title, its host nor its id, and one withdrawn since
//! shows as withdrawn with the moderator's reason. (Both once showed whatever the audience
//! fixed at saving allowed.)

use registry_api::model::{Visibility, membership};
use registry_api::service::{measures, memberships, pilots};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

const READ: &str = "query($id: ID!) { comparison(id: $id) {
    pooled { k }
    pilots { pilotId title hostName sinceSaved withdrawal { reason } }
    excluded { pilotId title } } }";

async fn save(app: &TestApp, token: &str) -> String {
    let saved = app
        .graphql(
            Some(token),
            "mutation { saveComparison(metricCode: \"TEST_WAIT\") { comparison { id } userErrors { message } } }",
            json!({}),
        )
        .await;
    saved["data"]["saveComparison"]["comparison"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("saved: {saved}"))
        .to_owned()
}

async fn read(app: &TestApp, token: Option<&str>, id: &str) -> Value {
    let body = app.graphql(token, READ, json!({ "id": id })).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["comparison"].clone()
}

fn by_title<'a>(comparison: &'a Value, title: &str) -> Option<&'a Value> {
    comparison["pilots"]
        .as_array()
        .expect("pilots")
        .iter()
        .find(|p| p["title"] == title)
}

/// Three pilots at trust A on the waiting-time metric, published as given.
async fn pilots_at_a(db: &sea_orm::DatabaseConnection, w: &World, states: &[(&str, Visibility)]) {
    for (title, visibility) in states {
        let pilot = w.pilot(db, title, Visibility::Draft).await;
        measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
            .await
            .expect("measure");
        if *visibility != Visibility::Draft {
            pilots::publish(db, &w.evaluator_a, pilot.id, pilot.version, *visibility)
                .await
                .expect("publish");
        }
    }
}

#[tokio::test]
async fn an_input_its_reader_can_no_longer_read_shows_no_title_host_or_id() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        pilots_at_a(
            db,
            &w,
            &[
                ("Open one", Visibility::Public),
                ("Open two", Visibility::Public),
                ("In-house draft", Visibility::Draft),
            ],
        )
        .await;
        let app = test_db.app().await;
        // A member of the host saves a comparison that includes the host's draft.
        let member = token_for(db, &w.member_a).await;
        let id = save(&app, &member).await;
        let before = read(&app, Some(&member), &id).await;
        assert_eq!(before["pooled"]["k"], json!(3), "{engine}: {before}");
        assert!(by_title(&before, "In-house draft").is_some(), "{engine}");

        // Nobody else may read a comparison whose figures include a draft they cannot see.
        for outsider in [None, Some(token_for(db, &w.member_b).await)] {
            let body = app
                .graphql(outsider.as_deref(), READ, json!({ "id": id }))
                .await;
            assert!(body["data"]["comparison"].is_null(), "{engine}: {body}");
        }

        // The saver leaves the host organisation.
        let held = membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(w.trust_a.id))
            .filter(membership::Column::UserId.eq(w.member_a.user_id().expect("user")))
            .one(db)
            .await
            .expect("membership")
            .expect("held");
        memberships::revoke(db, &w.admin, held.id)
            .await
            .expect("revoke");
        let after = read(&app, Some(&member), &id).await;
        assert_eq!(
            after["pooled"]["k"],
            json!(3),
            "{engine}: the saved figures stay"
        );
        let pilots = after["pilots"].as_array().expect("pilots");
        let hidden: Vec<&Value> = pilots.iter().filter(|p| p["title"].is_null()).collect();
        assert_eq!(hidden.len(), 1, "{engine}: the draft is hidden: {after}");
        assert_eq!(hidden[0]["pilotId"], Value::Null, "{engine}");
        assert_eq!(hidden[0]["hostName"], Value::Null, "{engine}");
        assert!(
            !after.to_string().contains("In-house draft"),
            "{engine}: nothing names it: {after}"
        );
        assert!(by_title(&after, "Open one").is_some_and(|p| p["hostName"] == "Trust A"));
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn an_input_withdrawn_since_shows_as_withdrawn_with_the_reason() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        pilots_at_a(
            db,
            &w,
            &[
                ("Kept one", Visibility::Public),
                ("Kept two", Visibility::Public),
                ("Later withdrawn", Visibility::Public),
            ],
        )
        .await;
        let app = test_db.app().await;
        let commissioner = token_for(db, &w.commissioner).await;
        let id = save(&app, &commissioner).await;
        let withdrawn = registry_api::model::pilot::Entity::find()
            .filter(registry_api::model::pilot::Column::Title.eq("Later withdrawn"))
            .one(db)
            .await
            .expect("pilot")
            .expect("exists");
        pilots::withdraw(
            db,
            &w.admin,
            withdrawn.id,
            withdrawn.version,
            "The figures were entered twice",
        )
        .await
        .expect("withdraw");
        for reader in [None, Some(commissioner.as_str())] {
            let comparison = read(&app, reader, &id).await;
            let input = by_title(&comparison, "Later withdrawn")
                .unwrap_or_else(|| panic!("{engine}: still listed: {comparison}"));
            assert_eq!(input["sinceSaved"], json!("WITHDRAWN"), "{engine}");
            assert_eq!(
                input["withdrawal"]["reason"],
                json!("The figures were entered twice"),
                "{engine}: {comparison}"
            );
            assert_eq!(
                input["pilotId"],
                json!(withdrawn.id.to_string()),
                "{engine}"
            );
            assert_eq!(
                by_title(&comparison, "Kept one").map(|p| p["withdrawal"].clone()),
                Some(Value::Null),
                "{engine}"
            );
        }
        app.stop();
        test_db.finish().await;
    }
}
