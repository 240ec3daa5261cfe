//! What every form of the registry shares: the signed-in person it is for (anyone else is sent
//! to sign in and brought back), a check that a POST comes from this site and carries the
//! session's CSRF token, the fields as typed, the service's field errors as an error summary
//! and inline messages, and the success notice that the page after the redirect shows.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use registry_api::auth::credentials::{self, CSRF_FIELD};
use registry_api::model::Spelling;
use registry_api::service::sessions::Current;
use registry_api::{Actor, ServiceError};
use sea_orm::Iterable;

use crate::WebState;
use crate::components::Choice;
use crate::pages::PageError;
use crate::viewer::{self, SignedIn};

/// The cookie that carries a success notice across the redirect after a change.
const NOTICE_COOKIE: &str = "registry_notice";

/// The person a form is for: signed in, or sent to sign in and brought back here.
#[derive(Debug, Clone)]
pub struct Editor {
    pub actor: Actor,
    pub signed_in: SignedIn,
    session: Current,
}

/// Why a form cannot be shown or taken.
#[derive(Debug)]
pub enum Refusal {
    /// Not signed in: to the sign-in page, then back to `return_to`.
    SignIn {
        return_to: String,
    },
    /// A POST from another site, or without the session's token.
    Forged,
    /// A body that is not a form.
    Unreadable,
    Page(PageError),
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        match self {
            Self::SignIn { return_to } => Redirect::to(&format!(
                "/auth/login?return_to={}",
                form_urlencoded::byte_serialize(return_to.as_bytes()).collect::<String>()
            ))
            .into_response(),
            Self::Forged => PageError::Forbidden(format!(
                "The form was sent without its security token ({CSRF_FIELD}), or from another \
                 site, so nothing was changed. Go back, reload the page and try again."
            ))
            .into_response(),
            Self::Unreadable => {
                PageError::BadRequest(vec!["The form could not be read.".to_owned()])
                    .into_response()
            }
            Self::Page(err) => err.into_response(),
        }
    }
}

impl From<ServiceError> for Refusal {
    fn from(err: ServiceError) -> Self {
        Self::Page(err.into())
    }
}

impl FromRequestParts<WebState> for Editor {
    type Rejection = Refusal;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &WebState,
    ) -> Result<Self, Self::Rejection> {
        let current = viewer::session(parts, state).await?;
        let Some(current) = current else {
            let return_to = parts
                .uri
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_owned();
            return Err(Refusal::SignIn { return_to });
        };
        Ok(Editor {
            signed_in: SignedIn::of(&current, &parts.headers),
            actor: current.actor.clone(),
            session: current,
        })
    }
}

/// A form as posted by the signed-in person, from this site, with the session's CSRF token.
#[derive(Debug)]
pub struct Posted {
    pub editor: Editor,
    pub fields: Fields,
}

impl FromRequest<WebState> for Posted {
    type Rejection = Refusal;

    async fn from_request(request: Request, state: &WebState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        if !same_site(&parts.headers) {
            return Err(Refusal::Forged);
        }
        let editor = Editor::from_request_parts(&mut parts, state).await?;
        let request = Request::from_parts(parts, body);
        let axum::Form(pairs) = axum::Form::<Vec<(String, String)>>::from_request(request, state)
            .await
            .map_err(|_| Refusal::Unreadable)?;
        let fields = Fields(pairs);
        if !credentials::csrf_matches(&editor.session, fields.first(CSRF_FIELD)) {
            return Err(Refusal::Forged);
        }
        Ok(Posted { editor, fields })
    }
}

/// Whether the browser says the request came from this site. Browsers send `Sec-Fetch-Site`
/// and `Origin` with every form POST; a request with neither (another program) relies on the
/// CSRF token alone.
fn same_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if let Some(site) = fetch_site
        && !matches!(site, "same-origin" | "none")
    {
        return false;
    }
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (origin, host) {
        (None, _) => true,
        (Some(origin), Some(host)) => {
            origin
                .strip_prefix("http://")
                .or(origin.strip_prefix("https://"))
                == Some(host)
        }
        (Some(_), None) => false,
    }
}

/// A form's fields as typed, in order; a name may repeat (a checkbox group).
#[derive(Debug, Clone, Default)]
pub struct Fields(Vec<(String, String)>);

impl Fields {
    /// The first value of `name`, if sent.
    pub fn first(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of `name`, or empty.
    pub fn text(&self, name: &str) -> String {
        self.first(name).unwrap_or_default().to_owned()
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// What is wrong with a form, field by field, in the order the form asks: the error summary
/// links each message to its field, and the field shows it inline.
#[derive(Debug, Clone, Default)]
pub struct Problems(Vec<(String, String)>);

impl Problems {
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `(field, message)` pairs, for the error summary.
    pub fn list(&self) -> &[(String, String)] {
        &self.0
    }

    /// The message for one field, if it has one.
    pub fn message(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    /// These problems but any with `field`: one that another problem already explains.
    pub fn without(mut self, field: &str) -> Self {
        self.0.retain(|(f, _)| f != field);
        self
    }

    /// These problems with one of `from` shown on `to` (a field the service names differently
    /// from the form), unless `to` already has its own.
    pub fn moved(mut self, from: &str, to: &str) -> Self {
        if from == to {
            return self;
        }
        if self.message(to).is_some() {
            return self.without(from);
        }
        for (field, _) in &mut self.0 {
            if field == from {
                *field = to.to_owned();
            }
        }
        self
    }

    /// These problems in the form's order (`order`, the fields' names); others go last.
    pub fn in_order(mut self, order: &[&str]) -> Self {
        self.0
            .sort_by_key(|(field, _)| order.iter().position(|f| f == field).unwrap_or(order.len()));
        self
    }

    /// Whether the record changed since the form was opened.
    pub fn stale(&self) -> bool {
        self.message("version").is_some()
    }

    /// The field errors of a refused change, sorted into the form's order (`order`, the
    /// fields' names as the service spells them); any other error is the page's.
    pub fn of(err: ServiceError, order: &[&str]) -> Result<Self, PageError> {
        Self::default().and(err, order)
    }

    /// These problems and a refused change's field errors on other fields, in the form's order.
    pub fn and(mut self, err: ServiceError, order: &[&str]) -> Result<Self, PageError> {
        let ServiceError::Invalid(errors) = err else {
            return Err(err.into());
        };
        for e in errors {
            if self.message(&e.field).is_none() {
                self.0.push((e.field, sentence(&e.message)));
            }
        }
        Ok(self.in_order(order))
    }
}

/// A service message as a sentence on the page: capitalised.
pub fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a change's confirmation says on the page after its redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    TechnologyRegistered,
    TechnologyUpdated,
    TokenRevoked,
    PilotRegistered,
    PilotUpdated,
    MeasureRecorded,
    ReportSaved,
    ReportPublished,
    PilotPublished,
    PilotShared,
    SharingEnded,
    // The administrator's pages.
    OrganisationAdded,
    OrganisationUpdated,
    MemberInvited,
    MemberRoleChanged,
    MemberRemoved,
    MetricAdded,
    MetricUpdated,
    MetricRetired,
    PilotWithdrawn,
    TechnologyWithdrawn,
}

impl Notice {
    const ALL: [Notice; 21] = [
        Self::TechnologyRegistered,
        Self::TechnologyUpdated,
        Self::TokenRevoked,
        Self::PilotRegistered,
        Self::PilotUpdated,
        Self::MeasureRecorded,
        Self::ReportSaved,
        Self::ReportPublished,
        Self::PilotPublished,
        Self::PilotShared,
        Self::SharingEnded,
        Self::OrganisationAdded,
        Self::OrganisationUpdated,
        Self::MemberInvited,
        Self::MemberRoleChanged,
        Self::MemberRemoved,
        Self::MetricAdded,
        Self::MetricUpdated,
        Self::MetricRetired,
        Self::PilotWithdrawn,
        Self::TechnologyWithdrawn,
    ];

    fn key(self) -> &'static str {
        match self {
            Self::TechnologyRegistered => "technology-registered",
            Self::TechnologyUpdated => "technology-updated",
            Self::TokenRevoked => "token-revoked",
            Self::PilotRegistered => "pilot-registered",
            Self::PilotUpdated => "pilot-updated",
            Self::MeasureRecorded => "measure-recorded",
            Self::ReportSaved => "report-saved",
            Self::ReportPublished => "report-published",
            Self::PilotPublished => "pilot-published",
            Self::PilotShared => "pilot-shared",
            Self::SharingEnded => "sharing-ended",
            Self::OrganisationAdded => "organisation-added",
            Self::OrganisationUpdated => "organisation-updated",
            Self::MemberInvited => "member-invited",
            Self::MemberRoleChanged => "member-role-changed",
            Self::MemberRemoved => "member-removed",
            Self::MetricAdded => "metric-added",
            Self::MetricUpdated => "metric-updated",
            Self::MetricRetired => "metric-retired",
            Self::PilotWithdrawn => "pilot-withdrawn",
            Self::TechnologyWithdrawn => "technology-withdrawn",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            Self::TechnologyRegistered => "Technology registered",
            Self::TechnologyUpdated => "Technology updated",
            Self::TokenRevoked => "Token revoked: it no longer works",
            Self::PilotRegistered => {
                "Pilot registered as a draft: only your organisation can read it until you publish it"
            }
            Self::PilotUpdated => "Pilot updated",
            Self::MeasureRecorded => "Measure saved",
            Self::ReportSaved => "Report saved as a draft: only your organisation can read it",
            Self::ReportPublished => "Report revision published",
            Self::PilotPublished => "Pilot published",
            Self::PilotShared => "Draft shared",
            Self::SharingEnded => "Sharing ended: that organisation can no longer read the draft",
            Self::OrganisationAdded => "Organisation added",
            Self::OrganisationUpdated => "Organisation updated",
            Self::MemberInvited => {
                "Invitation sent: the role is theirs when they sign in with that address"
            }
            Self::MemberRoleChanged => "Role changed",
            Self::MemberRemoved => "Member removed",
            Self::MetricAdded => "Metric added to the catalogue",
            Self::MetricUpdated => "Metric updated",
            Self::MetricRetired => "Metric retired: no new measures can be recorded on it",
            Self::PilotWithdrawn => "Pilot withdrawn",
            Self::TechnologyWithdrawn => "Technology withdrawn",
        }
    }

    /// The notice the last change left for this browser, if any.
    pub fn of(headers: &HeaderMap) -> Option<Self> {
        let jar = CookieJar::from_headers(headers);
        let key = jar.get(NOTICE_COOKIE)?.value().to_owned();
        Self::ALL.into_iter().find(|n| n.key() == key)
    }
}

/// After a change: to `to`, whose page shows `notice` once (post/redirect/get).
pub fn done(to: &str, notice: Notice) -> Response {
    let cookie = Cookie::build((NOTICE_COOKIE, notice.key()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .build();
    (CookieJar::new().add(cookie), Redirect::to(to)).into_response()
}

/// Clears the notice once a page has shown it.
pub async fn clear_notice(request: Request, next: axum::middleware::Next) -> Response {
    let had = Notice::of(request.headers()).is_some();
    let mut response = next.run(request).await;
    // A tombstone (410) is a page shown in full, after a withdrawal's redirect too.
    if had && (response.status().is_success() || response.status() == StatusCode::GONE) {
        let mut removal = Cookie::build((NOTICE_COOKIE, "")).path("/").build();
        removal.make_removal();
        if let Ok(value) = header::HeaderValue::from_str(&removal.to_string()) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response
}

/// A closed list's values as a form's choices, those in `chosen` (stored spellings) selected.
pub fn options<T: Spelling + Iterable>(chosen: &[String]) -> Vec<Choice> {
    T::iter()
        .map(|v| Choice {
            value: v.as_str().to_owned(),
            label: v.label().to_owned(),
            selected: chosen.iter().any(|c| c == v.as_str()),
        })
        .collect()
}

/// The label of the value a stored spelling names, if any.
pub fn label_of<T: Spelling>(spelling: &str) -> Option<&'static str> {
    T::from_spelling(spelling).map(T::label)
}

/// The one value chosen for `field`, or `missing` said of it.
pub fn one_of<T: Spelling>(
    problems: &mut Problems,
    field: &str,
    missing: &str,
    value: &str,
) -> Option<T> {
    let found = T::from_spelling(value);
    if found.is_none() {
        problems.add(field, missing);
    }
    found
}

/// Every value chosen for `field`; one that is not among the form's options is a problem.
pub fn many<T: Spelling>(problems: &mut Problems, field: &str, values: &[String]) -> Vec<T> {
    let found: Vec<T> = values.iter().filter_map(|v| T::from_spelling(v)).collect();
    if found.len() != values.len() {
        problems.add(field, "Select from the options shown");
    }
    found
}

/// A form page with its status: 422 when it shows problems, 409 for a stale edit.
pub fn page(status: StatusCode, page: &impl askama::Template) -> Response {
    match crate::pages::render(page) {
        Ok(html) => (status, html).into_response(),
        Err(err) => err.into_response(),
    }
}
