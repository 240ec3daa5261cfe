//! The cookies the registry sets (`Set-Cookie`): the session's, and the one that binds a
//! sign-in to its browser. Reading them back is `registry_api::auth::credentials`'s job, for
//! pages and GraphQL alike; this is only how they are written.

use axum_extra::extract::cookie::{Cookie, SameSite};
use registry_api::auth::SignIn;
use registry_api::auth::credentials::{SESSION_COOKIE, SIGN_IN_STATE_COOKIE};

/// Where the sign-in state cookie is sent: the sign-in routes only.
pub const SIGN_IN_PATH: &str = "/auth";

/// The cookie that carries a new session.
pub fn session(sign_in: &SignIn, secret: String) -> Cookie<'static> {
    registry_cookie(sign_in, SESSION_COOKIE, secret, "/")
}

/// The cookie holding a pending sign-in's `state`, for the callback to match (the pending
/// sign-in itself expires in the database after ten minutes).
pub fn sign_in_state(sign_in: &SignIn, state: String) -> Cookie<'static> {
    registry_cookie(sign_in, SIGN_IN_STATE_COOKIE, state, SIGN_IN_PATH)
}

/// The cookie that removes the session cookie from the browser.
pub fn session_removal(sign_in: &SignIn) -> Cookie<'static> {
    removal_of(sign_in, SESSION_COOKIE, "/")
}

/// The cookie that removes the sign-in state cookie, once its callback has come.
pub fn sign_in_state_removal(sign_in: &SignIn) -> Cookie<'static> {
    removal_of(sign_in, SIGN_IN_STATE_COOKIE, SIGN_IN_PATH)
}

/// The cookie that removes cookie `name` (set on `path`) from the browser.
fn removal_of(sign_in: &SignIn, name: &'static str, path: &'static str) -> Cookie<'static> {
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
