//! The administrator's pages through the running server: in a browser with JavaScript disabled,
//! an administrator adds a metric (a mistake first: the error summary links to the field), adds
//! an organisation (a malformed ODS code, then one already taken, each said at the field) and
//! withdraws a pilot, whose page becomes a tombstone (410 Gone) that an anonymous reader sees
//! with the reason. axe-core checks every form page with errors and without. Anyone else is
//! refused, and a forged POST changes nothing. On SQLite, and on PostgreSQL when
//! `REGISTRY_TEST_POSTGRES_URL` is set.

use registry_api::model::{Role, Visibility, metric, organisation, pilot};
use registry_api::service::{memberships, metrics, organisations};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{demo_apps, session_of};
use crate::support::chromium::Chromium;
use crate::support::{self, World};

/// The demo registry administrator.
const ADMINISTRATOR: &str = "Imogen Fairweather";
/// A public demo pilot, to withdraw.
const PILOT: &str = "Early detection of COPD exacerbations at St Aldric's Hospital";
const REASON: &str = "Registered twice: the same pilot is recorded by its evaluation partner";

/// A page's text on one line, words single-spaced, so an inline error's visually hidden
/// "Error:" reads with its message.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn an_administrator_adds_a_metric_and_an_organisation_and_withdraws_a_pilot_without_javascript()
 {
    for (test_db, app) in demo_apps().await {
        let engine = test_db.engine;
        let db = &test_db.db;
        let pilot = pilot::Entity::find()
            .filter(pilot::Column::Title.eq(PILOT))
            .one(db)
            .await
            .expect("read")
            .expect("the demo pilot");
        assert_eq!(pilot.visibility, Visibility::Public, "{engine}");
        let pilot_path = format!("/pilots/{}", pilot.id);
        let metrics_before = test_db.count::<metric::Entity>().await;

        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url("/admin/metrics/new"))
            .snapshot("sent to sign in")
            .click_button(&format!("Sign in as {ADMINISTRATOR}"))
            .snapshot("metric form")
            .axe()
            // A mistake: a code of the wrong shape, and no definition, domain or kind.
            .fill("Name", "Minutes to first treatment")
            .fill("Code", "first treatment")
            .click_button("Continue")
            .snapshot("metric errors")
            .axe()
            .click_link("Code must start with a letter")
            .snapshot("to the code")
            .fill("Code", "FIRST_TREATMENT_MIN")
            .fill(
                "Definition",
                "Minutes from arrival at the emergency department to the first treatment given.",
            )
            .check("Operational efficiency")
            .check("Continuous")
            .check("Minutes")
            .check("Lower is better")
            .click_button("Continue")
            .snapshot("metric check")
            .axe()
            .click_button("Add metric")
            .snapshot("metric added")
            .axe()
            // An organisation: a malformed ODS code, then one another organisation has.
            .goto(app.url("/admin"))
            .snapshot("admin index")
            .axe()
            .click_link("Organisations")
            .snapshot("organisations")
            .axe()
            .click_button("Add an organisation")
            .snapshot("organisation form")
            .axe()
            .fill("Name", "Harbourside Community Diagnostics")
            .check("Community provider")
            .fill("ODS code", "R!1")
            .click_button("Continue")
            .snapshot("bad ods code")
            .axe()
            .fill("ODS code", "rz5")
            .click_button("Continue")
            .snapshot("taken ods code")
            .axe()
            .click_link("Another organisation already has this ODS code")
            .snapshot("to the ods code")
            .fill("ODS code", "NQZ09")
            .select("NHS England region", "South West")
            .click_button("Continue")
            .snapshot("organisation check")
            .axe()
            .click_button("Add organisation")
            .snapshot("organisation added")
            // Withdrawing a pilot: a reason is needed, a confirmation says what it does.
            .goto(app.url(&pilot_path))
            .click_link("Withdraw this pilot")
            .snapshot("withdraw form")
            .axe()
            .click_button("Continue")
            .snapshot("withdraw errors")
            .axe()
            .fill("Reason for withdrawing it", REASON)
            .click_button("Continue")
            .snapshot("withdraw confirm")
            .axe()
            .click_button("Withdraw pilot")
            .snapshot("withdrawn")
            .axe()
            .run()
            .await;

        let checked = journey.axe_results();
        assert_eq!(
            checked.len(),
            14,
            "{engine}: axe-core checked every page of the journey"
        );
        for (page, violations) in &checked {
            assert!(
                violations.is_empty(),
                "{engine} {}: {violations:?}",
                page.url
            );
        }

        let sent = journey.page("sent to sign in");
        assert_eq!(sent.path(), "/auth/login", "{engine}: sign in first");
        let form = journey.page("metric form");
        assert_eq!(form.path(), "/admin/metrics/new", "{engine}: and back");
        assert_eq!(form.heading.as_deref(), Some("Add a metric"), "{engine}");
        assert!(
            form.header().contains("Administer"),
            "{engine}: the header links to the administration: {}",
            form.header()
        );

        let errors = journey.page("metric errors");
        assert_eq!(errors.status, Some(422), "{engine}");
        assert!(errors.title.starts_with("Error: "), "{engine}");
        for message in [
            "There is a problem",
            "Code must start with a letter and hold only letters, digits and underscores",
            "Enter a definition",
            "Select the metric's domain",
            "Select whether the metric is continuous or binary",
        ] {
            assert!(
                errors.main.contains(message),
                "{engine}: {message}: {}",
                errors.main
            );
        }
        assert!(
            journey.page("to the code").url.ends_with("#code"),
            "{engine}: the summary links to the field: {}",
            journey.page("to the code").url
        );
        let check = journey.page("metric check");
        assert_eq!(
            check.heading.as_deref(),
            Some("Check your answers before saving"),
            "{engine}"
        );
        for answer in [
            "FIRST_TREATMENT_MIN",
            "Operational efficiency",
            "Lower is better",
        ] {
            assert!(check.main.contains(answer), "{engine}: {answer}");
        }
        let added = journey.page("metric added");
        assert_eq!(added.path(), "/admin/metrics", "{engine}");
        assert!(
            added.main.contains("Metric added to the catalogue"),
            "{engine}: a success banner: {}",
            added.main
        );
        let saved = metrics::find_by_code(db, "FIRST_TREATMENT_MIN")
            .await
            .expect("read")
            .expect("the metric was saved");
        assert_eq!(saved.name, "Minutes to first treatment", "{engine}");
        assert_eq!(
            test_db.count::<metric::Entity>().await,
            metrics_before + 1,
            "{engine}: one metric, written once"
        );

        let bad = journey.page("bad ods code");
        assert_eq!(bad.status, Some(422), "{engine}");
        assert!(
            flat(&bad.main).contains("Error: ODS code must be 3 to 10 letters and digits"),
            "{engine}: said at the field: {}",
            bad.main
        );
        let taken = journey.page("taken ods code");
        assert_eq!(taken.status, Some(422), "{engine}");
        assert!(
            flat(&taken.main).contains(
                "Error: Another organisation already has this ODS code: St Aldric's Hospital"
            ),
            "{engine}: a duplicate is said at the field, before anything is saved: {}",
            taken.main
        );
        assert!(
            journey.page("to the ods code").url.ends_with("#odsCode"),
            "{engine}"
        );
        let organisation_added = journey.page("organisation added");
        assert_eq!(
            organisation_added.path(),
            "/admin/organisations",
            "{engine}"
        );
        assert!(
            organisation_added.main.contains("Organisation added"),
            "{engine}: {}",
            organisation_added.main
        );
        let made = organisations::find_by_ods_code(db, "NQZ09")
            .await
            .expect("read")
            .expect("the organisation was saved");
        assert_eq!(made.name, "Harbourside Community Diagnostics", "{engine}");

        let withdraw_errors = journey.page("withdraw errors");
        assert_eq!(withdraw_errors.status, Some(422), "{engine}");
        assert!(
            withdraw_errors
                .main
                .contains("Enter the reason for withdrawing the pilot"),
            "{engine}: {}",
            withdraw_errors.main
        );
        let confirm = journey.page("withdraw confirm");
        for said in [
            "What this does",
            "its measures stop counting in comparisons",
            REASON,
            "St Aldric's Hospital",
        ] {
            assert!(
                confirm.main.contains(said),
                "{engine}: {said}: {}",
                confirm.main
            );
        }
        let withdrawn = journey.page("withdrawn");
        assert_eq!(withdrawn.path(), pilot_path, "{engine}");
        assert_eq!(withdrawn.status, Some(410), "{engine}: a tombstone is Gone");
        assert!(
            withdrawn.main.contains("Pilot withdrawn"),
            "{engine}: {}",
            withdrawn.main
        );
        let stored = pilot::Entity::find_by_id(pilot.id)
            .one(db)
            .await
            .expect("read")
            .expect("kept");
        assert_eq!(stored.withdrawn_reason.as_deref(), Some(REASON), "{engine}");

        // An anonymous reader, who could read the pilot before, finds its tombstone.
        let anonymous = Chromium::new()
            .javascript(false)
            .goto(app.url(&pilot_path))
            .snapshot("tombstone")
            .axe()
            .run()
            .await;
        let tombstone = anonymous.page("tombstone");
        assert_eq!(tombstone.status, Some(410), "{engine}");
        assert_eq!(tombstone.heading.as_deref(), Some(PILOT), "{engine}");
        for said in [
            "This pilot was withdrawn",
            "St Aldric's Hospital",
            REASON,
            "Withdrawn on",
        ] {
            assert!(
                tombstone.main.contains(said),
                "{engine}: {said}: {}",
                tombstone.main
            );
        }
        assert!(
            !tombstone.main.contains("Problem addressed"),
            "{engine}: only the tombstone is shown: {}",
            tombstone.main
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn the_administration_pages_are_for_administrators_only() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let draft = w.pilot(db, "Never published", Visibility::Draft).await;
        let public = w
            .pilot(db, "Published then withdrawn", Visibility::Public)
            .await;
        let app = test_db.app().await;
        let ods = w.trust_a.ods_code.clone().expect("an ODS code");
        let (admin, admin_csrf) = session_of(db, &w.admin).await;
        let (evaluator, evaluator_csrf) = session_of(db, &w.evaluator_a).await;
        let membership = memberships::grant(
            db,
            &w.admin,
            w.member_b.user_id().expect("a person"),
            w.trust_a.id,
            Role::Member,
        )
        .await
        .expect("grant")
        .0;
        let pages = [
            "/admin".to_owned(),
            "/admin/organisations".to_owned(),
            "/admin/organisations/new".to_owned(),
            format!("/admin/organisations/{ods}/edit"),
            format!("/admin/organisations/{ods}/members"),
            format!("/admin/organisations/{ods}/members/{}/role", membership.id),
            format!(
                "/admin/organisations/{ods}/members/{}/remove",
                membership.id
            ),
            "/admin/metrics".to_owned(),
            "/admin/metrics/new".to_owned(),
            format!("/admin/metrics/{}/edit", w.wait_minutes.code),
            format!("/admin/metrics/{}/retire", w.wait_minutes.code),
            format!("/pilots/{}/withdraw", public.id),
            format!("/technologies/{}/withdraw", w.technology.record.slug),
        ];
        let no_redirects = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        for path in &pages {
            let get = |cookie: Option<&str>| {
                let mut request = no_redirects.get(app.url(path));
                if let Some(cookie) = cookie {
                    request = request.header("cookie", format!("registry_session={cookie}"));
                }
                request.send()
            };
            let anonymous = get(None).await.expect("send");
            assert_eq!(
                anonymous.status(),
                StatusCode::SEE_OTHER,
                "{engine} {path}: to sign in"
            );
            let location = anonymous
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert!(
                location.starts_with("/auth/login?return_to="),
                "{engine} {path}: {location}"
            );
            let refused = get(Some(&evaluator)).await.expect("send");
            assert_eq!(
                refused.status(),
                StatusCode::FORBIDDEN,
                "{engine} {path}: an evaluator is refused"
            );
            let body = refused.text().await.expect("body");
            assert!(
                body.contains("You do not have permission to administer the registry")
                    || body.contains("You do not have permission"),
                "{engine} {path}: the forbidden page"
            );
            let allowed = get(Some(&admin)).await.expect("send");
            assert_eq!(
                allowed.status(),
                StatusCode::OK,
                "{engine} {path}: an administrator's page"
            );
        }

        // Forms posted by someone else, or without the token, change nothing.
        let organisations_before = test_db.count::<organisation::Entity>().await;
        let form = |token: &str| {
            vec![
                ("csrf_token", token.to_owned()),
                ("step", "confirm".to_owned()),
                ("name", "Forged Trust".to_owned()),
                ("kind", "nhs_trust".to_owned()),
                ("odsCode", "RFF".to_owned()),
            ]
        };
        for (cookie, token) in [
            (&evaluator, evaluator_csrf.as_str()),
            (&admin, ""),
            (&admin, evaluator_csrf.as_str()),
        ] {
            let response = app
                .http
                .post(app.url("/admin/organisations/new"))
                .header("cookie", format!("registry_session={cookie}"))
                .form(&form(token))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), StatusCode::FORBIDDEN, "{engine}");
        }
        let crossed = app
            .http
            .post(app.url("/admin/organisations/new"))
            .header("cookie", format!("registry_session={admin}"))
            .header("sec-fetch-site", "cross-site")
            .form(&form(&admin_csrf))
            .send()
            .await
            .expect("send");
        assert_eq!(crossed.status(), StatusCode::FORBIDDEN, "{engine}");
        assert_eq!(
            test_db.count::<organisation::Entity>().await,
            organisations_before,
            "{engine}: nothing written"
        );
        let written = app
            .http
            .post(app.url("/admin/organisations/new"))
            .header("cookie", format!("registry_session={admin}"))
            .form(&form(&admin_csrf))
            .send()
            .await
            .expect("send");
        assert!(
            written.status().is_success() || written.status().is_redirection(),
            "{engine}: the administrator's own form works: {}",
            written.status()
        );
        assert_eq!(
            test_db.count::<organisation::Entity>().await,
            organisations_before + 1,
            "{engine}"
        );

        // Tombstones: for whoever could read the pilot before; a draft stays unknown.
        registry_api::service::pilots::withdraw(db, &w.system, public.id, public.version, "Wrong")
            .await
            .expect("withdraw");
        let gone = app
            .http
            .get(app.url(&format!("/pilots/{}", public.id)))
            .send()
            .await
            .expect("send");
        assert_eq!(gone.status(), StatusCode::GONE, "{engine}");
        assert!(
            gone.text().await.expect("body").contains("Wrong"),
            "{engine}"
        );
        registry_api::service::pilots::withdraw(db, &w.system, draft.id, draft.version, "Wrong")
            .await
            .expect("withdraw the draft");
        let unknown = app
            .http
            .get(app.url(&format!("/pilots/{}", draft.id)))
            .send()
            .await
            .expect("send");
        assert_eq!(
            unknown.status(),
            StatusCode::NOT_FOUND,
            "{engine}: a draft never published stays unknown to outsiders"
        );
        let own = app
            .http
            .get(app.url(&format!("/pilots/{}", draft.id)))
            .header(
                "cookie",
                format!("registry_session={}", session_of(db, &w.member_a).await.0),
            )
            .send()
            .await
            .expect("send");
        assert_eq!(
            own.status(),
            StatusCode::GONE,
            "{engine}: its host, who could read it, sees the tombstone"
        );
        app.stop();
        test_db.finish().await;
    }
}

/// The demo evaluator at Northmoor Valley NHS Foundation Trust (RZ4).
const EVALUATOR: &str = "Rhodri Penhallow";

#[tokio::test]
async fn an_administrator_manages_members_retires_a_metric_and_withdraws_a_technology_without_javascript()
 {
    for (test_db, app) in demo_apps().await {
        let engine = test_db.engine;
        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url("/admin/organisations/RZ4/members"))
            .click_button(&format!("Sign in as {ADMINISTRATOR}"))
            .snapshot("members")
            .axe()
            .click_button("Send invitation")
            .snapshot("invite errors")
            .axe()
            .fill("Email address", "ward.sister@nhs.net")
            .check("Evaluator")
            .click_button("Send invitation")
            .snapshot("invited")
            .click_link(&format!("Change role of {EVALUATOR}"))
            .snapshot("role form")
            .axe()
            .check("Commissioner")
            .click_button("Change role")
            .snapshot("role changed")
            .click_link(&format!("Remove {EVALUATOR}"))
            .snapshot("remove confirm")
            .axe()
            .click_button("Remove member")
            .snapshot("removed")
            .goto(app.url("/admin/organisations/RZ4/edit"))
            .snapshot("organisation edit")
            .axe()
            .fill("Name", "Northmoor Valley Teaching NHS Foundation Trust")
            .click_button("Continue")
            .click_button("Save changes")
            .snapshot("organisation updated")
            .goto(app.url("/admin/metrics"))
            .click_link("Retire Length of stay")
            .snapshot("retire confirm")
            .axe()
            .click_button("Retire metric")
            .snapshot("retired")
            .axe()
            .goto(app.url("/evidence/LOS_DAYS"))
            .snapshot("retired comparison")
            .goto(app.url("/technologies/quillon-dermasight"))
            .click_link("Withdraw this technology")
            .fill(
                "Reason for withdrawing it",
                "The supplier withdrew the product",
            )
            .click_button("Continue")
            .snapshot("technology confirm")
            .click_button("Withdraw technology")
            .snapshot("technology withdrawn")
            .run()
            .await;
        for (page, violations) in journey.axe_results() {
            assert!(
                violations.is_empty(),
                "{engine} {}: {violations:?}",
                page.url
            );
        }
        let members = journey.page("members");
        assert!(
            members.main.contains(EVALUATOR),
            "{engine}: {}",
            members.main
        );
        let errors = journey.page("invite errors");
        assert_eq!(errors.status, Some(422), "{engine}");
        for message in ["Enter an e-mail address", "Select a role"] {
            assert!(
                flat(&errors.main).contains(message),
                "{engine}: {message}: {}",
                errors.main
            );
        }
        let invited = journey.page("invited");
        assert!(
            invited.main.contains("Invitation sent")
                && invited.main.contains("ward.sister@nhs.net"),
            "{engine}: {}",
            invited.main
        );
        assert_eq!(
            journey.page("role form").heading.as_deref(),
            Some(format!("Change {EVALUATOR}'s role").as_str()),
            "{engine}"
        );
        let changed = journey.page("role changed");
        assert!(
            changed.main.contains("Role changed") && flat(&changed.main).contains("Commissioner"),
            "{engine}: {}",
            changed.main
        );
        let confirm = journey.page("remove confirm");
        assert!(
            confirm.main.contains("What this does"),
            "{engine}: {}",
            confirm.main
        );
        let removed = journey.page("removed");
        assert!(
            removed.main.contains("Member removed") && !removed.main.contains(EVALUATOR),
            "{engine}: {}",
            removed.main
        );
        assert!(
            journey
                .page("organisation updated")
                .main
                .contains("Organisation updated"),
            "{engine}"
        );
        let renamed = organisations::find_by_ods_code(&test_db.db, "RZ4")
            .await
            .expect("read")
            .expect("RZ4");
        assert_eq!(
            renamed.name, "Northmoor Valley Teaching NHS Foundation Trust",
            "{engine}"
        );
        let retire = journey.page("retire confirm");
        assert!(
            retire
                .main
                .contains("Nobody will be able to record a new measure on this metric"),
            "{engine}: says what retiring does: {}",
            retire.main
        );
        let retired = journey.page("retired");
        assert!(
            retired.main.contains("Metric retired"),
            "{engine}: {}",
            retired.main
        );
        let los = metrics::find_by_code(&test_db.db, "LOS_DAYS")
            .await
            .expect("read")
            .expect("kept");
        assert!(los.retired_at.is_some(), "{engine}");
        let comparison = journey.page("retired comparison");
        assert_eq!(comparison.status, Some(200), "{engine}");
        assert!(
            comparison.main.contains("Retired metric"),
            "{engine}: {}",
            comparison.main
        );
        let tombstone = journey.page("technology withdrawn");
        assert_eq!(tombstone.status, Some(410), "{engine}");
        assert!(
            tombstone.main.contains("The supplier withdrew the product")
                && tombstone.main.contains("Quillon Imaging Ltd"),
            "{engine}: {}",
            tombstone.main
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_stale_admin_edit_is_explained_and_keeps_what_was_typed() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let (cookie, csrf) = session_of(db, &w.admin).await;
        let post = |path: String, form: Vec<(&'static str, String)>| {
            app.http
                .post(app.url(&path))
                .header("cookie", format!("registry_session={cookie}"))
                .form(&form)
                .send()
        };

        // A metric renamed by someone else after the form was opened.
        let m = &w.wait_minutes;
        let typed = "Minutes typed while someone else was editing";
        let metric_form = vec![
            ("csrf_token", csrf.clone()),
            ("step", "confirm".to_owned()),
            ("version", m.version.to_string()),
            ("was.name", m.name.clone()),
            ("was.code", m.code.clone()),
            ("code", m.code.clone()),
            ("name", typed.to_owned()),
            ("unit", m.unit.as_str().to_owned()),
            ("direction", m.direction.as_str().to_owned()),
            ("domain", m.domain.as_str().to_owned()),
            ("kind", m.kind.as_str().to_owned()),
            ("definition", m.definition.clone()),
        ];
        metrics::update(
            db,
            &w.admin,
            m.id,
            m.version,
            registry_api::service::metrics::MetricInput {
                name: "Renamed meanwhile".to_owned(),
                ..support::world::metric_input(&m.code, m.unit, m.kind)
            },
        )
        .await
        .expect("the other edit");
        let response = post(format!("/admin/metrics/{}/edit", m.code), metric_form)
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::CONFLICT, "{engine}");
        let body = response.text().await.expect("body");
        assert!(
            body.contains("Someone else changed this metric"),
            "{engine}: explained"
        );
        assert!(
            body.contains("Renamed meanwhile"),
            "{engine}: what they changed"
        );
        assert!(body.contains(typed), "{engine}: what was typed is kept");
        let now = metrics::get(db, m.id).await.expect("read");
        assert_eq!(
            now.name, "Renamed meanwhile",
            "{engine}: nothing overwritten"
        );

        // An organisation, likewise.
        let o = &w.trust_b;
        let ods = o.ods_code.clone().expect("an ODS code");
        let organisation_form = vec![
            ("csrf_token", csrf.clone()),
            ("step", "confirm".to_owned()),
            ("version", o.version.to_string()),
            ("was.name", o.name.clone()),
            ("was.kind", o.kind.as_str().to_owned()),
            ("was.odsCode", ods.clone()),
            ("name", "Typed Trust".to_owned()),
            ("kind", o.kind.as_str().to_owned()),
            ("odsCode", ods.clone()),
        ];
        organisations::update(
            db,
            &w.admin,
            o.id,
            o.version,
            registry_api::service::organisations::OrganisationInput {
                name: "Renamed Trust".to_owned(),
                kind: o.kind,
                ods_code: o.ods_code.clone(),
                region: o.region,
                parent_icb_id: o.parent_icb_id,
            },
        )
        .await
        .expect("the other edit");
        let response = post(
            format!("/admin/organisations/{ods}/edit"),
            organisation_form,
        )
        .await
        .expect("send");
        assert_eq!(response.status(), StatusCode::CONFLICT, "{engine}");
        let body = response.text().await.expect("body");
        assert!(
            body.contains("Someone else changed this organisation")
                && body.contains("Renamed Trust"),
            "{engine}"
        );
        assert!(
            body.contains("Typed Trust"),
            "{engine}: what was typed is kept"
        );
        app.stop();
        test_db.finish().await;
    }
}
