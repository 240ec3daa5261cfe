//! `/account/tokens`: a signed-in person's API tokens for GraphQL: create one (its secret shown
//! once, on the page that answers the form, and never kept), list them, revoke one.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use registry_api::model::{TokenScope, api_token};
use registry_api::service::tokens;
use sea_orm::Iterable;
use sea_orm::prelude::Uuid;

use crate::components::{Choice, Crumb};
use crate::forms::{Editor, Notice, Posted, Problems, done};
use crate::pages::{PageError, PageResult, render};
use crate::viewer::SignedIn;
use crate::{WebState, format};

/// How long a new token lasts unless the person says otherwise.
const DEFAULT_DAYS: &str = "90";
const ORDER: &[&str] = &["name", "scope", "expiresInDays"];

struct TokenLine {
    id: Uuid,
    name: String,
    scope: &'static str,
    created: String,
    expires: String,
    last_used: String,
    status: &'static str,
    active: bool,
}

fn line(t: &api_token::Model) -> TokenLine {
    let now = chrono::Utc::now();
    let (status, active) = match t.revoked_at {
        Some(_) => ("Revoked", false),
        None if t.expires_at <= now => ("Expired", false),
        None => ("Active", true),
    };
    TokenLine {
        id: t.id,
        name: t.name.clone(),
        scope: t.scope.label(),
        created: format::date(t.created_at.date_naive()),
        expires: format::date(t.expires_at.date_naive()),
        last_used: t
            .last_used_at
            .map_or_else(|| "Never".to_owned(), |at| format::date(at.date_naive())),
        status,
        active,
    }
}

#[derive(Template)]
#[template(path = "pages/account_tokens.html")]
struct TokensPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    tokens: Vec<TokenLine>,
    problems: Problems,
    name: String,
    scopes: Vec<Choice>,
    days: String,
    days_hint: String,
    /// The secret of the token just created: shown this once.
    created: Option<(String, String)>,
}

impl TokensPage {
    async fn of(state: &WebState, editor: &Editor) -> Result<Self, PageError> {
        let tokens = tokens::of_viewer(&state.db, &editor.actor).await?;
        Ok(Self {
            viewer: Some(editor.signed_in.clone()),
            crumbs: vec![Crumb::new("Home", "/")],
            tokens: tokens.iter().map(line).collect(),
            problems: Problems::default(),
            name: String::new(),
            scopes: scopes("read"),
            days: DEFAULT_DAYS.to_owned(),
            days_hint: format!("From 1 to {}", tokens::MAX_DAYS),
            created: None,
        })
    }
}

fn scopes(chosen: &str) -> Vec<Choice> {
    TokenScope::iter()
        .map(|s| Choice {
            value: s.as_str().to_owned(),
            label: match s {
                TokenScope::Read => "Read only: queries, never changes".to_owned(),
                TokenScope::ReadWrite => "Read and write: queries and changes, as you".to_owned(),
            },
            selected: s.as_str() == chosen,
        })
        .collect()
}

/// `GET /account/tokens`
pub async fn list(State(state): State<WebState>, editor: Editor) -> PageResult {
    render(&TokensPage::of(&state, &editor).await?)
}

/// `POST /account/tokens`: creates one, and shows its secret once.
pub async fn create(State(state): State<WebState>, posted: Posted) -> Result<Response, PageError> {
    let fields = &posted.fields;
    let name = fields.text("name");
    let scope_text = fields.text("scope");
    let days_text = fields.text("expiresInDays");
    let mut problems = Problems::default();
    // A number of days that cannot be read goes to the service as 0, which it refuses with
    // the rest of the form's problems; this message is the one shown for that field.
    let days = days_text.trim().parse::<i64>().unwrap_or_else(|_| {
        problems.add("expiresInDays", "Enter the number of days, like 90");
        0
    });
    let page = TokensPage::of(&state, &posted.editor).await?;
    let Some(scope) = TokenScope::from_str_value(&scope_text) else {
        problems.add("scope", "Select what the token may do");
        return Ok(refused(page, problems, name, &scope_text, days_text));
    };
    match tokens::create(&state.db, &posted.editor.actor, &name, scope, days).await {
        Ok(new) => {
            let mut page = TokensPage::of(&state, &posted.editor).await?;
            page.created = Some((new.token.name, new.secret));
            render(&page).map(IntoResponse::into_response)
        }
        Err(err) => {
            let problems = problems.and(err, ORDER)?;
            Ok(refused(page, problems, name, &scope_text, days_text))
        }
    }
}

fn refused(
    mut page: TokensPage,
    problems: Problems,
    name: String,
    scope: &str,
    days: String,
) -> Response {
    page.problems = problems;
    page.name = name;
    page.scopes = scopes(scope);
    page.days = days;
    match render(&page) {
        Ok(html) => (StatusCode::UNPROCESSABLE_ENTITY, html).into_response(),
        Err(err) => err.into_response(),
    }
}

/// `POST /account/tokens/{id}/revoke`
pub async fn revoke(
    State(state): State<WebState>,
    Path(id): Path<Uuid>,
    posted: Posted,
) -> Result<Response, PageError> {
    tokens::revoke(&state.db, &posted.editor.actor, id).await?;
    Ok(done("/account/tokens", Notice::TokenRevoked))
}
