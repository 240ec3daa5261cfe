//! Sign-in: who a browser is. Either an OpenID Connect provider (NHS CIS2 for staff, or any
//! compliant provider a deployment trusts), or, for the embedded default only, demo accounts.
//! Sessions and pending sign-ins live in the database (`service::sessions`), so any server
//! process serves any request; [`credentials`] reads a request's token or session cookie.
//!
//! Sign-in sits above the services: it imports them, and they never import it.

pub mod credentials;
pub mod oidc;

use std::net::SocketAddr;
use std::sync::Arc;

pub use crate::service::sessions::SessionPolicy;
pub use oidc::{ClientCredential, OidcClient, OidcSettings, SignInError};

/// How people sign in to this server.
#[derive(Debug, Clone)]
pub enum SignInMode {
    /// Through an OpenID Connect provider.
    Provider(Arc<OidcClient>),
    /// Demo accounts, one per role: only with no provider and on a loopback address.
    Demo,
}

/// Everything the sign-in routes and the session lookups need.
#[derive(Debug, Clone)]
pub struct SignIn {
    pub mode: SignInMode,
    pub policy: SessionPolicy,
    /// The address people reach the registry at; its scheme decides whether cookies are
    /// `Secure`.
    pub public_url: String,
}

impl SignIn {
    /// Chooses the sign-in mode for a server listening on `addr`, refusing the combinations
    /// that would be unsafe: demo accounts anywhere but loopback, or a half-configured provider.
    pub fn choose(
        provider: Option<OidcSettings>,
        addr: SocketAddr,
        public_url: Option<String>,
        policy: SessionPolicy,
    ) -> Result<SignIn, String> {
        let loopback = addr.ip().is_loopback();
        let public_url = match public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None if loopback => format!("http://{addr}"),
            None => {
                return Err(format!(
                    "PUBLIC_URL is not set: a server listening on {addr} must be told the \
                     address people reach it at (https://…), for cookies and the sign-in redirect"
                ));
            }
        };
        let mode = match provider {
            Some(settings) => {
                SignInMode::Provider(Arc::new(OidcClient::new(settings, &public_url)?))
            }
            None if loopback => SignInMode::Demo,
            None => {
                return Err(format!(
                    "no identity provider is configured (OIDC_ISSUER_URL) and {addr} is not a \
                     loopback address: demo accounts are only offered on 127.0.0.1 or ::1. Set \
                     OIDC_ISSUER_URL, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET (or \
                     OIDC_CLIENT_KEY_FILE), or listen on loopback"
                ));
            }
        };
        Ok(SignIn {
            mode,
            policy,
            public_url,
        })
    }

    pub fn demo_enabled(&self) -> bool {
        matches!(self.mode, SignInMode::Demo)
    }

    /// Cookies carry `Secure` whenever people reach the registry over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}
