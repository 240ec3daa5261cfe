//! A real OpenID Connect provider (the npm package `oidc-provider`, see `tests/oidc-provider`)
//! started on loopback for one test, and a browserless person who signs in through it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use registry_api::auth::{ClientCredential, OidcSettings};

/// The provider's clients (see `tests/oidc-provider/provider.mjs`).
pub const SECRET: &str = "registry-secret";

pub struct Provider {
    pub issuer: String,
    /// The `registry-jwt` client's private key, for `private_key_jwt`.
    pub client_key_pem: String,
    pub client_key_id: String,
    child: Child,
}

impl Provider {
    /// Starts a provider whose clients redirect to `redirect_uri`.
    pub fn start(redirect_uri: &str) -> Provider {
        let dir = install();
        let mut child = Command::new("node")
            .arg("provider.mjs")
            .arg(redirect_uri)
            .current_dir(&dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the test OpenID provider (is Node.js installed?)");
        let stdout = child.stdout.take().expect("provider stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read the provider's first line");
        let started: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("the test provider printed {line:?}: {e}"));
        Provider {
            issuer: started["issuer"].as_str().expect("issuer").to_owned(),
            client_key_pem: started["clientKeyPem"].as_str().expect("key").to_owned(),
            client_key_id: started["clientKeyId"].as_str().expect("key id").to_owned(),
            child,
        }
    }

    /// Settings for a client that authenticates with the shared secret.
    pub fn secret_client(&self, client_id: &str) -> OidcSettings {
        self.settings(client_id, ClientCredential::Secret(SECRET.to_owned()))
    }

    /// Settings for the `private_key_jwt` client.
    pub fn key_client(&self) -> OidcSettings {
        self.settings(
            "registry-jwt",
            ClientCredential::PrivateKey {
                pem: self.client_key_pem.clone(),
                key_id: Some(self.client_key_id.clone()),
            },
        )
    }

    fn settings(&self, client_id: &str, credential: ClientCredential) -> OidcSettings {
        OidcSettings {
            issuer_url: self.issuer.clone(),
            client_id: client_id.to_owned(),
            credential,
            scopes: vec![
                "profile".into(),
                "email".into(),
                "nationalrbacaccess".into(),
            ],
            organisation_claim: Some("nhsid_nrbac_roles".to_owned()),
        }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `tests/oidc-provider`, with its packages installed (`npm ci`, once, under a lock so tests
/// running in parallel do not install over each other).
fn install() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oidc-provider");
    let lock = std::fs::File::create(std::env::temp_dir().join("registry-oidc-provider.lock"))
        .expect("create the install lock");
    lock.lock().expect("take the install lock");
    if !dir.join("node_modules/oidc-provider").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund", "--loglevel=error"])
            .current_dir(&dir)
            .status()
            .expect("run npm ci in tests/oidc-provider");
        assert!(status.success(), "npm ci in tests/oidc-provider failed");
    }
    lock.unlock().expect("release the install lock");
    dir
}
