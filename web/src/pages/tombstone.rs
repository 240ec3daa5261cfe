//! The page a withdrawn pilot or technology leaves where it stood: its title, its host or
//! supplier, when it was withdrawn and why, answered `410 Gone` so that links and crawlers
//! learn it is not coming back. Who sees it is the services' rule
//! (`registry_api::service::tombstones`).

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use registry_api::service::tombstones::Tombstone;

use crate::components::Crumb;
use crate::format;
use crate::viewer::SignedIn;

#[derive(Template)]
#[template(path = "pages/tombstone.html")]
struct TombstonePage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    /// "pilot" or "technology".
    kind: &'static str,
    /// "Host organisation" or "Supplier".
    organisation_label: &'static str,
    organisation_href: Option<String>,
    tombstone: Tombstone,
    withdrawn_on: String,
}

/// The tombstone of a withdrawn `kind` ("pilot" or "technology").
pub fn page(viewer: Option<SignedIn>, kind: &'static str, tombstone: Tombstone) -> Response {
    crate::forms::page(
        StatusCode::GONE,
        &TombstonePage {
            viewer,
            crumbs: vec![Crumb::new("Home", "/")],
            kind,
            organisation_label: if kind == "pilot" {
                "Host organisation"
            } else {
                "Supplier"
            },
            organisation_href: tombstone
                .organisation
                .ods_code
                .as_ref()
                .map(|c| format!("/organisations/{c}")),
            withdrawn_on: format::day(tombstone.withdrawn_at),
            tombstone,
        },
    )
}
