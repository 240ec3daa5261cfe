//! A full sign-in through the provider, with either kind of client authentication; the
//! organisation claim keeps claim-granted memberships in step.

use registry_api::model::user;
use registry_api::service::accounts;
use reqwest::StatusCode;
use serde_json::json;

use super::{VIEWER, sessions_and_attempts};
use crate::support::app::{Options, ProviderClient};
use crate::support::browser::{Browser, Person, location, sets_session};
use crate::support::{self, World};

#[tokio::test]
async fn signs_in_with_a_client_secret_and_with_private_key_jwt() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        World::build(&test_db.db).await;
        for client in [
            ProviderClient::Secret("registry"),
            ProviderClient::PrivateKeyJwt,
        ] {
            let app = test_db
                .app_with(Options {
                    provider: Some(client),
                    ..Options::default()
                })
                .await;
            let issuer = app.provider.as_ref().expect("provider").issuer.clone();
            let browser = Browser::new(&app);
            let subject = format!("person-{client:?}")
                .replace(['(', ')', '"'], "")
                .to_lowercase();
            let person = Person {
                subject: &subject,
                organisations: &["RTA", "XXX99"],
                email: None,
            };

            let response = browser.sign_in(person).await;
            assert_eq!(
                response.status(),
                StatusCode::SEE_OTHER,
                "{engine} {client:?}"
            );
            assert!(
                sets_session(&response),
                "{engine} {client:?}: a session cookie"
            );
            assert_eq!(location(&browser.url("/"), &response).path(), "/");
            let cookie = response
                .headers()
                .get_all("set-cookie")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.starts_with("registry_session="))
                .expect("session cookie")
                .to_owned();
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
                "{engine}: {cookie}"
            );

            let stored = accounts::find_user(&test_db.db, &issuer, &subject)
                .await
                .expect("find user")
                .expect("first sign-in creates the user");
            assert_eq!(stored.name, format!("Test person {subject}"));
            assert_eq!(
                stored.email.as_deref(),
                Some(format!("{subject}@example.nhs.uk").as_str())
            );

            let csrf = browser.csrf_token().await;
            let (status, body) = browser.graphql(Some(&csrf), VIEWER).await;
            assert_eq!(status, StatusCode::OK, "{engine}: {body}");
            assert_eq!(
                body["data"]["viewer"]["memberships"],
                json!([{ "role": "MEMBER", "source": "CLAIM", "organisation": { "odsCode": "RTA" } }]),
                "{engine} {client:?}: membership from the organisation claim (unknown codes ignored): {body}"
            );
            assert_eq!(body["data"]["viewer"]["signedIn"], json!(true));

            // The provider no longer lists the organisation: the claimed membership goes.
            let again = Browser::new(&app);
            again.sign_in(Person::new(&subject)).await;
            let csrf = again.csrf_token().await;
            let (_, body) = again.graphql(Some(&csrf), VIEWER).await;
            assert_eq!(
                body["data"]["viewer"]["memberships"],
                json!([]),
                "{engine}: {body}"
            );
            assert_eq!(
                sessions_and_attempts(&test_db).await.1,
                0,
                "{engine}: pending sign-ins are used up"
            );
            app.stop();
        }
        let users = test_db.count::<user::Entity>().await;
        assert!(users >= 2, "{engine}");
        test_db.finish().await;
    }
}
