//! The OpenID Connect relying party: authorisation code flow with PKCE, `state` and `nonce`
//! (openidconnect on oauth2). The client authenticates with a secret, or with a signed client
//! assertion (`private_key_jwt`, RFC 7523), which NHS CIS2 requires. The provider's metadata
//! and keys are discovered on first use and refreshed hourly, so a server starts even while its
//! provider is briefly unreachable and follows key rotation.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use openidconnect::core::{
    CoreAuthenticationFlow, CoreClient, CoreGenderClaim, CoreIdToken, CoreIdTokenClaims,
    CoreProviderMetadata, CoreTokenResponse,
};
use openidconnect::{
    AccessToken, AccessTokenHash, AdditionalClaims, AuthorizationCode, ClientId, ClientSecret,
    CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
    UserInfoClaims,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::sync::RwLock;

use crate::service::accounts::{Identity, SignInClaims};

/// How a deployment reaches its provider. Built once from the configuration.
#[derive(Clone)]
pub struct OidcSettings {
    pub issuer_url: String,
    pub client_id: String,
    pub credential: ClientCredential,
    /// Scopes beyond `openid` (CIS2 wants `profile`, `email`, `nationalrbacaccess`).
    pub scopes: Vec<String>,
    /// The claim that lists the person's organisations (CIS2: `nhsid_nrbac_roles`, whose
    /// entries carry `org_code`), if memberships should follow it.
    pub organisation_claim: Option<String>,
}

impl std::fmt::Debug for OidcSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcSettings")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("credential", &self.credential)
            .field("scopes", &self.scopes)
            .field("organisation_claim", &self.organisation_claim)
            .finish()
    }
}

/// How the registry proves itself to the provider's token endpoint.
#[derive(Clone)]
pub enum ClientCredential {
    /// `client_secret_basic`.
    Secret(String),
    /// `private_key_jwt`: an RS256 assertion signed with this PEM private key.
    PrivateKey { pem: String, key_id: Option<String> },
}

impl std::fmt::Debug for ClientCredential {
    /// Secrets and keys are never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Secret(_) => f.write_str("Secret([redacted])"),
            Self::PrivateKey { key_id, .. } => write!(f, "PrivateKey(kid {key_id:?}, [redacted])"),
        }
    }
}

/// Why a sign-in did not complete. The detail is for the log; people see a plain message.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The provider could not be reached or answered nonsense.
    #[error("the identity provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider's answer failed a check (signature, issuer, audience, nonce, code).
    #[error("the sign-in was refused: {0}")]
    Refused(String),
    /// The configuration cannot work (a bad key, a bad URL).
    #[error("sign-in is misconfigured: {0}")]
    Misconfigured(String),
}

/// Where to send the browser, and what its callback must match.
#[derive(Debug)]
pub struct Authorisation {
    pub url: String,
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

type DiscoveredClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

struct Discovered {
    at: Instant,
    client: DiscoveredClient,
    token_url: Option<String>,
}

/// Every claim, so the configured organisation claim can be read whatever its shape.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtherClaims {
    #[serde(flatten)]
    claims: HashMap<String, Value>,
}

impl AdditionalClaims for OtherClaims {}

const REDISCOVER_AFTER: Duration = Duration::from_secs(3600);
/// A refused ID token fetches the provider's keys again, at most this often.
const KEY_REFRESH_AFTER: Duration = Duration::from_secs(60);
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A relying party for one provider.
pub struct OidcClient {
    settings: OidcSettings,
    issuer: IssuerUrl,
    redirect: RedirectUrl,
    signing_key: Option<jsonwebtoken::EncodingKey>,
    http: openidconnect::reqwest::Client,
    discovered: RwLock<Option<Discovered>>,
}

impl std::fmt::Debug for OidcClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcClient")
            .field("settings", &self.settings)
            .field("redirect", &self.redirect.as_str())
            .finish_non_exhaustive()
    }
}

impl OidcClient {
    /// Checks the settings; contacts nobody yet.
    pub fn new(settings: OidcSettings, public_url: &str) -> Result<Self, String> {
        let issuer = IssuerUrl::new(settings.issuer_url.clone())
            .map_err(|e| format!("OIDC_ISSUER_URL is not a URL: {e}"))?;
        let redirect = RedirectUrl::new(format!("{public_url}/auth/callback"))
            .map_err(|e| format!("PUBLIC_URL does not make a redirect URL: {e}"))?;
        if settings.client_id.trim().is_empty() {
            return Err("OIDC_CLIENT_ID is empty".to_owned());
        }
        let signing_key = match &settings.credential {
            ClientCredential::Secret(secret) if secret.is_empty() => {
                return Err("OIDC_CLIENT_SECRET is empty".to_owned());
            }
            ClientCredential::Secret(_) => None,
            ClientCredential::PrivateKey { pem, .. } => Some(
                jsonwebtoken::EncodingKey::from_rsa_pem(pem.as_bytes())
                    .map_err(|e| format!("the client's private key is not an RSA PEM key: {e}"))?,
            ),
        };
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects from the provider's endpoints would open the door to SSRF.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Self {
            settings,
            issuer,
            redirect,
            signing_key,
            http,
            discovered: RwLock::new(None),
        })
    }

    /// Starts a sign-in: the provider's authorisation URL with a fresh `state`, `nonce` and
    /// PKCE challenge.
    pub async fn authorisation(&self) -> Result<Authorisation, SignInError> {
        self.with_client(|client| {
            let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
            let mut request = client.authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            );
            for scope in &self.settings.scopes {
                request = request.add_scope(Scope::new(scope.clone()));
            }
            let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
            Authorisation {
                url: url.to_string(),
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            }
        })
        .await
    }

    /// Finishes a sign-in: exchanges the code (with the PKCE verifier and the client's
    /// credential), verifies the ID token (signature, issuer, audience, expiry, nonce, access
    /// token hash) and reads who the person is.
    pub async fn complete(
        &self,
        code: &str,
        nonce: &str,
        pkce_verifier: &str,
    ) -> Result<(Identity, SignInClaims), SignInError> {
        let response = self.exchange(code, pkce_verifier).await?;
        let id_token = response
            .id_token()
            .ok_or_else(|| SignInError::Refused("the provider sent no ID token".to_owned()))?;
        let claims = match self.verify(id_token, response.access_token(), nonce).await {
            Ok(claims) => claims,
            // The provider may have rotated its signing keys since they were fetched: fetch
            // them again, at most once a minute, and check once more.
            Err(first) if self.keys_older_than(KEY_REFRESH_AFTER).await => {
                tracing::info!(error = %first, "ID token refused; refreshing the provider's keys");
                self.discover(true).await?;
                self.verify(id_token, response.access_token(), nonce)
                    .await?
            }
            Err(refused) => return Err(refused),
        };
        self.discover(false).await?;
        let guard = self.discovered.read().await;
        let client = &guard
            .as_ref()
            .ok_or_else(|| SignInError::Unavailable("no provider metadata".to_owned()))?
            .client;

        let subject = claims.subject().clone();
        let mut name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned());
        let mut email = claims.email().map(|e| e.as_str().to_owned());
        let mut email_verified = claims.email_verified().unwrap_or(false);
        let mut other = HashMap::new();
        if let Ok(request) =
            client.user_info(response.access_token().clone(), Some(subject.clone()))
        {
            let info: UserInfoClaims<OtherClaims, CoreGenderClaim> = request
                .request_async(&self.http)
                .await
                .map_err(|e| SignInError::Unavailable(format!("userinfo endpoint: {e}")))?;
            name = name.or_else(|| {
                info.name()
                    .and_then(|n| n.get(None))
                    .map(|n| n.as_str().to_owned())
            });
            if let Some(address) = info.email() {
                email = Some(address.as_str().to_owned());
                email_verified = info.email_verified().unwrap_or(false);
            }
            other = info.additional_claims().claims.clone();
        }
        // A claim the provider did not send says nothing: memberships stay as they are,
        // rather than being emptied (a missing scope or userinfo endpoint is not a move).
        let organisation_codes = self
            .settings
            .organisation_claim
            .as_ref()
            .and_then(|claim| other.get(claim))
            .map(|listed| organisation_codes(Some(listed)));
        let identity = Identity {
            issuer: claims.issuer().as_str().to_owned(),
            subject: subject.as_str().to_owned(),
            name: name
                .or_else(|| email.clone())
                .unwrap_or_else(|| subject.as_str().to_owned()),
            email,
        };
        Ok((
            identity,
            SignInClaims {
                email_verified,
                organisation_codes,
            },
        ))
    }

    /// Exchanges the code at the token endpoint, with the PKCE verifier and the client's
    /// credential.
    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
    ) -> Result<CoreTokenResponse, SignInError> {
        self.discover(false).await?;
        let guard = self.discovered.read().await;
        let discovered = guard
            .as_ref()
            .ok_or_else(|| SignInError::Unavailable("no provider metadata".to_owned()))?;
        let mut request = discovered
            .client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SignInError::Misconfigured(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(pkce_verifier.to_owned()));
        if let Some(key) = &self.signing_key {
            let audience = discovered
                .token_url
                .clone()
                .ok_or_else(|| SignInError::Misconfigured("no token endpoint".to_owned()))?;
            request = request
                .add_extra_param("client_assertion_type", ASSERTION_TYPE)
                .add_extra_param("client_assertion", self.client_assertion(key, &audience)?);
        }
        request
            .request_async(&self.http)
            .await
            .map_err(|e| SignInError::Refused(format!("token endpoint: {e}")))
    }

    /// Checks the ID token with the provider's current keys: signature, issuer, audience,
    /// expiry, nonce, and the access token hash when present.
    async fn verify<'t>(
        &self,
        id_token: &'t CoreIdToken,
        access_token: &AccessToken,
        nonce: &str,
    ) -> Result<&'t CoreIdTokenClaims, SignInError> {
        let guard = self.discovered.read().await;
        let discovered = guard
            .as_ref()
            .ok_or_else(|| SignInError::Unavailable("no provider metadata".to_owned()))?;
        let verifier = discovered.client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(nonce.to_owned()))
            .map_err(|e| SignInError::Refused(format!("ID token: {e}")))?;
        if let Some(expected) = claims.access_token_hash() {
            let algorithm = id_token
                .signing_alg()
                .map_err(|e| SignInError::Refused(format!("ID token: {e}")))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| SignInError::Refused(format!("ID token: {e}")))?;
            let actual = AccessTokenHash::from_token(access_token, algorithm, key)
                .map_err(|e| SignInError::Refused(format!("access token hash: {e}")))?;
            if actual != *expected {
                return Err(SignInError::Refused(
                    "the access token does not match the ID token".to_owned(),
                ));
            }
        }
        Ok(claims)
    }

    /// Whether the provider's keys were fetched longer ago than `age`.
    async fn keys_older_than(&self, age: Duration) -> bool {
        self.discovered
            .read()
            .await
            .as_ref()
            .is_none_or(|d| d.at.elapsed() > age)
    }

    /// An RS256 client assertion for the token endpoint, valid for one minute.
    fn client_assertion(
        &self,
        key: &jsonwebtoken::EncodingKey,
        audience: &str,
    ) -> Result<String, SignInError> {
        let now = chrono::Utc::now().timestamp();
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        if let ClientCredential::PrivateKey { key_id, .. } = &self.settings.credential {
            header.kid = key_id.clone();
        }
        let claims = serde_json::json!({
            "iss": self.settings.client_id,
            "sub": self.settings.client_id,
            "aud": audience,
            "jti": uuid::Uuid::new_v4().to_string(),
            "iat": now,
            "exp": now + 60,
        });
        jsonwebtoken::encode(&header, &claims, key)
            .map_err(|e| SignInError::Misconfigured(format!("signing the client assertion: {e}")))
    }

    async fn with_client<T>(
        &self,
        f: impl FnOnce(&DiscoveredClient) -> T,
    ) -> Result<T, SignInError> {
        self.discover(false).await?;
        let guard = self.discovered.read().await;
        let discovered = guard
            .as_ref()
            .ok_or_else(|| SignInError::Unavailable("no provider metadata".to_owned()))?;
        Ok(f(&discovered.client))
    }

    /// Fetches the provider's metadata and keys when they are missing or an hour old.
    async fn discover(&self, force: bool) -> Result<(), SignInError> {
        let fresh = |d: &Option<Discovered>| {
            d.as_ref()
                .is_some_and(|d| !force && d.at.elapsed() < REDISCOVER_AFTER)
        };
        if fresh(&*self.discovered.read().await) {
            return Ok(());
        }
        let mut slot = self.discovered.write().await;
        if fresh(&slot) {
            return Ok(());
        }
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| SignInError::Unavailable(format!("discovery: {e}")))?;
        let token_url = metadata.token_endpoint().map(|u| u.to_string());
        let secret = match &self.settings.credential {
            ClientCredential::Secret(secret) => Some(ClientSecret::new(secret.clone())),
            ClientCredential::PrivateKey { .. } => None,
        };
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            secret,
        )
        .set_redirect_uri(self.redirect.clone());
        *slot = Some(Discovered {
            at: Instant::now(),
            client,
            token_url,
        });
        Ok(())
    }
}

/// The ODS codes in an organisation claim, whatever its shape: a code, a list of codes, or a
/// list of objects with an `org_code` (as CIS2's `nhsid_nrbac_roles`).
pub fn organisation_codes(claim: Option<&Value>) -> Vec<String> {
    let mut codes: Vec<String> = match claim {
        Some(Value::String(code)) => vec![code.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| match item {
                Value::String(code) => Some(code.clone()),
                Value::Object(fields) => fields
                    .get("org_code")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    for code in &mut codes {
        *code = code.trim().to_ascii_uppercase();
    }
    codes.retain(|c| !c.is_empty());
    codes.sort();
    codes.dedup();
    codes
}

#[cfg(test)]
mod tests {
    use super::organisation_codes;
    use serde_json::json;

    #[test]
    fn organisation_codes_are_read_from_every_shape_of_claim() {
        assert_eq!(organisation_codes(Some(&json!("rx1 "))), vec!["RX1"]);
        assert_eq!(
            organisation_codes(Some(&json!([
                { "org_code": "RX2", "person_roleid": "1" },
                { "org_code": "A12345" },
                "rx2",
                7
            ]))),
            vec!["A12345", "RX2"]
        );
        assert!(organisation_codes(None).is_empty());
    }
}
