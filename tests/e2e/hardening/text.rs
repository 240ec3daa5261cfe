//! Text that users type refuses control characters (other than newline and tab in prose) and
//! noncharacters, and documents stay well-formed whatever was stored before: titles with
//! U+0001 once made a metric's forest plot ill-formed XML for every viewer, and a NUL answered
//! INTERNAL on PostgreSQL.

use registry_api::model::{Visibility, pilot};
use registry_api::service::{measures, pilots};
use registry_api::{ErrorCode, ServiceError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use crate::support::{self, World};

#[tokio::test]
async fn control_characters_and_noncharacters_are_refused_naming_the_field() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        for bad in [
            '\u{0}', '\u{1}', '\u{1b}', '\u{b}', '\u{c}', '\u{fffe}', '\n', '\t',
        ] {
            let input = w.pilot_input(&format!("Remote{bad}monitoring"));
            match pilots::register(db, &w.evaluator_a, input).await {
                Err(ServiceError::Invalid(errors)) => {
                    assert_eq!(errors.len(), 1, "{engine}: {errors:?}");
                    assert_eq!(errors[0].field, "title", "{engine}: {bad:?}");
                    assert_eq!(errors[0].code, ErrorCode::Invalid, "{engine}: {bad:?}");
                }
                other => panic!("{engine}: {bad:?} in a title is refused, got {other:?}"),
            }
        }
        // Prose keeps its lines and tabs; a browser's CRLF becomes LF.
        let mut input = w.pilot_input("Prose");
        input.problem = "Waits are long.\r\n\tEspecially at night.".to_owned();
        let created = pilots::register(db, &w.evaluator_a, input)
            .await
            .unwrap_or_else(|e| panic!("{engine}: prose with lines is taken: {e:?}"));
        assert_eq!(created.problem, "Waits are long.\n\tEspecially at night.");
        let mut input = w.pilot_input("Prose");
        input.problem = "Bell\u{7}".to_owned();
        assert!(
            matches!(pilots::register(db, &w.evaluator_a, input).await,
                Err(ServiceError::Invalid(ref e)) if e[0].field == "problem"),
            "{engine}: a bell is refused in prose too"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_forest_plot_stays_well_formed_whatever_titles_were_stored() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let pilot = w
            .pilot(db, "Stored before the rule", Visibility::Draft)
            .await;
        measures::record(db, &w.evaluator_a, w.wait_measure(pilot.id))
            .await
            .expect("record");
        pilots::publish(
            db,
            &w.evaluator_a,
            pilot.id,
            pilot.version,
            Visibility::Public,
        )
        .await
        .expect("publish");
        // As a title stored before the rule would be (PostgreSQL cannot store NUL at all).
        pilot::Entity::update_many()
            .col_expr(
                pilot::Column::Title,
                Expr::value("Bad \u{1}\u{1b}[31m\u{b}\u{c}\u{fffe} <title> & \"co\""),
            )
            .filter(pilot::Column::Id.eq(pilot.id))
            .exec(db)
            .await
            .expect("store a bad title");
        let app = test_db.app().await;
        let response = app
            .http
            .get(format!("{}/metrics/TEST_WAIT/forest.svg", app.base))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.status(), 200, "{engine}");
        let svg = response.text().await.expect("body");
        let doc = roxmltree::Document::parse(&svg)
            .unwrap_or_else(|e| panic!("{engine}: the plot is not well-formed XML: {e}"));
        let text: String = doc.descendants().filter_map(|n| n.text()).collect();
        assert!(
            text.contains("<title> & \"co\""),
            "{engine}: the rest of the title is shown"
        );
        app.stop();
        test_db.finish().await;
    }
}
