//! `/admin/organisations/new` and `/admin/organisations/{ods}/edit`: an administrator adds an
//! organisation or edits one. The form posts to itself: "Continue" checks the answers with the
//! service (an ODS code that is malformed or already another organisation's is said at the
//! field), the check page shows them with a "Confirm" that writes, and "Change" brings the form
//! back with what was typed. An edit carries the version it opened and its answers then, so a
//! stale edit is explained, keeping what was typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::model::{OrganisationKind, Region, organisation};
use registry_api::service::PageRequest;
use registry_api::service::organisations::{self, OrganisationFilter, OrganisationInput};
use sea_orm::prelude::Uuid;

use super::organisations::{at, key_of};
use super::{CheckPage, changed, crumbs, ensure};
use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{
    Editor, Fields, Notice, Posted, Problems, done, label_of, one_of, options, page,
};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// The form's fields, in the order it asks them.
const ORDER: &[&str] = &["name", "kind", "odsCode", "region", "parentIcbId"];

/// The answers as typed, kept across the check page and back.
#[derive(Debug, Clone, Default, PartialEq)]
struct Answers {
    name: String,
    kind: String,
    ods_code: String,
    region: String,
    parent_icb_id: String,
}

impl Answers {
    fn of(o: &organisation::Model) -> Self {
        Self {
            name: o.name.clone(),
            kind: o.kind.as_str().to_owned(),
            ods_code: o.ods_code.clone().unwrap_or_default(),
            region: o.region.map(|r| r.as_str().to_owned()).unwrap_or_default(),
            parent_icb_id: o.parent_icb_id.map(|id| id.to_string()).unwrap_or_default(),
        }
    }

    /// The answers under `prefix` ("" for what was typed, "was." for the opened record).
    fn read(fields: &Fields, prefix: &str) -> Self {
        let one = |name: &str| fields.text(&format!("{prefix}{name}"));
        Self {
            name: one("name"),
            kind: one("kind"),
            ods_code: one("odsCode"),
            region: one("region"),
            parent_icb_id: one("parentIcbId"),
        }
    }

    fn pairs(&self, prefix: &str) -> Vec<(String, String)> {
        [
            ("name", &self.name),
            ("kind", &self.kind),
            ("odsCode", &self.ods_code),
            ("region", &self.region),
            ("parentIcbId", &self.parent_icb_id),
        ]
        .into_iter()
        .map(|(name, value)| (format!("{prefix}{name}"), value.clone()))
        .collect()
    }

    /// The answers as the service takes them, and the choices that could not be read (with a
    /// stand-in in the input, so the service can check everything else).
    fn input(&self) -> (OrganisationInput, Problems) {
        let mut problems = Problems::default();
        let kind = one_of::<OrganisationKind>(
            &mut problems,
            "kind",
            "Select what kind of organisation it is",
            &self.kind,
        );
        let region = if self.region.is_empty() {
            None
        } else {
            one_of::<Region>(&mut problems, "region", "Select a region", &self.region)
        };
        let parent_icb_id = if self.parent_icb_id.is_empty() {
            None
        } else if let Ok(id) = self.parent_icb_id.parse::<Uuid>() {
            Some(id)
        } else {
            problems.add("parentIcbId", "Select the integrated care board");
            None
        };
        let input = OrganisationInput {
            name: self.name.clone(),
            kind: kind.unwrap_or(OrganisationKind::Other),
            ods_code: Some(self.ods_code.clone()).filter(|c| !c.trim().is_empty()),
            region,
            parent_icb_id,
        };
        (input, problems)
    }

    fn read_out(&self, icbs: &[(Uuid, String)]) -> Vec<(&'static str, String)> {
        let or_none = |v: Option<&str>| v.unwrap_or("Not given").to_owned();
        vec![
            ("Name", self.name.clone()),
            ("Kind", or_none(label_of::<OrganisationKind>(&self.kind))),
            (
                "ODS code",
                or_none(Some(self.ods_code.trim()).filter(|c| !c.is_empty())).to_ascii_uppercase(),
            ),
            ("Region", or_none(label_of::<Region>(&self.region))),
            (
                "Integrated care board",
                or_none(
                    icbs.iter()
                        .find(|(id, _)| id.to_string() == self.parent_icb_id)
                        .map(|(_, name)| name.as_str()),
                ),
            ),
        ]
    }
}

/// The integrated care boards, by name: the parents an organisation may have.
async fn icbs(state: &WebState) -> Result<Vec<(Uuid, String)>, PageError> {
    let filter = OrganisationFilter {
        kind: Some(OrganisationKind::Icb),
        ..Default::default()
    };
    Ok(
        organisations::list_by_name(&state.db, &filter, PageRequest::new(100, 0)?)
            .await?
            .items
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect(),
    )
}

#[derive(Template)]
#[template(path = "pages/admin/organisation_form.html")]
struct FormPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    problems: Problems,
    answers: Answers,
    opened: Vec<(String, String)>,
    changed: Vec<(&'static str, String, String)>,
    kinds: Vec<Choice>,
    regions: Vec<Choice>,
    icbs: Vec<Choice>,
}

/// Everything a form page needs besides the answers.
struct Context {
    editor: Editor,
    icbs: Vec<(Uuid, String)>,
    /// The organisation being edited; `None` for a new one.
    editing: Option<organisation::Model>,
}

impl Context {
    async fn new(
        state: &WebState,
        editor: Editor,
        editing: Option<organisation::Model>,
    ) -> Result<Self, PageError> {
        ensure(&editor)?;
        Ok(Self {
            icbs: icbs(state).await?,
            editor,
            editing,
        })
    }

    fn action(&self) -> String {
        match &self.editing {
            None => "/admin/organisations/new".to_owned(),
            Some(o) => format!("/admin/organisations/{}/edit", key_of(o)),
        }
    }

    fn crumbs(&self) -> Vec<Crumb> {
        crumbs(&[("Organisations", "/admin/organisations")])
    }

    fn form(
        &self,
        answers: Answers,
        problems: Problems,
        opened: Vec<(String, String)>,
        changed: Vec<(&'static str, String, String)>,
    ) -> FormPage {
        let mut regions = vec![Choice {
            value: String::new(),
            label: "Not given".to_owned(),
            selected: answers.region.is_empty(),
        }];
        regions.extend(options::<Region>(std::slice::from_ref(&answers.region)));
        let mut icbs = vec![Choice {
            value: String::new(),
            label: "None".to_owned(),
            selected: answers.parent_icb_id.is_empty(),
        }];
        icbs.extend(
            self.icbs
                .iter()
                .filter(|(id, _)| self.editing.as_ref().is_none_or(|o| o.id != *id))
                .map(|(id, name)| Choice {
                    value: id.to_string(),
                    label: name.clone(),
                    selected: answers.parent_icb_id == id.to_string(),
                }),
        );
        FormPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: self.crumbs(),
            heading: match &self.editing {
                None => "Add an organisation".to_owned(),
                Some(o) => format!("Edit {}", o.name),
            },
            action: self.action(),
            kinds: options::<OrganisationKind>(std::slice::from_ref(&answers.kind)),
            regions,
            icbs,
            problems,
            answers,
            opened,
            changed,
        }
    }

    fn check(&self, answers: &Answers, opened: Vec<(String, String)>) -> CheckPage {
        let mut carried = opened;
        carried.extend(answers.pairs(""));
        CheckPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: self.crumbs(),
            heading: "Check your answers before saving".to_owned(),
            action: self.action(),
            answers: answers.read_out(&self.icbs),
            carried,
            after: "Once saved, the organisation's details are public: anyone can read them on \
                    the registry.",
            confirm: match self.editing {
                None => "Add organisation",
                Some(_) => "Save changes",
            },
        }
    }
}

/// The version an edit opened and its answers then, carried as hidden fields.
fn opened_at(o: &organisation::Model) -> Vec<(String, String)> {
    let mut opened = vec![("version".to_owned(), o.version.to_string())];
    opened.extend(Answers::of(o).pairs("was."));
    opened
}

/// `GET /admin/organisations/new`
pub async fn new(State(state): State<WebState>, editor: Editor) -> Result<Html<String>, PageError> {
    let context = Context::new(&state, editor, None).await?;
    render(&context.form(
        Answers::default(),
        Problems::default(),
        Vec::new(),
        Vec::new(),
    ))
}

/// `POST /admin/organisations/new`
pub async fn new_post(
    State(state): State<WebState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let context = Context::new(&state, posted.editor, None).await?;
    take(&state, context, &posted.fields).await
}

/// `GET /admin/organisations/{ods}/edit`
pub async fn edit(
    State(state): State<WebState>,
    editor: Editor,
    Path(key): Path<String>,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let organisation = at(&state, &key).await?;
    let answers = Answers::of(&organisation);
    let opened = opened_at(&organisation);
    let context = Context::new(&state, editor, Some(organisation)).await?;
    render(&context.form(answers, Problems::default(), opened, Vec::new()))
}

/// `POST /admin/organisations/{ods}/edit`
pub async fn edit_post(
    State(state): State<WebState>,
    Path(key): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    ensure(&posted.editor)?;
    let organisation = at(&state, &key).await?;
    let context = Context::new(&state, posted.editor, Some(organisation)).await?;
    take(&state, context, &posted.fields).await
}

/// One step of the form: "continue" checks, "change" goes back, "confirm" writes.
async fn take(state: &WebState, context: Context, fields: &Fields) -> Result<Response, PageError> {
    let answers = Answers::read(fields, "");
    let step = fields.first("step").unwrap_or("continue");
    let existing = context.editing.as_ref().map(|o| o.id);
    let version = context.editing.as_ref().map(|o| {
        fields
            .first("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(o.version)
    });
    let opened = match version {
        None => Vec::new(),
        Some(version) => {
            let mut opened = vec![("version".to_owned(), version.to_string())];
            opened.extend(Answers::read(fields, "was.").pairs("was."));
            opened
        }
    };
    if step == "change" {
        return Ok(page(
            StatusCode::OK,
            &context.form(answers, Problems::default(), opened, Vec::new()),
        ));
    }
    let actor = &context.editor.actor;
    let (input, unread) = answers.input();
    if !unread.is_empty() {
        let problems = match organisations::check(&state.db, actor, existing, &input).await {
            Ok(()) => unread,
            Err(err) => unread.and(err, ORDER)?,
        };
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.form(answers, problems, opened, Vec::new()),
        ));
    }
    let result = if step == "confirm" {
        match (existing, version) {
            (Some(id), Some(version)) => {
                organisations::update(&state.db, actor, id, version, input).await
            }
            _ => organisations::create(&state.db, actor, input).await,
        }
        .map(Some)
    } else {
        organisations::check(&state.db, actor, existing, &input)
            .await
            .map(|()| None)
    };
    match result {
        Ok(Some(_)) => Ok(done(
            "/admin/organisations",
            match existing {
                None => Notice::OrganisationAdded,
                Some(_) => Notice::OrganisationUpdated,
            },
        )),
        Ok(None) => Ok(page(StatusCode::OK, &context.check(&answers, opened))),
        Err(err) => {
            let problems = Problems::of(err, ORDER)?;
            let Some(current) = context.editing.as_ref().filter(|_| problems.stale()) else {
                return Ok(page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &context.form(answers, problems, opened, Vec::new()),
                ));
            };
            // Someone else saved first: say what they changed and keep what was typed; the
            // next save edits the organisation as it now stands (as read for this request).
            let changed = changed(
                Answers::read(fields, "was.").read_out(&context.icbs),
                Answers::of(current).read_out(&context.icbs),
            );
            let mut explained = Problems::default();
            explained.add(
                "changed",
                "Someone else changed this organisation since you opened the form. Check what \
                 they changed, then save your answers again.",
            );
            Ok(page(
                StatusCode::CONFLICT,
                &context.form(answers, explained, opened_at(current), changed),
            ))
        }
    }
}
