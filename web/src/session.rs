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

/// The cookie that removes the session cookie from the browser.
pub fn removal(sign_in: &SignIn) -> Cookie<'static> {
    let mut gone = cookie(sign_in, String::new());
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
