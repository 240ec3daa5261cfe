//! Who is looking at a page: the session's actor, and what the page header shows of them. Pages
//! take it as an extractor, so every page reads through the services as the person signed in.

use axum::extract::FromRequestParts;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use registry_api::auth::credentials;
use registry_api::model::EntryPoint;
use registry_api::service::sessions::Current;
use registry_api::{Actor, ServiceError};

use crate::WebState;
use crate::forms::Notice;
use crate::pages::PageError;

/// The signed-in person as the header shows them, with the token their sign-out form needs.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub name: String,
    pub csrf_token: String,
    /// The confirmation of the change just made, shown once in a success banner.
    pub notice: Option<&'static str>,
    /// Whether they belong to an organisation (the header links to "My organisation").
    pub member: bool,
    /// A registry administrator: the header links to the administration pages.
    pub administrator: bool,
}

/// The viewer of a page: anonymous unless the browser's session cookie names a live session.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub signed_in: Option<SignedIn>,
}

impl SignedIn {
    /// What the header shows of the session's person, with the notice this request carries.
    pub fn of(current: &Current, headers: &HeaderMap) -> Self {
        SignedIn {
            name: current.actor.label(),
            csrf_token: current.csrf_token.clone(),
            notice: Notice::of(headers).map(Notice::message),
            member: !current.actor.organisation_ids().is_empty(),
            administrator: current.actor.is_administrator(),
        }
    }
}

/// The browser's live session, if its cookie names one: the one lookup pages and forms share.
pub async fn session(parts: &Parts, state: &WebState) -> Result<Option<Current>, ServiceError> {
    credentials::session(
        &state.db,
        state.sign_in.policy,
        &parts.headers,
        EntryPoint::Web,
    )
    .await
}

impl FromRequestParts<WebState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        Ok(match session(parts, state).await? {
            Some(current) => Viewer {
                signed_in: Some(SignedIn::of(&current, &parts.headers)),
                actor: current.actor,
            },
            None => Viewer {
                actor: Actor::anonymous(EntryPoint::Web),
                signed_in: None,
            },
        })
    }
}
