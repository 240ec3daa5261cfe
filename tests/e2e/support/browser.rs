//! A browserless browser: a cookie jar and hand-followed redirects, enough to walk the
//! registry's sign-in through a real provider and to send the requests a page would.

use std::sync::Arc;

use reqwest::cookie::{CookieStore, Jar};
use reqwest::{StatusCode, Url, header};
use serde_json::{Value, json};

use super::app::TestApp;

pub struct Browser {
    pub http: reqwest::Client,
    jar: Arc<Jar>,
    base: Url,
}

/// Who signs in at the test provider.
#[derive(Debug, Clone, Copy)]
pub struct Person<'a> {
    pub subject: &'a str,
    /// ODS codes the provider lists in the person's role claim.
    pub organisations: &'a [&'a str],
    pub email: Option<&'a str>,
}

impl<'a> Person<'a> {
    pub fn new(subject: &'a str) -> Self {
        Self {
            subject,
            organisations: &[],
            email: None,
        }
    }
}

impl Browser {
    pub fn new(app: &TestApp) -> Browser {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Browser {
            http,
            jar,
            base: Url::parse(&app.base).expect("base URL"),
        }
    }

    /// The registry session cookie the browser holds, if any.
    pub fn session(&self) -> Option<String> {
        let cookies = self.jar.cookies(&self.base)?;
        session_cookie(cookies.to_str().ok()?)
    }

    /// Puts a session cookie in the jar, as an attacker planting one would.
    pub fn plant_session(&self, value: &str) {
        self.jar
            .add_cookie_str(&format!("registry_session={value}; Path=/"), &self.base);
    }

    pub fn url(&self, path: &str) -> Url {
        self.base.join(path).expect("URL")
    }

    pub async fn get(&self, url: Url) -> reqwest::Response {
        self.http.get(url).send().await.expect("GET")
    }

    /// `GET /auth/login`: the provider's authorisation URL the registry redirects to.
    pub async fn start_sign_in(&self) -> Url {
        let response = self.get(self.url("/auth/login")).await;
        assert_eq!(
            response.status(),
            StatusCode::SEE_OTHER,
            "sign-in should redirect"
        );
        location(&self.url("/auth/login"), &response)
    }

    /// Walks the provider from its authorisation URL to the registry's callback URL (with
    /// `code` and `state`), signing in there as `person`. The callback is not followed.
    pub async fn authorise(&self, authorisation: Url, person: Person<'_>) -> Url {
        let callback = self.url("/auth/callback");
        let mut url = authorisation;
        for _ in 0..10 {
            let response = self.get(url.clone()).await;
            if !response.status().is_redirection() {
                panic!(
                    "the provider answered {} at {url}: {}",
                    response.status(),
                    response.text().await.unwrap_or_default()
                );
            }
            let mut next = location(&url, &response);
            if next.as_str().starts_with(callback.as_str()) {
                return next;
            }
            if next.path().starts_with("/interaction/") && !next.path().ends_with("/login") {
                next = next
                    .join(&format!("{}/login", next.path()))
                    .expect("login URL");
                next.query_pairs_mut()
                    .append_pair("sub", person.subject)
                    .append_pair("orgs", &person.organisations.join(","));
                if let Some(email) = person.email {
                    next.query_pairs_mut().append_pair("email", email);
                }
            }
            url = next;
        }
        panic!("the provider never redirected back to the registry");
    }

    /// Delivers the provider's redirect back to the registry.
    pub async fn callback(&self, callback: Url) -> reqwest::Response {
        self.get(callback).await
    }

    /// The whole sign-in: login, provider, callback. Returns the callback's response.
    pub async fn sign_in(&self, person: Person<'_>) -> reqwest::Response {
        let authorisation = self.start_sign_in().await;
        let callback = self.authorise(authorisation, person).await;
        self.callback(callback).await
    }

    /// The CSRF token of the signed-in session, as the home page's sign-out form holds it.
    pub async fn csrf_token(&self) -> String {
        let page = self
            .get(self.url("/"))
            .await
            .text()
            .await
            .expect("home page");
        let marker = "name=\"csrf_token\" value=\"";
        let start = page
            .find(marker)
            .expect("a sign-out form with a CSRF token")
            + marker.len();
        let end = start + page[start..].find('"').expect("end of the token");
        page[start..end].to_owned()
    }

    /// A GraphQL request as a page's script sends it: with the cookie, and `csrf` if given.
    pub async fn graphql(&self, csrf: Option<&str>, query: &str) -> (StatusCode, Value) {
        let mut request = self
            .http
            .post(self.url("/graphql"))
            .json(&json!({ "query": query }));
        if let Some(token) = csrf {
            request = request.header("x-csrf-token", token);
        }
        let response = request.send().await.expect("POST /graphql");
        let status = response.status();
        (status, response.json().await.expect("JSON body"))
    }

    /// `POST /auth/logout` with the form's CSRF token (or none).
    pub async fn sign_out(&self, csrf: Option<&str>) -> reqwest::Response {
        let form: Vec<(&str, &str)> = csrf.map(|t| ("csrf_token", t)).into_iter().collect();
        self.http
            .post(self.url("/auth/logout"))
            .header(header::ORIGIN, self.base.origin().ascii_serialization())
            .form(&form)
            .send()
            .await
            .expect("POST /auth/logout")
    }
}

/// A redirect's target, resolved against the URL that answered.
pub fn location(from: &Url, response: &reqwest::Response) -> Url {
    let target = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_else(|| panic!("{} from {from} has no Location", response.status()));
    from.join(target).expect("Location is a URL")
}

/// The `registry_session` value in a `Cookie` header's text.
fn session_cookie(cookies: &str) -> Option<String> {
    cookies
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == "registry_session")
        .map(|(_, value)| value.to_owned())
}

/// Whether a response sets a (non-empty) session cookie.
pub fn sets_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.starts_with("registry_session=") && !v.starts_with("registry_session=;"))
}
