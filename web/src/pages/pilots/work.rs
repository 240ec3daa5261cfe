//! What the evaluator's pages for one pilot share: the pilot, loaded for an evaluator at its
//! host (anyone else is refused before a form is shown; the services refuse them again on
//! saving), the "check your answers" page, and who a pilot's readers are, in words.

use askama::Template;
use registry_api::model::{Visibility, pilot};
use registry_api::service::{access, pilots, sharing};
use sea_orm::prelude::Uuid;

use crate::WebState;
use crate::components::Crumb;
use crate::forms::Editor;
use crate::pages::PageError;
use crate::viewer::SignedIn;

/// The pilot `id` names, for an evaluator at its host: "not found" for anyone who may not
/// read it, "forbidden" for a reader who may not change it.
pub async fn own_pilot(
    state: &WebState,
    editor: &Editor,
    id: &str,
) -> Result<pilot::Model, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| PageError::NotFound)?;
    let pilot = pilots::get(&state.db, &editor.actor, id).await?;
    access::ensure_evaluator_at(&editor.actor, pilot.host_organisation_id)?;
    Ok(pilot)
}

/// The trail back to the pilot, for its evaluator's pages.
pub fn crumbs(pilot: &pilot::Model) -> Vec<Crumb> {
    vec![
        Crumb::new("Home", "/"),
        Crumb::new(pilot.title.clone(), format!("/pilots/{}", pilot.id)),
    ]
}

/// "Check your answers": what will be written, posted on as hidden fields, with one button
/// per way of confirming and one to change the answers.
#[derive(Template)]
#[template(path = "pages/check.html")]
pub struct CheckPage {
    pub viewer: Option<SignedIn>,
    pub crumbs: Vec<Crumb>,
    pub caption: String,
    pub heading: String,
    pub action: String,
    pub answers: Vec<(String, String)>,
    pub carried: Vec<(String, String)>,
    pub notes: Vec<String>,
    /// Who will be able to read what is confirmed, when that changes.
    pub warning: Option<String>,
    /// `(step, label)` of each confirming button.
    pub confirms: Vec<(&'static str, &'static str)>,
}

/// Who reads a pilot at `visibility`, shared with `shared_with`, in a sentence.
pub fn readers(visibility: Visibility, host: &str, shared_with: &[String]) -> String {
    let shared = if shared_with.is_empty() {
        String::new()
    } else {
        format!(
            ", and of the organisations it is shared with: {}",
            shared_with.join(", ")
        )
    };
    match visibility {
        Visibility::Public => "Everyone: anyone on the internet can read it, and find it by \
                               search, without signing in."
            .to_owned(),
        Visibility::Nhs => format!(
            "Staff of NHS organisations who sign in to the registry, and the members of \
             {host}{shared}. People who are not signed in cannot read it."
        ),
        Visibility::Draft => format!("Only the members of {host}{shared}."),
    }
}

/// The names of the organisations a pilot is shared with.
pub async fn shared_names(
    state: &WebState,
    editor: &Editor,
    pilot: &pilot::Model,
) -> Result<Vec<String>, PageError> {
    Ok(sharing::of_pilot(&state.db, &editor.actor, pilot.id)
        .await?
        .into_iter()
        .map(|s| s.organisation.name)
        .collect())
}
