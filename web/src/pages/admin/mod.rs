//! The registry administrator's pages, under `/admin`: organisations and their members, and
//! the metric catalogue; and the withdrawal of a pilot or a technology from its own page. Only
//! administrators may use them (anyone else gets the forbidden page; someone not signed in is
//! sent to sign in and brought back). Every rule is the services'; these handlers gather what
//! a page shows and pass on what was typed.

mod members;
mod metric_form;
mod metrics;
mod organisation_form;
mod organisations;
mod withdraw;

use askama::Template;
use axum::Router;
use axum::routing::get;
use registry_api::service::access;

use crate::WebState;
use crate::components::Crumb;
use crate::forms::{Editor, Problems};
use crate::pages::{PageError, PageResult, render};
use crate::viewer::SignedIn;

/// The administrator's routes, and the withdrawal pages of pilots and technologies.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/admin", get(index))
        .route("/admin/organisations", get(organisations::list))
        .route(
            "/admin/organisations/new",
            get(organisation_form::new).post(organisation_form::new_post),
        )
        .route(
            "/admin/organisations/{ods}/edit",
            get(organisation_form::edit).post(organisation_form::edit_post),
        )
        .route(
            "/admin/organisations/{ods}/members",
            get(members::list).post(members::invite),
        )
        .route(
            "/admin/organisations/{ods}/members/{id}/role",
            get(members::role).post(members::role_post),
        )
        .route(
            "/admin/organisations/{ods}/members/{id}/remove",
            get(members::remove).post(members::remove_post),
        )
        .route("/admin/metrics", get(metrics::list))
        .route(
            "/admin/metrics/new",
            get(metric_form::new).post(metric_form::new_post),
        )
        .route(
            "/admin/metrics/{code}/edit",
            get(metric_form::edit).post(metric_form::edit_post),
        )
        .route(
            "/admin/metrics/{code}/retire",
            get(metrics::retire).post(metrics::retire_post),
        )
        .route(
            "/pilots/{id}/withdraw",
            get(withdraw::pilot).post(withdraw::pilot_post),
        )
        .route(
            "/technologies/{slug}/withdraw",
            get(withdraw::technology).post(withdraw::technology_post),
        )
}

/// Refuses anyone but a registry administrator, with the forbidden page.
fn ensure(editor: &Editor) -> Result<(), PageError> {
    Ok(access::ensure_administrator(
        &editor.actor,
        "administer the registry",
    )?)
}

/// The trail back to the administration index.
fn crumbs(extra: &[(&str, &str)]) -> Vec<Crumb> {
    let mut crumbs = vec![Crumb::new("Home", "/"), Crumb::new("Administer", "/admin")];
    crumbs.extend(extra.iter().map(|(text, href)| Crumb::new(*text, *href)));
    crumbs
}

/// What changed between the answers a form opened with and the record as it is now: each
/// (label, then, now) that differs.
fn changed(
    then: Vec<(&'static str, String)>,
    now: Vec<(&'static str, String)>,
) -> Vec<(&'static str, String, String)> {
    then.into_iter()
        .zip(now)
        .filter(|(a, b)| a.1 != b.1)
        .map(|((label, was), (_, now))| (label, was, now))
        .collect()
}

#[derive(Template)]
#[template(path = "pages/admin/index.html")]
struct IndexPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
}

/// `GET /admin`
pub async fn index(editor: Editor) -> PageResult {
    ensure(&editor)?;
    render(&IndexPage {
        viewer: Some(editor.signed_in),
        crumbs: vec![Crumb::new("Home", "/")],
    })
}

/// "Check your answers" before an administrator's change is written.
#[derive(Template)]
#[template(path = "pages/admin/check.html")]
struct CheckPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    answers: Vec<(&'static str, String)>,
    /// Every answer (and, for an edit, what the form opened with), posted on.
    carried: Vec<(String, String)>,
    /// What saving does, in a sentence.
    after: &'static str,
    confirm: &'static str,
}

/// A confirmation before a change that takes something away (retire, remove, withdraw): what
/// it does, what it acts on, and the button that does it.
#[derive(Template)]
#[template(path = "pages/admin/confirm.html")]
struct ConfirmPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    problems: Problems,
    caption: String,
    heading: String,
    /// What happens, paragraph by paragraph.
    explanation: Vec<String>,
    details: Vec<(&'static str, String)>,
    action: String,
    carried: Vec<(String, String)>,
    confirm: String,
    cancel_href: String,
}
