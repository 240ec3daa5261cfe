//! One transaction per operation: when any write of an operation fails, nothing of it stays,
//! the record, its attributes, its audit row and its outbox row alike.

use registry_api::ServiceError;
use registry_api::model::*;
use registry_api::service::{pilots, technologies};
use sea_orm::ConnectionTrait;

use crate::support::{self, World};

/// Makes every insert into the search outbox fail, as if that write broke mid-operation: the
/// outbox row is the last thing an operation writes, after the record and its audit row.
async fn break_outbox(test_db: &support::TestDb) {
    let statements: &[&str] = if test_db.engine == "postgres" {
        &[
            "CREATE FUNCTION refuse_outbox() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'outbox refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_outbox BEFORE INSERT ON search_outbox FOR EACH ROW EXECUTE FUNCTION refuse_outbox()",
        ]
    } else {
        &[
            "CREATE TRIGGER refuse_outbox BEFORE INSERT ON search_outbox BEGIN SELECT RAISE(ABORT, 'outbox refused'); END",
        ]
    };
    for sql in statements {
        test_db
            .db
            .execute_unprepared(sql)
            .await
            .expect("install the failing trigger");
    }
}

#[tokio::test]
async fn a_failing_operation_leaves_no_row_behind() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let engine = test_db.engine;
        let pilot = world.pilot(db, "Existing pilot", Visibility::Public).await;
        break_outbox(&test_db).await;

        let technologies_before = test_db.count::<technology::Entity>().await;
        let specialties_before = test_db.count::<technology_specialty::Entity>().await;
        let dtac_before = test_db.count::<technology_dtac::Entity>().await;
        let pilots_before = test_db.count::<pilot::Entity>().await;
        let audit_before = test_db.count::<audit_log::Entity>().await;
        let outbox_before = test_db.count::<search_outbox::Entity>().await;

        let input = support::world::technology_input(world.supplier.id, "never-stored");
        let result = technologies::register(db, &world.innovator, input).await;
        assert!(
            matches!(result, Err(ServiceError::Database(_))),
            "{engine}: the broken write fails: {result:?}"
        );

        let result =
            pilots::register(db, &world.evaluator_a, world.pilot_input("Never stored")).await;
        assert!(
            matches!(result, Err(ServiceError::Database(_))),
            "{engine}: {result:?}"
        );

        let result = pilots::update(
            db,
            &world.evaluator_a,
            pilot.id,
            pilot.version,
            world.pilot_input("Never renamed"),
            None,
        )
        .await;
        assert!(
            matches!(result, Err(ServiceError::Database(_))),
            "{engine}: {result:?}"
        );

        assert_eq!(
            test_db.count::<technology::Entity>().await,
            technologies_before,
            "{engine}: no technology"
        );
        assert_eq!(
            test_db.count::<technology_specialty::Entity>().await,
            specialties_before,
            "{engine}: no attribute rows"
        );
        assert_eq!(
            test_db.count::<technology_dtac::Entity>().await,
            dtac_before,
            "{engine}: no DTAC rows"
        );
        assert_eq!(
            test_db.count::<pilot::Entity>().await,
            pilots_before,
            "{engine}: no pilot"
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
        let unchanged = pilots::get(db, &world.evaluator_a, pilot.id)
            .await
            .expect("read back");
        assert_eq!(
            (unchanged.title.as_str(), unchanged.version),
            ("Existing pilot", pilot.version),
            "{engine}: the update did not land"
        );
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_successful_operation_writes_its_audit_and_outbox_rows() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let world = World::build(db).await;
        let audit_before = test_db.count::<audit_log::Entity>().await;
        let outbox_before = test_db.count::<search_outbox::Entity>().await;
        let pilot = world.pilot(db, "Audited pilot", Visibility::Public).await;
        // register and publish: two audit rows; each queues the pilot and its technology.
        assert_eq!(
            test_db.count::<audit_log::Entity>().await,
            audit_before + 2,
            "{}",
            test_db.engine
        );
        assert_eq!(
            test_db.count::<search_outbox::Entity>().await,
            outbox_before + 4,
            "{}",
            test_db.engine
        );
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
        let rows = audit_log::Entity::find()
            .filter(audit_log::Column::EntityId.eq(pilot.id))
            .order_by_asc(audit_log::Column::Id)
            .all(db)
            .await
            .expect("audit rows");
        let actions: Vec<_> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(
            actions,
            ["pilot.register", "pilot.publish"],
            "{}",
            test_db.engine
        );
        assert!(
            rows.iter().all(
                |r| r.actor_label == "Test evaluator-a" && r.entry_point == EntryPoint::Graphql
            )
        );
        test_db.finish().await;
    }
}
