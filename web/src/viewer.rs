//! Who is looking at a page: the session's actor, and what the page header shows of them. Pages
//! take it as an extractor, so every page reads through the services as the person signed in.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use registry_api::Actor;
use registry_api::auth::credentials;
use registry_api::model::EntryPoint;

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
}

/// The viewer of a page: anonymous unless the browser's session cookie names a live session.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub actor: Actor,
    pub signed_in: Option<SignedIn>,
}

impl FromRequestParts<WebState> for Viewer {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let current = credentials::session(
            &state.db,
            state.sign_in.policy,
            &parts.headers,
            EntryPoint::Web,
        )
        .await?;
        Ok(match current {
            Some(current) => Viewer {
                signed_in: Some(SignedIn {
                    name: current.actor.label(),
                    csrf_token: current.csrf_token,
                    notice: Notice::of(&parts.headers).map(Notice::message),
                }),
                actor: current.actor,
            },
            None => Viewer {
                actor: Actor::anonymous(EntryPoint::Web),
                signed_in: None,
            },
        })
    }
}
