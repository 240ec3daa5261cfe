//! The browser's session, read from its cookie, for pages and for GraphQL alike.

use axum::http::HeaderMap;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use registry_api::auth::{SignIn, sessions};
use registry_api::model::EntryPoint;
use registry_api::service::tokens;
use registry_api::{Actor, ServiceError, ServiceResult};
use sea_orm::DatabaseConnection;

/// The session cookie. It holds a random secret; the server keeps only its hash.
pub const COOKIE: &str = "registry_session";
/// The cookie that ties a sign-in's callback to the browser that started it.
pub const SIGN_IN_STATE_COOKIE: &str = "registry_sign_in";
/// Where that cookie is sent: the sign-in routes only.
pub const SIGN_IN_PATH: &str = "/auth";

/// The header that carries the CSRF token on GraphQL requests a cookie authenticates.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field that carries it on form posts.
pub const CSRF_FIELD: &str = "csrf_token";

/// The secret in the request's session cookie, if it has one.
pub fn cookie_secret(headers: &HeaderMap) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(COOKIE)
        .map(|c| c.value().to_owned())
}

/// The live session the request's cookie names, if any.
pub async fn current(
    db: &DatabaseConnection,
    sign_in: &SignIn,
    headers: &HeaderMap,
    entry_point: EntryPoint,
) -> ServiceResult<Option<sessions::Current>> {
    match cookie_secret(headers) {
        Some(secret) => sessions::current(db, &secret, sign_in.policy, entry_point).await,
        None => Ok(None),
    }
}

/// The cookie that carries a new session.
pub fn cookie(sign_in: &SignIn, secret: String) -> Cookie<'static> {
    registry_cookie(sign_in, COOKIE, secret, "/")
}

/// The cookie holding a pending sign-in's `state`, for the callback to match (the pending
/// sign-in itself expires in the database after ten minutes).
pub fn sign_in_state_cookie(sign_in: &SignIn, state: String) -> Cookie<'static> {
    registry_cookie(sign_in, SIGN_IN_STATE_COOKIE, state, SIGN_IN_PATH)
}

/// The cookie that removes the session cookie from the browser.
pub fn removal(sign_in: &SignIn) -> Cookie<'static> {
    removal_of(sign_in, COOKIE, "/")
}

/// The cookie that removes cookie `name` (set on `path`) from the browser.
pub fn removal_of(sign_in: &SignIn, name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut gone = registry_cookie(sign_in, name, String::new(), path);
    gone.make_removal();
    gone
}

/// Every cookie the registry sets: HttpOnly, SameSite=Lax (Strict would drop it on the
/// provider's redirect back), Secure whenever the registry is reached over https.
fn registry_cookie(
    sign_in: &SignIn,
    name: &'static str,
    value: String,
    path: &'static str,
) -> Cookie<'static> {
    Cookie::build((name, value))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(sign_in.secure_cookies())
        .path(path)
        .build()
}

/// The actor an `Authorization: Bearer …` header names, if the request has one; a header that
/// is not a bearer token, or a token that does not work, is `Unauthenticated`.
pub async fn bearer(db: &DatabaseConnection, headers: &HeaderMap) -> Option<ServiceResult<Actor>> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?;
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    Some(match secret {
        Some(secret) => tokens::authenticate(db, secret).await,
        None => Err(ServiceError::Unauthenticated),
    })
}

/// Who a read-only request (a download, an image) comes from: its API token
/// (`Authorization: Bearer …`), else its session cookie, else nobody. Reads change nothing,
/// so they need no CSRF token. A token that does not work is refused, not ignored.
pub async fn reader(
    db: &DatabaseConnection,
    sign_in: &SignIn,
    headers: &HeaderMap,
    entry_point: EntryPoint,
) -> ServiceResult<Actor> {
    if let Some(actor) = bearer(db, headers).await {
        return actor;
    }
    Ok(current(db, sign_in, headers, entry_point)
        .await?
        .map_or_else(|| Actor::anonymous(entry_point), |c| c.actor))
}
