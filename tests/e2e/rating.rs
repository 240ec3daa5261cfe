//! The evidence rating: what GraphQL says of the demo pilots, and the search facet's counts and
//! filter, narrowed by who is asking like every other facet.

use std::collections::BTreeMap;
use std::time::Duration;

use registry_api::evidence::{RatingInputs, rate};
use registry_api::model::{
    Comparator, EvaluationDesign, EvaluatorKind, EvidenceRating, IndexedKind, Visibility,
};
use registry_api::service::{measures, pilots};
use serde_json::{Value, json};

use crate::search::outbox_empties;
use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

/// A GraphQL enum value (`CLUSTER_RCT`) as the domain's closed list spells it.
fn domain<T>(value: &Value, parse: impl Fn(&str) -> Option<T>) -> T {
    let spelled = value.as_str().expect("an enum value").to_lowercase();
    parse(&spelled).unwrap_or_else(|| panic!("{spelled} is a known value"))
}

/// Every pilot anonymous readers see, page by page, with what its rating is derived from.
async fn public_pilots(app: &TestApp) -> Vec<Value> {
    let query = "query($after: String) { pilots(first: 100, after: $after) {
        pageInfo { hasNextPage endCursor }
        edges { node { title design patients evaluatorKind evidenceRating
                       measures { isPrimary comparator } } } } }";
    let mut found = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app.graphql(None, query, json!({ "after": after })).await;
        assert!(body["errors"].is_null(), "{body}");
        let page = &body["data"]["pilots"];
        found.extend(
            page["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .map(|e| e["node"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return found;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn demo_pilots_are_rated_by_the_rule() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        registry_seed::demo::load(db).await.expect("demo data");
        let app = test_db.app().await;
        let pilots = public_pilots(&app).await;
        assert!(pilots.len() > 100, "{engine}: {} pilots", pilots.len());

        let mut tally: BTreeMap<String, usize> = BTreeMap::new();
        for p in &pilots {
            let inputs = RatingInputs {
                design: domain(&p["design"], EvaluationDesign::from_str_value),
                patients: p["patients"].as_i64().map(|n| n as i32),
                evaluator_kind: domain(&p["evaluatorKind"], EvaluatorKind::from_str_value),
                concurrent_control: p["measures"].as_array().expect("measures").iter().any(|m| {
                    m["isPrimary"] == true
                        && domain(&m["comparator"], Comparator::from_str_value)
                            == Comparator::ConcurrentControl
                }),
            };
            let rating = domain(&p["evidenceRating"], EvidenceRating::from_str_value);
            assert_eq!(rating, rate(inputs), "{engine}: {}", p["title"]);
            *tally.entry(rating.as_str().to_owned()).or_default() += 1;
        }
        assert_eq!(
            tally.len(),
            3,
            "{engine}: the demo data shows every rating: {tally:?}"
        );

        // A few by name, worked out by hand from docs/evidence.md's table.
        let rating_of = |title: &str| {
            pilots
                .iter()
                .find(|p| p["title"] == title)
                .map(|p| p["evidenceRating"].clone())
                .unwrap_or_else(|| panic!("{engine}: a public demo pilot titled {title}"))
        };
        for (title, expected) in [
            // An RCT of 2 241 patients, independently evaluated.
            (
                "Fernwhistle Antimicrobial Advisor early adopter pilot at Eastbury Quay Practice",
                "STRONG",
            ),
            // An RCT of 3 962 patients evaluated in-house.
            (
                "Skin cancer referral triage at St Aldric's Hospital",
                "MODERATE",
            ),
            // An RCT, independently evaluated, that records no number of patients.
            (
                "Mindharbour Guided CBT proof-of-value pilot at Lunedale Mental Health",
                "MODERATE",
            ),
            // An interrupted time series of 8 975 patients, independently evaluated.
            (
                "Oakhythe ED Streaming early adopter pilot at St Aldric's Hospital",
                "MODERATE",
            ),
            // An interrupted time series evaluated in-house.
            (
                "Oakhythe ED Streaming pilot at Saltinge Harbour",
                "SUGGESTIVE",
            ),
        ] {
            assert_eq!(rating_of(title), expected, "{engine}: {title}");
        }
        app.stop();
        test_db.finish().await;
    }
}

/// The `EVIDENCE_RATING` facet's counts, and the total, of a search filtered to `ratings`.
async fn rated(
    app: &TestApp,
    token: Option<&str>,
    ratings: &[&str],
) -> (u64, BTreeMap<String, u64>) {
    let query = "query($ratings: [EvidenceRating!]) {
        search(filter: { evidenceRating: $ratings }, first: 50) {
            totalCount facets { facet values { value count } } } }";
    let ratings = if ratings.is_empty() {
        Value::Null
    } else {
        json!(ratings)
    };
    let body = app
        .graphql(token, query, json!({ "ratings": ratings }))
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let search = &body["data"]["search"];
    let counts = search["facets"]
        .as_array()
        .expect("facets")
        .iter()
        .find(|f| f["facet"] == "EVIDENCE_RATING")
        .and_then(|f| f["values"].as_array())
        .map(|values| {
            values
                .iter()
                .map(|v| {
                    (
                        v["value"].as_str().expect("value").to_owned(),
                        v["count"].as_u64().expect("count"),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (search["totalCount"].as_u64().expect("total"), counts)
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
}

#[tokio::test]
async fn the_rating_facet_counts_and_filters_as_each_viewer_may_see() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let register = |title: &str, design, evaluator_kind, visibility| {
            let mut input = w.pilot_input(title);
            input.design = design;
            input.evaluator_kind = evaluator_kind;
            if evaluator_kind == EvaluatorKind::Independent {
                input.evaluator_name = Some("Northmoor Health Innovation Network".to_owned());
            }
            let w = &w;
            async move {
                let p = pilots::register(db, &w.evaluator_a, input)
                    .await
                    .expect("register");
                if visibility == Visibility::Draft {
                    return p;
                }
                pilots::publish(db, &w.evaluator_a, p.id, p.version, visibility)
                    .await
                    .expect("publish")
            }
        };
        use EvaluationDesign::{BeforeAfter, InterruptedTimeSeries, Rct};
        use EvaluatorKind::{Independent, Internal};
        // 240 patients each (the world's default).
        register("Public trial", Rct, Independent, Visibility::Public).await;
        register("NHS-only trial", Rct, Independent, Visibility::Nhs).await;
        register("Draft trial", Rct, Independent, Visibility::Draft).await;
        register(
            "Time series",
            InterruptedTimeSeries,
            Independent,
            Visibility::Public,
        )
        .await;
        let controlled = register(
            "Before and after, then controlled",
            BeforeAfter,
            Independent,
            Visibility::Public,
        )
        .await;
        register("In-house audit", BeforeAfter, Internal, Visibility::Public).await;
        assert!(
            outbox_empties(db, Duration::from_secs(10)).await,
            "{engine}: the outbox drains"
        );

        let anonymous = rated(&app, None, &[]).await;
        assert_eq!(
            anonymous.1,
            counts(&[("STRONG", 1), ("MODERATE", 1), ("SUGGESTIVE", 2)]),
            "{engine}: anonymous counts leave out NHS-only pilots and drafts"
        );
        let nhs = token_for(db, &w.member_b).await;
        assert_eq!(
            rated(&app, Some(&nhs), &[]).await.1,
            counts(&[("STRONG", 2), ("MODERATE", 1), ("SUGGESTIVE", 2)]),
            "{engine}: an NHS member of another trust also counts NHS-only pilots"
        );
        let host = token_for(db, &w.evaluator_a).await;
        assert_eq!(
            rated(&app, Some(&host), &[]).await.1,
            counts(&[("STRONG", 3), ("MODERATE", 1), ("SUGGESTIVE", 2)]),
            "{engine}: the host counts its draft too"
        );

        assert_eq!(rated(&app, None, &["STRONG"]).await.0, 1, "{engine}");
        assert_eq!(rated(&app, Some(&nhs), &["STRONG"]).await.0, 2, "{engine}");
        assert_eq!(
            rated(&app, None, &["STRONG", "MODERATE"]).await.0,
            2,
            "{engine}: ratings in one filter are alternatives, and technologies have none"
        );

        // A primary measure against a concurrent control lifts a before-and-after pilot, and
        // search follows.
        let mut measure = w.wait_measure(controlled.id);
        measure.comparator = Comparator::ConcurrentControl;
        measures::record(db, &w.evaluator_a, measure)
            .await
            .expect("measure");
        assert!(
            outbox_empties(db, Duration::from_secs(10)).await,
            "{engine}: the outbox drains"
        );
        assert_eq!(
            rated(&app, None, &[]).await.1,
            counts(&[("STRONG", 1), ("MODERATE", 2), ("SUGGESTIVE", 1)]),
            "{engine}: the rating follows the measures"
        );
        let body = app
            .graphql(
                None,
                "query($id: ID!) { pilot(id: $id) { evidenceRating } }",
                json!({ "id": controlled.id }),
            )
            .await;
        assert_eq!(
            body["data"]["pilot"]["evidenceRating"], "MODERATE",
            "{engine}: {body}"
        );
        let keys = app.search.keys().await.expect("keys");
        assert!(
            keys.contains(&registry_api::search::key(
                IndexedKind::Pilot,
                controlled.id
            )),
            "{engine}"
        );
        app.stop();
        test_db.finish().await;
    }
}
