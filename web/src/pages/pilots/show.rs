//! `/pilots/{id}`: one pilot in full — its details, each measure with its outcome, the current
//! evaluation report and its history — and the pilot tables other pages list pilots in.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use registry_api::Actor;
use registry_api::evidence::rate_pilot;
use registry_api::model::{
    PilotStatus, RevisionStatus, Visibility, metric, pilot, pilot_measure, report_revision,
};
use registry_api::service::pilots::PilotFilter;
use registry_api::service::reads::{self, Door};
use registry_api::service::{
    PageRequest, Sort, access, measures, metrics, organisations, reports, sharing, technologies,
    tombstones,
};
use sea_orm::DatabaseConnection;
use sea_orm::prelude::Uuid;

use crate::charts::{self, OutcomeChart, Reading};
use crate::components::{Crumb, Pagination};
use crate::forms::page;
use crate::pages::{PageError, tombstone};
use crate::viewer::{SignedIn, Viewer};
use crate::{WebState, format, wording};

/// A pilot as a row of a table of pilots.
pub struct PilotRow {
    pub href: String,
    pub title: String,
    pub host: String,
    pub care_setting: &'static str,
    pub status: &'static str,
    pub design: &'static str,
    pub dates: String,
    pub rating: &'static str,
    pub recommendation: String,
}

/// Pilots a page of a technology or an organisation lists.
const PILOTS_PER_PAGE: u64 = 20;

/// One page of a table of pilots: how many there are, the rows, and links to the other pages.
pub struct PilotTable {
    pub count: String,
    pub rows: Vec<PilotRow>,
    pub pages: Pagination,
}

/// Page `current` (from 1) of the pilots `filter` selects that the viewer may read, by start
/// date; `href` makes each page's address.
pub async fn table(
    db: &DatabaseConnection,
    actor: &Actor,
    filter: &PilotFilter,
    current: Option<u64>,
    href: impl Fn(u64) -> String,
) -> Result<PilotTable, PageError> {
    let current = current.unwrap_or(1).max(1);
    let page = registry_api::service::pilots::list(
        db,
        actor,
        filter,
        Sort::StartDate,
        PageRequest::new(
            PILOTS_PER_PAGE as i64,
            (current - 1).saturating_mul(PILOTS_PER_PAGE),
        )?,
    )
    .await?;
    Ok(PilotTable {
        count: format::count(page.total()),
        rows: rows(db, actor, &page.items).await?,
        pages: Pagination::new(page.total(), PILOTS_PER_PAGE, current, href),
    })
}

/// "April 2024 to March 2025", or as much of it as is known.
fn dates(p: &pilot::Model) -> String {
    let month = |d: chrono::NaiveDate| d.format("%B %Y").to_string();
    match (p.start_date, p.end_date) {
        (Some(s), Some(e)) => format!("{} to {}", month(s), month(e)),
        (Some(s), None) => format!("From {}", month(s)),
        (None, Some(e)) => format!("Until {}", month(e)),
        (None, None) => "Not given".to_owned(),
    }
}

/// The rows for pilots the viewer has already been allowed to read: hosts by name, each
/// pilot's evidence rating and its latest published recommendation.
pub(super) async fn rows(
    db: &DatabaseConnection,
    actor: &Actor,
    pilots: &[pilot::Model],
) -> Result<Vec<PilotRow>, PageError> {
    let hosts: HashMap<Uuid, String> =
        organisations::get_many(db, pilots.iter().map(|p| p.host_organisation_id))
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
    let mut measured: HashMap<Uuid, Vec<pilot_measure::Model>> = HashMap::new();
    for m in measures::of_pilots(db, actor, pilots.iter().map(|p| p.id)).await? {
        measured.entry(m.pilot_id).or_default().push(m);
    }
    let mut recommendations: HashMap<Uuid, &'static str> = HashMap::new();
    for revision in reports::of_pilots(db, actor, pilots.iter().map(|p| p.id)).await? {
        if revision.status == RevisionStatus::Published {
            recommendations.insert(revision.pilot_id, revision.recommendation.label());
        }
    }
    Ok(pilots
        .iter()
        .map(|p| PilotRow {
            href: format!("/pilots/{}", p.id),
            title: p.title.clone(),
            host: hosts
                .get(&p.host_organisation_id)
                .cloned()
                .unwrap_or_default(),
            care_setting: p.care_setting.label(),
            status: p.status.label(),
            design: p.design.label(),
            dates: dates(p),
            rating: rate_pilot(p, measured.get(&p.id).map_or(&[], Vec::as_slice)).label(),
            recommendation: recommendations
                .get(&p.id)
                .map_or_else(|| "No report yet".to_owned(), |r| (*r).to_owned()),
        })
        .collect())
}

/// One side of a measure as read: its value, and what it was measured on in brackets.
struct SideView {
    text: String,
}

fn side(m: &measures::Side, metric: &metric::Model) -> SideView {
    let mut detail = Vec::new();
    if let Some(events) = m.events {
        detail.push(format!("{} events", format::count(events.max(0) as u64)));
    }
    if let Some(n) = m.n {
        detail.push(format!("n = {}", format::count(n.max(0) as u64)));
    }
    if let Some(sd) = m.sd {
        detail.push(format!("SD {}", format::figure(sd)));
    }
    if let Some(ci) = m.ci95(metric.kind) {
        detail.push(format!(
            "95% CI {} to {}",
            wording::value(ci.lower, metric.unit),
            wording::value(ci.upper, metric.unit)
        ));
    }
    let value = wording::value(m.value, metric.unit);
    SideView {
        text: if detail.is_empty() {
            value
        } else {
            format!("{value} ({})", detail.join(", "))
        },
    }
}

/// A measure as the pilot page shows it.
struct MeasureView {
    metric_name: String,
    metric_href: String,
    primary: bool,
    time_frame: String,
    comparator: &'static str,
    direction: &'static str,
    baseline: SideView,
    result: SideView,
    change: String,
    improved: bool,
    effect_label: String,
    effect: String,
    chart: String,
    /// For the host's evaluators: where to replace it.
    replace_href: Option<String>,
}

/// What the host's evaluators can do with the pilot, and who reads it now.
struct WorkPanel {
    readers: String,
    public: bool,
    report_action: &'static str,
}

/// The report revision shown in full, with its links.
struct ReportView {
    revision: report_revision::Model,
    links: Vec<reports::DocumentLink>,
    published: String,
}

/// A line of the report's history.
struct RevisionLine {
    number: i32,
    status: &'static str,
    date: String,
    reason: String,
}

#[derive(Template)]
#[template(path = "pages/pilot.html")]
struct PilotPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    pilot: pilot::Model,
    technology_name: String,
    technology_href: String,
    host_name: String,
    host_href: Option<String>,
    status_note: &'static str,
    dates: String,
    rating: &'static str,
    rating_tag: String,
    published: Option<String>,
    details: Vec<(&'static str, String)>,
    measures: Vec<MeasureView>,
    report: Option<ReportView>,
    history: Vec<RevisionLine>,
    work: Option<WorkPanel>,
    /// For an administrator: where to withdraw it.
    withdraw_href: Option<String>,
    /// Whether the viewer may see who opened this pilot (its host's members, administrators).
    sees_reads: bool,
}

/// What a status means for a reader weighing the evidence.
fn status_note(status: PilotStatus) -> &'static str {
    match status {
        PilotStatus::Planned => "This pilot has not started yet.",
        PilotStatus::Live => "This pilot is still running: its results may change.",
        PilotStatus::Completed => "This pilot has finished.",
        PilotStatus::Stopped => {
            "This pilot was stopped before it finished. What it found is a result too: read the report for why."
        }
        PilotStatus::ScaledUp => "This pilot finished and the technology was adopted more widely.",
    }
}

/// `GET /pilots/{id}`: the pilot, or its tombstone once withdrawn.
pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError::NotFound)?;
    let db = &state.db;
    let actor = &viewer.actor;
    if let Some(gone) = tombstones::of_pilot(db, actor, id).await? {
        return Ok(tombstone::page(viewer.signed_in, "pilot", gone));
    }
    let pilot = registry_api::service::pilots::open(db, actor, id, Door::Page).await?;
    let technology = technologies::get(db, actor, pilot.technology_id).await?;
    let host = organisations::get(db, pilot.host_organisation_id).await?;
    let recorded = measures::of_pilots(db, actor, [pilot.id]).await?;
    let catalogue: HashMap<Uuid, metric::Model> =
        metrics::get_many(db, recorded.iter().map(|m| m.metric_id))
            .await?
            .into_iter()
            .map(|m| (m.id, m))
            .collect();
    let editable = access::ensure_evaluator_at(actor, pilot.host_organisation_id).is_ok();
    let mut measures: Vec<MeasureView> = recorded
        .iter()
        .filter_map(|m| Some(measure_view(m, catalogue.get(&m.metric_id)?)))
        .collect::<Result<_, _>>()?;
    if editable {
        for (view, m) in measures.iter_mut().zip(&recorded) {
            view.replace_href = Some(format!(
                "/pilots/{}/measures/new?replace={}",
                pilot.id, m.id
            ));
        }
    }
    let revisions = reports::of_pilots(db, actor, [pilot.id]).await?;
    let current = revisions
        .iter()
        .rev()
        .find(|r| r.status == RevisionStatus::Published)
        .or(revisions.last());
    if let Some(shown) = current {
        reads::opened_report(db, actor, &pilot, shown, Door::Page).await;
    }
    let report = current.map(|r| ReportView {
        links: reports::links(r),
        published: r
            .published_at
            .map_or_else(|| "Not published".to_owned(), format::day),
        revision: r.clone(),
    });
    let history = revisions
        .iter()
        .rev()
        .map(|r| RevisionLine {
            number: r.revision,
            status: r.status.label(),
            date: format::day(r.published_at.unwrap_or(r.updated_at)),
            reason: r.amendment_reason.clone().unwrap_or_else(|| {
                if r.revision == 1 {
                    "First report".to_owned()
                } else {
                    String::new()
                }
            }),
        })
        .collect();

    let optional = |v: &Option<String>| v.clone().unwrap_or_else(|| "Not given".to_owned());
    let count = |v: Option<i32>| {
        v.map_or_else(
            || "Not given".to_owned(),
            |n| format::count(n.max(0) as u64),
        )
    };
    let mut details = vec![
        ("Problem addressed", pilot.problem.clone()),
        ("Care setting", pilot.care_setting.label().to_owned()),
        ("Specialty", pilot.specialty.label().to_owned()),
        ("Population", pilot.population.clone()),
        ("Patients", count(pilot.patients)),
        ("Staff", count(pilot.staff)),
        ("Funding source", optional(&pilot.funding_source)),
        (
            "Cost",
            pilot.cost_gbp.map_or_else(
                || "Not given".to_owned(),
                |c| format!("£{}", format::number(c as f64, 0)),
            ),
        ),
        ("Evaluation design", pilot.design.label().to_owned()),
        (
            "Evaluator",
            match &pilot.evaluator_name {
                Some(name) => format!("{} ({})", pilot.evaluator_kind.label(), name),
                None => pilot.evaluator_kind.label().to_owned(),
            },
        ),
    ];
    if let Some(name) = &pilot.contact_name {
        let email = pilot.contact_email.clone().unwrap_or_default();
        details.push(("Contact", format!("{name} {email}").trim().to_owned()));
    }
    details.push(("Who can read it", pilot.visibility.label().to_owned()));
    let work = if editable {
        let shared: Vec<String> = sharing::of_pilot(db, actor, pilot.id)
            .await?
            .into_iter()
            .map(|s| s.organisation.name)
            .collect();
        Some(WorkPanel {
            readers: super::work::readers(pilot.visibility, &host.name, &shared),
            public: pilot.visibility == Visibility::Public,
            report_action: if revisions
                .iter()
                .any(|r| r.status == RevisionStatus::Published)
            {
                "Amend the evaluation report"
            } else if revisions.is_empty() {
                "Write the evaluation report"
            } else {
                "Carry on with the draft report"
            },
        })
    } else {
        None
    };

    Ok(page(
        StatusCode::OK,
        &PilotPage {
            viewer: viewer.signed_in,
            crumbs: vec![
                Crumb::new("Home", "/"),
                Crumb::new(
                    technology.record.name.clone(),
                    format!("/technologies/{}", technology.record.slug),
                ),
            ],
            technology_name: technology.record.name.clone(),
            technology_href: format!("/technologies/{}", technology.record.slug),
            host_href: host
                .ods_code
                .as_ref()
                .map(|c| format!("/organisations/{c}")),
            host_name: host.name,
            status_note: status_note(pilot.status),
            dates: dates(&pilot),
            rating: rate_pilot(&pilot, &recorded).label(),
            rating_tag: format!("{} evidence", rate_pilot(&pilot, &recorded).label()),
            published: pilot.published_at.map(format::day),
            details,
            measures,
            report,
            history,
            withdraw_href: access::ensure_administrator(actor, "withdraw pilots")
                .is_ok()
                .then(|| format!("/pilots/{}/withdraw", pilot.id)),
            work,
            sees_reads: access::can_read_audit_of(actor, &pilot),
            pilot,
        },
    ))
}

fn measure_view(
    m: &pilot_measure::Model,
    metric: &metric::Model,
) -> Result<MeasureView, PageError> {
    let change = measures::change(m, metric.direction);
    let relative = change
        .relative
        .map(|r| format!(" ({}%)", format::number(r * 100.0, 1)))
        .unwrap_or_default();
    let (effect_label, effect) = match measures::effect(m, metric) {
        Ok(e) => (
            e.measure.label().to_owned(),
            format!(
                "{}: {}",
                wording::with_interval(e.estimate, e.ci_lower, e.ci_upper),
                wording::verdict(e.measure, metric.direction, e.ci_lower, e.ci_upper)
            ),
        ),
        Err(why) => ("Effect".to_owned(), format!("Not worked out: {why}")),
    };
    let chart = charts::outcome_chart(&OutcomeChart {
        id: &m.id.to_string(),
        metric_name: &metric.name,
        unit: metric.unit,
        direction: metric.direction,
        baseline: Reading::of(&measures::baseline(m), metric.kind),
        result: Reading::of(&measures::result(m), metric.kind),
    })?;
    Ok(MeasureView {
        metric_name: metric.name.clone(),
        metric_href: format!("/evidence/{}", metric.code),
        primary: m.is_primary,
        time_frame: m.time_frame.clone(),
        comparator: m.comparator.label(),
        direction: metric.direction.label(),
        baseline: side(&measures::baseline(m), metric),
        result: side(&measures::result(m), metric),
        change: format!("{}{relative}", wording::value(change.absolute, metric.unit)),
        improved: change.improved,
        effect_label,
        effect,
        chart,
        replace_href: None,
    })
}
