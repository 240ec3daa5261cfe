//! `/technologies/{slug}`: a technology's details, its pilots, and its evidence at a glance —
//! for each metric its pilots measured, the pooled estimate and a link to the comparison.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use registry_api::model::{PoolingMethod, technology_dtac};
use registry_api::service::pilots::PilotFilter;
use registry_api::service::{access, comparisons};
use registry_api::service::{organisations, technologies, tombstones};
use serde::Deserialize;

use crate::components::Crumb;
use crate::forms::page;
use crate::pages::pilots::{PilotTable, table};
use crate::pages::{PageError, tombstone};
use crate::viewer::{SignedIn, Viewer};
use crate::{WebState, format, wording};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TechnologyQuery {
    page: Option<u64>,
}

/// A metric's evidence for the technology.
struct EvidenceLine {
    metric: String,
    href: String,
    pilots: usize,
    pooled: String,
}

struct DtacLine {
    section: &'static str,
    status: &'static str,
    assessed: String,
    evidence_url: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/technology.html")]
struct TechnologyPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    name: String,
    summary: String,
    description: String,
    supplier: String,
    supplier_href: Option<String>,
    details: Vec<(&'static str, String)>,
    dtac: Vec<DtacLine>,
    pilots: PilotTable,
    evidence: Vec<EvidenceLine>,
    slug: String,
    /// For an innovator at the supplier (or an administrator): where to edit it.
    edit_href: Option<String>,
    /// For an administrator: where to withdraw it.
    withdraw_href: Option<String>,
}

/// A list of labels, or "None given".
fn listed(labels: impl IntoIterator<Item = &'static str>) -> String {
    let labels: Vec<&str> = labels.into_iter().collect();
    if labels.is_empty() {
        "None given".to_owned()
    } else {
        labels.join(", ")
    }
}

fn regulatory(t: &registry_api::model::technology::Model) -> String {
    let mut marks = vec![t.device_class.label()];
    if t.ukca_marked {
        marks.push("UKCA marked");
    }
    if t.ce_marked {
        marks.push("CE marked");
    }
    if t.mhra_registered {
        marks.push("registered with the MHRA");
    }
    marks.join(", ")
}

fn dtac_line(d: &technology_dtac::Model) -> DtacLine {
    DtacLine {
        section: d.section.label(),
        status: d.status.label(),
        assessed: d
            .assessed_on
            .map_or_else(|| "Not given".to_owned(), format::date),
        evidence_url: d.evidence_url.clone(),
    }
}

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(query): Query<TechnologyQuery>,
) -> Result<Response, PageError> {
    let db = &state.db;
    let actor = &viewer.actor;
    if let Some(gone) = tombstones::of_technology(db, &slug).await? {
        return Ok(tombstone::page(viewer.signed_in, "technology", gone));
    }
    let technology = technologies::get_by_slug(db, actor, &slug).await?;
    let supplier = organisations::get(db, technology.record.supplier_id).await?;
    let slug = technology.record.slug.clone();
    let pilots = table(
        db,
        actor,
        &PilotFilter {
            technology_id: Some(technology.record.id),
            ..PilotFilter::default()
        },
        query.page,
        |n| format!("/technologies/{slug}?page={n}#pilots"),
    )
    .await?;
    let evidence = comparisons::of_technology(
        db,
        &state.evidence,
        actor,
        &technology.record,
        PoolingMethod::Reml,
    )
    .await?
    .iter()
    .map(|e| EvidenceLine {
        metric: e.metric.name.clone(),
        href: format!(
            "/evidence/{}?technologyId={}",
            e.metric.code, technology.record.id
        ),
        pilots: e.pilots,
        pooled: wording::pooled_sentence(&e.metric, e.effect_measure, e.weighed, e.pooled.as_ref()),
    })
    .collect();
    let t = &technology.record;
    let details = vec![
        ("Category", t.category.label().to_owned()),
        (
            "Care settings",
            listed(technology.care_settings.iter().map(|c| c.label())),
        ),
        (
            "Specialties",
            listed(technology.specialties.iter().map(|s| s.label())),
        ),
        (
            "Standards supported",
            listed(technology.standards.iter().map(|s| s.label())),
        ),
        ("Regulatory status", regulatory(t)),
        (
            "NICE evidence standards tier",
            t.esf_tier
                .map_or_else(|| "Not given".to_owned(), |tier| tier.label().to_owned()),
        ),
    ];
    Ok(page(
        StatusCode::OK,
        &TechnologyPage {
            viewer: viewer.signed_in,
            crumbs: vec![
                Crumb::new("Home", "/"),
                Crumb::new("Search", "/search?kind=TECHNOLOGY"),
            ],
            name: t.name.clone(),
            summary: t.summary.clone(),
            description: t.description.clone(),
            supplier_href: supplier
                .ods_code
                .as_ref()
                .map(|c| format!("/organisations/{c}")),
            supplier: supplier.name,
            details,
            dtac: technology.dtac.iter().map(dtac_line).collect(),
            pilots,
            evidence,
            slug: t.slug.clone(),
            edit_href: access::ensure_innovator_at(actor, t.supplier_id)
                .is_ok()
                .then(|| format!("/technologies/{}/edit", t.slug)),
            withdraw_href: access::ensure_administrator(actor, "withdraw technologies")
                .is_ok()
                .then(|| format!("/technologies/{}/withdraw", t.slug)),
        },
    ))
}
