//! `/pilots/{id}/publish`: an evaluator at the host opens the pilot to NHS staff or to
//! everyone, after a confirmation that says who will be able to read it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::model::Visibility;
use registry_api::service::{organisations, pilots};

use super::work::{CheckPage, crumbs, own_pilot, readers, shared_names};
use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{Editor, Notice, Posted, Problems, done, one_of, page};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

#[derive(Template)]
#[template(path = "pages/pilot/publish.html")]
struct PublishPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    title: String,
    action: String,
    now: String,
    version: i32,
    problems: Problems,
    audiences: Vec<Choice>,
}

/// The audiences a pilot can be published to, `chosen` selected.
fn audiences(chosen: &str) -> Vec<Choice> {
    [
        (
            Visibility::Nhs,
            "NHS staff: people from NHS organisations who sign in",
        ),
        (Visibility::Public, "Everyone, without signing in"),
    ]
    .into_iter()
    .map(|(v, label)| Choice {
        value: v.as_str().to_owned(),
        label: label.to_owned(),
        selected: v.as_str() == chosen,
    })
    .collect()
}

struct Context {
    editor: Editor,
    pilot: registry_api::model::pilot::Model,
    host: String,
    shared: Vec<String>,
}

impl Context {
    async fn of(state: &WebState, editor: Editor, id: &str) -> Result<Self, PageError> {
        let pilot = own_pilot(state, &editor, id).await?;
        let host = organisations::get(&state.db, pilot.host_organisation_id)
            .await?
            .name;
        let shared = shared_names(state, &editor, &pilot).await?;
        Ok(Self {
            editor,
            pilot,
            host,
            shared,
        })
    }

    fn form(&self, version: i32, chosen: &str, problems: Problems) -> PublishPage {
        PublishPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: crumbs(&self.pilot),
            title: self.pilot.title.clone(),
            action: format!("/pilots/{}/publish", self.pilot.id),
            now: readers(self.pilot.visibility, &self.host, &self.shared),
            version,
            problems,
            audiences: audiences(chosen),
        }
    }
}

/// `GET /pilots/{id}/publish`
pub async fn form(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let context = Context::of(&state, editor, &id).await?;
    let chosen = match context.pilot.visibility {
        Visibility::Draft => "",
        other => other.as_str(),
    };
    render(&context.form(context.pilot.version, chosen, Problems::default()))
}

/// `POST /pilots/{id}/publish`: "continue" asks for confirmation, "confirm" publishes.
pub async fn post(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let context = Context::of(&state, posted.editor, &id).await?;
    let fields = &posted.fields;
    let version = fields
        .first("version")
        .and_then(|v| v.parse().ok())
        .unwrap_or(context.pilot.version);
    let chosen = fields.text("visibility");
    let mut problems = Problems::default();
    let visibility = one_of::<Visibility>(
        &mut problems,
        "visibility",
        "Select who should be able to read the pilot",
        &chosen,
    )
    .filter(|v| *v != Visibility::Draft);
    let step = fields.first("step").unwrap_or("continue");
    let Some(visibility) = visibility.filter(|_| step != "change") else {
        if problems.is_empty() && step != "change" {
            problems.add("visibility", "Select who should be able to read the pilot");
        }
        let status = if problems.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(page(status, &context.form(version, &chosen, problems)));
    };
    if step == "confirm" {
        let actor = &context.editor.actor;
        return match pilots::publish(&state.db, actor, context.pilot.id, version, visibility).await
        {
            Ok(published) => Ok(done(
                &format!("/pilots/{}", published.id),
                Notice::PilotPublished,
            )),
            Err(err) => {
                let problems = Problems::of(err, &["visibility"])?;
                if !problems.stale() {
                    return Ok(page(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        &context.form(version, &chosen, problems),
                    ));
                }
                let mut explained = Problems::default();
                explained.add(
                    "visibility",
                    "Someone else changed this pilot since you opened the form. Check who can \
                     read it now, then choose again.",
                );
                Ok(page(
                    StatusCode::CONFLICT,
                    &context.form(context.pilot.version, &chosen, explained),
                ))
            }
        };
    }
    let check = CheckPage {
        viewer: Some(context.editor.signed_in.clone()),
        crumbs: crumbs(&context.pilot),
        caption: context.pilot.title.clone(),
        heading: format!(
            "Publish to {}?",
            match visibility {
                Visibility::Public => "everyone",
                _ => "NHS staff",
            }
        ),
        action: format!("/pilots/{}/publish", context.pilot.id),
        answers: Vec::new(),
        carried: vec![
            ("version".to_owned(), version.to_string()),
            ("visibility".to_owned(), visibility.as_str().to_owned()),
        ],
        notes: vec![
            "Its details, outcomes and published report will be readable, and it will be \
             counted in comparisons of other pilots by those who can read it."
                .to_owned(),
        ],
        warning: Some(readers(visibility, &context.host, &context.shared)),
        confirms: vec![("confirm", "Publish the pilot")],
    };
    Ok(page(StatusCode::OK, &check))
}
