//! `/pilots/{id}/withdraw` and `/technologies/{slug}/withdraw`: an administrator gives the
//! reason, confirms on a page that says what withdrawing does, and the record's page becomes
//! its tombstone (title, organisation, date and reason, for everyone who could read it).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use registry_api::service::{organisations, pilots, technologies, tombstones};
use sea_orm::prelude::Uuid;

use super::{ConfirmPage, ensure};
use crate::WebState;
use crate::components::Crumb;
use crate::forms::{Editor, Fields, Notice, Posted, Problems, done, page};
use crate::pages::PageError;
use crate::viewer::SignedIn;

/// The record being withdrawn, as these pages show it.
struct Record {
    /// "pilot" or "technology".
    kind: &'static str,
    id: Uuid,
    title: String,
    /// Host or supplier, with what it is to the record.
    organisation: (&'static str, String),
    href: String,
    version: i32,
    withdrawn: bool,
    /// What withdrawing takes away, for the confirmation.
    effect: &'static str,
}

impl Record {
    fn action(&self) -> String {
        format!("{}/withdraw", self.href)
    }

    fn crumbs(&self) -> Vec<Crumb> {
        vec![
            Crumb::new("Home", "/"),
            Crumb::new(self.title.clone(), self.href.clone()),
        ]
    }
}

async fn pilot_record(state: &WebState, editor: &Editor, id: &str) -> Result<Record, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| PageError::NotFound)?;
    let pilot = pilots::get(&state.db, &editor.actor, id).await?;
    let host = organisations::get(&state.db, pilot.host_organisation_id).await?;
    Ok(Record {
        kind: "pilot",
        id: pilot.id,
        href: format!("/pilots/{}", pilot.id),
        organisation: ("Host organisation", host.name),
        title: pilot.title,
        version: pilot.version,
        withdrawn: pilot.withdrawn_at.is_some(),
        effect: "It leaves search, lists, exports and feeds, and its measures stop counting in \
                 comparisons and pooled figures.",
    })
}

async fn technology_record(
    state: &WebState,
    editor: &Editor,
    slug: &str,
) -> Result<Record, PageError> {
    let technology = technologies::get_by_slug(&state.db, &editor.actor, slug).await?;
    let supplier = organisations::get(&state.db, technology.record.supplier_id).await?;
    Ok(Record {
        kind: "technology",
        id: technology.record.id,
        href: format!("/technologies/{}", technology.record.slug),
        organisation: ("Supplier", supplier.name),
        title: technology.record.name,
        version: technology.record.version,
        withdrawn: technology.record.withdrawn_at.is_some(),
        effect: "It leaves search, lists, exports and feeds. Its pilots keep their own pages.",
    })
}

#[derive(Template)]
#[template(path = "pages/admin/withdraw.html")]
struct ReasonPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    kind: &'static str,
    title: String,
    action: String,
    problems: Problems,
    reason: String,
    version: i32,
}

fn reason_page(editor: &Editor, record: &Record, reason: String, problems: Problems) -> ReasonPage {
    ReasonPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: record.crumbs(),
        kind: record.kind,
        title: record.title.clone(),
        action: record.action(),
        problems,
        reason,
        version: record.version,
    }
}

fn confirm_page(editor: &Editor, record: &Record, reason: &str, version: i32) -> ConfirmPage {
    ConfirmPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: record.crumbs(),
        problems: Problems::default(),
        caption: format!("Withdraw a {}", record.kind),
        heading: format!("Withdraw {}?", record.title),
        explanation: vec![
            format!(
                "Its page will show only its title, its {}, the date and your reason, to \
                 everyone who could read it before.",
                record.organisation.0.to_lowercase()
            ),
            record.effect.to_owned(),
            "It cannot be undone from these pages. The withdrawal is kept in its history and \
             the audit log."
                .to_owned(),
        ],
        details: vec![
            (
                if record.kind == "pilot" {
                    "Pilot"
                } else {
                    "Technology"
                },
                record.title.clone(),
            ),
            (record.organisation.0, record.organisation.1.clone()),
            ("Reason", reason.to_owned()),
        ],
        action: record.action(),
        carried: vec![
            ("version".to_owned(), version.to_string()),
            ("reason".to_owned(), reason.to_owned()),
        ],
        confirm: format!("Withdraw {}", record.kind),
        cancel_href: record.href.clone(),
    }
}

/// The reason form, unless the record is already withdrawn (then its tombstone).
fn show(editor: &Editor, record: &Record) -> Response {
    if record.withdrawn {
        return Redirect::to(&record.href).into_response();
    }
    page(
        StatusCode::OK,
        &reason_page(editor, record, String::new(), Problems::default()),
    )
}

/// "continue" checks the reason and asks for confirmation; "confirm" withdraws.
async fn take(
    state: &WebState,
    editor: &Editor,
    record: &Record,
    fields: &Fields,
) -> Result<Response, PageError> {
    let reason = fields.text("reason");
    let version = fields
        .first("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(record.version);
    if fields.first("step") != Some("confirm") {
        return Ok(match tombstones::withdrawal_reason(record.kind, &reason) {
            Ok(reason) => page(
                StatusCode::OK,
                &confirm_page(editor, record, &reason, version),
            ),
            Err(err) => page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &reason_page(editor, record, reason, Problems::of(err, &["reason"])?),
            ),
        });
    }
    let actor = &editor.actor;
    let (result, notice) = if record.kind == "pilot" {
        (
            pilots::withdraw(&state.db, actor, record.id, version, &reason)
                .await
                .map(|_| ()),
            Notice::PilotWithdrawn,
        )
    } else {
        (
            technologies::withdraw(&state.db, actor, record.id, version, &reason)
                .await
                .map(|_| ()),
            Notice::TechnologyWithdrawn,
        )
    };
    match result {
        Ok(()) => Ok(done(&record.href, notice)),
        Err(err) => {
            let refused = Problems::of(err, &["reason"])?;
            let problems = if refused.stale() {
                let mut explained = Problems::default();
                explained.add(
                    "reason",
                    format!(
                        "Someone changed this {} since you opened the page. Check it, then \
                         withdraw it again.",
                        record.kind
                    ),
                );
                explained
            } else {
                refused
            };
            // The form goes on from the record as it now is.
            Ok(page(
                StatusCode::CONFLICT,
                &reason_page(editor, record, reason, problems),
            ))
        }
    }
}

/// `GET /pilots/{id}/withdraw`
pub async fn pilot(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    ensure(&editor)?;
    let record = pilot_record(&state, &editor, &id).await?;
    Ok(show(&editor, &record))
}

/// `POST /pilots/{id}/withdraw`
pub async fn pilot_post(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    ensure(&posted.editor)?;
    let record = pilot_record(&state, &posted.editor, &id).await?;
    take(&state, &posted.editor, &record, &posted.fields).await
}

/// `GET /technologies/{slug}/withdraw`
pub async fn technology(
    State(state): State<WebState>,
    editor: Editor,
    Path(slug): Path<String>,
) -> Result<Response, PageError> {
    ensure(&editor)?;
    let record = technology_record(&state, &editor, &slug).await?;
    Ok(show(&editor, &record))
}

/// `POST /technologies/{slug}/withdraw`
pub async fn technology_post(
    State(state): State<WebState>,
    Path(slug): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    ensure(&posted.editor)?;
    let record = technology_record(&state, &posted.editor, &slug).await?;
    take(&state, &posted.editor, &record, &posted.fields).await
}
