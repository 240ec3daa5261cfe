//! Administrators invite people to organisations and set or remove their roles through
//! GraphQL; nobody else may; every change is audited; an invitation becomes a membership when
//! the invited address signs in.

use registry_api::model::{audit_log, invitation, membership};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use super::VIEWER;
use crate::support::app::{Options, ProviderClient, error_code, token_for};
use crate::support::browser::{Browser, Person};
use crate::support::{self, World};

const INVITE: &str = "mutation($org: ID!, $email: String!, $role: Role!) {
  inviteMember(organisationId: $org, email: $email, role: $role) {
    invitation { id email role }
    userErrors { field code message }
  }
}";
const SET_ROLE: &str = "mutation($id: ID!, $role: Role!) {
  setMembershipRole(membershipId: $id, role: $role) { membership { id role } userErrors { field code } }
}";
const REMOVE: &str = "mutation($id: ID!) {
  removeMembership(membershipId: $id) { removedMembershipId userErrors { field code } }
}";

#[tokio::test]
async fn administrators_manage_memberships_and_every_change_is_audited() {
    for test_db in support::databases().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let w = World::build(db).await;
        let app = test_db
            .app_with(Options {
                provider: Some(ProviderClient::Secret("registry")),
                ..Options::default()
            })
            .await;
        let admin = token_for(db, &w.admin).await;
        let evaluator = token_for(db, &w.evaluator_a).await;
        let org = w.trust_a.id.to_string();

        // Not an administrator: refused, nothing written.
        let refused = app
            .graphql(
                Some(&evaluator),
                INVITE,
                json!({ "org": org, "email": "new.person@example.nhs.uk", "role": "EVALUATOR" }),
            )
            .await;
        assert_eq!(
            error_code(&refused),
            Some("FORBIDDEN"),
            "{engine}: {refused}"
        );
        assert_eq!(test_db.count::<invitation::Entity>().await, 0, "{engine}");

        // Bad input names the field.
        let bad = app
            .graphql(
                Some(&admin),
                INVITE,
                json!({ "org": org, "email": "not an address", "role": "MEMBER" }),
            )
            .await;
        assert_eq!(
            bad["data"]["inviteMember"]["userErrors"][0]["field"],
            json!("email"),
            "{engine}: {bad}"
        );

        // An invitation waits for a sign-in with that address, verified by the provider,
        // even when someone with the address has signed in before.
        let pending = app
            .graphql(
                Some(&admin),
                INVITE,
                json!({ "org": org, "email": "New.Person@example.nhs.uk", "role": "EVALUATOR" }),
            )
            .await;
        assert_eq!(
            pending["data"]["inviteMember"]["invitation"]["email"],
            json!("new.person@example.nhs.uk"),
            "{engine}: {pending}"
        );
        let existing = app
            .graphql(
                Some(&admin),
                INVITE,
                json!({ "org": org, "email": "member-b@example.nhs.uk", "role": "EVALUATOR" }),
            )
            .await;
        assert!(
            existing["data"]["inviteMember"]["invitation"]["id"].is_string(),
            "{engine}: {existing}"
        );
        let member_b = w.member_b.user_id().expect("member B");
        let held = membership::Entity::find()
            .filter(membership::Column::UserId.eq(member_b))
            .filter(membership::Column::OrganisationId.eq(w.trust_a.id))
            .all(db)
            .await
            .expect("memberships");
        assert!(
            held.is_empty(),
            "{engine}: no role before a verified sign-in"
        );

        let browser = Browser::new(&app);
        browser
            .sign_in(Person {
                subject: "newcomer",
                organisations: &[],
                email: Some("new.person@example.nhs.uk"),
            })
            .await;
        let csrf = browser.csrf_token().await;
        let (_, body) = browser.graphql(Some(&csrf), VIEWER).await;
        assert_eq!(
            body["data"]["viewer"]["memberships"],
            json!([{ "role": "EVALUATOR", "source": "ADMINISTRATOR", "organisation": { "odsCode": "RTA" } }]),
            "{engine}: {body}"
        );
        let (_, ids) = browser
            .graphql(Some(&csrf), "{ viewer { memberships { id } } }")
            .await;
        let membership_id = ids["data"]["viewer"]["memberships"][0]["id"]
            .as_str()
            .expect("membership id")
            .to_owned();

        let changed = app
            .graphql(
                Some(&admin),
                SET_ROLE,
                json!({ "id": membership_id, "role": "COMMISSIONER" }),
            )
            .await;
        assert_eq!(
            changed["data"]["setMembershipRole"]["membership"]["role"],
            json!("COMMISSIONER"),
            "{engine}: {changed}"
        );
        let not_theirs = app
            .graphql(Some(&evaluator), REMOVE, json!({ "id": membership_id }))
            .await;
        assert_eq!(error_code(&not_theirs), Some("FORBIDDEN"), "{engine}");
        let removed = app
            .graphql(Some(&admin), REMOVE, json!({ "id": membership_id }))
            .await;
        assert_eq!(
            removed["data"]["removeMembership"]["removedMembershipId"],
            json!(membership_id),
            "{engine}: {removed}"
        );

        let admin_id = w.admin.user_id().expect("admin id");
        let audited = audit_log::Entity::find()
            .filter(audit_log::Column::ActorUserId.eq(admin_id))
            .all(db)
            .await
            .expect("audit");
        let actions: Vec<&str> = audited.iter().map(|a| a.action.as_str()).collect();
        for action in [
            "membership.set_role",
            "membership.revoke",
            "invitation.create",
        ] {
            assert!(
                actions.contains(&action),
                "{engine}: {action} audited: {actions:?}"
            );
        }
        // The grant happened at the newcomer's sign-in, when the invitation was accepted.
        let granted = audit_log::Entity::find()
            .filter(audit_log::Column::Action.eq("membership.grant"))
            .filter(
                audit_log::Column::EntityId.eq(membership_id
                    .parse::<sea_orm::prelude::Uuid>()
                    .expect("uuid")),
            )
            .count(db)
            .await
            .expect("audit");
        assert_eq!(
            granted, 1,
            "{engine}: the accepted invitation's grant is audited"
        );
        let accepted = membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(w.trust_a.id))
            .filter(membership::Column::Role.eq(registry_api::model::Role::Evaluator))
            .all(db)
            .await
            .expect("memberships");
        assert_eq!(
            accepted.len(),
            1,
            "{engine}: evaluator A only, the newcomer's was removed"
        );
        app.stop();
        test_db.finish().await;
    }
}
