//! The sign-in routes SPEC fixes: `GET /auth/login` (to the provider, or the demo accounts
//! page), `GET /auth/callback` (the provider's redirect back), `POST /auth/logout`; and
//! `POST /auth/demo`, which only answers when demo accounts are enabled.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use registry_api::auth::SignInMode;
use registry_api::auth::credentials::{self, CSRF_FIELD};
use registry_api::model::EntryPoint;
use registry_api::service::accounts::{self, DEMO_ISSUER, DemoAccount};
use registry_api::service::sessions;
use serde::Deserialize;

use crate::{WebState, cookies, html, problem};

#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    return_to: Option<String>,
}

/// Sends the browser to the provider, or shows the demo accounts.
pub async fn login(State(state): State<WebState>, Query(query): Query<LoginQuery>) -> Response {
    let return_to = safe_return_to(query.return_to.as_deref());
    match &state.sign_in.mode {
        SignInMode::Demo => match accounts::demo_accounts(&state.db).await {
            Ok(accounts) => html(DemoSignInPage {
                accounts,
                return_to,
            }),
            Err(err) => problem(&err),
        },
        SignInMode::Provider(client) => {
            let authorisation = match client.authorisation().await {
                Ok(a) => a,
                Err(err) => {
                    tracing::error!(error = %err, "starting a sign-in");
                    return refused(
                        StatusCode::SERVICE_UNAVAILABLE,
                        "The sign-in service is not answering. Try again in a few minutes.",
                    );
                }
            };
            let pending = sessions::PendingLogin {
                nonce: authorisation.nonce,
                pkce_verifier: authorisation.pkce_verifier,
                return_to,
            };
            if let Err(err) =
                sessions::remember_login(&state.db, &authorisation.state, pending).await
            {
                return problem(&err);
            }
            // The state also goes in a cookie of this browser: a callback link carried to
            // another browser (to sign its owner in as someone else) finds no match there.
            let bound = cookies::sign_in_state(&state.sign_in, authorisation.state);
            (
                CookieJar::new().add(bound),
                Redirect::to(&authorisation.url),
            )
                .into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct CallbackQuery {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider's redirect back: checks everything, then starts a fresh session.
pub async fn callback(
    State(state): State<WebState>,
    headers: HeaderMap,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let SignInMode::Provider(client) = &state.sign_in.mode else {
        return refused(
            StatusCode::NOT_FOUND,
            "Sign-in through a provider is not set up here.",
        );
    };
    // The pending sign-in is taken first, whatever else is wrong, so a callback works once.
    let pending = match sessions::take_login(&state.db, query.state.as_deref().unwrap_or("")).await
    {
        Ok(Some(pending)) => pending,
        Ok(None) => {
            tracing::warn!("sign-in callback with an unknown, used or expired state");
            return refused(
                StatusCode::BAD_REQUEST,
                "This sign-in link has expired or has already been used. Start again.",
            );
        }
        Err(err) => return problem(&err),
    };
    if !credentials::sign_in_started_here(&headers, query.state.as_deref().unwrap_or("")) {
        tracing::warn!("sign-in callback in a browser that did not start that sign-in");
        return refused(
            StatusCode::BAD_REQUEST,
            "This sign-in was started in another browser or has expired. Start again.",
        );
    }
    if let Some(error) = query.error {
        tracing::warn!(%error, "the provider reported a sign-in error");
        return refused(
            StatusCode::BAD_REQUEST,
            "The sign-in was cancelled or refused.",
        );
    }
    let Some(code) = query.code else {
        return refused(
            StatusCode::BAD_REQUEST,
            "The sign-in response had no code. Start again.",
        );
    };
    let (identity, claims) = match client
        .complete(&code, &pending.nonce, &pending.pkce_verifier)
        .await
    {
        Ok(found) => found,
        Err(err) => {
            tracing::warn!(error = %err, "sign-in refused");
            return refused(
                StatusCode::BAD_REQUEST,
                "We could not confirm who you are with the sign-in service. Start again.",
            );
        }
    };
    let user = match accounts::sign_in(&state.db, identity, claims).await {
        Ok(user) => user,
        Err(err) => return problem(&err),
    };
    let jar = CookieJar::new().add(cookies::sign_in_state_removal(&state.sign_in));
    start_session(&state, jar, &headers, user.id, &pending.return_to).await
}

#[derive(Debug, Deserialize)]
pub struct DemoForm {
    subject: String,
    return_to: Option<String>,
}

/// Signs in as a demo account: only when demo accounts are enabled, and only from a page of
/// this site (a cross-site form cannot sign someone in as another person).
pub async fn demo(
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form<DemoForm>,
) -> Response {
    if !state.sign_in.demo_enabled() {
        return refused(StatusCode::NOT_FOUND, "Demo accounts are not offered here.");
    }
    if !same_origin(&state, &headers) {
        return refused(
            StatusCode::FORBIDDEN,
            "Sign in from the registry's own page.",
        );
    }
    let user = match accounts::find_user(&state.db, DEMO_ISSUER, &form.subject).await {
        Ok(Some(user)) => user,
        Ok(None) => return refused(StatusCode::BAD_REQUEST, "There is no such demo account."),
        Err(err) => return problem(&err),
    };
    let return_to = safe_return_to(form.return_to.as_deref());
    start_session(&state, CookieJar::new(), &headers, user.id, &return_to).await
}

#[derive(Debug, Deserialize)]
pub struct LogoutForm {
    csrf_token: Option<String>,
}

/// Ends the session on the server and in the browser. Needs the session's CSRF token, so no
/// other site can sign people out.
pub async fn logout(
    State(state): State<WebState>,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Response {
    let current = match credentials::session(
        &state.db,
        state.sign_in.policy,
        &headers,
        EntryPoint::Web,
    )
    .await
    {
        Ok(current) => current,
        Err(err) => return problem(&err),
    };
    if let Some(current) = &current
        && !credentials::csrf_matches(current, form.csrf_token.as_deref())
    {
        return refused(
            StatusCode::FORBIDDEN,
            &format!(
                "The form was missing its security token ({CSRF_FIELD}). Reload the page and try again."
            ),
        );
    }
    if let Some(secret) = credentials::session_secret(&headers)
        && let Err(err) = sessions::end(&state.db, &secret).await
    {
        return problem(&err);
    }
    (
        CookieJar::new().add(cookies::session_removal(&state.sign_in)),
        Redirect::to("/"),
    )
        .into_response()
}

/// Starts a session for a user who has just signed in, ending the one the browser came with
/// (`headers`' cookie), and answers with its cookie, and any in `jar`, on the way to `return_to`.
async fn start_session(
    state: &WebState,
    jar: CookieJar,
    headers: &HeaderMap,
    user_id: sea_orm::prelude::Uuid,
    return_to: &str,
) -> Response {
    let previous = credentials::session_secret(headers);
    match sessions::start(
        &state.db,
        user_id,
        state.sign_in.policy,
        previous.as_deref(),
    )
    .await
    {
        Ok(cookie_secret) => (
            jar.add(cookies::session(&state.sign_in, cookie_secret)),
            Redirect::to(return_to),
        )
            .into_response(),
        Err(err) => problem(&err),
    }
}

/// Only a path on this site: never another host (`//evil`, `https://…`, `/\evil`).
fn safe_return_to(requested: Option<&str>) -> String {
    match requested {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(char::is_control)
                && path.len() <= 500 =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Whether a form post came from this site, by the headers browsers set on every POST.
fn same_origin(state: &WebState, headers: &HeaderMap) -> bool {
    if headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| site != "same-origin" && site != "none")
    {
        return false;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => {
            origin == state.sign_in.public_url || origin_of_host(headers) == Some(origin.to_owned())
        }
        None => true,
    }
}

/// `http://<Host>`, for a loopback server reached by another loopback name than PUBLIC_URL's.
fn origin_of_host(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
    (name == "127.0.0.1" || name == "localhost" || name == "[::1]")
        .then(|| format!("http://{host}"))
}

fn refused(status: StatusCode, message: &str) -> Response {
    let page = SignInProblemPage {
        message: message.to_owned(),
    };
    let mut response = html(page);
    *response.status_mut() = status;
    response
}

#[derive(Template)]
#[template(path = "sign_in_demo.html")]
struct DemoSignInPage {
    accounts: Vec<DemoAccount>,
    return_to: String,
}

#[derive(Template)]
#[template(path = "sign_in_problem.html")]
struct SignInProblemPage {
    message: String,
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn return_to_never_leaves_the_site() {
        assert_eq!(safe_return_to(Some("/pilots?x=1")), "/pilots?x=1");
        for hostile in [
            "//evil.example",
            "https://evil.example",
            "/\\evil.example",
            "evil",
            "/\t/evil.example",
            "/\n/evil.example",
        ] {
            assert_eq!(safe_return_to(Some(hostile)), "/", "{hostile:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}
