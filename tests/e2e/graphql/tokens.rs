//! API tokens: shown once, stored as a hash, scoped, expiring and revocable.

use registry_api::model::{TokenScope, api_token};
use registry_api::service::tokens;
use sea_orm::{ActiveValue::Set, EntityTrait};
use serde_json::json;

use crate::support::app::error_code;
use crate::support::{self, World};

const WHO: &str = "{ viewer { signedIn tokenScope } }";

#[tokio::test]
async fn tokens_expire_are_revoked_and_respect_their_scope() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;

        let read = tokens::create(db, &w.evaluator_a, "read", TokenScope::Read, 30)
            .await
            .expect("token");
        let stored = api_token::Entity::find_by_id(read.token.id)
            .one(db)
            .await
            .expect("row")
            .expect("stored");
        assert!(
            !stored.token_hash.contains(&read.secret) && stored.token_hash.len() == 64,
            "{engine}: only a hash is kept"
        );
        let body = app.graphql(Some(&read.secret), WHO, json!({})).await;
        assert_eq!(
            body["data"]["viewer"],
            json!({ "signedIn": true, "tokenScope": "READ" }),
            "{engine}: {body}"
        );
        let write = app
            .graphql(
                Some(&read.secret),
                "mutation { createApiToken(name: \"more\") { token } }",
                json!({}),
            )
            .await;
        assert_eq!(
            error_code(&write),
            Some("FORBIDDEN"),
            "{engine}: a read token cannot write: {write}"
        );

        let revoked = app
            .graphql(
                Some(&read.secret),
                "mutation($id: ID!) { revokeApiToken(id: $id) { apiToken { revokedAt } } }",
                json!({ "id": read.token.id }),
            )
            .await;
        assert_eq!(
            error_code(&revoked),
            Some("FORBIDDEN"),
            "{engine}: revoking is a change: {revoked}"
        );
        let owner = tokens::create(db, &w.evaluator_a, "owner", TokenScope::ReadWrite, 30)
            .await
            .expect("token");
        let revoked = app
            .graphql(
                Some(&owner.secret),
                "mutation($id: ID!) { revokeApiToken(id: $id) { apiToken { revokedAt } } }",
                json!({ "id": read.token.id }),
            )
            .await;
        assert!(
            revoked["data"]["revokeApiToken"]["apiToken"]["revokedAt"].is_string(),
            "{engine}: {revoked}"
        );
        let after = app
            .http
            .post(format!("{}/graphql", app.base))
            .bearer_auth(&read.secret)
            .json(&json!({ "query": WHO }))
            .send()
            .await
            .expect("send");
        assert_eq!(
            after.status().as_u16(),
            401,
            "{engine}: a revoked token is refused"
        );
        assert_eq!(after.headers()["www-authenticate"], "Bearer");

        let expiring = tokens::create(db, &w.commissioner, "short", TokenScope::Read, 1)
            .await
            .expect("token");
        assert_eq!(
            app.graphql(Some(&expiring.secret), WHO, json!({})).await["data"]["viewer"]["signedIn"],
            true,
            "{engine}"
        );
        api_token::Entity::update(api_token::ActiveModel {
            id: Set(expiring.token.id),
            expires_at: Set(chrono::Utc::now() - chrono::Duration::seconds(1)),
            ..Default::default()
        })
        .exec(db)
        .await
        .expect("expire");
        let expired = app.graphql(Some(&expiring.secret), WHO, json!({})).await;
        assert_eq!(
            error_code(&expired),
            Some("UNAUTHENTICATED"),
            "{engine}: an expired token is refused: {expired}"
        );
        let garbage = app.graphql(Some("ior_not-a-token"), WHO, json!({})).await;
        assert_eq!(error_code(&garbage), Some("UNAUTHENTICATED"), "{engine}");

        let created = app.graphql(Some(&owner.secret), "mutation { createApiToken(name: \"dashboard\", scope: READ, expiresInDays: 400) { token userErrors { field code } } }", json!({})).await;
        assert_eq!(
            created["data"]["createApiToken"]["userErrors"],
            json!([{ "field": "expiresInDays", "code": "OUT_OF_RANGE" }]),
            "{engine}: {created}"
        );
        let created = app
            .graphql(
                Some(&owner.secret),
                "mutation { createApiToken(name: \"dashboard\") { token apiToken { scope } } }",
                json!({}),
            )
            .await;
        let secret = created["data"]["createApiToken"]["token"]
            .as_str()
            .expect("secret shown once")
            .to_owned();
        assert_eq!(
            app.graphql(Some(&secret), WHO, json!({})).await["data"]["viewer"]["tokenScope"],
            "READ",
            "{engine}"
        );
        app.stop();
        test_db.finish().await;
    }
}
