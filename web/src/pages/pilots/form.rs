//! `/pilots/new` and `/pilots/{id}/edit`: an evaluator registers a pilot at their
//! organisation, as a draft only its own people read, or edits one of its pilots. "Continue"
//! checks the answers with the service; the check page shows them (for a new pilot, beside the
//! pilots of the same technology that other organisations already ran, with their outcomes:
//! "has this been tried?", so a trust does not repeat a pilot unknowingly); "Confirm" writes.
//! An edit carries the version it opened and the answers as they were then, so when someone
//! else changed the pilot meanwhile the form explains what they changed and keeps what was
//! typed.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::Actor;
use registry_api::model::{
    CareSetting, EvaluationDesign, EvaluatorKind, PilotStatus, Role, Specialty, pilot,
};
use registry_api::service::pilots::{self, PilotFilter};
use registry_api::service::technologies::{self, TechnologyFilter};
use registry_api::service::{PageRequest, Sort, access, organisations, search};
use sea_orm::prelude::Uuid;

use super::answers::{Answers, ORDER};
use super::show::{PilotRow, PilotTable, rows, table};
use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{Editor, Fields, Notice, Posted, Problems, done, options, page};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// What the form is for: a new pilot, or an edit of one at a version.
#[derive(Debug, Clone)]
enum Purpose {
    Register,
    Edit { pilot: Box<pilot::Model> },
}

impl Purpose {
    fn action(&self) -> String {
        match self {
            Self::Register => "/pilots/new".to_owned(),
            Self::Edit { pilot } => format!("/pilots/{}/edit", pilot.id),
        }
    }
}

/// The version an edit opened and the answers as they were then, carried as hidden fields.
fn opened_at(pilot: &pilot::Model) -> Vec<(String, String)> {
    let mut opened = vec![("version".to_owned(), pilot.version.to_string())];
    opened.extend(Answers::of(pilot).pairs("was."));
    opened
}

#[derive(Template)]
#[template(path = "pages/pilot_form.html")]
struct FormPage {
    viewer: Option<SignedIn>,
    /// An edit asks why, for the pilot's history.
    editing: bool,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    problems: Problems,
    answers: Answers,
    /// For an edit: the version and answers it opened, posted on.
    opened: Vec<(String, String)>,
    /// For a stale edit: what someone else changed since (field, then, now).
    changed: Vec<(&'static str, String, String)>,
    technologies: Vec<Choice>,
    hosts: Vec<Choice>,
    statuses: Vec<Choice>,
    care_settings: Vec<Choice>,
    specialties: Vec<Choice>,
    designs: Vec<Choice>,
    evaluator_kinds: Vec<Choice>,
}

/// What the check page says of the technology's other pilots, for a new pilot.
struct Tried {
    technology: String,
    technology_href: String,
    /// What the viewer may read of the same technology's pilots elsewhere.
    table: PilotTable,
    /// Pilots of other technologies with titles and problems like this one's, best first.
    similar: Vec<PilotRow>,
    /// Whether search could not be asked for them just now.
    similar_unavailable: bool,
}

/// The most pilots of other technologies "has this been tried?" lists.
const SIMILAR: usize = 5;

#[derive(Template)]
#[template(path = "pages/pilot_check.html")]
struct CheckPage {
    viewer: Option<SignedIn>,
    editing: bool,
    crumbs: Vec<Crumb>,
    heading: &'static str,
    action: String,
    answers: Vec<(&'static str, String)>,
    carried: Vec<(String, String)>,
    confirm: &'static str,
    /// For a new pilot: "has this been tried?".
    tried: Option<Tried>,
}

/// The technologies to choose from, the organisations where the actor evaluates, and what the
/// form is for.
struct Context {
    editor: Editor,
    technologies: Vec<(Uuid, String)>,
    slugs: HashMap<Uuid, String>,
    hosts: Vec<(Uuid, String)>,
    purpose: Purpose,
}

fn chosen(list: &[(Uuid, String)], answer: &str) -> Vec<Choice> {
    list.iter()
        .map(|(id, name)| Choice {
            value: id.to_string(),
            label: name.clone(),
            selected: answer == id.to_string() || list.len() == 1,
        })
        .collect()
}

impl Context {
    async fn of(state: &WebState, editor: Editor, purpose: Purpose) -> Result<Self, PageError> {
        let actor = &editor.actor;
        let ids: Vec<Uuid> = actor
            .organisation_ids()
            .into_iter()
            .filter(|id| actor.has_role(*id, Role::Evaluator))
            .collect();
        if ids.is_empty() {
            return Err(PageError::Forbidden(
                "Only evaluators at a trust or practice can register a pilot. Ask an \
                 administrator of the registry to add you to your organisation as an evaluator."
                    .to_owned(),
            ));
        }
        let mut hosts: Vec<(Uuid, String)> = organisations::get_many(&state.db, ids)
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
        hosts.sort_by(|a, b| a.1.cmp(&b.1));
        let readable = readable_technologies(state, actor).await?;
        Ok(Self {
            editor,
            technologies: readable
                .iter()
                .map(|(id, name, _)| (*id, name.clone()))
                .collect(),
            slugs: readable
                .into_iter()
                .map(|(id, _, slug)| (id, slug))
                .collect(),
            hosts,
            purpose,
        })
    }

    fn editing(&self) -> bool {
        matches!(self.purpose, Purpose::Edit { .. })
    }

    fn crumbs(&self) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb::new("Home", "/")];
        if let Purpose::Edit { pilot } = &self.purpose {
            crumbs.push(Crumb::new(
                pilot.title.clone(),
                format!("/pilots/{}", pilot.id),
            ));
        }
        crumbs
    }

    fn form(
        &self,
        answers: Answers,
        problems: Problems,
        opened: Vec<(String, String)>,
        changed: Vec<(&'static str, String, String)>,
    ) -> FormPage {
        let one = |name: &str| vec![answers.get(name).to_owned()];
        let mut technologies = vec![Choice {
            value: String::new(),
            label: "Choose the technology".to_owned(),
            selected: answers.get("technologyId").is_empty(),
        }];
        technologies.extend(chosen(&self.technologies, answers.get("technologyId")));
        let mut specialties = vec![Choice {
            value: String::new(),
            label: "Choose the specialty".to_owned(),
            selected: answers.get("specialty").is_empty(),
        }];
        specialties.extend(options::<Specialty>(&one("specialty")));
        FormPage {
            viewer: Some(self.editor.signed_in.clone()),
            editing: self.editing(),
            crumbs: self.crumbs(),
            heading: match &self.purpose {
                Purpose::Register => "Register a pilot".to_owned(),
                Purpose::Edit { pilot } => format!("Edit {}", pilot.title),
            },
            action: self.purpose.action(),
            technologies,
            hosts: chosen(&self.hosts, answers.get("hostOrganisationId")),
            statuses: options::<PilotStatus>(&one("status")),
            care_settings: options::<CareSetting>(&one("careSetting")),
            specialties,
            designs: options::<EvaluationDesign>(&one("design")),
            evaluator_kinds: options::<EvaluatorKind>(&one("evaluatorKind")),
            opened,
            changed,
            problems,
            answers,
        }
    }

    async fn check(
        &self,
        state: &WebState,
        answers: &Answers,
        technology_id: Uuid,
        opened: Vec<(String, String)>,
    ) -> Result<CheckPage, PageError> {
        let mut read_out = answers.read_out(&self.technologies, &self.hosts);
        let tried = match self.purpose {
            Purpose::Edit { .. } => {
                read_out.push((
                    "Reason for the change",
                    answers.reason().unwrap_or("Not given").to_owned(),
                ));
                None
            }
            Purpose::Register => Some(self.tried(state, answers, technology_id).await?),
        };
        let mut carried = opened;
        carried.extend(answers.pairs(""));
        Ok(CheckPage {
            viewer: Some(self.editor.signed_in.clone()),
            editing: self.editing(),
            crumbs: self.crumbs(),
            heading: match self.purpose {
                Purpose::Register => "Check your answers before registering",
                Purpose::Edit { .. } => "Check your answers before saving",
            },
            action: self.purpose.action(),
            answers: read_out,
            carried,
            confirm: match self.purpose {
                Purpose::Register => "Register pilot",
                Purpose::Edit { .. } => "Save changes",
            },
            tried,
        })
    }

    /// The pilots of the technology that the actor may read, for "has this been tried?".
    async fn tried(
        &self,
        state: &WebState,
        answers: &Answers,
        technology_id: Uuid,
    ) -> Result<Tried, PageError> {
        let technology = self
            .technologies
            .iter()
            .find(|(id, _)| *id == technology_id)
            .map_or_else(String::new, |(_, n)| n.clone());
        let slug = self.slugs.get(&technology_id).cloned().unwrap_or_default();
        let table = table(
            &state.db,
            &self.editor.actor,
            &PilotFilter {
                technology_id: Some(technology_id),
                ..PilotFilter::default()
            },
            None,
            |n| format!("/technologies/{slug}?page={n}#pilots"),
        )
        .await?;
        let actor = &self.editor.actor;
        let (similar, similar_unavailable) = match search::similar_pilots(
            &state.search,
            actor,
            answers.get("title"),
            answers.get("problem"),
            20,
        )
        .await
        {
            Ok(found) => {
                let ranked: Vec<Uuid> = found.iter().map(|f| f.id).collect();
                let mut others: Vec<pilot::Model> =
                    pilots::get_many(&state.db, actor, ranked.clone())
                        .await?
                        .into_iter()
                        .filter(|p| p.technology_id != technology_id)
                        .collect();
                others.sort_by_key(|p| ranked.iter().position(|id| *id == p.id));
                others.truncate(SIMILAR);
                (rows(&state.db, actor, &others).await?, false)
            }
            Err(err) => {
                tracing::warn!(error = %err, "similar pilots");
                (Vec::new(), true)
            }
        };
        Ok(Tried {
            technology,
            technology_href: format!("/technologies/{slug}#pilots"),
            table,
            similar,
            similar_unavailable,
        })
    }
}

/// Every technology the actor may read (id, name, slug), by name, for the form's choice.
async fn readable_technologies(
    state: &WebState,
    actor: &Actor,
) -> Result<Vec<(Uuid, String, String)>, PageError> {
    let mut found = Vec::new();
    let mut offset = 0;
    loop {
        let page = technologies::list(
            &state.db,
            actor,
            &TechnologyFilter::default(),
            Sort::Name,
            PageRequest::new(100, offset)?,
        )
        .await?;
        found.extend(
            page.items
                .iter()
                .map(|t| (t.record.id, t.record.name.clone(), t.record.slug.clone())),
        );
        if !page.has_next_page {
            return Ok(found);
        }
        offset += 100;
    }
}

/// `GET /pilots/new`
pub async fn new(State(state): State<WebState>, editor: Editor) -> Result<Html<String>, PageError> {
    let context = Context::of(&state, editor, Purpose::Register).await?;
    render(&context.form(
        Answers::default(),
        Problems::default(),
        Vec::new(),
        Vec::new(),
    ))
}

/// `POST /pilots/new`
pub async fn new_post(
    State(state): State<WebState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let context = Context::of(&state, posted.editor, Purpose::Register).await?;
    take(&state, context, &posted.fields).await
}

/// The pilot, if the editor may read it (otherwise "not found") and edit it (otherwise the
/// forbidden page), before any form is shown.
async fn editable(state: &WebState, editor: &Editor, id: &str) -> Result<pilot::Model, PageError> {
    let id = Uuid::parse_str(id).map_err(|_| PageError::NotFound)?;
    let pilot = pilots::get(&state.db, &editor.actor, id).await?;
    access::ensure_evaluator_at(&editor.actor, pilot.host_organisation_id)?;
    Ok(pilot)
}

/// `GET /pilots/{id}/edit`
pub async fn edit(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let pilot = editable(&state, &editor, &id).await?;
    let answers = Answers::of(&pilot);
    let opened = opened_at(&pilot);
    let purpose = Purpose::Edit {
        pilot: Box::new(pilot),
    };
    let context = Context::of(&state, editor, purpose).await?;
    render(&context.form(answers, Problems::default(), opened, Vec::new()))
}

/// `POST /pilots/{id}/edit`
pub async fn edit_post(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let pilot = editable(&state, &posted.editor, &id).await?;
    let purpose = Purpose::Edit {
        pilot: Box::new(pilot),
    };
    let context = Context::of(&state, posted.editor, purpose).await?;
    take(&state, context, &posted.fields).await
}

/// One step of the form: "continue" checks, "change" goes back, "confirm" writes.
async fn take(state: &WebState, context: Context, fields: &Fields) -> Result<Response, PageError> {
    let answers = Answers::read(fields, "");
    let step = fields.first("step").unwrap_or("continue");
    let (existing, version) = match &context.purpose {
        Purpose::Register => (None, 0),
        Purpose::Edit { pilot } => (
            Some(pilot.id),
            fields
                .first("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(pilot.version),
        ),
    };
    let opened = match &context.purpose {
        Purpose::Register => Vec::new(),
        Purpose::Edit { .. } => {
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
    let (mut input, unread) = answers.input();
    if !unread.is_empty() {
        // Stand-ins the person may use, so the service checks the rest.
        if input.host_organisation_id.is_nil()
            && let Some((id, _)) = context.hosts.first()
        {
            input.host_organisation_id = *id;
        }
        let problems = match pilots::check(&state.db, actor, existing, &input).await {
            Ok(()) => unread,
            Err(err) => unread.and(err, ORDER)?,
        };
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.form(answers, problems, opened, Vec::new()),
        ));
    }
    let technology_id = input.technology_id;
    let result = if step == "confirm" {
        match existing {
            None => pilots::register(&state.db, actor, input).await,
            Some(id) => {
                pilots::update(&state.db, actor, id, version, input, answers.reason()).await
            }
        }
        .map(Some)
    } else {
        pilots::check(&state.db, actor, existing, &input)
            .await
            .map(|()| None)
    };
    match result {
        Ok(Some(saved)) => {
            let notice = match existing {
                None => Notice::PilotRegistered,
                Some(_) => Notice::PilotUpdated,
            };
            Ok(done(&format!("/pilots/{}", saved.id), notice))
        }
        Ok(None) => Ok(page(
            StatusCode::OK,
            &context
                .check(state, &answers, technology_id, opened)
                .await?,
        )),
        Err(err) => {
            let problems = Problems::of(err, ORDER)?;
            let Purpose::Edit { pilot } = &context.purpose else {
                return Ok(page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &context.form(answers, problems, opened, Vec::new()),
                ));
            };
            if !problems.stale() {
                return Ok(page(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &context.form(answers, problems, opened, Vec::new()),
                ));
            }
            // Someone else saved first: say what they changed, keep what was typed, and let
            // the next save edit the pilot as it now stands.
            let then =
                Answers::read(fields, "was.").read_out(&context.technologies, &context.hosts);
            let now = Answers::of(pilot).read_out(&context.technologies, &context.hosts);
            let changed = then
                .into_iter()
                .zip(now)
                .filter(|(a, b)| a.1 != b.1)
                .map(|((label, was), (_, now))| (label, was, now))
                .collect();
            let mut explained = Problems::default();
            explained.add(
                "changed",
                "Someone else changed this pilot since you opened the form. Check what they \
                 changed, then save your answers again.",
            );
            Ok(page(
                StatusCode::CONFLICT,
                &context.form(answers, explained, opened_at(pilot), changed),
            ))
        }
    }
}
