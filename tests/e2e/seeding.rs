//! The demo data set: rich enough to make the registry look alive, loadable twice without
//! duplicating anything; and the synthetic generator, whose batches commit whole even when the
//! process is killed half-way.

use std::collections::BTreeSet;
use std::time::Duration;

use registry_api::model::*;
use registry_seed::demo::{self, LoadReport};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};

use crate::support::process::{Server, registry, signal};
use crate::support::{self, TestDb};

async fn all_counts(test_db: &TestDb) -> [u64; 9] {
    [
        test_db.count::<organisation::Entity>().await,
        test_db.count::<user::Entity>().await,
        test_db.count::<membership::Entity>().await,
        test_db.count::<metric::Entity>().await,
        test_db.count::<technology::Entity>().await,
        test_db.count::<pilot::Entity>().await,
        test_db.count::<pilot_measure::Entity>().await,
        test_db.count::<report_revision::Entity>().await,
        test_db.count::<audit_log::Entity>().await,
    ]
}

#[tokio::test]
async fn demo_seeding_is_rich_and_idempotent() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let first = demo::load(db).await.expect("first load");
        let counts = all_counts(&test_db).await;
        let second = demo::load(db).await.expect("second load");
        assert_eq!(
            second,
            LoadReport::default(),
            "{engine}: the second load adds nothing"
        );
        assert_eq!(
            all_counts(&test_db).await,
            counts,
            "{engine}: no row was duplicated"
        );

        let organisations = organisation::Entity::find()
            .all(db)
            .await
            .expect("organisations");
        assert!(
            organisations.len() >= 30,
            "{engine}: at least 30 organisations"
        );
        let regions: BTreeSet<_> = organisations.iter().filter_map(|o| o.region).collect();
        assert_eq!(regions.len(), 7, "{engine}: all seven NHS England regions");
        assert!(
            organisations.iter().any(|o| o.kind.is_primary_care()),
            "{engine}: primary care"
        );
        assert!(
            organisations
                .iter()
                .any(|o| o.kind == OrganisationKind::NhsTrust),
            "{engine}: secondary care"
        );

        let technologies = technology::Entity::find()
            .all(db)
            .await
            .expect("technologies");
        assert!(
            technologies.len() >= 40,
            "{engine}: at least 40 technologies"
        );
        let categories: BTreeSet<_> = technologies.iter().map(|t| t.category).collect();
        assert!(categories.len() >= 10, "{engine}: at least 10 categories");

        let pilots = pilot::Entity::find().all(db).await.expect("pilots");
        assert!(pilots.len() >= 120, "{engine}: at least 120 pilots");
        for status in [
            PilotStatus::Live,
            PilotStatus::Completed,
            PilotStatus::Stopped,
            PilotStatus::ScaledUp,
            PilotStatus::Planned,
        ] {
            assert!(
                pilots.iter().any(|p| p.status == status),
                "{engine}: some pilots are {status:?}"
            );
        }
        let designs: BTreeSet<_> = pilots.iter().map(|p| p.design).collect();
        assert!(designs.len() >= 6, "{engine}: varied evaluation designs");

        let metrics = metric::Entity::find().all(db).await.expect("metrics");
        assert!(metrics.len() >= 25, "{engine}: at least 25 metrics");
        let domains: BTreeSet<_> = metrics.iter().map(|m| m.domain).collect();
        assert_eq!(domains.len(), 7, "{engine}: every metric domain");

        let measures = pilot_measure::Entity::find()
            .all(db)
            .await
            .expect("measures");
        let poolable = measures
            .iter()
            .filter(|m| m.baseline_n.is_some() && m.result_n.is_some())
            .count();
        assert!(
            poolable * 2 >= measures.len(),
            "{engine}: a good share carry sample sizes"
        );
        let by_direction = |m: &pilot_measure::Model| {
            let metric = metrics
                .iter()
                .find(|x| x.id == m.metric_id)
                .expect("metric");
            match metric.direction {
                Direction::HigherIsBetter => m.result_value > m.baseline_value,
                Direction::LowerIsBetter => m.result_value < m.baseline_value,
            }
        };
        assert!(
            measures.iter().any(by_direction),
            "{engine}: some outcomes improved"
        );
        assert!(
            measures.iter().any(|m| !by_direction(m)),
            "{engine}: some did not"
        );

        let amended = report_revision::Entity::find()
            .filter(report_revision::Column::Revision.gt(1))
            .count(db)
            .await
            .expect("amendments");
        assert!(amended > 0, "{engine}: some reports were amended");
        assert!(
            first.pilots >= 120 && first.report_revisions > 0,
            "{engine}: {first}"
        );
        test_db.finish().await;
    }
}

/// Synthetic pilots (the ones whose title says so) and their measures.
async fn synthetic_state(db: &sea_orm::DatabaseConnection) -> (Vec<pilot::Model>, u64) {
    let pilots = pilot::Entity::find()
        .filter(pilot::Column::Title.contains("(synthetic "))
        .all(db)
        .await
        .expect("pilots");
    let ids: Vec<_> = pilots.iter().map(|p| p.id).collect();
    let mut measures = 0;
    for chunk in ids.chunks(500) {
        measures += pilot_measure::Entity::find()
            .filter(pilot_measure::Column::PilotId.is_in(chunk.to_vec()))
            .count(db)
            .await
            .expect("measures");
    }
    (pilots, measures)
}

#[tokio::test]
async fn synthetic_pilots_are_written_in_whole_batches() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let report = registry_seed::synthetic::generate(db, 2_500)
            .await
            .expect("generate");
        assert_eq!(report.pilots, 2_500, "{}", test_db.engine);
        let (pilots, measures) = synthetic_state(db).await;
        assert_eq!(pilots.len(), 2_500, "{}", test_db.engine);
        let measured = pilots
            .iter()
            .filter(|p| p.status != PilotStatus::Planned)
            .count() as u64;
        assert_eq!(
            measures,
            2 * measured,
            "{}: two measures for every pilot that has started",
            test_db.engine
        );
        assert_eq!(report.measures, measures, "{}", test_db.engine);
        let queued = search_outbox::Entity::find()
            .filter(search_outbox::Column::EntityKind.eq(IndexedKind::Pilot))
            .count(db)
            .await
            .expect("outbox");
        assert!(
            queued >= 2_500,
            "{}: every synthetic pilot is queued for indexing",
            test_db.engine
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn killing_a_synthetic_seed_half_way_leaves_no_half_written_pilot() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        // A data directory of its own, for the search index the server keeps beside it.
        let data = tempfile::tempdir().expect("data directory");
        let point_at = |command: &mut std::process::Command| {
            command
                .env("DATABASE_URL", &test_db.url)
                .env("REGISTRY_DATA_DIR", data.path());
        };
        let mut seed = registry();
        point_at(&mut seed);
        let mut child = seed
            .args(["seed", "--synthetic", "200000"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("start the seed");
        // Wait until at least one batch has committed, then kill the process mid-run.
        let mut committed = 0;
        for _ in 0..600 {
            committed = synthetic_state(&test_db.db).await.0.len();
            if committed >= 1_000 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        signal(&child, "KILL");
        child.wait().expect("reap the seed");
        assert!(
            committed >= 1_000,
            "{engine}: a batch committed before the kill"
        );

        let (pilots, measures) = synthetic_state(&test_db.db).await;
        assert!(pilots.len() < 200_000, "{engine}: the run was cut short");
        assert_eq!(
            pilots.len() % 1_000,
            0,
            "{engine}: only whole batches of pilots are stored"
        );
        let measured = pilots
            .iter()
            .filter(|p| p.status != PilotStatus::Planned)
            .count() as u64;
        assert_eq!(
            measures,
            2 * measured,
            "{engine}: every stored pilot has all its measures"
        );

        let mut serve = registry();
        point_at(&mut serve);
        let server = Server::start(serve);
        let ready = reqwest::get(format!("{}/readyz", server.base))
            .await
            .expect("readyz");
        assert_eq!(
            ready.status(),
            200,
            "{engine}: the server opens the database cleanly"
        );
        assert!(server.terminate(), "{engine}");
        test_db.finish().await;
    }
}
