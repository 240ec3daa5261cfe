//! Optimistic concurrency: every update carries the version it was based on, and a stale one is
//! refused without writing anything.

use registry_api::model::*;
use registry_api::service::{measures, pilots, technologies};
use registry_api::{ErrorCode, ServiceError};

use crate::support::{self, World};

fn is_stale<T: std::fmt::Debug>(result: Result<T, ServiceError>) -> bool {
    matches!(&result, Err(ServiceError::Invalid(e)) if e.iter().any(|e| e.field == "version" && e.code == ErrorCode::Stale))
}

#[tokio::test]
async fn a_stale_version_is_refused_and_nothing_changes() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let engine = test_db.engine;

        let pilot = world.pilot(db, "Concurrent pilot", Visibility::Draft).await;
        let mut first = world.pilot_input("Renamed by the first editor");
        let updated = pilots::update(
            db,
            &world.evaluator_a,
            pilot.id,
            pilot.version,
            first.clone(),
            None,
        )
        .await
        .expect("first update");
        assert_eq!(
            updated.version,
            pilot.version + 1,
            "{engine}: the version moves on"
        );

        first.title = "Renamed by the second editor, who read it earlier".to_owned();
        let audit_before = test_db.count::<audit_log::Entity>().await;
        let outbox_before = test_db.count::<search_outbox::Entity>().await;
        assert!(
            is_stale(
                pilots::update(db, &world.evaluator_a, pilot.id, pilot.version, first, None).await
            ),
            "{engine}: the second editor's stale update is refused"
        );
        let stored = pilots::get(db, &world.evaluator_a, pilot.id)
            .await
            .expect("read back");
        assert_eq!(
            stored.title, "Renamed by the first editor",
            "{engine}: the first update stands"
        );
        assert_eq!(
            test_db.count::<audit_log::Entity>().await,
            audit_before,
            "{engine}: no audit row"
        );
        assert_eq!(
            test_db.count::<search_outbox::Entity>().await,
            outbox_before,
            "{engine}: no outbox row"
        );

        assert!(
            is_stale(
                pilots::publish(
                    db,
                    &world.evaluator_a,
                    pilot.id,
                    pilot.version,
                    Visibility::Public
                )
                .await
            ),
            "{engine}: publishing from a stale read is refused"
        );

        let technology = &world.technology.record;
        let input = support::world::technology_input(world.supplier.id, "heart-watch");
        technologies::update(
            db,
            &world.innovator,
            technology.id,
            technology.version,
            input.clone(),
            None,
        )
        .await
        .expect("technology update");
        assert!(
            is_stale(
                technologies::update(
                    db,
                    &world.innovator,
                    technology.id,
                    technology.version,
                    input,
                    None
                )
                .await
            ),
            "{engine}: a stale technology update is refused"
        );

        let measure = measures::record(db, &world.evaluator_a, world.wait_measure(pilot.id))
            .await
            .expect("record measure");
        let mut changed = world.wait_measure(pilot.id);
        changed.result.value = 65.0;
        measures::update(
            db,
            &world.evaluator_a,
            measure.id,
            measure.version,
            changed.clone(),
        )
        .await
        .expect("measure update");
        assert!(
            is_stale(
                measures::update(db, &world.evaluator_a, measure.id, measure.version, changed)
                    .await
            ),
            "{engine}: a stale measure update is refused"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn concurrent_writers_all_succeed() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        // Each registration reads (validation) and then writes; on SQLite a deferred
        // transaction would fail with SQLITE_BUSY_SNAPSHOT when another commits in between.
        let writes = (0..24).map(|i| {
            let input = world.pilot_input(&format!("Concurrent pilot {i}"));
            let actor = world.evaluator_a.clone();
            async move { pilots::register(db, &actor, input).await }
        });
        let results = futures::future::join_all(writes).await;
        let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
        assert!(failures.is_empty(), "{}: {failures:?}", test_db.engine);
        assert_eq!(
            test_db.count::<pilot::Entity>().await,
            24,
            "{}",
            test_db.engine
        );
        test_db.finish().await;
    }
}
