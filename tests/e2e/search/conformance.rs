//! The conformance suite: the same records, the same queries, the same answers from every engine.
//! Hits are compared as sets (ranking may differ between engines); counts and facets exactly.

use std::collections::{BTreeMap, BTreeSet};

use registry_api::Actor;
use registry_api::indexing::outbox::{self, WorkerSettings};
use registry_api::indexing::reindex;
use registry_api::model::*;
use registry_api::search::{FacetName, SearchQuery, SearchResults};
use registry_api::service::{pilots, reports};
use sea_orm::prelude::Uuid;

use super::{EngineUnderTest, engines};
use crate::support::{self, World};

struct Fixture {
    world: World,
    technology: Uuid,
    heart: Uuid,
    cafe: Uuid,
    draft: Uuid,
    ward: Uuid,
}

async fn fixture(db: &sea_orm::DatabaseConnection) -> Fixture {
    let w = World::build(db).await;
    let heart = w
        .pilot(
            db,
            "Remote monitoring for heart failure",
            Visibility::Public,
        )
        .await;
    reports::submit(
        db,
        &w.evaluator_a,
        heart.id,
        reports::ReportInput {
            summary: "Readmissions fell.".to_owned(),
            findings: "Fewer readmissions within 30 days.".to_owned(),
            recommendation: Recommendation::Adopt,
            barriers: String::new(),
            lessons: String::new(),
            costs_and_savings: String::new(),
            links: vec![],
            amendment_reason: None,
            publish: true,
            draft_version: None,
        },
    )
    .await
    .expect("report");
    let mut cafe = w.pilot_input("Café télé-santé 🚑 pilot");
    cafe.status = PilotStatus::Live;
    cafe.end_date = None;
    cafe.design = EvaluationDesign::Rct;
    cafe.problem = "Patients wrote <script>alert(1)</script> in the feedback form.".to_owned();
    let cafe = pilots::register(db, &w.evaluator_a, cafe)
        .await
        .expect("register");
    let cafe = pilots::publish(
        db,
        &w.evaluator_a,
        cafe.id,
        cafe.version,
        Visibility::Public,
    )
    .await
    .expect("publish");
    let draft = w
        .pilot(db, "Draft dermatology triage", Visibility::Draft)
        .await;
    let mut ward = w.pilot_input("NHS-only virtual ward");
    ward.status = PilotStatus::Stopped;
    // Rated strong, which anonymous counts must not show.
    ward.design = EvaluationDesign::Rct;
    ward.evaluator_kind = EvaluatorKind::Independent;
    ward.evaluator_name = Some("Northmoor Health Innovation Network".to_owned());
    let ward = pilots::register(db, &w.evaluator_a, ward)
        .await
        .expect("register");
    let ward = pilots::publish(db, &w.evaluator_a, ward.id, ward.version, Visibility::Nhs)
        .await
        .expect("publish");
    Fixture {
        technology: w.technology.record.id,
        world: w,
        heart: heart.id,
        cafe: cafe.id,
        draft: draft.id,
        ward: ward.id,
    }
}

fn query(text: &str, filters: &[(FacetName, &[&str])]) -> SearchQuery {
    SearchQuery {
        text: text.to_owned(),
        filters: filters
            .iter()
            .map(|(name, values)| (*name, values.iter().map(|v| (*v).to_owned()).collect()))
            .collect(),
        limit: 50,
        ..Default::default()
    }
}

/// Asks the engine directly, with the viewer's tokens as `service::search` gives them.
async fn run(e: &EngineUnderTest, actor: &Actor, mut q: SearchQuery) -> SearchResults {
    q.access = registry_api::service::access::viewer_tokens(actor);
    e.engine
        .search(&q)
        .await
        .unwrap_or_else(|err| panic!("{}: {err}", e.name))
}

fn ids(results: &SearchResults) -> BTreeSet<Uuid> {
    results.hits.iter().map(|h| h.entity_id).collect()
}

fn set(ids: &[Uuid]) -> BTreeSet<Uuid> {
    ids.iter().copied().collect()
}

fn facet(results: &SearchResults, name: FacetName) -> BTreeMap<&str, u64> {
    results
        .facets
        .get(&name)
        .map(|v| v.iter().map(|(k, c)| (k.as_str(), *c)).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn every_engine_gives_the_same_answers() {
    for e in engines().await {
        let test_db = support::sqlite().await;
        registry_api::db::migrate(&test_db.db)
            .await
            .expect("migrate");
        let db = &test_db.db;
        let f = fixture(db).await;
        let w = &f.world;
        reindex::rebuild(db, &e.engine, |_, _| {})
            .await
            .expect("index");
        let name = e.name;

        // Visibility per viewer: totals, hits and facet counts all narrowed alike.
        let browse = run(&e, &w.anonymous, query("", &[])).await;
        assert_eq!(
            ids(&browse),
            set(&[f.technology, f.heart, f.cafe]),
            "{name}: anonymous browse"
        );
        assert_eq!(browse.total, 3, "{name}");
        // Records like a given one: any of the words, best matches first.
        let all = run(
            &e,
            &w.anonymous,
            query("remote monitoring heart failure dermatology", &[]),
        )
        .await;
        assert_eq!(all.total, 0, "{name}: no record has every word");
        let mut like = query(
            "remote monitoring heart failure dermatology",
            &[(FacetName::Kind, &["pilot"])],
        );
        like.any_word = true;
        let like = run(&e, &w.anonymous, like).await;
        assert_eq!(
            like.hits.first().map(|h| h.entity_id),
            Some(f.heart),
            "{name}: the pilot with most of the words first: {:?}",
            like.hits
                .iter()
                .map(|h| (&h.title, h.entity_id))
                .collect::<Vec<_>>()
        );
        assert_eq!(
            ids(&like),
            set(&[f.heart, f.cafe]),
            "{name}: any of the words, among what the viewer may find"
        );
        assert_eq!(
            facet(&browse, FacetName::Kind),
            BTreeMap::from([("pilot", 2), ("technology", 1)]),
            "{name}"
        );
        assert_eq!(
            facet(&browse, FacetName::Status),
            BTreeMap::from([("completed", 1), ("live", 1)]),
            "{name}"
        );
        assert_eq!(
            facet(&browse, FacetName::Design),
            BTreeMap::from([("before_after", 1), ("rct", 1)]),
            "{name}"
        );
        assert_eq!(
            facet(&browse, FacetName::Region),
            BTreeMap::from([("south_west", 3)]),
            "{name}"
        );
        assert_eq!(
            facet(&browse, FacetName::Recommendation),
            BTreeMap::from([("adopt", 2)]),
            "{name}: the pilot and its technology's best"
        );
        assert_eq!(
            facet(&browse, FacetName::EvidenceRating),
            BTreeMap::from([("moderate", 1), ("suggestive", 1)]),
            "{name}: an internally evaluated RCT is moderate, before and after suggestive"
        );
        let nhs = run(&e, &w.member_b, query("", &[])).await;
        assert_eq!(
            facet(&nhs, FacetName::EvidenceRating),
            BTreeMap::from([("moderate", 1), ("strong", 1), ("suggestive", 1)]),
            "{name}: NHS staff count the NHS-only pilot"
        );
        assert_eq!(
            ids(&nhs),
            set(&[f.technology, f.heart, f.cafe, f.ward]),
            "{name}: NHS member"
        );
        assert_eq!(
            facet(&nhs, FacetName::Status).get("stopped"),
            Some(&1),
            "{name}"
        );
        let host = run(&e, &w.evaluator_a, query("", &[])).await;
        assert_eq!(
            ids(&host),
            set(&[f.technology, f.heart, f.cafe, f.ward, f.draft]),
            "{name}: the host sees its draft"
        );
        let supplier = run(&e, &w.innovator, query("", &[])).await;
        assert_eq!(
            supplier.total, 3,
            "{name}: a supplier reads public records only"
        );

        // Text, typos, accents and emoji.
        assert_eq!(
            ids(&run(&e, &w.anonymous, query("dermatology", &[])).await),
            set(&[]),
            "{name}: drafts are not found"
        );
        assert_eq!(
            ids(&run(&e, &w.evaluator_a, query("dermatology", &[])).await),
            set(&[f.draft]),
            "{name}"
        );
        assert_eq!(
            ids(&run(&e, &w.member_b, query("virtaul ward", &[])).await),
            set(&[f.ward]),
            "{name}: a typo is forgiven"
        );
        for text in ["cafe", "Café", "télé-santé", "CAFÉ 🚑", "🚑 café"] {
            assert_eq!(
                ids(&run(&e, &w.anonymous, query(text, &[])).await),
                set(&[f.cafe]),
                "{name}: {text}"
            );
        }
        let emoji_only = run(&e, &w.anonymous, query("🚑", &[])).await;
        assert_eq!(
            emoji_only.total, 3,
            "{name}: symbols alone browse, as an empty query does"
        );
        let long = run(&e, &w.anonymous, query(&"heart ".repeat(1_700), &[])).await;
        assert!(
            long.total <= 3,
            "{name}: a 10 000-character query is answered"
        );

        // Every filter; alternatives within a facet, facets combined.
        let expectations: [(FacetName, &[&str], &[Uuid]); 15] = [
            (FacetName::Kind, &["technology"], &[f.technology]),
            (
                FacetName::Category,
                &["remote_monitoring"],
                &[f.technology, f.heart, f.cafe],
            ),
            (
                FacetName::CareSetting,
                &["community"],
                &[f.technology, f.heart, f.cafe],
            ),
            (
                FacetName::Specialty,
                &["cardiology"],
                &[f.technology, f.heart, f.cafe],
            ),
            (
                FacetName::Region,
                &["south_west"],
                &[f.technology, f.heart, f.cafe],
            ),
            (FacetName::Region, &["london"], &[]),
            (FacetName::Status, &["live"], &[f.cafe]),
            (
                FacetName::Status,
                &["live", "completed"],
                &[f.heart, f.cafe],
            ),
            (FacetName::EsfTier, &["c"], &[f.technology, f.heart, f.cafe]),
            (
                FacetName::Standard,
                &["nhs_login"],
                &[f.technology, f.heart, f.cafe],
            ),
            (
                FacetName::Recommendation,
                &["adopt"],
                &[f.technology, f.heart],
            ),
            (FacetName::Design, &["rct"], &[f.cafe]),
            (FacetName::EvidenceRating, &["moderate"], &[f.cafe]),
            (FacetName::EvidenceRating, &["strong"], &[]),
            (
                FacetName::EvidenceRating,
                &["moderate", "suggestive"],
                &[f.heart, f.cafe],
            ),
        ];
        for (facet_name, values, expected) in expectations {
            let results = run(&e, &w.anonymous, query("", &[(facet_name, values)])).await;
            assert_eq!(
                ids(&results),
                set(expected),
                "{name}: {facet_name:?} in {values:?}"
            );
            assert_eq!(
                results.total,
                expected.len() as u64,
                "{name}: {facet_name:?} count"
            );
        }
        let combined = run(
            &e,
            &w.anonymous,
            query(
                "",
                &[
                    (FacetName::Kind, &["pilot"]),
                    (FacetName::Design, &["before_after"]),
                ],
            ),
        )
        .await;
        assert_eq!(ids(&combined), set(&[f.heart]), "{name}: facets combine");

        // Injection strings in filter values match nothing and open nothing.
        for value in [
            r#"remote_monitoring" OR kind = "pilot"#,
            r#"x") OR (access = "nhs"#,
            "*",
            "' OR 1=1 --",
            r"\",
        ] {
            let results = run(
                &e,
                &w.anonymous,
                query("", &[(FacetName::Category, &[value])]),
            )
            .await;
            assert_eq!(results.total, 0, "{name}: {value:?}");
        }

        // Snippets are escaped.
        let script = run(&e, &w.anonymous, query("feedback form", &[])).await;
        let snippet = &script.hits.first().expect("a hit").snippet;
        assert!(
            !snippet.contains("<script>") && snippet.contains("&lt;script&gt;"),
            "{name}: {snippet}"
        );

        // Updates and deletions propagate through the outbox.
        let cafe = pilots::get(db, &w.evaluator_a, f.cafe)
            .await
            .expect("pilot");
        let mut renamed = w.pilot_input("Telephone triage for minor injuries");
        renamed.status = PilotStatus::Live;
        renamed.end_date = None;
        pilots::update(db, &w.evaluator_a, f.cafe, cafe.version, renamed, None)
            .await
            .expect("rename");
        let heart = pilots::get(db, &w.evaluator_a, f.heart)
            .await
            .expect("pilot");
        pilots::withdraw(db, &w.admin, f.heart, heart.version, "Duplicate record")
            .await
            .expect("withdraw");
        outbox::drain(db, &e.engine, WorkerSettings::default())
            .await
            .expect("drain");
        assert_eq!(
            ids(&run(&e, &w.anonymous, query("minor injuries", &[])).await),
            set(&[f.cafe]),
            "{name}: new title found"
        );
        assert_eq!(
            ids(&run(&e, &w.anonymous, query("cafe", &[])).await),
            set(&[]),
            "{name}: old title gone"
        );
        let after = run(&e, &w.anonymous, query("", &[])).await;
        assert_eq!(
            ids(&after),
            set(&[f.technology, f.cafe]),
            "{name}: the withdrawn pilot is gone"
        );
        assert_eq!(
            facet(&after, FacetName::Recommendation),
            BTreeMap::new(),
            "{name}: roll-ups follow"
        );
        assert_eq!(
            facet(&after, FacetName::EvidenceRating),
            BTreeMap::from([("suggestive", 1)]),
            "{name}: the renamed pilot, now before and after, is rated afresh"
        );
        test_db.finish().await;
    }
}
