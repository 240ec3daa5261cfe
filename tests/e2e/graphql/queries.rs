//! Each query through HTTP: single records by each key, filtered and paged lists, nested fields.

use registry_api::model::Visibility;
use registry_api::service::{measures, technologies};
use serde_json::{Value, json};

use crate::support::app::token_for;
use crate::support::{self, World};

#[tokio::test]
async fn every_query_answers_through_http() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let pilot = w
            .pilot(db, "Heart failure at home", Visibility::Public)
            .await;
        measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
            .await
            .expect("measure");
        let app = test_db.app().await;
        let token = token_for(db, &w.commissioner).await;

        let viewer = app.graphql(Some(&token), "{ viewer { signedIn name readsNhsRecords memberships { role organisation { odsCode } } } }", json!({})).await;
        assert_eq!(
            viewer["data"]["viewer"]["signedIn"], true,
            "{engine}: {viewer}"
        );
        assert_eq!(
            viewer["data"]["viewer"]["memberships"][0]["role"], "COMMISSIONER",
            "{engine}"
        );
        assert_eq!(
            viewer["data"]["viewer"]["memberships"][0]["organisation"]["odsCode"], "QT1",
            "{engine}"
        );
        let anonymous = app
            .graphql(
                None,
                "{ viewer { signedIn memberships { role } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            anonymous["data"]["viewer"],
            json!({ "signedIn": false, "memberships": [] }),
            "{engine}"
        );

        let nested = "{ slug name supplier { odsCode } careSettings esfTier dtac { section status }
            pilots { nodes { title host { odsCode } measures { metric { code } baseline { value n sd }
            result { value } change { absolute relative improved } } } } }";
        let by_slug = app
            .graphql(
                None,
                &format!("query($slug: String) {{ technology(slug: $slug) {nested} }}"),
                json!({ "slug": "heart-watch" }),
            )
            .await;
        let technology = &by_slug["data"]["technology"];
        assert_eq!(
            technology["supplier"]["odsCode"], "8TS01",
            "{engine}: {by_slug}"
        );
        assert_eq!(
            technology["careSettings"],
            json!(["SECONDARY", "COMMUNITY"]),
            "{engine}"
        );
        assert_eq!(
            technology["dtac"],
            json!([{ "section": "CLINICAL_SAFETY", "status": "MET" }]),
            "{engine}"
        );
        let measure = &technology["pilots"]["nodes"][0]["measures"][0];
        assert_eq!(measure["metric"]["code"], "TEST_WAIT", "{engine}");
        assert_eq!(
            measure["change"],
            json!({ "absolute": -24.0, "relative": -24.0 / 95.0, "improved": true }),
            "{engine}"
        );
        let by_id = app
            .graphql(
                None,
                "query($id: ID) { technology(id: $id) { slug } }",
                json!({ "id": w.technology.record.id }),
            )
            .await;
        assert_eq!(
            by_id["data"]["technology"]["slug"], "heart-watch",
            "{engine}"
        );
        let missing = app
            .graphql(
                None,
                "{ technology(slug: \"no-such-thing\") { slug } }",
                json!({}),
            )
            .await;
        assert_eq!(missing["data"]["technology"], json!(null), "{engine}");

        let filtered = app.graphql(None, "{ technologies(filter: { category: REMOTE_MONITORING, careSetting: COMMUNITY, standard: NHS_LOGIN }) { totalCount edges { node { slug } } } }", json!({})).await;
        assert_eq!(
            filtered["data"]["technologies"]["totalCount"], 1,
            "{engine}: {filtered}"
        );
        let none = app
            .graphql(
                None,
                "{ technologies(filter: { category: IMAGING }) { totalCount edges { cursor } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            none["data"]["technologies"],
            json!({ "totalCount": 0, "edges": [] }),
            "{engine}"
        );

        let one = app.graphql(None, "query($id: ID!) { pilot(id: $id) { title status host { name } technology { slug } measures { isPrimary } reportRevisions { revision } } }", json!({ "id": pilot.id })).await;
        assert_eq!(
            one["data"]["pilot"]["technology"]["slug"], "heart-watch",
            "{engine}: {one}"
        );
        assert_eq!(
            one["data"]["pilot"]["measures"],
            json!([{ "isPrimary": true }]),
            "{engine}"
        );

        for (filter, expected) in [
            (
                json!({ "status": "COMPLETED", "region": "SOUTH_WEST", "careSetting": "COMMUNITY" }),
                1,
            ),
            (json!({ "design": "RCT" }), 0),
            (
                json!({ "technologyId": w.technology.record.id, "category": "REMOTE_MONITORING", "esfTier": "C" }),
                1,
            ),
            (
                json!({ "startedOnOrAfter": "2024-01-01", "startedOnOrBefore": "2024-01-31" }),
                1,
            ),
            (json!({ "startedOnOrAfter": "2025-01-01" }), 0),
            (json!({ "hostOrganisationId": w.trust_b.id }), 0),
        ] {
            let body = app
                .graphql(
                    None,
                    "query($f: PilotFilterInput) { pilots(filter: $f) { totalCount } }",
                    json!({ "f": filter }),
                )
                .await;
            assert_eq!(
                body["data"]["pilots"]["totalCount"], expected,
                "{engine}: filter {filter}: {body}"
            );
        }

        let by_ods = app
            .graphql(
                None,
                "{ organisation(odsCode: \"rta\") { name kind parentIcb { odsCode } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            by_ods["data"]["organisation"],
            json!({ "name": "Trust A", "kind": "NHS_TRUST", "parentIcb": { "odsCode": "QT1" } }),
            "{engine}"
        );
        let by_org_id = app
            .graphql(
                None,
                "query($id: ID) { organisation(id: $id) { odsCode } }",
                json!({ "id": w.supplier.id }),
            )
            .await;
        assert_eq!(
            by_org_id["data"]["organisation"]["odsCode"], "8TS01",
            "{engine}"
        );
        let trusts = app
            .graphql(
                None,
                "{ organisations(filter: { kind: NHS_TRUST }) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(trusts["data"]["organisations"]["totalCount"], 2, "{engine}");
        let metrics = app
            .graphql(None, "{ metrics { code kind unit direction } }", json!({}))
            .await;
        assert_eq!(
            metrics["data"]["metrics"].as_array().map(Vec::len),
            Some(3),
            "{engine}"
        );
        assert_eq!(
            metrics["data"]["metrics"][0]["code"], "TEST_PHQ9",
            "{engine}: by code"
        );
        app.stop();
        test_db.finish().await;
    }
}

/// The lists inside records page like the top-level lists: a technology's pilots and its host's
/// in creation order, a supplier's technologies by name, each followed cursor by cursor.
#[tokio::test]
async fn lists_inside_records_follow_their_cursors() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        for title in ["Charlie", "Alpha", "Bravo", "Delta", "Echo"] {
            w.pilot(db, title, Visibility::Public).await;
        }
        for slug in ["zulu", "mike"] {
            let input = support::world::technology_input(w.supplier.id, slug);
            technologies::register(db, &w.system, input)
                .await
                .expect("technology");
        }
        let app = test_db.app().await;
        let lists = [
            (
                "query($id: ID, $after: String) { record: technology(id: $id) {
                    list: pilots(first: 2, after: $after) { totalCount
                    pageInfo { hasNextPage endCursor } nodes { name: title } } } }",
                w.technology.record.id,
            ),
            (
                "query($id: ID, $after: String) { record: organisation(id: $id) {
                    list: pilots(first: 2, after: $after) { totalCount
                    pageInfo { hasNextPage endCursor } nodes { name: title } } } }",
                w.trust_a.id,
            ),
            (
                "query($id: ID, $after: String) { record: organisation(id: $id) {
                    list: technologies(first: 2, after: $after) { totalCount
                    pageInfo { hasNextPage endCursor } nodes { name } } } }",
                w.supplier.id,
            ),
        ];
        let mut found = Vec::new();
        for (query, id) in lists {
            let mut names = Vec::new();
            let mut after = Value::Null;
            loop {
                let body = app
                    .graphql(None, query, json!({ "id": id, "after": after }))
                    .await;
                let page = &body["data"]["record"]["list"];
                let total = page["totalCount"].as_u64().expect("totalCount");
                for node in page["nodes"].as_array().expect("nodes") {
                    names.push(node["name"].as_str().expect("name").to_owned());
                }
                if page["pageInfo"]["hasNextPage"] != true {
                    assert_eq!(names.len() as u64, total, "{engine}: {body}");
                    break;
                }
                after = page["pageInfo"]["endCursor"].clone();
            }
            found.push(names);
        }
        let pilots = ["Charlie", "Alpha", "Bravo", "Delta", "Echo"];
        assert_eq!(found[0], pilots, "{engine}: the technology's pilots");
        assert_eq!(found[1], pilots, "{engine}: the host's pilots");
        let mut by_name = vec![
            w.technology.record.name.clone(),
            "Technology zulu".to_owned(),
            "Technology mike".to_owned(),
        ];
        by_name.sort();
        assert_eq!(
            found[2], by_name,
            "{engine}: the supplier's technologies by name"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn pages_follow_their_cursors_in_the_chosen_order() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let w = World::build(db).await;
        for title in ["Charlie", "Alpha", "Bravo", "Delta", "Echo"] {
            w.pilot(db, title, Visibility::Public).await;
        }
        let app = test_db.app().await;
        let query = "query($after: String) { pilots(sort: NAME, first: 2, after: $after) { totalCount pageInfo { hasNextPage hasPreviousPage endCursor } edges { node { title } } } }";
        let mut titles = Vec::new();
        let mut after = serde_json::Value::Null;
        loop {
            let body = app.graphql(None, query, json!({ "after": after })).await;
            let page = &body["data"]["pilots"];
            assert_eq!(page["totalCount"], 5, "{}: {body}", test_db.engine);
            for edge in page["edges"].as_array().expect("edges") {
                titles.push(edge["node"]["title"].as_str().expect("title").to_owned());
            }
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        assert_eq!(
            titles,
            ["Alpha", "Bravo", "Charlie", "Delta", "Echo"],
            "{}",
            test_db.engine
        );
        let newest = app
            .graphql(
                None,
                "{ pilots(sort: NEWEST, first: 1) { edges { node { title } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            newest["data"]["pilots"]["edges"][0]["node"]["title"], "Echo",
            "{}",
            test_db.engine
        );
        let too_many = app
            .graphql(None, "{ pilots(first: 1000) { totalCount } }", json!({}))
            .await;
        assert!(
            too_many["errors"][0]["message"]
                .as_str()
                .is_some_and(|m| m.contains("first")),
            "{}: {too_many}",
            test_db.engine
        );
        app.stop();
        test_db.finish().await;
    }
}
