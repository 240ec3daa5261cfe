//! The identity provider's options: which OpenID Connect provider people sign in with, and how
//! the registry authenticates to it.

use std::path::PathBuf;

use clap::Args;
use registry_api::auth::{ClientCredential, OidcSettings};

/// The OpenID Connect provider people sign in with (NHS CIS2, or any compliant provider).
/// Unset: demo accounts, on a loopback address only.
#[derive(Clone, Args)]
pub struct OidcArgs {
    /// The provider's issuer URL (its discovery document is ISSUER/.well-known/openid-configuration).
    #[arg(long, env = "OIDC_ISSUER_URL")]
    pub oidc_issuer_url: Option<String>,

    /// The registry's client id at the provider.
    #[arg(long, env = "OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// The client secret (client_secret_basic). Give this or OIDC_CLIENT_KEY_FILE.
    #[arg(long, env = "OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// A PEM RSA private key for signed client assertions (private_key_jwt, as CIS2 requires).
    #[arg(long, env = "OIDC_CLIENT_KEY_FILE")]
    pub oidc_client_key_file: Option<PathBuf>,

    /// The key id (kid) the provider knows that key by.
    #[arg(long, env = "OIDC_CLIENT_KEY_ID")]
    pub oidc_client_key_id: Option<String>,

    /// Scopes to ask for besides openid, space-separated (CIS2: "profile email nationalrbacaccess").
    #[arg(long, env = "OIDC_SCOPES", default_value = "profile email")]
    pub oidc_scopes: String,

    /// A claim listing the person's organisations by ODS code, kept in step with their
    /// memberships at each sign-in (CIS2: nhsid_nrbac_roles). Unset: memberships come only
    /// from administrators' invitations.
    #[arg(long, env = "OIDC_ORGANISATION_CLAIM")]
    pub oidc_organisation_claim: Option<String>,
}

impl std::fmt::Debug for OidcArgs {
    /// The secret is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcArgs")
            .field("oidc_issuer_url", &self.oidc_issuer_url)
            .field("oidc_client_id", &self.oidc_client_id)
            .field(
                "oidc_client_secret",
                &self.oidc_client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("oidc_client_key_file", &self.oidc_client_key_file)
            .field("oidc_client_key_id", &self.oidc_client_key_id)
            .field("oidc_scopes", &self.oidc_scopes)
            .field("oidc_organisation_claim", &self.oidc_organisation_claim)
            .finish()
    }
}

impl OidcArgs {
    /// The provider settings, or none for demo accounts; a half-given configuration is refused
    /// with the reason.
    pub fn settings(&self) -> Result<Option<OidcSettings>, String> {
        let Some(issuer_url) = self.oidc_issuer_url.clone() else {
            if self.oidc_client_id.is_some()
                || self.oidc_client_secret.is_some()
                || self.oidc_client_key_file.is_some()
            {
                return Err(
                    "OIDC_CLIENT_ID, OIDC_CLIENT_SECRET or OIDC_CLIENT_KEY_FILE is set \
                            but OIDC_ISSUER_URL is not: set the provider's issuer URL too"
                        .to_owned(),
                );
            }
            return Ok(None);
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .ok_or("OIDC_ISSUER_URL is set but OIDC_CLIENT_ID is not")?;
        let credential = match (&self.oidc_client_secret, &self.oidc_client_key_file) {
            (Some(secret), None) => ClientCredential::Secret(secret.clone()),
            (None, Some(path)) => ClientCredential::PrivateKey {
                pem: std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read OIDC_CLIENT_KEY_FILE {}: {e}", path.display())
                })?,
                key_id: self.oidc_client_key_id.clone(),
            },
            (Some(_), Some(_)) => {
                return Err("set OIDC_CLIENT_SECRET or OIDC_CLIENT_KEY_FILE, not both".to_owned());
            }
            (None, None) => {
                return Err(
                    "OIDC_ISSUER_URL is set but the client has no credential: set \
                            OIDC_CLIENT_SECRET or OIDC_CLIENT_KEY_FILE"
                        .to_owned(),
                );
            }
        };
        Ok(Some(OidcSettings {
            issuer_url,
            client_id,
            credential,
            scopes: self
                .oidc_scopes
                .split_whitespace()
                .filter(|s| *s != "openid")
                .map(str::to_owned)
                .collect(),
            organisation_claim: self.oidc_organisation_claim.clone(),
        }))
    }
}
