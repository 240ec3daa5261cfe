//! Evidence across pilots through the running server: `metricComparison` shows each viewer
//! only the pilots they may see (in pooled figures, counts and exclusions alike), a saved
//! comparison keeps its figures after a measure is amended, and the forest plot and CSV carry
//! the same pilots.

use registry_api::model::Visibility;
use registry_api::service::measures::{self, ObservationInput};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::app::{TestApp, token_for};
use crate::support::{self, World};

const COMPARE: &str = "query($filter: PilotFilterInput) {
  metricComparison(metricCode: \"TEST_WAIT\", filter: $filter) {
    effectMeasure method
    pilots { title effect se ciLower ciUpper weightFixed weightRandom sinceSaved baseline { value n sd } }
    excluded { title reason }
    pooled { k randomEstimate randomSe tau2 i2 predictionLower method }
  }
}";

/// Trust A's pilots on the waiting-time metric: (title, visibility, result mean, SD or none).
const PILOTS: [(&str, Visibility, f64, Option<f64>); 6] = [
    ("Public one", Visibility::Public, 71.0, Some(14.5)),
    ("Public two", Visibility::Public, 80.0, Some(20.0)),
    ("Public three", Visibility::Public, 66.0, Some(11.0)),
    ("Public without SD", Visibility::Public, 70.0, None),
    ("NHS only", Visibility::Nhs, 90.0, Some(18.0)),
    ("Draft", Visibility::Draft, 50.0, Some(9.0)),
];

async fn registry_with_pilots(db: &sea_orm::DatabaseConnection) -> (World, Vec<Value>) {
    let w = World::build(db).await;
    let mut measures_made = Vec::new();
    for (title, visibility, mean, sd) in PILOTS {
        let pilot = w.pilot(db, title, Visibility::Draft).await;
        let mut input = w.wait_measure(pilot.id);
        input.result = ObservationInput {
            value: mean,
            sd,
            ..input.result
        };
        if sd.is_none() {
            input.baseline.sd = None;
        }
        let m = measures::record(db, &w.evaluator_a, input)
            .await
            .expect("record measure");
        measures_made.push(
            json!({ "id": m.id.to_string(), "version": m.version, "pilot": pilot.id.to_string() }),
        );
        if visibility != Visibility::Draft {
            registry_api::service::pilots::publish(
                db,
                &w.evaluator_a,
                pilot.id,
                pilot.version,
                visibility,
            )
            .await
            .expect("publish");
        }
    }
    (w, measures_made)
}

fn titles(list: &Value) -> Vec<String> {
    let mut titles: Vec<String> = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["title"].as_str().expect("title").to_owned())
        .collect();
    titles.sort();
    titles
}

async fn compare(app: &TestApp, token: Option<&str>) -> Value {
    let body = app.graphql(token, COMPARE, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    body["data"]["metricComparison"].clone()
}

#[tokio::test]
async fn each_viewer_compares_only_the_pilots_they_may_see() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let (w, _) = registry_with_pilots(db).await;
        let app = test_db.app().await;

        let anonymous = compare(&app, None).await;
        assert_eq!(
            anonymous["effectMeasure"],
            json!("MD"),
            "{engine}: the default for a continuous metric"
        );
        assert_eq!(anonymous["method"], json!("REML"));
        assert_eq!(
            titles(&anonymous["pilots"]),
            ["Public one", "Public three", "Public two"],
            "{engine}"
        );
        assert_eq!(
            titles(&anonymous["excluded"]),
            ["Public without SD"],
            "{engine}"
        );
        assert_eq!(anonymous["pooled"]["k"], json!(3), "{engine}");
        let reason = anonymous["excluded"][0]["reason"].as_str().expect("reason");
        assert!(reason.contains("standard deviation"), "{engine}: {reason}");

        let member = token_for(db, &w.member_b).await;
        let nhs = compare(&app, Some(&member)).await;
        assert_eq!(
            titles(&nhs["pilots"]),
            ["NHS only", "Public one", "Public three", "Public two"],
            "{engine}: an NHS member also sees NHS-only pilots, not another trust's draft"
        );
        assert_eq!(nhs["pooled"]["k"], json!(4));

        let host = token_for(db, &w.evaluator_a).await;
        let own = compare(&app, Some(&host)).await;
        assert_eq!(
            own["pooled"]["k"],
            json!(5),
            "{engine}: the host's evaluator sees its draft"
        );

        // Every figure differs when hidden pilots are in or out: nothing leaks into anonymous ones.
        assert_ne!(
            anonymous["pooled"]["randomEstimate"],
            nhs["pooled"]["randomEstimate"]
        );
        let weights: f64 = anonymous["pilots"]
            .as_array()
            .expect("pilots")
            .iter()
            .map(|p| p["weightRandom"].as_f64().expect("weight"))
            .sum();
        assert!(
            (weights - 100.0).abs() < 1e-9,
            "{engine}: weights sum to 100%: {weights}"
        );
        for p in anonymous["pilots"].as_array().expect("pilots") {
            let (lo, effect, hi) = (
                p["ciLower"].as_f64(),
                p["effect"].as_f64(),
                p["ciUpper"].as_f64(),
            );
            assert!(lo < effect && effect < hi, "{engine}: {p}");
        }
        // Result 71 against baseline 95, SD 14.5 and n 120 on both sides: MD −24, SE √(2·14.5²/120).
        let first = anonymous["pilots"]
            .as_array()
            .expect("pilots")
            .iter()
            .find(|p| p["title"] == json!("Public one"))
            .expect("Public one");
        assert_eq!(first["effect"].as_f64(), Some(-24.0));
        let se = (2.0 * 14.5_f64.powi(2) / 120.0).sqrt();
        assert!(
            (first["se"].as_f64().expect("se") - se).abs() < 1e-12,
            "{engine}: {first}"
        );

        let binary_measure = app
            .graphql(
                None,
                "{ metricComparison(metricCode: \"TEST_WAIT\", effectMeasure: RR) { pooled { k } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            binary_measure["errors"][0]["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{binary_measure}"
        );
        let malformed = app
            .graphql(
                None,
                COMPARE,
                json!({ "filter": { "technologyId": "not-an-id" } }),
            )
            .await;
        assert_eq!(
            malformed["errors"][0]["extensions"]["code"],
            json!("BAD_USER_INPUT"),
            "{engine}: a malformed id never widens the filter: {malformed}"
        );
        let unknown = app
            .graphql(
                None,
                "{ metricComparison(metricCode: \"NO_SUCH\") { pooled { k } } }",
                json!({}),
            )
            .await;
        assert!(
            unknown["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("NO_SUCH"),
            "{engine}: {unknown}"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_saved_comparison_keeps_its_figures_after_a_measure_is_amended() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let (w, made) = registry_with_pilots(db).await;
        let app = test_db.app().await;
        let host = token_for(db, &w.evaluator_a).await;

        let saved = app
            .graphql(
                Some(&host),
                "mutation { saveComparison(metricCode: \"TEST_WAIT\", method: DL) {
                   comparison { id method pooled { k randomEstimate tau2 } pilots { title sinceSaved } }
                   userErrors { field message } } }",
                json!({}),
            )
            .await;
        let comparison = &saved["data"]["saveComparison"]["comparison"];
        let id = comparison["id"]
            .as_str()
            .unwrap_or_else(|| panic!("{engine}: {saved}"))
            .to_owned();
        assert_eq!(comparison["method"], json!("DL"));

        // Amend "Public one": its result mean moves from 71 to 40.
        let first = &made[0];
        let measure_id = first["id"].as_str().expect("id").parse().expect("uuid");
        let pilot_id = first["pilot"]
            .as_str()
            .expect("pilot")
            .parse()
            .expect("uuid");
        let mut input = w.wait_measure(pilot_id);
        input.result.value = 40.0;
        measures::update(db, &w.evaluator_a, measure_id, 1, input)
            .await
            .expect("amend the measure");

        let again = app
            .graphql(
                Some(&host),
                "query($id: ID!) { comparison(id: $id) { method pooled { k randomEstimate tau2 } pilots { title sinceSaved } } }",
                json!({ "id": id }),
            )
            .await;
        let later = &again["data"]["comparison"];
        assert_eq!(
            later["pooled"], comparison["pooled"],
            "{engine}: the same figures: {again}"
        );
        for p in later["pilots"].as_array().expect("pilots") {
            let expected = if p["title"] == json!("Public one") {
                "AMENDED"
            } else {
                "UNCHANGED"
            };
            assert_eq!(p["sinceSaved"], json!(expected), "{engine}: {p}");
        }
        let live = compare(&app, Some(&host)).await;
        assert_ne!(
            live["pooled"]["randomEstimate"], comparison["pooled"]["randomEstimate"],
            "{engine}: a live comparison uses the amended value"
        );

        // It held the host's draft: nobody else may read it, and nothing says it exists.
        let other = token_for(db, &w.evaluator_b).await;
        let hidden = app
            .graphql(
                Some(&other),
                "query($id: ID!) { comparison(id: $id) { id } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(
            hidden["data"]["comparison"],
            Value::Null,
            "{engine}: {hidden}"
        );

        let anonymous = app
            .graphql(
                None,
                "mutation { saveComparison(metricCode: \"TEST_WAIT\") { comparison { id } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            anonymous["errors"][0]["extensions"]["code"],
            json!("UNAUTHENTICATED")
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_forest_plot_and_csv_show_the_same_pilots() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        registry_with_pilots(db).await;
        let app = test_db.app().await;

        let response = app
            .http
            .get(format!("{}/metrics/TEST_WAIT/forest.svg", app.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), StatusCode::OK, "{engine}");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap_or("")
                .starts_with("image/svg+xml")
        );
        let svg = response.text().await.expect("body");
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{engine}: not XML: {e}\n{svg}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .expect("a <title>");
        assert!(
            title.contains("TEST_WAIT") && title.contains("3 pilots"),
            "{engine}: {title}"
        );
        let rows = root
            .descendants()
            .filter(|n| n.has_tag_name("g") && n.attribute("class") == Some("pilot"))
            .count();
        assert_eq!(rows, 3, "{engine}: one row a visible, included pilot");
        assert_eq!(
            root.descendants()
                .filter(|n| n.attribute("class") == Some("pooled"))
                .count(),
            1,
            "{engine}: the pooled diamond"
        );
        assert!(svg.contains("Favours result"), "{engine}");

        let csv = app
            .http
            .get(format!(
                "{}/metrics/TEST_WAIT/comparison.csv?method=dl",
                app.base
            ))
            .send()
            .await
            .expect("GET")
            .text()
            .await
            .expect("CSV");
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        let kinds: Vec<String> = reader
            .records()
            .map(|r| r.expect("a CSV record")[0].to_owned())
            .collect();
        assert_eq!(
            kinds,
            ["pilot", "pilot", "pilot", "excluded", "pooled"],
            "{engine}: {csv}"
        );
        assert!(csv.contains(",DL,"), "{engine}: the method asked for");

        let missing = app
            .http
            .get(format!("{}/metrics/NO_SUCH/forest.svg", app.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(missing.status(), StatusCode::NOT_FOUND, "{engine}");
        app.stop();
        test_db.finish().await;
    }
}

/// A saved comparison keeps its filter as version 1 of the stored format, and a row saved
/// before the format had a version (today's field names, no `v`) still reads, as the same
/// filter, and the comparison itself still opens.
#[tokio::test]
async fn a_saved_comparison_keeps_a_versioned_filter_and_reads_unversioned_rows() {
    use registry_api::model::{CareSetting, PilotStatus, comparison};
    use registry_api::service::comparisons::{self, Question, saved_filter};
    use registry_api::service::pilots::PilotFilter;
    use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};

    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let (w, _) = registry_with_pilots(db).await;
        let filter = PilotFilter {
            host_organisation_id: Some(w.trust_a.id),
            status: Some(PilotStatus::Completed),
            care_setting: Some(CareSetting::Community),
            started_on_or_after: chrono::NaiveDate::from_ymd_opt(2024, 1, 1),
            ..PilotFilter::default()
        };
        let question = Question {
            metric_code: "TEST_WAIT".to_owned(),
            filter: filter.clone(),
            ..Question::default()
        };
        let saved = comparisons::save(db, &w.evaluator_a, &question)
            .await
            .expect("save the comparison");
        let id = saved.id.expect("a saved comparison has an id");

        let row = comparison::Entity::find_by_id(id)
            .one(db)
            .await
            .expect("read the row")
            .expect("the row is there");
        assert_eq!(row.filter["v"], json!(1), "{engine}: {}", row.filter);
        assert_eq!(
            row.filter["care_setting"],
            json!("community"),
            "{engine}: {}",
            row.filter
        );
        assert_eq!(
            saved_filter::from_json(&row.filter).expect("read the stored filter"),
            filter,
            "{engine}"
        );

        // As the code before versions wrote it: every field, unset ones null, and no `v`.
        let unversioned = json!({
            "technology_id": null,
            "host_organisation_id": w.trust_a.id.to_string(),
            "status": "completed",
            "care_setting": "community",
            "specialty": null,
            "design": null,
            "region": null,
            "visibility": null,
            "started_on_or_after": "2024-01-01",
            "started_on_or_before": null,
            "category": null,
            "esf_tier": null,
            "standard": null,
        });
        comparison::ActiveModel {
            id: Set(id),
            filter: Set(unversioned),
            ..Default::default()
        }
        .update(db)
        .await
        .expect("write an old-style row");
        let row = comparison::Entity::find_by_id(id)
            .one(db)
            .await
            .expect("read the row")
            .expect("the row is there");
        assert_eq!(
            saved_filter::from_json(&row.filter).expect("an unversioned row reads as version 1"),
            filter,
            "{engine}"
        );
        let reopened = comparisons::get(db, &w.evaluator_a, id)
            .await
            .expect("the comparison still opens");
        assert_eq!(reopened.id, Some(id), "{engine}");

        test_db.finish().await;
    }
}
