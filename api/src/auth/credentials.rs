//! Who a request comes from, read from its headers here and nowhere else, for every entry point
//! alike: GraphQL, the pages and the downloads. An API token (`Authorization: Bearer …`) comes
//! first, then the session cookie, else the request is anonymous. A token that does not work is
//! refused rather than taken for anonymous, so a program learns at once that its token is wrong.
//!
//! A cookie goes wherever the browser goes, even on a request another site makes it send, while
//! the session's CSRF token is only ever in this site's own pages. So a request the cookie
//! authenticates must also carry that token, in the `X-CSRF-Token` header (GraphQL) or the
//! `csrf_token` field of a form (pages), and [`csrf_matches`] is the one comparison of the two.
//! Setting cookies (`Set-Cookie`) is presentation and stays with the web front end; reading
//! them is done here.

use http::HeaderMap;
use http::header::{AUTHORIZATION, COOKIE};

use crate::actor::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::model::EntryPoint;
use crate::secret;
use crate::service::sessions::{self, Current, SessionPolicy};
use crate::service::tokens;

/// The session cookie. It holds a random secret; the server keeps only its hash.
pub const SESSION_COOKIE: &str = "registry_session";
/// The cookie that ties a sign-in's callback to the browser that started it.
pub const SIGN_IN_STATE_COOKIE: &str = "registry_sign_in";
/// The header that carries the CSRF token on GraphQL requests a cookie authenticates.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field that carries it on form posts.
pub const CSRF_FIELD: &str = "csrf_token";

/// How a request showed who it comes from.
#[derive(Debug, Clone)]
pub enum Caller {
    /// A working API token. Browsers never attach one by themselves, so it needs no CSRF token.
    Token(Actor),
    /// A live session, named by the session cookie.
    Session(Current),
    /// Neither: the request is anonymous.
    Anonymous(Actor),
}

impl Caller {
    pub fn actor(&self) -> &Actor {
        match self {
            Self::Token(actor) | Self::Anonymous(actor) => actor,
            Self::Session(current) => &current.actor,
        }
    }

    pub fn into_actor(self) -> Actor {
        match self {
            Self::Token(actor) | Self::Anonymous(actor) => actor,
            Self::Session(current) => current.actor,
        }
    }

    /// The actor, once a request the cookie authenticates has shown the session's CSRF token
    /// (`given`); token and anonymous requests pass as they are.
    pub fn csrf_checked(self, given: Option<&str>) -> Result<Actor, CsrfMismatch> {
        match self {
            Self::Session(current) if !csrf_matches(&current, given) => Err(CsrfMismatch),
            other => Ok(other.into_actor()),
        }
    }
}

/// A request the session cookie authenticates did not carry the session's CSRF token.
/// HTTP 403: the browser is signed in, but the request may not come from this site's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a signed-in browser request must carry the session's CSRF token")]
pub struct CsrfMismatch;

/// Why a request's credentials were not accepted.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The request has an `Authorization` header, but not a bearer token that works: mistyped,
    /// unknown, expired or revoked (one answer for each, so a guess learns nothing). HTTP 401.
    #[error("the API token is not valid: it may be mistyped, expired or revoked")]
    InvalidToken,
    /// Looking the credentials up failed; the entry point logs the cause and answers generically.
    #[error("looking up the request's credentials failed")]
    Lookup(#[source] ServiceError),
}

impl From<CredentialError> for ServiceError {
    /// As the services report it: an invalid token is `Unauthenticated`, a failed lookup its
    /// own error.
    fn from(err: CredentialError) -> Self {
        match err {
            CredentialError::InvalidToken => ServiceError::Unauthenticated,
            CredentialError::Lookup(err) => err,
        }
    }
}

/// Who sent the request: its API token, else its session cookie, else nobody.
#[tracing::instrument(skip_all)]
pub async fn caller(
    db: &impl sea_orm::ConnectionTrait,
    policy: SessionPolicy,
    headers: &HeaderMap,
    entry_point: EntryPoint,
) -> Result<Caller, CredentialError> {
    if let Some(value) = headers.get(AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(CredentialError::InvalidToken)?;
        return match tokens::authenticate(db, secret).await {
            Ok(actor) => Ok(Caller::Token(actor)),
            Err(err @ ServiceError::Database(_)) => Err(CredentialError::Lookup(err)),
            Err(_) => Err(CredentialError::InvalidToken),
        };
    }
    match session(db, policy, headers, entry_point).await {
        Ok(Some(current)) => Ok(Caller::Session(current)),
        Ok(None) => Ok(Caller::Anonymous(Actor::anonymous(entry_point))),
        Err(err) => Err(CredentialError::Lookup(err)),
    }
}

/// The live session the request's cookie names, if any, whatever else the request carries:
/// for the pages, which people use through their browser's session only.
pub async fn session(
    db: &impl sea_orm::ConnectionTrait,
    policy: SessionPolicy,
    headers: &HeaderMap,
    entry_point: EntryPoint,
) -> ServiceResult<Option<Current>> {
    match session_secret(headers) {
        Some(secret) => sessions::current(db, &secret, policy, entry_point).await,
        None => Ok(None),
    }
}

/// The secret in the request's session cookie, if it has one: what ending or replacing the
/// session needs.
pub fn session_secret(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SESSION_COOKIE)
}

/// Whether `given` (the `X-CSRF-Token` header, or a form's `csrf_token` field) is the session's
/// CSRF token. Missing is never a match.
pub fn csrf_matches(session: &Current, given: Option<&str>) -> bool {
    given.is_some_and(|given| secret::matches(&session.csrf_token, given))
}

/// The `X-CSRF-Token` header, if the request has a readable one.
pub fn csrf_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok())
}

/// Whether the sign-in whose provider sent back `state` was started in this browser: its
/// sign-in state cookie holds the same `state`. A callback link carried to another browser (to
/// sign its owner in as someone else) finds no match there.
pub fn sign_in_started_here(headers: &HeaderMap, state: &str) -> bool {
    cookie(headers, SIGN_IN_STATE_COOKIE).is_some_and(|bound| secret::matches(&bound, state))
}

/// The value of cookie `name` (the last, if the request sends it twice, as cookie jars read it).
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| cookie::Cookie::parse_encoded(pair).ok())
        .rfind(|found| found.name() == name)
        .map(|found| found.value().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn current(csrf_token: &str) -> Current {
        Current {
            session_id: sea_orm::prelude::Uuid::nil(),
            csrf_token: csrf_token.to_owned(),
            actor: Actor::anonymous(EntryPoint::Web),
        }
    }

    #[test]
    fn cookies_are_read_by_name_from_every_cookie_header() {
        let sent = headers(&[
            ("cookie", "other=1; registry_session=first"),
            ("cookie", "registry_sign_in=state; registry_session=second"),
        ]);
        assert_eq!(session_secret(&sent).as_deref(), Some("second"));
        assert!(sign_in_started_here(&sent, "state"));
        assert!(!sign_in_started_here(&sent, "other"));
        assert_eq!(session_secret(&headers(&[("cookie", "other=1")])), None);
    }

    #[test]
    fn csrf_needs_the_session_token_exactly() {
        let session = current("token");
        assert!(csrf_matches(&session, Some("token")));
        assert!(!csrf_matches(&session, Some("token ")));
        assert!(!csrf_matches(&session, Some("")));
        assert!(!csrf_matches(&session, None));
        assert!(
            !csrf_matches(&current(""), None),
            "no token is never a match"
        );
    }

    #[test]
    fn only_a_session_caller_is_asked_for_the_csrf_token() {
        assert_eq!(
            Caller::Session(current("token")).csrf_checked(None).err(),
            Some(CsrfMismatch)
        );
        assert!(
            Caller::Session(current("token"))
                .csrf_checked(Some("token"))
                .is_ok()
        );
        let anonymous = Caller::Anonymous(Actor::anonymous(EntryPoint::Graphql));
        assert!(anonymous.csrf_checked(None).is_ok());
    }
}
