//! `/admin/organisations/{ods}/members`: who belongs to an organisation and in which role, who
//! is invited there, and the form to invite someone by e-mail address; each membership's role
//! changed on a page of its own, and a membership removed after a confirmation.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::ServiceError;
use registry_api::model::values::Email;
use registry_api::model::{MembershipSource, Role, membership, organisation, user};
use registry_api::service::memberships;
use sea_orm::prelude::Uuid;

use super::organisations::at;
use super::{ConfirmPage, crumbs, ensure};
use crate::components::{Choice, Crumb};
use crate::forms::{Editor, Notice, Posted, Problems, done, one_of, options, page};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;
use crate::{WebState, format};

/// The invitation form's fields, in order.
const ORDER: &[&str] = &["email", "role"];

struct MemberLine {
    name: String,
    email: String,
    role: &'static str,
    source: &'static str,
    role_href: String,
    remove_href: String,
}

struct InvitedLine {
    email: String,
    role: &'static str,
    since: String,
}

#[derive(Template)]
#[template(path = "pages/admin/members.html")]
struct MembersPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    organisation: organisation::Model,
    members: Vec<MemberLine>,
    invited: Vec<InvitedLine>,
    action: String,
    problems: Problems,
    email: String,
    roles: Vec<Choice>,
}

fn members_path(o: &organisation::Model) -> String {
    format!(
        "/admin/organisations/{}/members",
        o.ods_code.clone().unwrap_or_else(|| o.id.to_string())
    )
}

fn source_label(source: MembershipSource) -> &'static str {
    match source {
        MembershipSource::Administrator => "Given by an administrator",
        MembershipSource::Claim => "From their sign-in",
    }
}

/// The members page, with the invitation form as typed and its problems.
async fn members_page(
    state: &WebState,
    editor: &Editor,
    organisation: organisation::Model,
    email: String,
    role: &str,
    problems: Problems,
) -> Result<MembersPage, PageError> {
    let roster = memberships::roster(&state.db, &editor.actor, organisation.id).await?;
    let path = members_path(&organisation);
    Ok(MembersPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(&[("Organisations", "/admin/organisations")]),
        members: roster
            .members
            .into_iter()
            .map(|(m, u)| MemberLine {
                name: u.name,
                email: u.email.unwrap_or_else(|| "Not given".to_owned()),
                role: m.role.label(),
                source: source_label(m.source),
                role_href: format!("{path}/{}/role", m.id),
                remove_href: format!("{path}/{}/remove", m.id),
            })
            .collect(),
        invited: roster
            .invited
            .into_iter()
            .map(|i| InvitedLine {
                email: i.email,
                role: i.role.label(),
                since: format::day(i.created_at),
            })
            .collect(),
        action: path,
        roles: options::<Role>(&[role.to_owned()]),
        organisation,
        problems,
        email,
    })
}

/// `GET /admin/organisations/{ods}/members`
pub async fn list(
    State(state): State<WebState>,
    editor: Editor,
    Path(key): Path<String>,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let organisation = at(&state, &key).await?;
    render(
        &members_page(
            &state,
            &editor,
            organisation,
            String::new(),
            "",
            Problems::default(),
        )
        .await?,
    )
}

/// `POST /admin/organisations/{ods}/members`: invites someone.
pub async fn invite(
    State(state): State<WebState>,
    Path(key): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let editor = &posted.editor;
    ensure(editor)?;
    let organisation = at(&state, &key).await?;
    let email = posted.fields.text("email");
    let role_typed = posted.fields.text("role");
    let mut problems = Problems::default();
    let problems = match one_of::<Role>(&mut problems, "role", "Select a role", &role_typed) {
        Some(role) => {
            match memberships::invite(&state.db, &editor.actor, organisation.id, &email, role).await
            {
                Ok(_) => return Ok(done(&members_path(&organisation), Notice::MemberInvited)),
                Err(err) => problems.and(err, ORDER)?,
            }
        }
        // Nothing is written while a problem is shown; the address's own shape is said too.
        None => match Email::parse("email", &email) {
            Ok(_) => problems,
            Err(e) => problems.and(ServiceError::Invalid(vec![e]), ORDER)?,
        },
    };
    Ok(page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &members_page(&state, editor, organisation, email, &role_typed, problems).await?,
    ))
}

/// The membership a path names, if it is one of the organisation's.
async fn membership_at(
    state: &WebState,
    editor: &Editor,
    organisation: &organisation::Model,
    id: &str,
) -> Result<(membership::Model, user::Model), PageError> {
    let id = Uuid::parse_str(id).map_err(|_| PageError::NotFound)?;
    let (held, person) = memberships::get(&state.db, &editor.actor, id).await?;
    if held.organisation_id != organisation.id {
        return Err(PageError::NotFound);
    }
    Ok((held, person))
}

#[derive(Template)]
#[template(path = "pages/admin/member_role.html")]
struct RolePage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    heading: String,
    organisation_name: String,
    action: String,
    problems: Problems,
    roles: Vec<Choice>,
}

fn role_page(
    editor: &Editor,
    organisation: &organisation::Model,
    (held, person): (&membership::Model, &user::Model),
    chosen: &str,
    problems: Problems,
) -> RolePage {
    let path = members_path(organisation);
    RolePage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(&[
            ("Organisations", "/admin/organisations"),
            (&organisation.name, &path),
        ]),
        heading: format!("Change {}'s role", person.name),
        organisation_name: organisation.name.clone(),
        action: format!("{path}/{}/role", held.id),
        problems,
        roles: options::<Role>(&[chosen.to_owned()]),
    }
}

/// `GET /admin/organisations/{ods}/members/{id}/role`
pub async fn role(
    State(state): State<WebState>,
    editor: Editor,
    Path((key, id)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let organisation = at(&state, &key).await?;
    let (held, person) = membership_at(&state, &editor, &organisation, &id).await?;
    render(&role_page(
        &editor,
        &organisation,
        (&held, &person),
        held.role.as_str(),
        Problems::default(),
    ))
}

/// `POST /admin/organisations/{ods}/members/{id}/role`
pub async fn role_post(
    State(state): State<WebState>,
    Path((key, id)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let editor = &posted.editor;
    ensure(editor)?;
    let organisation = at(&state, &key).await?;
    let (held, person) = membership_at(&state, editor, &organisation, &id).await?;
    let typed = posted.fields.text("role");
    let mut problems = Problems::default();
    if let Some(role) = one_of::<Role>(&mut problems, "role", "Select a role", &typed) {
        match memberships::set_role(&state.db, &editor.actor, held.id, role).await {
            Ok(_) => {
                return Ok(done(
                    &members_path(&organisation),
                    Notice::MemberRoleChanged,
                ));
            }
            Err(err) => problems = problems.and(err, &["role"])?,
        }
    }
    Ok(page(
        StatusCode::UNPROCESSABLE_ENTITY,
        &role_page(editor, &organisation, (&held, &person), &typed, problems),
    ))
}

fn remove_page(
    editor: &Editor,
    organisation: &organisation::Model,
    held: &membership::Model,
    person: &user::Model,
) -> ConfirmPage {
    let path = members_path(organisation);
    ConfirmPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(&[
            ("Organisations", "/admin/organisations"),
            (&organisation.name, &path),
        ]),
        problems: Problems::default(),
        caption: organisation.name.clone(),
        heading: format!("Remove {} from {}?", person.name, organisation.name),
        explanation: vec![
            format!(
                "{} will no longer be {} at {}: they lose what that role lets them read and \
                 change, from their next page.",
                person.name,
                with_article(held.role.label()),
                organisation.name
            ),
            "If their identity provider lists this organisation for them, they become a plain \
             member again when they next sign in. The removal is kept in the audit log."
                .to_owned(),
        ],
        details: vec![
            ("Name", person.name.clone()),
            (
                "Email",
                person
                    .email
                    .clone()
                    .unwrap_or_else(|| "Not given".to_owned()),
            ),
            ("Role", held.role.label().to_owned()),
        ],
        action: format!("{path}/{}/remove", held.id),
        carried: Vec::new(),
        confirm: "Remove member".to_owned(),
        cancel_href: path,
    }
}

/// "a member", "an innovator": a role with its article, in lower case.
fn with_article(label: &str) -> String {
    let lower = label.to_lowercase();
    if lower.starts_with(['a', 'e', 'i', 'o', 'u']) {
        format!("an {lower}")
    } else {
        format!("a {lower}")
    }
}

/// `GET /admin/organisations/{ods}/members/{id}/remove`
pub async fn remove(
    State(state): State<WebState>,
    editor: Editor,
    Path((key, id)): Path<(String, String)>,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let organisation = at(&state, &key).await?;
    let (held, person) = membership_at(&state, &editor, &organisation, &id).await?;
    render(&remove_page(&editor, &organisation, &held, &person))
}

/// `POST /admin/organisations/{ods}/members/{id}/remove`
pub async fn remove_post(
    State(state): State<WebState>,
    Path((key, id)): Path<(String, String)>,
    posted: Posted,
) -> Result<Response, PageError> {
    let editor = &posted.editor;
    ensure(editor)?;
    let organisation = at(&state, &key).await?;
    let (held, _) = membership_at(&state, editor, &organisation, &id).await?;
    memberships::revoke(&state.db, &editor.actor, held.id).await?;
    Ok(done(&members_path(&organisation), Notice::MemberRemoved))
}
