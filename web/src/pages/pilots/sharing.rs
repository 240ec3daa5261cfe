//! `/pilots/{id}/sharing`: an evaluator at the host shares the draft with named organisations
//! (found by ODS code, confirmed before it is shared) and stops sharing it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::model::{Visibility, pilot};
use registry_api::service::{organisations, sharing};
use sea_orm::prelude::Uuid;

use super::work::{CheckPage, crumbs, own_pilot, readers, shared_names};
use crate::components::Crumb;
use crate::forms::{Editor, Notice, Posted, Problems, done, page};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;
use crate::{WebState, format};

/// One organisation the draft is shared with, as the page lists it.
struct ShareRow {
    id: Uuid,
    name: String,
    ods_code: String,
    when: String,
}

#[derive(Template)]
#[template(path = "pages/pilot/sharing.html")]
struct SharingPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    pilot_id: Uuid,
    title: String,
    action: String,
    now: String,
    shares: Vec<ShareRow>,
    shareable: bool,
    problems: Problems,
    ods_code: String,
}

async fn sharing_page(
    state: &WebState,
    editor: &Editor,
    pilot: &pilot::Model,
    ods_code: String,
    problems: Problems,
) -> Result<SharingPage, PageError> {
    let shares = sharing::of_pilot(&state.db, &editor.actor, pilot.id).await?;
    let host = organisations::get(&state.db, pilot.host_organisation_id)
        .await?
        .name;
    let names: Vec<String> = shares.iter().map(|s| s.organisation.name.clone()).collect();
    Ok(SharingPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(pilot),
        pilot_id: pilot.id,
        title: pilot.title.clone(),
        action: format!("/pilots/{}/sharing", pilot.id),
        now: readers(pilot.visibility, &host, &names),
        shares: shares
            .into_iter()
            .map(|s| ShareRow {
                id: s.organisation.id,
                name: s.organisation.name,
                ods_code: s.organisation.ods_code.unwrap_or_default(),
                when: match s.shared_by {
                    Some(by) => format!("{} by {by}", format::day(s.shared_at)),
                    None => format::day(s.shared_at),
                },
            })
            .collect(),
        shareable: pilot.visibility != Visibility::Public && pilot.withdrawn_at.is_none(),
        problems,
        ods_code,
    })
}

/// `GET /pilots/{id}/sharing`
pub async fn show(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let pilot = own_pilot(&state, &editor, &id).await?;
    render(&sharing_page(&state, &editor, &pilot, String::new(), Problems::default()).await?)
}

/// `POST /pilots/{id}/sharing`: "continue" finds the organisation and asks for confirmation;
/// "confirm" shares.
pub async fn share(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let editor = &posted.editor;
    let pilot = own_pilot(&state, editor, &id).await?;
    let ods_code = posted.fields.text("odsCode").trim().to_uppercase();
    let step = posted.fields.first("step").unwrap_or("continue");
    let refused = |problems: Problems| async {
        let status = if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let form = sharing_page(&state, editor, &pilot, ods_code.clone(), problems).await?;
        Ok::<_, PageError>(page(status, &form))
    };
    if step == "change" {
        return refused(Problems::default()).await;
    }
    let mut problems = Problems::default();
    let found = if ods_code.is_empty() {
        problems.add(
            "odsCode",
            "Enter the ODS code of the organisation to share the draft with",
        );
        None
    } else {
        let found = organisations::find_by_ods_code(&state.db, &ods_code).await?;
        if found.is_none() {
            problems.add(
                "odsCode",
                format!(
                    "No organisation in the registry has the ODS code {ods_code}. Check the \
                     code, or ask an administrator to add the organisation"
                ),
            );
        }
        found
    };
    let Some(organisation) = found else {
        return refused(problems).await;
    };
    if step == "confirm" {
        return match sharing::share(&state.db, &editor.actor, pilot.id, organisation.id).await {
            Ok(_) => Ok(done(
                &format!("/pilots/{}/sharing", pilot.id),
                Notice::PilotShared,
            )),
            Err(err) => {
                refused(Problems::of(err, &["organisationId"])?.moved("organisationId", "odsCode"))
                    .await
            }
        };
    }
    let mut shared = shared_names(&state, editor, &pilot).await?;
    shared.push(organisation.name.clone());
    let host = organisations::get(&state.db, pilot.host_organisation_id)
        .await?
        .name;
    let check = CheckPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(&pilot),
        caption: pilot.title.clone(),
        heading: format!("Share the draft with {}?", organisation.name),
        action: format!("/pilots/{}/sharing", pilot.id),
        answers: vec![
            ("Organisation".to_owned(), organisation.name.clone()),
            ("ODS code".to_owned(), ods_code.clone()),
            ("Kind".to_owned(), organisation.kind.label().to_owned()),
        ],
        carried: vec![("odsCode".to_owned(), ods_code.clone())],
        notes: vec![format!(
            "The members of {} will read the pilot, its outcomes and its published report, \
             until you stop sharing it. A report you are still drafting stays yours. The \
             sharing is recorded in the audit log.",
            organisation.name
        )],
        warning: Some(readers(pilot.visibility, &host, &shared)),
        confirms: vec![("confirm", "Share the draft")],
    };
    Ok(page(StatusCode::OK, &check))
}

/// `POST /pilots/{id}/sharing/{organisation}/end`
pub async fn end(
    State(state): State<WebState>,
    Path((id, organisation)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let pilot = own_pilot(&state, &posted.editor, &id).await?;
    let organisation = Uuid::parse_str(&organisation).map_err(|_| PageError::NotFound)?;
    sharing::end(&state.db, &posted.editor.actor, pilot.id, organisation).await?;
    Ok(done(
        &format!("/pilots/{}/sharing", pilot.id),
        Notice::SharingEnded,
    ))
}
