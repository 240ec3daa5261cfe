//! A synthetic registry for scale tests: N pilots with measures over the demo catalogue,
//! written in batched transactions. Each batch commits whole (pilots, measures, their outbox rows
//! and one audit row) or not at all, so a run killed half-way leaves no half-written pilot.

use std::fmt;
use std::time::{Duration, Instant};

use anyhow::Context;
use chrono::{Days, NaiveDate, Utc};
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use registry_api::model::{
    CareSetting, Comparator, EntryPoint, EvaluationDesign, EvaluatorKind, IndexedKind, MetricKind,
    MetricUnit, PilotStatus, Specialty, Visibility, audit_log, metric, organisation, pilot,
    pilot_measure, search_outbox, technology,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    prelude::Uuid,
};
use serde_json::json;

/// Pilots written in one transaction.
const BATCH: usize = 1_000;
/// Rows in one INSERT statement, within SQLite's and PostgreSQL's bound-parameter limits.
const ROWS_PER_INSERT: usize = 400;

#[derive(Debug, Clone, Copy)]
pub struct SyntheticReport {
    pub pilots: u64,
    pub measures: u64,
    pub elapsed: Duration,
}

impl fmt::Display for SyntheticReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.elapsed.as_secs_f64();
        write!(
            f,
            "synthetic data: added {} pilots and {} measures in {secs:.1} s ({:.0} pilots/s)",
            self.pilots,
            self.measures,
            self.pilots as f64 / secs.max(1e-9)
        )
    }
}

/// What the generator draws from: the catalogue already in the database.
struct Catalogue {
    hosts: Vec<organisation::Model>,
    technologies: Vec<technology::Model>,
    metrics: Vec<metric::Model>,
}

/// Adds `count` synthetic pilots, loading the demo catalogue first if it is missing.
pub async fn generate(db: &DatabaseConnection, count: u64) -> anyhow::Result<SyntheticReport> {
    let started = Instant::now();
    crate::demo::load(db)
        .await
        .context("loading the demo catalogue to build on")?;
    let catalogue = Catalogue {
        hosts: organisation::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .filter(|o| o.kind.can_host_pilots())
            .collect(),
        technologies: technology::Entity::find()
            .filter(technology::Column::WithdrawnAt.is_null())
            .all(db)
            .await?,
        metrics: metric::Entity::find().all(db).await?,
    };
    anyhow::ensure!(
        !catalogue.hosts.is_empty()
            && !catalogue.technologies.is_empty()
            && !catalogue.metrics.is_empty(),
        "the catalogue needs host organisations, technologies and metrics"
    );
    let run = Uuid::now_v7().simple().to_string()[20..].to_owned();
    let mut rng = ChaCha8Rng::seed_from_u64(u64::from_str_radix(&run, 16).unwrap_or(7));

    let progress = ProgressBar::new(count);
    progress.set_style(
        ProgressStyle::with_template(
            "{spinner} {bar:40} {pos}/{len} pilots ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let mut written = SyntheticReport {
        pilots: 0,
        measures: 0,
        elapsed: Duration::ZERO,
    };
    while written.pilots < count {
        let size = (count - written.pilots).min(BATCH as u64) as usize;
        let (pilots, measures) = (0..size)
            .map(|i| make_pilot(&mut rng, &catalogue, &run, written.pilots as usize + i))
            .fold(
                (Vec::with_capacity(size), Vec::new()),
                |(mut ps, mut ms), (p, m)| {
                    ps.push(p);
                    ms.extend(m);
                    (ps, ms)
                },
            );
        let measure_count = measures.len() as u64;
        write_batch(db, &run, pilots, measures).await?;
        written.pilots += size as u64;
        written.measures += measure_count;
        progress.inc(size as u64);
    }
    progress.finish_and_clear();
    // A bulk load leaves the planner's statistics behind; without fresh ones PostgreSQL
    // picks nested loops over the whole pilots table until autovacuum catches up.
    db.execute_unprepared("ANALYZE")
        .await
        .context("refreshing the planner's statistics")?;
    written.elapsed = started.elapsed();
    Ok(written)
}

async fn write_batch(
    db: &DatabaseConnection,
    run: &str,
    pilots: Vec<pilot::ActiveModel>,
    measures: Vec<pilot_measure::ActiveModel>,
) -> anyhow::Result<()> {
    let txn = registry_api::db::begin_write(db).await?;
    let now = Utc::now();
    let mut outbox = Vec::with_capacity(pilots.len() * 2);
    let mut technologies = Vec::new();
    for p in &pilots {
        outbox.push((IndexedKind::Pilot, *p.id.as_ref()));
        technologies.push(*p.technology_id.as_ref());
    }
    technologies.sort();
    technologies.dedup();
    outbox.extend(technologies.iter().map(|t| (IndexedKind::Technology, *t)));
    let first = *pilots
        .first()
        .map(|p| p.id.as_ref())
        .unwrap_or(&Uuid::nil());
    let count = pilots.len();
    insert_chunked(&txn, pilots).await?;
    insert_chunked(&txn, measures).await?;
    // Their pilots changed, so figures kept of them are stale.
    registry_api::service::evidence_changed(&txn, technologies).await?;
    insert_chunked(
        &txn,
        outbox
            .into_iter()
            .map(|(kind, id)| search_outbox::ActiveModel {
                entity_kind: Set(kind),
                entity_id: Set(id),
                created_at: Set(now),
                available_at: Set(now),
                attempts: Set(0),
                ..Default::default()
            })
            .collect(),
    )
    .await?;
    audit_log::Entity::insert(audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_user_id: Set(None),
        actor_label: Set("system (seed)".to_owned()),
        entry_point: Set(EntryPoint::Seed),
        action: Set("pilot.synthetic_batch".to_owned()),
        entity_kind: Set("pilot".to_owned()),
        entity_id: Set(first),
        detail: Set(json!({ "run": run, "pilots": count })),
    })
    .exec_without_returning(&txn)
    .await?;
    txn.commit().await?;
    Ok(())
}

async fn insert_chunked<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> anyhow::Result<()>
where
    A: sea_orm::ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(ROWS_PER_INSERT).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

const STATUSES: [PilotStatus; 5] = [
    PilotStatus::Planned,
    PilotStatus::Live,
    PilotStatus::Completed,
    PilotStatus::Stopped,
    PilotStatus::ScaledUp,
];
const DESIGNS: [EvaluationDesign; 8] = [
    EvaluationDesign::BeforeAfter,
    EvaluationDesign::InterruptedTimeSeries,
    EvaluationDesign::Rct,
    EvaluationDesign::ClusterRct,
    EvaluationDesign::SteppedWedge,
    EvaluationDesign::Qualitative,
    EvaluationDesign::MixedMethods,
    EvaluationDesign::ServiceEvaluation,
];
const SETTINGS: [CareSetting; 6] = [
    CareSetting::Primary,
    CareSetting::Secondary,
    CareSetting::Community,
    CareSetting::MentalHealth,
    CareSetting::UrgentAndEmergency,
    CareSetting::SocialCare,
];
const SPECIALTIES: [Specialty; 8] = [
    Specialty::Cardiology,
    Specialty::Respiratory,
    Specialty::DiabetesEndocrinology,
    Specialty::MentalHealth,
    Specialty::Radiology,
    Specialty::GeneralPractice,
    Specialty::Frailty,
    Specialty::EmergencyMedicine,
];

fn make_pilot(
    rng: &mut ChaCha8Rng,
    catalogue: &Catalogue,
    run: &str,
    index: usize,
) -> (pilot::ActiveModel, Vec<pilot_measure::ActiveModel>) {
    let technology = &catalogue.technologies[rng.random_range(0..catalogue.technologies.len())];
    let host = &catalogue.hosts[rng.random_range(0..catalogue.hosts.len())];
    let status = STATUSES[rng.random_range(0..STATUSES.len())];
    let epoch = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default();
    let start = epoch + Days::new(rng.random_range(0..1_800));
    let (start_date, end_date) = match status {
        PilotStatus::Planned => (None, None),
        PilotStatus::Live => (Some(start), None),
        _ => (
            Some(start),
            Some(start + Days::new(rng.random_range(60..400))),
        ),
    };
    let visibility = match rng.random_range(0..10) {
        0 => Visibility::Draft,
        1 | 2 => Visibility::Nhs,
        _ => Visibility::Public,
    };
    let now = Utc::now();
    let id = Uuid::now_v7();
    let title: String = format!(
        "{} at {} (synthetic {run}-{index})",
        technology.name, host.name
    )
    .chars()
    .take(200)
    .collect();
    let model = pilot::ActiveModel {
        id: Set(id),
        technology_id: Set(technology.id),
        host_organisation_id: Set(host.id),
        title: Set(title),
        problem: Set(format!(
            "Synthetic pilot for scale testing: {} tried at {}.",
            technology.summary, host.name
        )),
        status: Set(status),
        start_date: Set(start_date),
        end_date: Set(end_date),
        care_setting: Set(SETTINGS[rng.random_range(0..SETTINGS.len())]),
        specialty: Set(SPECIALTIES[rng.random_range(0..SPECIALTIES.len())]),
        population: Set("Adults registered with the host organisation".to_owned()),
        patients: Set(Some(rng.random_range(20..5_000))),
        staff: Set(Some(rng.random_range(2..200))),
        funding_source: Set(Some("Synthetic".to_owned())),
        cost_gbp: Set(Some(rng.random_range(5_000..500_000))),
        design: Set(DESIGNS[rng.random_range(0..DESIGNS.len())]),
        evaluator_kind: Set(EvaluatorKind::Internal),
        evaluator_name: Set(None),
        contact_name: Set(None),
        contact_email: Set(None),
        visibility: Set(visibility),
        published_at: Set((visibility != Visibility::Draft).then_some(now)),
        withdrawn_at: Set(None),
        withdrawn_reason: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let measures = if status == PilotStatus::Planned {
        Vec::new()
    } else {
        catalogue
            .metrics
            .choose_multiple(rng, 2)
            .enumerate()
            .map(|(i, metric)| make_measure(rng, id, metric, i == 0))
            .collect()
    };
    (model, measures)
}

/// A reading that fits the metric's unit and bounds.
fn value_for(rng: &mut ChaCha8Rng, metric: &metric::Model) -> f64 {
    let (lo, hi) = match metric.unit {
        MetricUnit::Proportion => (0.05, 0.95),
        MetricUnit::Percent => (5.0, 95.0),
        MetricUnit::Score => (
            metric.min_value.unwrap_or(0.0),
            metric.max_value.unwrap_or(100.0),
        ),
        _ => (1.0, 200.0),
    };
    let (lo, hi) = (
        metric.min_value.unwrap_or(lo).max(lo),
        metric.max_value.unwrap_or(hi).min(hi),
    );
    let value = rng.random_range(lo..=hi);
    if metric.unit == MetricUnit::Count {
        value.round()
    } else {
        (value * 100.0).round() / 100.0
    }
}

fn make_measure(
    rng: &mut ChaCha8Rng,
    pilot_id: Uuid,
    metric: &metric::Model,
    is_primary: bool,
) -> pilot_measure::ActiveModel {
    let now = Utc::now();
    let mut model = pilot_measure::ActiveModel {
        id: Set(Uuid::now_v7()),
        pilot_id: Set(pilot_id),
        metric_id: Set(metric.id),
        is_primary: Set(is_primary),
        time_frame: Set("12 months".to_owned()),
        comparator: Set(Comparator::BeforeAfter),
        target: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        baseline_period_start: Set(None),
        baseline_period_end: Set(None),
        result_period_start: Set(None),
        result_period_end: Set(None),
        ..Default::default()
    };
    match metric.kind {
        MetricKind::Binary => {
            for baseline in [true, false] {
                let n = rng.random_range(50..2_000);
                let events = rng.random_range(0..=n / 3);
                let value = (f64::from(events) / f64::from(n) * 10_000.0).round() / 10_000.0;
                if baseline {
                    model.baseline_value = Set(value);
                    model.baseline_n = Set(Some(n));
                    model.baseline_events = Set(Some(events));
                    model.baseline_sd = Set(None);
                } else {
                    model.result_value = Set(value);
                    model.result_n = Set(Some(n));
                    model.result_events = Set(Some(events));
                    model.result_sd = Set(None);
                }
            }
        }
        MetricKind::Continuous => {
            let baseline = value_for(rng, metric);
            let result = value_for(rng, metric);
            let spread = |v: f64| ((v.abs() * 0.3).max(0.01) * 100.0).round() / 100.0;
            model.baseline_value = Set(baseline);
            model.baseline_n = Set(Some(rng.random_range(20..500)));
            model.baseline_sd = Set(Some(spread(baseline)));
            model.baseline_events = Set(None);
            model.result_value = Set(result);
            model.result_n = Set(Some(rng.random_range(20..500)));
            model.result_sd = Set(Some(spread(result)));
            model.result_events = Set(None);
        }
    }
    model
}
