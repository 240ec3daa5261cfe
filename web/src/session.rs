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

/// The cookie that carries a new session: HttpOnly, SameSite=Lax (Strict would drop it on the
/// provider's redirect back), Secure whenever the registry is reached over https.
pub fn cookie(sign_in: &SignIn, secret: String) -> Cookie<'static> {
    Cookie::build((COOKIE, secret))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(sign_in.secure_cookies())
        .path("/")
        .build()
}

/// The cookie holding a pending sign-in's `state`, for the callback to match (the pending
/// sign-in itself expires in the database after ten minutes).
pub fn sign_in_state_cookie(sign_in: &SignIn, state: String) -> Cookie<'static> {
    Cookie::build((SIGN_IN_STATE_COOKIE, state))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(sign_in.secure_cookies())
        .path(SIGN_IN_PATH)
        .build()
}

/// The cookie that removes the session cookie from the browser.
pub fn removal(sign_in: &SignIn) -> Cookie<'static> {
    removal_of(sign_in, COOKIE, "/")
}

/// The cookie that removes cookie `name` (set on `path`) from the browser.
pub fn removal_of(sign_in: &SignIn, name: &'static str, path: &'static str) -> Cookie<'static> {
    let mut gone = Cookie::build((name, ""))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(sign_in.secure_cookies())
        .path(path)
        .build();
    gone.make_removal();
    gone
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
    if let Some(value) = headers.get(axum::http::header::AUTHORIZATION) {
        let secret = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or(ServiceError::Unauthenticated)?;
        return tokens::authenticate(db, secret.trim()).await;
    }
    Ok(current(db, sign_in, headers, entry_point)
        .await?
        .map_or_else(|| Actor::anonymous(entry_point), |c| c.actor))
}
