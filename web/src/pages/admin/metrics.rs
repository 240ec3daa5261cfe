//! `/admin/metrics`: the metric catalogue with each metric's state, and
//! `/admin/metrics/{code}/retire`, a confirmation that says what retiring does before it is
//! done. Adding and editing a metric is `metric_form`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use registry_api::model::metric;
use registry_api::service::metrics;

use super::{ConfirmPage, crumbs, ensure};
use crate::components::Crumb;
use crate::forms::{Editor, Notice, Posted, Problems, done, page};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;
use crate::{WebState, format};

struct Line {
    metric: metric::Model,
    retired: Option<String>,
    edit_href: String,
    retire_href: Option<String>,
}

#[derive(Template)]
#[template(path = "pages/admin/metrics.html")]
struct ListPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    lines: Vec<Line>,
}

/// `GET /admin/metrics`
pub async fn list(
    State(state): State<WebState>,
    editor: Editor,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let lines = metrics::list(&state.db)
        .await?
        .into_iter()
        .map(|m| Line {
            edit_href: format!("/admin/metrics/{}/edit", m.code),
            retire_href: m
                .retired_at
                .is_none()
                .then(|| format!("/admin/metrics/{}/retire", m.code)),
            retired: m.retired_at.map(format::day),
            metric: m,
        })
        .collect();
    render(&ListPage {
        viewer: Some(editor.signed_in),
        crumbs: crumbs(&[]),
        lines,
    })
}

/// The metric a path names, by code.
pub(super) async fn metric_at(state: &WebState, code: &str) -> Result<metric::Model, PageError> {
    metrics::find_by_code(&state.db, code)
        .await?
        .ok_or(PageError::NotFound)
}

fn retire_page(editor: &Editor, metric: &metric::Model, problems: Problems) -> ConfirmPage {
    ConfirmPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(&[("Metric catalogue", "/admin/metrics")]),
        problems,
        caption: "Metric catalogue".to_owned(),
        heading: format!("Retire {}?", metric.name),
        explanation: vec![
            "Nobody will be able to record a new measure on this metric. Pilots choose another \
             metric from the catalogue instead."
                .to_owned(),
            "The measures already recorded on it stay on their pilots, and its comparison stays \
             on the evidence pages, marked as retired. Changes to those measures can still be \
             saved."
                .to_owned(),
        ],
        details: vec![
            ("Code", metric.code.clone()),
            ("Name", metric.name.clone()),
            ("Definition", metric.definition.clone()),
        ],
        action: format!("/admin/metrics/{}/retire", metric.code),
        carried: vec![("version".to_owned(), metric.version.to_string())],
        confirm: "Retire metric".to_owned(),
        cancel_href: "/admin/metrics".to_owned(),
    }
}

/// `GET /admin/metrics/{code}/retire`
pub async fn retire(
    State(state): State<WebState>,
    editor: Editor,
    Path(code): Path<String>,
) -> Result<Response, PageError> {
    ensure(&editor)?;
    let metric = metric_at(&state, &code).await?;
    if metric.retired_at.is_some() {
        return Ok(Redirect::to("/admin/metrics").into_response());
    }
    Ok(page(
        StatusCode::OK,
        &retire_page(&editor, &metric, Problems::default()),
    ))
}

/// `POST /admin/metrics/{code}/retire`
pub async fn retire_post(
    State(state): State<WebState>,
    Path(code): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let editor = &posted.editor;
    ensure(editor)?;
    let metric = metric_at(&state, &code).await?;
    let version = posted
        .fields
        .first("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(metric.version);
    match metrics::retire(&state.db, &editor.actor, metric.id, version).await {
        Ok(_) => Ok(done("/admin/metrics", Notice::MetricRetired)),
        Err(err) => {
            let refused = Problems::of(err, &[])?;
            let mut problems = Problems::default();
            for (_, message) in refused.list() {
                problems.add("changed", message.clone());
            }
            if refused.stale() {
                problems = Problems::default();
                problems.add(
                    "changed",
                    "Someone else changed this metric since you opened the page. Check it, \
                     then retire it again.",
                );
            }
            Ok(page(
                StatusCode::CONFLICT,
                &retire_page(editor, &metric, problems),
            ))
        }
    }
}
