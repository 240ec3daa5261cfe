//! `/admin/organisations`: the organisations by name, each with links to edit it and to its
//! members. Adding and editing one is `organisation_form`.

use askama::Template;
use axum::extract::{Query, State};
use axum::response::Html;
use registry_api::model::organisation;
use registry_api::service::PageRequest;
use registry_api::service::organisations::{self, OrganisationFilter};
use sea_orm::prelude::Uuid;
use serde::Deserialize;

use super::{crumbs, ensure};
use crate::WebState;
use crate::components::{Crumb, Pagination};
use crate::format;
use crate::forms::Editor;
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// Organisations a page of the list holds.
const PER_PAGE: u64 = 50;

struct Line {
    name: String,
    kind: &'static str,
    ods_code: String,
    edit_href: String,
    members_href: String,
}

#[derive(Template)]
#[template(path = "pages/admin/organisations.html")]
struct ListPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    count: String,
    lines: Vec<Line>,
    pages: Pagination,
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page: Option<u64>,
}

/// The path segment an organisation's admin pages are under: its ODS code, or its id if it
/// has none.
pub(super) fn key_of(o: &organisation::Model) -> String {
    o.ods_code.clone().unwrap_or_else(|| o.id.to_string())
}

/// `GET /admin/organisations`
pub async fn list(
    State(state): State<WebState>,
    editor: Editor,
    Query(query): Query<ListQuery>,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let current = query.page.unwrap_or(1).max(1);
    let found = organisations::list_by_name(
        &state.db,
        &OrganisationFilter::default(),
        PageRequest::new(PER_PAGE as i64, (current - 1).saturating_mul(PER_PAGE))?,
    )
    .await?;
    render(&ListPage {
        viewer: Some(editor.signed_in),
        crumbs: crumbs(&[]),
        count: format::count(found.total()),
        pages: Pagination::new(found.total(), PER_PAGE, current, |n| {
            format!("/admin/organisations?page={n}")
        }),
        lines: found
            .items
            .iter()
            .map(|o| Line {
                name: o.name.clone(),
                kind: o.kind.label(),
                ods_code: o.ods_code.clone().unwrap_or_else(|| "None".to_owned()),
                edit_href: format!("/admin/organisations/{}/edit", key_of(o)),
                members_href: format!("/admin/organisations/{}/members", key_of(o)),
            })
            .collect(),
    })
}

/// The organisation an admin page's path names, by ODS code or id.
pub(super) async fn at(state: &WebState, key: &str) -> Result<organisation::Model, PageError> {
    if let Some(found) = organisations::find_by_ods_code(&state.db, key).await? {
        return Ok(found);
    }
    let id = Uuid::parse_str(key).map_err(|_| PageError::NotFound)?;
    Ok(organisations::get(&state.db, id).await?)
}
