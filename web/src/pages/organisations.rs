//! `/organisations/{odsCode}`: an organisation, the pilots it hosts and the technologies it
//! supplies, as far as the viewer may read them.

use askama::Template;
use axum::extract::{Path, Query, State};
use registry_api::model::PoolingMethod;
use registry_api::service::comparisons;
use registry_api::service::pilots::PilotFilter;
use registry_api::service::technologies::{self, TechnologyFilter};
use registry_api::service::{PageRequest, Sort, organisations};
use serde::Deserialize;

use super::pilots::{PilotTable, table};
use super::{PageError, PageResult, render};
use crate::components::Crumb;
use crate::viewer::{SignedIn, Viewer};
use crate::{WebState, format, wording};

/// Technologies listed; a supplier with more is searched instead.
const TECHNOLOGIES_SHOWN: u64 = 50;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrganisationQuery {
    page: Option<u64>,
}

struct TechnologyLine {
    name: String,
    href: String,
    summary: String,
    pilots: String,
    outcomes: String,
}

#[derive(Template)]
#[template(path = "pages/organisation.html")]
struct OrganisationPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    name: String,
    details: Vec<(&'static str, String)>,
    parent: Option<(String, Option<String>)>,
    pilots: PilotTable,
    technologies: Vec<TechnologyLine>,
    technology_count: u64,
}

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(ods_code): Path<String>,
    Query(query): Query<OrganisationQuery>,
) -> PageResult {
    let db = &state.db;
    let actor = &viewer.actor;
    let organisation = organisations::find_by_ods_code(db, &ods_code)
        .await?
        .ok_or(PageError::NotFound)?;
    let parent = match organisation.parent_icb_id {
        Some(id) => {
            let icb = organisations::get(db, id).await?;
            Some((
                icb.name,
                icb.ods_code.map(|c| format!("/organisations/{c}")),
            ))
        }
        None => None,
    };
    let code = organisation.ods_code.clone().unwrap_or_default();
    let pilots = table(
        db,
        actor,
        &PilotFilter {
            host_organisation_id: Some(organisation.id),
            ..PilotFilter::default()
        },
        query.page,
        |n| format!("/organisations/{code}?page={n}#pilots"),
    )
    .await?;
    let supplied = technologies::list(
        db,
        actor,
        &TechnologyFilter {
            supplier_id: Some(organisation.id),
            ..TechnologyFilter::default()
        },
        Sort::Name,
        PageRequest::new(TECHNOLOGIES_SHOWN as i64, 0)?,
    )
    .await?;
    let mut technologies = Vec::with_capacity(supplied.items.len());
    for t in &supplied.items {
        let pilots = technologies::count_pilots(db, actor, t.record.id).await?;
        let evidence =
            comparisons::of_technology(db, &state.evidence, actor, &t.record, PoolingMethod::Reml)
                .await?;
        technologies.push(TechnologyLine {
            name: t.record.name.clone(),
            href: format!("/technologies/{}", t.record.slug),
            summary: t.record.summary.clone(),
            pilots: format!(
                "{} {}",
                format::count(pilots),
                if pilots == 1 { "pilot" } else { "pilots" }
            ),
            outcomes: wording::outcomes(&evidence),
        });
    }
    let details = vec![
        ("Kind", organisation.kind.label().to_owned()),
        ("ODS code", code.clone()),
        (
            "NHS England region",
            organisation
                .region
                .map_or_else(|| "Not given".to_owned(), |r| r.label().to_owned()),
        ),
    ];
    render(&OrganisationPage {
        viewer: viewer.signed_in,
        crumbs: vec![Crumb::new("Home", "/")],
        name: organisation.name,
        details,
        parent,
        pilots,
        technology_count: supplied.total(),
        technologies,
    })
}
