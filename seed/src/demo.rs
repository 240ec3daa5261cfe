//! The demo data set (`seed/data/demo.json`): plainly fictional organisations, people,
//! technologies and pilots. It is loaded through the services, like any other change, and is
//! idempotent: records are matched on their natural keys (ODS code, metric code, issuer and
//! subject, slug, host and title) and only the missing ones are added.

use std::collections::HashMap;
use std::fmt;

use anyhow::{Context, anyhow};
use chrono::NaiveDate;
use registry_api::Actor;
use registry_api::model::{
    CareSetting, Comparator, DeviceClass, Direction, DtacSection, DtacStatus, EntryPoint, EsfTier,
    EvaluationDesign, EvaluatorKind, MetricDomain, MetricKind, MetricUnit, OrganisationKind,
    PilotStatus, Recommendation, Region, Role, Specialty, Standard, TechnologyCategory, Visibility,
    pilot, technology,
};
use registry_api::service::{
    accounts, measures, memberships, metrics, organisations, pilots, reports, technologies,
};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, prelude::Uuid,
};
use serde::Deserialize;

/// The issuer recorded for the demo accounts, which no identity provider uses.
pub use registry_api::service::accounts::DEMO_ISSUER;

const DATA: &str = include_str!("../data/demo.json");

#[derive(Debug, Deserialize)]
pub struct DemoData {
    pub organisations: Vec<Organisation>,
    pub metrics: Vec<Metric>,
    pub users: Vec<User>,
    pub technologies: Vec<Technology>,
    pub pilots: Vec<Pilot>,
}

#[derive(Debug, Deserialize)]
pub struct Organisation {
    pub name: String,
    pub kind: OrganisationKind,
    pub ods_code: String,
    pub region: Region,
    pub parent_icb: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Metric {
    pub code: String,
    pub name: String,
    pub unit: MetricUnit,
    pub direction: Direction,
    pub domain: MetricDomain,
    pub kind: MetricKind,
    pub definition: String,
    pub min_value: Option<f64>,
    pub max_value: Option<f64>,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub subject: String,
    pub name: String,
    pub email: String,
    pub is_administrator: bool,
    pub memberships: Vec<Membership>,
}

#[derive(Debug, Deserialize)]
pub struct Membership {
    pub organisation: String,
    pub role: Role,
}

#[derive(Debug, Deserialize)]
pub struct Technology {
    pub slug: String,
    pub name: String,
    pub supplier: String,
    pub summary: String,
    pub description: String,
    pub category: TechnologyCategory,
    pub specialties: Vec<Specialty>,
    pub care_settings: Vec<CareSetting>,
    pub standards: Vec<Standard>,
    pub device_class: DeviceClass,
    pub ukca_marked: bool,
    pub ce_marked: bool,
    pub mhra_registered: bool,
    pub esf_tier: Option<EsfTier>,
    pub dtac: Vec<Dtac>,
}

#[derive(Debug, Deserialize)]
pub struct Dtac {
    pub section: DtacSection,
    pub status: DtacStatus,
    pub assessed_on: Option<NaiveDate>,
    pub evidence_url: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Pilot {
    pub title: String,
    pub technology: String,
    pub host: String,
    pub problem: String,
    pub status: PilotStatus,
    pub start_date: Option<NaiveDate>,
    pub end_date: Option<NaiveDate>,
    pub care_setting: CareSetting,
    pub specialty: Specialty,
    pub population: String,
    pub patients: Option<i32>,
    pub staff: Option<i32>,
    pub funding_source: Option<String>,
    pub cost_gbp: Option<i64>,
    pub design: EvaluationDesign,
    pub evaluator_kind: EvaluatorKind,
    pub evaluator_name: Option<String>,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub visibility: Visibility,
    pub measures: Vec<Measure>,
    pub report_revisions: Vec<Revision>,
}

#[derive(Debug, Deserialize)]
pub struct Measure {
    pub metric: String,
    pub primary: bool,
    pub time_frame: String,
    pub comparator: Comparator,
    pub baseline: Observation,
    pub result: Observation,
    pub target: Option<f64>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
pub struct Observation {
    pub value: f64,
    pub n: Option<i32>,
    pub sd: Option<f64>,
    pub events: Option<i32>,
    pub period_start: Option<NaiveDate>,
    pub period_end: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
pub struct Revision {
    pub summary: String,
    pub findings: String,
    pub recommendation: Recommendation,
    pub barriers: String,
    pub lessons: String,
    pub costs_and_savings: String,
    pub links: Vec<reports::DocumentLink>,
    pub amendment_reason: Option<String>,
}

/// The demo data set, parsed.
pub fn data() -> anyhow::Result<DemoData> {
    serde_json::from_str(DATA).context("seed/data/demo.json does not match the demo data format")
}

/// What a load added.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct LoadReport {
    pub organisations: usize,
    pub metrics: usize,
    pub users: usize,
    pub memberships: usize,
    pub technologies: usize,
    pub pilots: usize,
    pub measures: usize,
    pub report_revisions: usize,
}

impl fmt::Display for LoadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "demo data: added {} organisations, {} metrics, {} users, {} memberships, {} technologies, {} pilots, {} measures, {} report revisions",
            self.organisations,
            self.metrics,
            self.users,
            self.memberships,
            self.technologies,
            self.pilots,
            self.measures,
            self.report_revisions
        )
    }
}

/// Adds whatever of the demo data set is missing.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<LoadReport> {
    let data = data()?;
    let actor = Actor::system(EntryPoint::Seed);
    let mut report = LoadReport::default();
    let organisation_ids = load_organisations(db, &actor, &data, &mut report).await?;
    let metric_ids = load_metrics(db, &actor, &data, &mut report).await?;
    load_users(db, &actor, &data, &organisation_ids, &mut report).await?;
    let technology_ids =
        load_technologies(db, &actor, &data, &organisation_ids, &mut report).await?;
    for demo in &data.pilots {
        // A pilot with its measures and reports is added whole or not at all.
        let txn = registry_api::db::begin_write(db).await?;
        let added = load_pilot(
            &txn,
            &actor,
            demo,
            &organisation_ids,
            &technology_ids,
            &metric_ids,
        )
        .await
        .with_context(|| format!("demo pilot {:?}", demo.title))?;
        txn.commit().await?;
        if let Some((measures, revisions)) = added {
            report.pilots += 1;
            report.measures += measures;
            report.report_revisions += revisions;
        }
    }
    Ok(report)
}

fn lookup(ids: &HashMap<String, Uuid>, key: &str, what: &str) -> anyhow::Result<Uuid> {
    ids.get(key)
        .copied()
        .ok_or_else(|| anyhow!("the demo data names {what} {key:?}, which it does not define"))
}

async fn load_organisations(
    db: &DatabaseConnection,
    actor: &Actor,
    data: &DemoData,
    report: &mut LoadReport,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    // ICBs first: the others name them as parents.
    let (icbs, others): (Vec<_>, Vec<_>) = data
        .organisations
        .iter()
        .partition(|o| o.kind == OrganisationKind::Icb);
    for demo in icbs.into_iter().chain(others) {
        let id = match organisations::find_by_ods_code(db, &demo.ods_code).await? {
            Some(existing) => existing.id,
            None => {
                let parent_icb_id = match &demo.parent_icb {
                    Some(code) => Some(lookup(&ids, code, "the ICB")?),
                    None => None,
                };
                let created = organisations::create(
                    db,
                    actor,
                    organisations::OrganisationInput {
                        name: demo.name.clone(),
                        kind: demo.kind,
                        ods_code: Some(demo.ods_code.clone()),
                        region: Some(demo.region),
                        parent_icb_id,
                    },
                )
                .await
                .with_context(|| format!("demo organisation {}", demo.ods_code))?;
                report.organisations += 1;
                created.id
            }
        };
        ids.insert(demo.ods_code.clone(), id);
    }
    Ok(ids)
}

async fn load_metrics(
    db: &DatabaseConnection,
    actor: &Actor,
    data: &DemoData,
    report: &mut LoadReport,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    for demo in &data.metrics {
        let id = match metrics::find_by_code(db, &demo.code).await? {
            Some(existing) => existing.id,
            None => {
                let created = metrics::create(
                    db,
                    actor,
                    metrics::MetricInput {
                        code: demo.code.clone(),
                        name: demo.name.clone(),
                        unit: demo.unit,
                        direction: demo.direction,
                        domain: demo.domain,
                        kind: demo.kind,
                        definition: demo.definition.clone(),
                        min_value: demo.min_value,
                        max_value: demo.max_value,
                    },
                )
                .await
                .with_context(|| format!("demo metric {}", demo.code))?;
                report.metrics += 1;
                created.id
            }
        };
        ids.insert(demo.code.clone(), id);
    }
    Ok(ids)
}

async fn load_users(
    db: &DatabaseConnection,
    actor: &Actor,
    data: &DemoData,
    organisation_ids: &HashMap<String, Uuid>,
    report: &mut LoadReport,
) -> anyhow::Result<()> {
    for demo in &data.users {
        let existing = accounts::find_user(db, DEMO_ISSUER, &demo.subject).await?;
        let user = match existing {
            Some(user) => user,
            None => {
                report.users += 1;
                accounts::upsert_user(
                    db,
                    actor,
                    accounts::Identity {
                        issuer: DEMO_ISSUER.to_owned(),
                        subject: demo.subject.clone(),
                        name: demo.name.clone(),
                        email: Some(demo.email.clone()),
                    },
                )
                .await
                .with_context(|| format!("demo user {}", demo.subject))?
            }
        };
        if demo.is_administrator && !user.is_administrator {
            accounts::set_administrator(db, actor, user.id, true).await?;
        }
        let held = accounts::memberships_of(db, user.id).await?;
        for membership in &demo.memberships {
            let organisation_id = lookup(
                organisation_ids,
                &membership.organisation,
                "the organisation",
            )?;
            let already = held
                .iter()
                .any(|(m, _)| m.organisation_id == organisation_id && m.role == membership.role);
            if !already {
                memberships::grant(db, actor, user.id, organisation_id, membership.role).await?;
                report.memberships += 1;
            }
        }
    }
    Ok(())
}

async fn load_technologies(
    db: &DatabaseConnection,
    actor: &Actor,
    data: &DemoData,
    organisation_ids: &HashMap<String, Uuid>,
    report: &mut LoadReport,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    for demo in &data.technologies {
        let existing = technology::Entity::find()
            .filter(technology::Column::Slug.eq(&demo.slug))
            .one(db)
            .await?;
        let id = match existing {
            Some(existing) => existing.id,
            None => {
                let created = technologies::register(
                    db,
                    actor,
                    technologies::TechnologyInput {
                        slug: demo.slug.clone(),
                        name: demo.name.clone(),
                        supplier_id: lookup(organisation_ids, &demo.supplier, "the supplier")?,
                        summary: demo.summary.clone(),
                        description: demo.description.clone(),
                        category: demo.category,
                        specialties: demo.specialties.clone(),
                        care_settings: demo.care_settings.clone(),
                        standards: demo.standards.clone(),
                        device_class: demo.device_class,
                        ukca_marked: demo.ukca_marked,
                        ce_marked: demo.ce_marked,
                        mhra_registered: demo.mhra_registered,
                        esf_tier: demo.esf_tier,
                        dtac: demo
                            .dtac
                            .iter()
                            .map(|d| technologies::DtacInput {
                                section: d.section,
                                status: d.status,
                                assessed_on: d.assessed_on,
                                evidence_url: d.evidence_url.clone(),
                            })
                            .collect(),
                    },
                )
                .await
                .with_context(|| format!("demo technology {}", demo.slug))?;
                report.technologies += 1;
                created.record.id
            }
        };
        ids.insert(demo.slug.clone(), id);
    }
    Ok(ids)
}

fn observation(o: &Observation) -> measures::ObservationInput {
    measures::ObservationInput {
        value: o.value,
        n: o.n,
        sd: o.sd,
        events: o.events,
        period_start: o.period_start,
        period_end: o.period_end,
    }
}

/// Adds one demo pilot unless it exists, returning how many measures and revisions it brought.
async fn load_pilot(
    db: &DatabaseTransaction,
    actor: &Actor,
    demo: &Pilot,
    organisation_ids: &HashMap<String, Uuid>,
    technology_ids: &HashMap<String, Uuid>,
    metric_ids: &HashMap<String, Uuid>,
) -> anyhow::Result<Option<(usize, usize)>> {
    let host = lookup(organisation_ids, &demo.host, "the host")?;
    let exists = pilot::Entity::find()
        .filter(pilot::Column::HostOrganisationId.eq(host))
        .filter(pilot::Column::Title.eq(&demo.title))
        .one(db)
        .await?
        .is_some();
    if exists {
        return Ok(None);
    }
    let created = pilots::register(
        db,
        actor,
        pilots::PilotInput {
            technology_id: lookup(technology_ids, &demo.technology, "the technology")?,
            host_organisation_id: host,
            title: demo.title.clone(),
            problem: demo.problem.clone(),
            status: demo.status,
            start_date: demo.start_date,
            end_date: demo.end_date,
            care_setting: demo.care_setting,
            specialty: demo.specialty,
            population: demo.population.clone(),
            patients: demo.patients,
            staff: demo.staff,
            funding_source: demo.funding_source.clone(),
            cost_gbp: demo.cost_gbp,
            design: demo.design,
            evaluator_kind: demo.evaluator_kind,
            evaluator_name: demo.evaluator_name.clone(),
            contact_name: demo.contact_name.clone(),
            contact_email: demo.contact_email.clone(),
        },
    )
    .await?;
    for measure in &demo.measures {
        measures::record(
            db,
            actor,
            measures::MeasureInput {
                pilot_id: created.id,
                metric_id: lookup(metric_ids, &measure.metric, "the metric")?,
                is_primary: measure.primary,
                time_frame: measure.time_frame.clone(),
                comparator: measure.comparator,
                baseline: observation(&measure.baseline),
                result: observation(&measure.result),
                target: measure.target,
            },
        )
        .await
        .with_context(|| format!("measure {}", measure.metric))?;
    }
    for revision in &demo.report_revisions {
        reports::submit(
            db,
            actor,
            created.id,
            reports::ReportInput {
                summary: revision.summary.clone(),
                findings: revision.findings.clone(),
                recommendation: revision.recommendation,
                barriers: revision.barriers.clone(),
                lessons: revision.lessons.clone(),
                costs_and_savings: revision.costs_and_savings.clone(),
                links: revision.links.clone(),
                amendment_reason: revision.amendment_reason.clone(),
                publish: true,
                draft_version: None,
            },
        )
        .await
        .context("report revision")?;
    }
    if demo.visibility != Visibility::Draft {
        pilots::publish(db, actor, created.id, created.version, demo.visibility).await?;
    }
    Ok(Some((demo.measures.len(), demo.report_revisions.len())))
}
