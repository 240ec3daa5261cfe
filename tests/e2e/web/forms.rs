//! The forms, through the running server: an innovator registers and edits a technology in a
//! browser with JavaScript disabled (a mistake first: the error summary links to the field;
//! then check your answers, confirm, the success banner); a stale edit is explained and keeps
//! what was typed; a POST without the session's token, or from another site, changes nothing.

use registry_api::Actor;
use registry_api::model::{EntryPoint, Visibility, pilot, technology};
use registry_api::service::{pilots, technologies};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{demo_apps, post, session_of};
use crate::support::chromium::Chromium;
use crate::support::{self, World};

/// The demo innovator at Brightwater Health Ltd.
const INNOVATOR: &str = "Tamsin Ellerby";

#[tokio::test]
async fn an_innovator_registers_and_edits_a_technology_without_javascript() {
    for (test_db, app) in demo_apps().await {
        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url("/technologies/new"))
            .snapshot("sent to sign in")
            .click_button(&format!("Sign in as {INNOVATOR}"))
            .snapshot("form")
            .axe()
            .fill(
                "Summary",
                "Spirometry at home, reviewed remotely by the respiratory team.",
            )
            .click_button("Continue")
            .snapshot("errors")
            .axe()
            .click_link("Enter the technology's name")
            .snapshot("to the field")
            .fill("Name", "Breathwell Home Spirometry")
            .fill(
                "Description",
                "People with COPD blow into a Bluetooth spirometer each week; readings reach the \
             community respiratory team, who call when lung function falls.",
            )
            .check("Remote monitoring")
            .check("Community care")
            .check("Respiratory")
            .check("Class IIa")
            .click_button("Continue")
            .snapshot("check answers")
            .axe()
            .click_button("Register technology")
            .snapshot("registered")
            .axe()
            .click_link("Edit this technology")
            .snapshot("edit")
            .fill(
                "Summary",
                "Weekly home spirometry for COPD, reviewed by the community team.",
            )
            .fill("Reason for the change", "Say how often readings are taken")
            .click_button("Continue")
            .snapshot("edit check")
            .axe()
            .click_button("Save changes")
            .snapshot("updated")
            .goto(app.url("/technologies/breathwell-home-spirometry"))
            .snapshot("seen again")
            .click_link("See every change to this technology")
            .snapshot("history")
            .axe()
            .run()
            .await;

        let checked = journey.axe_results();
        assert_eq!(
            checked.len(),
            6,
            "axe-core checked each form page, with errors and without, and the history"
        );
        for (page, violations) in checked {
            assert!(violations.is_empty(), "{}: {violations:?}", page.url);
        }
        let sent = journey.page("sent to sign in");
        assert_eq!(
            sent.path(),
            "/auth/login",
            "a form needs a signed-in person"
        );
        let form = journey.page("form");
        assert_eq!(
            form.path(),
            "/technologies/new",
            "signing in brings them back"
        );
        assert_eq!(form.heading.as_deref(), Some("Register a technology"));

        let errors = journey.page("errors");
        assert_eq!(errors.status, Some(422));
        assert!(errors.title.starts_with("Error: "), "{}", errors.title);
        assert!(
            errors.main.contains("There is a problem"),
            "{}",
            errors.main
        );
        for message in [
            "Enter the technology's name",
            "Enter a description",
            "Select a category",
        ] {
            assert!(errors.main.contains(message), "{message}: {}", errors.main);
        }
        let to_field = journey.page("to the field");
        assert!(
            to_field.url.ends_with("#name"),
            "the summary links to the field: {}",
            to_field.url
        );

        let check = journey.page("check answers");
        assert_eq!(
            check.heading.as_deref(),
            Some("Check your answers before saving")
        );
        for answer in [
            "Breathwell Home Spirometry",
            "/technologies/breathwell-home-spirometry",
            "Brightwater Health Ltd",
            "Remote monitoring",
            "Community care",
            "Class IIa",
        ] {
            assert!(check.main.contains(answer), "{answer}: {}", check.main);
        }

        let registered = journey.page("registered");
        assert_eq!(
            registered.path(),
            "/technologies/breathwell-home-spirometry"
        );
        assert_eq!(
            registered.heading.as_deref(),
            Some("Breathwell Home Spirometry")
        );
        assert!(
            registered.main.contains("Technology registered"),
            "a success banner: {}",
            registered.main
        );
        let updated = journey.page("updated");
        assert!(
            updated.main.contains("Technology updated"),
            "{}",
            updated.main
        );
        assert!(
            updated
                .main
                .contains("Weekly home spirometry for COPD, reviewed by the community team."),
            "{}",
            updated.main
        );
        let edit_check = journey.page("edit check");
        assert!(
            edit_check.main.contains("Say how often readings are taken"),
            "the reason is among the answers to check: {}",
            edit_check.main
        );
        let reader = Actor::anonymous(EntryPoint::Web);
        let saved = technologies::get_by_slug(&test_db.db, &reader, "breathwell-home-spirometry")
            .await
            .expect("registered");
        let history =
            registry_api::service::revisions::of_technology(&test_db.db, &reader, saved.record.id)
                .await
                .expect("history");
        let doors: Vec<_> = history
            .iter()
            .map(|r| (r.number, r.entry_point, r.reason.clone()))
            .collect();
        assert_eq!(
            doors,
            vec![
                (
                    2,
                    EntryPoint::Web,
                    Some("Say how often readings are taken".to_owned())
                ),
                (1, EntryPoint::Web, None),
            ],
            "each save is a revision, from the web, with the reason given"
        );
        let history = journey.page("history");
        for shown in [
            "Say how often readings are taken",
            "What changed from revision 1 to revision 2",
            "Summary",
            "Weekly home spirometry",
        ] {
            assert!(history.main.contains(shown), "{shown}: {}", history.main);
        }
        assert!(
            !history.main.contains("Description"),
            "only changed fields are listed: {}",
            history.main
        );
        let again = journey.page("seen again");
        assert!(
            !again.main.contains("Technology updated"),
            "the banner shows once: {}",
            again.main
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_stale_edit_is_explained_and_forged_posts_change_nothing() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let (cookie, csrf) = session_of(db, &w.innovator).await;
        let t = &w.technology.record;
        let path = format!("/technologies/{}/edit", t.slug);
        let supplier = w.supplier.id.to_string();
        let typed = "A summary typed while someone else was editing.";
        let edit = |token: &str| -> Vec<(String, String)> {
            [
                ("csrf_token", token),
                ("step", "confirm"),
                ("version", &t.version.to_string()),
                ("was.name", &t.name),
                ("was.summary", &t.summary),
                ("name", &t.name),
                ("slug", &t.slug),
                ("supplierId", &supplier),
                ("summary", typed),
                ("description", &t.description),
                ("category", t.category.as_str()),
                ("careSettings", "community"),
                ("specialties", "respiratory"),
                ("deviceClass", t.device_class.as_str()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
        };

        // Without the token, with another's, or from another site: refused, nothing written.
        for (headers, token) in [
            (vec![], ""),
            (vec![], "not-the-token"),
            (vec![("sec-fetch-site", "cross-site")], csrf.as_str()),
            (vec![("origin", "https://elsewhere.example")], csrf.as_str()),
        ] {
            let (status, body) = post(&app, &cookie, &path, &headers, &edit(token)).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{engine} {headers:?}: {body}"
            );
            assert!(body.contains("nothing was changed"), "{engine}");
        }
        let unchanged = technologies::get(db, &w.admin, t.id).await.expect("read");
        assert_eq!(
            unchanged.record.version, t.version,
            "{engine}: nothing written"
        );

        // Someone else renames it after the form was opened.
        let mut renamed = support::world::technology_input(w.supplier.id, &t.slug);
        renamed.name = "Renamed meanwhile".to_owned();
        technologies::update(db, &w.innovator, t.id, t.version, renamed, None)
            .await
            .expect("the other edit");
        let (status, body) = post(&app, &cookie, &path, &[], &edit(&csrf)).await;
        assert_eq!(status, StatusCode::CONFLICT, "{engine}: {body}");
        assert!(
            body.contains("Someone else changed this technology"),
            "{engine}: explained"
        );
        assert!(
            body.contains("Renamed meanwhile"),
            "{engine}: what they changed is shown"
        );
        assert!(body.contains(typed), "{engine}: what was typed is kept");
        let now = technologies::get(db, &w.admin, t.id).await.expect("read");
        assert_eq!(now.record.name, "Renamed meanwhile", "{engine}");
        assert_ne!(
            now.record.summary, typed,
            "{engine}: the stale edit wrote nothing"
        );
        assert_eq!(
            test_db.count::<technology::Entity>().await,
            1,
            "{engine}: no technology added"
        );
        app.stop();
        test_db.finish().await;
    }
}

#[tokio::test]
async fn a_person_creates_uses_and_revokes_an_api_token_without_javascript() {
    for (test_db, app) in demo_apps().await {
        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url("/account/tokens"))
            .click_button(&format!("Sign in as {INNOVATOR}"))
            .snapshot("tokens")
            .axe()
            .fill("Expires after (days)", "soon")
            .click_button("Create token")
            .snapshot("errors")
            .axe()
            .fill("Token name", "Outcomes dashboard")
            .fill("Expires after (days)", "30")
            .click_button("Create token")
            .snapshot("created")
            .axe()
            .run()
            .await;
        for (page, violations) in journey.axe_results() {
            assert!(violations.is_empty(), "{}: {violations:?}", page.url);
        }
        let tokens = journey.page("tokens");
        assert_eq!(
            tokens.path(),
            "/account/tokens",
            "brought back after signing in"
        );
        assert!(
            tokens.main.contains("You have no tokens yet"),
            "{}",
            tokens.main
        );
        let errors = journey.page("errors");
        assert_eq!(errors.status, Some(422));
        for message in [
            "Enter the number of days, like 90",
            "Enter a name for the token",
        ] {
            assert!(errors.main.contains(message), "{message}: {}", errors.main);
        }
        let created = journey.page("created");
        assert!(
            created.main.contains("this is the only time it is shown"),
            "{}",
            created.main
        );
        let secret = created
            .main
            .split_whitespace()
            .find(|w| w.starts_with("ior_"))
            .expect("the secret is on the page")
            .to_owned();
        let me = "{ viewer { name } }";
        let answer = app.graphql(Some(&secret), me, serde_json::json!({})).await;
        assert_eq!(
            answer["data"]["viewer"]["name"], INNOVATOR,
            "the token works: {answer}"
        );

        // Revoking it, in another browser session of the same person, from the list.
        let revoked = Chromium::new()
            .javascript(false)
            .goto(app.url("/account/tokens"))
            .click_button(&format!("Sign in as {INNOVATOR}"))
            .click_button("Revoke Outcomes dashboard")
            .snapshot("revoked")
            .run()
            .await;
        let page = revoked.page("revoked");
        assert_eq!(page.path(), "/account/tokens");
        assert!(page.main.contains("Token revoked"), "{}", page.main);
        assert!(page.main.contains("Revoked"), "{}", page.main);
        let answer = app.graphql(Some(&secret), me, serde_json::json!({})).await;
        assert!(
            answer["data"]["viewer"]["name"] != INNOVATOR,
            "a revoked token no longer works: {answer}"
        );
        app.stop();
        test_db.finish().await;
    }
}

/// The demo trust evaluator.
const EVALUATOR: &str = "Rhodri Penhallow";

#[tokio::test]
async fn an_evaluator_registers_a_pilot_seeing_what_was_tried_without_javascript() {
    for (test_db, app) in demo_apps().await {
        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url("/pilots/new"))
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .snapshot("form")
            .axe()
            .fill("Day of start date", "31")
            .fill("Month of start date", "2")
            .fill("Year of start date", "2025")
            .click_button("Continue")
            .snapshot("errors")
            .axe()
            .select(
                "Technology being piloted",
                "Lumenward Virtual Ward Platform",
            )
            .fill("Title", "Virtual ward for frail older people at home")
            .fill(
                "Problem it addresses",
                "Frail older people stayed in hospital for want of a safe way home.",
            )
            .check("Planned")
            .fill("Day of start date", "1")
            .fill("Month of start date", "4")
            .check("Community care")
            .select("Specialty", "Frailty")
            .fill("Population", "Adults over 75 leaving the acute wards")
            .check("Before and after")
            .check("Internal")
            .click_button("Continue")
            .snapshot("check answers")
            .axe()
            .click_button("Register pilot")
            .snapshot("registered")
            .run()
            .await;
        for (page, violations) in journey.axe_results() {
            assert!(violations.is_empty(), "{}: {violations:?}", page.url);
        }
        let errors = journey.page("errors");
        assert_eq!(errors.status, Some(422));
        for message in [
            "Select the technology",
            "Enter",
            "The start date must be a real date",
            "Select the pilot's status",
        ] {
            assert!(errors.main.contains(message), "{message}: {}", errors.main);
        }
        let check = journey.page("check answers");
        assert!(
            check.main.contains("Has this been tried?"),
            "{}",
            check.main
        );
        assert!(
            check
                .main
                .contains("respiratory virtual ward pilot in Downsvale Hospitals"),
            "the technology's other pilots, with their outcomes: {}",
            check.main
        );
        assert!(
            check
                .main
                .contains("Pilots with similar titles or problems")
                && check
                    .main
                    .contains("Hospital at home for older people with frailty"),
            "other technologies' pilots on the same problem: {}",
            check.main
        );
        let registered = journey.page("registered");
        assert!(
            registered.path().starts_with("/pilots/"),
            "{}",
            registered.url
        );
        assert_eq!(
            registered.heading.as_deref(),
            Some("Virtual ward for frail older people at home")
        );
        assert!(
            registered.main.contains("Pilot registered as a draft"),
            "{}",
            registered.main
        );
        let anonymous = app
            .http
            .get(&registered.url)
            .send()
            .await
            .expect("send")
            .status();
        assert_eq!(
            anonymous,
            StatusCode::NOT_FOUND,
            "a draft is its host's alone"
        );
        app.stop();
        test_db.finish().await;
    }
}

/// The demo pilot at Northmoor Valley, the demo evaluator's trust, that the edit journey edits.
const NORTHMOOR_PILOT: &str = "Remote monitoring in advanced kidney disease at Northmoor Valley";

#[tokio::test]
async fn an_evaluator_edits_a_pilot_giving_a_reason_without_javascript() {
    for (test_db, app) in demo_apps().await {
        let opened = pilot::Entity::find()
            .filter(pilot::Column::Title.eq(NORTHMOOR_PILOT))
            .one(&test_db.db)
            .await
            .expect("read")
            .expect("the demo pilot");
        let edit = format!("/pilots/{}/edit", opened.id);
        let renamed = "Remote monitoring in advanced kidney disease: Northmoor Valley pilot";
        let reason = "Name the pilot as the trust's board papers do";
        let journey = Chromium::new()
            .javascript(false)
            .goto(app.url(&edit))
            .click_button(&format!("Sign in as {EVALUATOR}"))
            .snapshot("form")
            .axe()
            .fill("Title", "")
            .click_button("Continue")
            .snapshot("errors")
            .axe()
            .click_link("Enter a title")
            .snapshot("to the field")
            .fill("Title", renamed)
            .fill("Reason for the change", reason)
            .click_button("Continue")
            .snapshot("check answers")
            .axe()
            .click_button("Save changes")
            .snapshot("updated")
            .goto(app.url(&format!("/pilots/{}/history", opened.id)))
            .snapshot("history")
            .run()
            .await;

        let checked = journey.axe_results();
        assert_eq!(
            checked.len(),
            3,
            "axe-core checked the form with errors and without, and the check page"
        );
        for (page, violations) in checked {
            assert!(violations.is_empty(), "{}: {violations:?}", page.url);
        }
        let form = journey.page("form");
        assert_eq!(form.path(), edit, "signing in brings them back");
        assert_eq!(
            form.heading.as_deref(),
            Some(format!("Edit {NORTHMOOR_PILOT}").as_str())
        );

        let errors = journey.page("errors");
        assert_eq!(errors.status, Some(422));
        assert!(errors.title.starts_with("Error: "), "{}", errors.title);
        assert!(
            errors.main.contains("There is a problem"),
            "{}",
            errors.main
        );
        assert!(errors.main.contains("Enter a title"), "{}", errors.main);
        let to_field = journey.page("to the field");
        assert!(
            to_field.url.ends_with("#title"),
            "the summary links to the field: {}",
            to_field.url
        );

        let check = journey.page("check answers");
        assert_eq!(
            check.heading.as_deref(),
            Some("Check your answers before saving")
        );
        for answer in [
            renamed,
            reason,
            "Northmoor Valley NHS Foundation Trust",
            "£60,300",
        ] {
            assert!(check.main.contains(answer), "{answer}: {}", check.main);
        }
        assert!(
            !check.main.contains("Has this been tried?"),
            "an edit is not asked what was tried: {}",
            check.main
        );

        let updated = journey.page("updated");
        assert_eq!(updated.path(), format!("/pilots/{}", opened.id));
        assert_eq!(updated.heading.as_deref(), Some(renamed));
        assert!(
            updated.main.contains("Pilot updated"),
            "a success banner: {}",
            updated.main
        );
        let history = journey.page("history");
        assert!(history.main.contains(reason), "{}", history.main);

        let saved = pilot::Entity::find_by_id(opened.id)
            .one(&test_db.db)
            .await
            .expect("read")
            .expect("still there");
        assert_eq!(saved.title, renamed);
        assert_eq!(saved.version, opened.version + 1, "one save, one version");
        assert_eq!(
            pilot::Model {
                title: opened.title.clone(),
                version: opened.version,
                updated_at: opened.updated_at,
                ..saved
            },
            opened,
            "the form opened with the pilot's details, so nothing but the title changed"
        );
        app.stop();
        test_db.finish().await;
    }
}

/// A pilot's details as the edit form posts them, each name under `prefix` ("" for what is
/// typed, "was." for the pilot as the form opened it).
fn pilot_fields(prefix: &str, p: &pilot::Model) -> Vec<(String, String)> {
    use chrono::Datelike as _;
    let text = |t: &Option<String>| t.clone().unwrap_or_default();
    let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
    let mut fields = vec![
        ("technologyId", p.technology_id.to_string()),
        ("hostOrganisationId", p.host_organisation_id.to_string()),
        ("title", p.title.clone()),
        ("problem", p.problem.clone()),
        ("status", p.status.as_str().to_owned()),
        ("careSetting", p.care_setting.as_str().to_owned()),
        ("specialty", p.specialty.as_str().to_owned()),
        ("population", p.population.clone()),
        ("patients", number(p.patients.map(i64::from))),
        ("staff", number(p.staff.map(i64::from))),
        ("fundingSource", text(&p.funding_source)),
        ("costGbp", number(p.cost_gbp)),
        ("design", p.design.as_str().to_owned()),
        ("evaluatorKind", p.evaluator_kind.as_str().to_owned()),
        ("evaluatorName", text(&p.evaluator_name)),
        ("contactName", text(&p.contact_name)),
        ("contactEmail", text(&p.contact_email)),
    ]
    .into_iter()
    .map(|(name, value)| (format!("{prefix}{name}"), value))
    .collect::<Vec<_>>();
    for (name, date) in [("startDate", p.start_date), ("endDate", p.end_date)] {
        let [day, month, year] = date.map_or_else(Default::default, |d| {
            [
                d.day().to_string(),
                d.month().to_string(),
                d.year().to_string(),
            ]
        });
        fields.push((format!("{prefix}{name}-day"), day));
        fields.push((format!("{prefix}{name}-month"), month));
        fields.push((format!("{prefix}{name}-year"), year));
    }
    fields
}

#[tokio::test]
async fn a_stale_pilot_edit_is_explained_and_forged_posts_change_nothing() {
    for test_db in support::databases().await {
        let db = &test_db.db;
        let engine = test_db.engine;
        let w = World::build(db).await;
        let app = test_db.app().await;
        let opened = w
            .pilot(db, "Heart failure virtual ward", Visibility::Draft)
            .await;
        let path = format!("/pilots/{}/edit", opened.id);
        let typed = "The problem as typed while someone else was editing the pilot.";
        let edit = |token: &str, version: i32, was: &pilot::Model, title: &str| {
            let mut form = vec![
                ("csrf_token".to_owned(), token.to_owned()),
                ("step".to_owned(), "confirm".to_owned()),
                ("version".to_owned(), version.to_string()),
            ];
            form.extend(pilot_fields("was.", was));
            form.extend(pilot_fields("", was).into_iter().map(|(name, value)| {
                let value = match name.as_str() {
                    "problem" => typed.to_owned(),
                    "title" => title.to_owned(),
                    _ => value,
                };
                (name, value)
            }));
            form
        };

        // Who may not edit a pilot is refused before any form: a reader of the draft who is
        // not an evaluator, an evaluator elsewhere, who cannot read the draft at all, and the
        // same evaluator, who reads a published pilot but may not change it.
        let published = w
            .pilot(db, "Published virtual ward", Visibility::Public)
            .await;
        for (actor, refused, of) in [
            (&w.member_a, StatusCode::FORBIDDEN, &opened),
            (&w.evaluator_b, StatusCode::NOT_FOUND, &opened),
            (&w.evaluator_b, StatusCode::FORBIDDEN, &published),
        ] {
            let (cookie, _) = session_of(db, actor).await;
            let response = app
                .http
                .get(app.url(&format!("/pilots/{}/edit", of.id)))
                .header("cookie", format!("registry_session={cookie}"))
                .send()
                .await
                .expect("send");
            assert_eq!(response.status(), refused, "{engine}");
            let body = response.text().await.expect("body");
            assert!(!body.contains("Reason for the change"), "{engine}: no form");
        }

        // Without the token, with another's, or from another site: refused, nothing written.
        let (cookie, csrf) = session_of(db, &w.evaluator_a).await;
        for (headers, token) in [
            (vec![], ""),
            (vec![], "not-the-token"),
            (vec![("sec-fetch-site", "cross-site")], csrf.as_str()),
        ] {
            let form = edit(token, opened.version, &opened, &opened.title);
            let (status, body) = post(&app, &cookie, &path, &headers, &form).await;
            assert_eq!(
                status,
                StatusCode::FORBIDDEN,
                "{engine} {headers:?}: {body}"
            );
            assert!(body.contains("nothing was changed"), "{engine}");
        }
        let unchanged = pilots::get(db, &w.system, opened.id).await.expect("read");
        assert_eq!(unchanged, opened, "{engine}: nothing written");

        // Someone else retitles it after the form was opened.
        let retitled = w.pilot_input("Renamed meanwhile");
        let now = pilots::update(
            db,
            &w.evaluator_a,
            opened.id,
            opened.version,
            retitled,
            None,
        )
        .await
        .expect("the other edit");
        let form = edit(&csrf, opened.version, &opened, &opened.title);
        let (status, body) = post(&app, &cookie, &path, &[], &form).await;
        assert_eq!(status, StatusCode::CONFLICT, "{engine}: {body}");
        assert!(
            body.contains("Someone else changed this pilot"),
            "{engine}: explained"
        );
        assert!(
            body.contains("Was: Heart failure virtual ward<br>Now: Renamed meanwhile"),
            "{engine}: what they changed is shown: {body}"
        );
        assert_eq!(
            body.matches("Was: ").count(),
            1,
            "{engine}: only what they changed is listed"
        );
        assert!(body.contains(typed), "{engine}: what was typed is kept");
        assert!(
            body.contains(&format!(r#"name="version" value="{}""#, now.version)),
            "{engine}: the next save edits the pilot as it now stands"
        );
        let after = pilots::get(db, &w.system, opened.id).await.expect("read");
        assert_eq!(after, now, "{engine}: the stale edit wrote nothing");

        // Saved again, having taken their title: the typed problem is kept.
        let form = edit(&csrf, now.version, &now, &now.title);
        let (status, body) = post(&app, &cookie, &path, &[], &form).await;
        assert_eq!(status, StatusCode::OK, "{engine}: to the pilot: {body}");
        let saved = pilots::get(db, &w.system, opened.id).await.expect("read");
        assert_eq!(saved.problem, typed, "{engine}");
        assert_eq!(saved.title, "Renamed meanwhile", "{engine}");
        assert_eq!(saved.version, now.version + 1, "{engine}");
        assert_eq!(
            test_db.count::<pilot::Entity>().await,
            2,
            "{engine}: no pilot added"
        );
        app.stop();
        test_db.finish().await;
    }
}
