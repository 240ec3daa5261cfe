//! `/organisations/{odsCode}`: an organisation, the pilots it hosts and the technologies it
//! supplies, as far as the viewer may read them.

use askama::Template;
use axum::extract::{Path, Query, State};
use registry_api::service::pilots::{self, PilotFilter};
use registry_api::service::technologies::{self, TechnologyFilter};
use registry_api::service::{PageRequest, Sort, organisations};
use serde::Deserialize;

use super::pilots::{PilotRow, rows};
use super::{PageError, PageResult, render};
use crate::components::{Crumb, Pagination};
use crate::viewer::{SignedIn, Viewer};
use crate::{WebState, format};

/// Pilots listed on a page of the organisation.
const PILOTS_PER_PAGE: u64 = 20;
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
}

#[derive(Template)]
#[template(path = "pages/organisation.html")]
struct OrganisationPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    name: String,
    details: Vec<(&'static str, String)>,
    parent: Option<(String, Option<String>)>,
    pilot_count: String,
    pilots: Vec<PilotRow>,
    pages: Pagination,
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
    let current = query.page.unwrap_or(1).max(1);
    let hosted = pilots::list(
        db,
        actor,
        &PilotFilter {
            host_organisation_id: Some(organisation.id),
            ..PilotFilter::default()
        },
        Sort::StartDate,
        PageRequest::new(
            PILOTS_PER_PAGE as i64,
            (current - 1).saturating_mul(PILOTS_PER_PAGE),
        )?,
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
        technologies.push(TechnologyLine {
            name: t.record.name.clone(),
            href: format!("/technologies/{}", t.record.slug),
            summary: t.record.summary.clone(),
            pilots: format!(
                "{} {}",
                format::count(pilots),
                if pilots == 1 { "pilot" } else { "pilots" }
            ),
        });
    }
    let code = organisation.ods_code.clone().unwrap_or_default();
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
        pilot_count: format::count(hosted.total_count),
        pilots: rows(db, actor, &hosted.items).await?,
        pages: Pagination::new(hosted.total_count, PILOTS_PER_PAGE, current, |n| {
            format!("/organisations/{code}?page={n}#pilots")
        }),
        technology_count: supplied.total_count,
        technologies,
    })
}
