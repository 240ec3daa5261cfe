//! `/technologies/new` and `/technologies/{slug}/edit`: an innovator registers a technology of
//! their supplier, or edits one. The form posts to itself: "Continue" checks the answers with
//! the service (errors come back in an error summary), the check page shows them with a
//! "Confirm" that writes, and "Change" brings the form back with what was typed. An edit
//! carries the version it opened and the answers as they were then, so when someone else
//! changed the technology meanwhile the form explains what they changed and keeps what was typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::Actor;
use registry_api::model::{
    CareSetting, DeviceClass, EsfTier, Role, Specialty, Spelling, Standard, TechnologyCategory,
};
use registry_api::service::organisations;
use registry_api::service::technologies::{self, DtacInput, Technology, TechnologyInput};
use sea_orm::prelude::Uuid;

use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{
    Editor, Fields, Notice, Posted, Problems, done, label_of, many, one_of, options, page,
};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// The form's fields, in the order it asks them (the error summary follows it).
const ORDER: &[&str] = &[
    "name",
    "slug",
    "supplierId",
    "summary",
    "description",
    "category",
    "careSettings",
    "specialties",
    "standards",
    "deviceClass",
    "regulatory",
    "esfTier",
    "reason",
];

/// The answers as typed, kept across the check page and back, and (for an edit) as they were
/// when the form was opened.
#[derive(Debug, Clone, Default, PartialEq)]
struct Answers {
    name: String,
    slug: String,
    supplier_id: String,
    summary: String,
    description: String,
    category: String,
    care_settings: Vec<String>,
    specialties: Vec<String>,
    standards: Vec<String>,
    device_class: String,
    regulatory: Vec<String>,
    esf_tier: String,
    /// For an edit: why, kept in the technology's history.
    reason: String,
}

const UKCA: &str = "ukca";
const CE: &str = "ce";
const MHRA: &str = "mhra";

fn spelled<T: Spelling>(values: &[T]) -> Vec<String> {
    values.iter().map(|v| v.as_str().to_owned()).collect()
}

impl Answers {
    fn of(t: &Technology) -> Self {
        let r = &t.record;
        let regulatory = [
            (r.ukca_marked, UKCA),
            (r.ce_marked, CE),
            (r.mhra_registered, MHRA),
        ]
        .into_iter()
        .filter(|(marked, _)| *marked)
        .map(|(_, mark)| mark.to_owned())
        .collect();
        Self {
            name: r.name.clone(),
            slug: r.slug.clone(),
            supplier_id: r.supplier_id.to_string(),
            summary: r.summary.clone(),
            description: r.description.clone(),
            category: r.category.as_str().to_owned(),
            care_settings: spelled(&t.care_settings),
            specialties: spelled(&t.specialties),
            standards: spelled(&t.standards),
            device_class: r.device_class.as_str().to_owned(),
            regulatory,
            esf_tier: r
                .esf_tier
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            reason: String::new(),
        }
    }

    /// The answers under `prefix` ("" for what was typed, "was." for the opened record).
    fn read(fields: &Fields, prefix: &str) -> Self {
        let one = |name: &str| fields.text(&format!("{prefix}{name}"));
        let all = |name: &str| fields.all(&format!("{prefix}{name}"));
        Self {
            name: one("name"),
            slug: one("slug"),
            supplier_id: one("supplierId"),
            summary: one("summary"),
            description: one("description"),
            category: one("category"),
            care_settings: all("careSettings"),
            specialties: all("specialties"),
            standards: all("standards"),
            device_class: one("deviceClass"),
            regulatory: all("regulatory"),
            esf_tier: one("esfTier"),
            reason: one("reason"),
        }
    }

    /// Every answer as a hidden field under `prefix`.
    fn pairs(&self, prefix: &str) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut one =
            |name: &str, value: &str| pairs.push((format!("{prefix}{name}"), value.to_owned()));
        one("name", &self.name);
        one("slug", &self.slug);
        one("supplierId", &self.supplier_id);
        one("summary", &self.summary);
        one("description", &self.description);
        one("category", &self.category);
        one("deviceClass", &self.device_class);
        one("esfTier", &self.esf_tier);
        if !self.reason.is_empty() {
            one("reason", &self.reason);
        }
        for (name, values) in [
            ("careSettings", &self.care_settings),
            ("specialties", &self.specialties),
            ("standards", &self.standards),
            ("regulatory", &self.regulatory),
        ] {
            for value in values {
                one(name, value);
            }
        }
        pairs
    }

    /// The answers as the service takes them, and what could not be read (a choice that is
    /// not one of the form's, or none where one is needed); where a choice could not be read
    /// the input holds a stand-in, so the service can still check everything else.
    fn input(&self, dtac: Vec<DtacInput>) -> (TechnologyInput, Problems) {
        let mut problems = Problems::default();
        let supplier_id = self.supplier_id.parse::<Uuid>().unwrap_or_else(|_| {
            problems.add("supplierId", "Select the supplier");
            Uuid::nil()
        });
        let category = one_of(
            &mut problems,
            "category",
            "Select a category",
            &self.category,
        );
        let device_class = one_of(
            &mut problems,
            "deviceClass",
            "Select the medical device class",
            &self.device_class,
        );
        let esf_tier = if self.esf_tier.is_empty() {
            None
        } else {
            one_of::<EsfTier>(&mut problems, "esfTier", "Select a tier", &self.esf_tier)
        };
        let care_settings = many(&mut problems, "careSettings", &self.care_settings);
        let specialties = many(&mut problems, "specialties", &self.specialties);
        let standards = many(&mut problems, "standards", &self.standards);
        let input = TechnologyInput {
            slug: self.slug_or_name(),
            name: self.name.clone(),
            supplier_id,
            summary: self.summary.clone(),
            description: self.description.clone(),
            category: category.unwrap_or(TechnologyCategory::RemoteMonitoring),
            specialties,
            care_settings,
            standards,
            device_class: device_class.unwrap_or(DeviceClass::NotADevice),
            ukca_marked: self.regulatory.iter().any(|m| m == UKCA),
            ce_marked: self.regulatory.iter().any(|m| m == CE),
            mhra_registered: self.regulatory.iter().any(|m| m == MHRA),
            esf_tier,
            dtac,
        };
        (input, problems)
    }

    /// The answers as people read them, labelled, for the check page and for what changed.
    fn read_out(&self, suppliers: &[(Uuid, String)]) -> Vec<(&'static str, String)> {
        let label = |spelling: &str, of: fn(&str) -> Option<&'static str>| {
            of(spelling).unwrap_or("Not given").to_owned()
        };
        let list = |values: &[String], of: fn(&str) -> Option<&'static str>| {
            let labels: Vec<&str> = values.iter().filter_map(|v| of(v)).collect();
            if labels.is_empty() {
                "None".to_owned()
            } else {
                labels.join(", ")
            }
        };
        let supplier = suppliers
            .iter()
            .find(|(id, _)| id.to_string() == self.supplier_id)
            .map_or_else(|| "Not given".to_owned(), |(_, name)| name.clone());
        let regulatory: Vec<&str> = [
            (UKCA, "UKCA marked"),
            (CE, "CE marked"),
            (MHRA, "Registered with the MHRA"),
        ]
        .into_iter()
        .filter(|(mark, _)| self.regulatory.iter().any(|m| m == mark))
        .map(|(_, said)| said)
        .collect();
        vec![
            ("Name", self.name.clone()),
            (
                "Web address",
                format!("/technologies/{}", self.slug_or_name()),
            ),
            ("Supplier", supplier),
            ("Summary", self.summary.clone()),
            ("Description", self.description.clone()),
            (
                "Category",
                label(&self.category, label_of::<TechnologyCategory>),
            ),
            (
                "Care settings",
                list(&self.care_settings, label_of::<CareSetting>),
            ),
            (
                "Specialties",
                list(&self.specialties, label_of::<Specialty>),
            ),
            (
                "Standards supported",
                list(&self.standards, label_of::<Standard>),
            ),
            (
                "Device class",
                label(&self.device_class, label_of::<DeviceClass>),
            ),
            (
                "Regulatory marks",
                if regulatory.is_empty() {
                    "None".to_owned()
                } else {
                    regulatory.join(", ")
                },
            ),
            (
                "NICE evidence standards tier",
                label(&self.esf_tier, label_of::<EsfTier>),
            ),
        ]
    }

    /// The problems, but a missing web address while the name is missing too: the address is
    /// made from the name, so "enter the name" says it all.
    fn unexplained(&self, problems: Problems) -> Problems {
        if self.slug.trim().is_empty() && problems.message("name").is_some() {
            problems.without("slug")
        } else {
            problems
        }
    }

    fn slug_or_name(&self) -> String {
        if self.slug.trim().is_empty() {
            slug_of(&self.name)
        } else {
            self.slug.trim().to_lowercase()
        }
    }
}

/// A web address from a name: lowercase words joined by hyphens.
fn slug_of(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// The suppliers the actor may register technologies for, by name.
async fn suppliers_of(state: &WebState, actor: &Actor) -> Result<Vec<(Uuid, String)>, PageError> {
    let ids: Vec<Uuid> = actor
        .organisation_ids()
        .into_iter()
        .filter(|id| actor.has_role(*id, Role::Innovator))
        .collect();
    let mut suppliers: Vec<(Uuid, String)> = organisations::get_many(&state.db, ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    suppliers.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(suppliers)
}

/// The version an edit opened and the answers as they were then, carried as hidden fields.
fn opened_at(technology: &Technology) -> Vec<(String, String)> {
    let mut opened = vec![("version".to_owned(), technology.record.version.to_string())];
    opened.extend(Answers::of(technology).pairs("was."));
    opened
}

/// What the form is for: a new technology, or an edit of one at a version.
#[derive(Debug, Clone)]
enum Purpose {
    Register,
    Edit { technology: Box<Technology> },
}

impl Purpose {
    fn action(&self) -> String {
        match self {
            Self::Register => "/technologies/new".to_owned(),
            Self::Edit { technology } => format!("/technologies/{}/edit", technology.record.slug),
        }
    }
}

#[derive(Template)]
#[template(path = "pages/technology_form.html")]
struct FormPage {
    viewer: Option<SignedIn>,
    /// An edit asks why, for the technology's history.
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
    suppliers: Vec<Choice>,
    categories: Vec<Choice>,
    care_settings: Vec<Choice>,
    specialties: Vec<Choice>,
    standards: Vec<Choice>,
    device_classes: Vec<Choice>,
    regulatory: Vec<Choice>,
    tiers: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "pages/technology_check.html")]
struct CheckPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    answers: Vec<(&'static str, String)>,
    carried: Vec<(String, String)>,
    confirm: &'static str,
}

/// Everything a form page needs besides the answers.
struct Context {
    editor: Editor,
    suppliers: Vec<(Uuid, String)>,
    purpose: Purpose,
}

impl Context {
    fn form(
        &self,
        answers: Answers,
        problems: Problems,
        opened: Vec<(String, String)>,
        changed: Vec<(&'static str, String, String)>,
    ) -> FormPage {
        let heading = match &self.purpose {
            Purpose::Register => "Register a technology".to_owned(),
            Purpose::Edit { technology } => format!("Edit {}", technology.record.name),
        };
        let regulatory = [
            (UKCA, "UKCA marked"),
            (CE, "CE marked"),
            (MHRA, "Registered with the MHRA"),
        ]
        .into_iter()
        .map(|(mark, label)| Choice {
            value: mark.to_owned(),
            label: label.to_owned(),
            selected: answers.regulatory.iter().any(|m| m == mark),
        })
        .collect();
        let mut tiers = vec![Choice {
            value: String::new(),
            label: "Not assessed".to_owned(),
            selected: answers.esf_tier.is_empty(),
        }];
        tiers.extend(options::<EsfTier>(std::slice::from_ref(&answers.esf_tier)));
        FormPage {
            viewer: Some(self.editor.signed_in.clone()),
            editing: matches!(self.purpose, Purpose::Edit { .. }),
            crumbs: self.crumbs(),
            action: self.purpose.action(),
            suppliers: self
                .suppliers
                .iter()
                .map(|(id, name)| Choice {
                    value: id.to_string(),
                    label: name.clone(),
                    selected: answers.supplier_id == id.to_string() || self.suppliers.len() == 1,
                })
                .collect(),
            categories: options::<TechnologyCategory>(std::slice::from_ref(&answers.category)),
            care_settings: options::<CareSetting>(&answers.care_settings),
            specialties: options::<Specialty>(&answers.specialties),
            standards: options::<Standard>(&answers.standards),
            device_classes: options::<DeviceClass>(std::slice::from_ref(&answers.device_class)),
            regulatory,
            tiers,
            heading,
            opened,
            changed,
            problems,
            answers,
        }
    }

    fn crumbs(&self) -> Vec<Crumb> {
        let mut crumbs = vec![Crumb::new("Home", "/")];
        if let Purpose::Edit { technology } = &self.purpose {
            crumbs.push(Crumb::new(
                technology.record.name.clone(),
                format!("/technologies/{}", technology.record.slug),
            ));
        }
        crumbs
    }

    fn check(&self, answers: &Answers, opened: Vec<(String, String)>) -> CheckPage {
        let mut carried = opened;
        carried.extend(answers.pairs(""));
        CheckPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: self.crumbs(),
            heading: "Check your answers before saving".to_owned(),
            action: self.purpose.action(),
            answers: {
                let mut read = answers.read_out(&self.suppliers);
                if matches!(self.purpose, Purpose::Edit { .. }) {
                    let reason = answers.reason.trim();
                    read.push((
                        "Reason for the change",
                        if reason.is_empty() {
                            "Not given".to_owned()
                        } else {
                            reason.to_owned()
                        },
                    ));
                }
                read
            },
            carried,
            confirm: match self.purpose {
                Purpose::Register => "Register technology",
                Purpose::Edit { .. } => "Save changes",
            },
        }
    }
}

async fn context(state: &WebState, editor: Editor, purpose: Purpose) -> Result<Context, PageError> {
    let suppliers = suppliers_of(state, &editor.actor).await?;
    if suppliers.is_empty() && !matches!(purpose, Purpose::Edit { .. }) {
        return Err(PageError::Forbidden(
            "Only innovators at a supplier can register a technology. Ask an administrator of \
             the registry to add you to your company's organisation as an innovator."
                .to_owned(),
        ));
    }
    Ok(Context {
        editor,
        suppliers,
        purpose,
    })
}

/// `GET /technologies/new`
pub async fn new(State(state): State<WebState>, editor: Editor) -> Result<Html<String>, PageError> {
    let context = context(&state, editor, Purpose::Register).await?;
    render(&context.form(
        Answers::default(),
        Problems::default(),
        Vec::new(),
        Vec::new(),
    ))
}

/// `POST /technologies/new`
pub async fn new_post(
    State(state): State<WebState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let context = context(&state, posted.editor, Purpose::Register).await?;
    take(&state, context, &posted.fields).await
}

async fn editable(state: &WebState, editor: &Editor, slug: &str) -> Result<Technology, PageError> {
    let technology = technologies::get_by_slug(&state.db, &editor.actor, slug).await?;
    registry_api::service::access::ensure_innovator_at(
        &editor.actor,
        technology.record.supplier_id,
    )?;
    Ok(technology)
}

/// `GET /technologies/{slug}/edit`
pub async fn edit(
    State(state): State<WebState>,
    editor: Editor,
    Path(slug): Path<String>,
) -> Result<Html<String>, PageError> {
    let technology = editable(&state, &editor, &slug).await?;
    let answers = Answers::of(&technology);
    let opened = opened_at(&technology);
    let context = context(
        &state,
        editor,
        Purpose::Edit {
            technology: Box::new(technology),
        },
    )
    .await?;
    render(&context.form(answers, Problems::default(), opened, Vec::new()))
}

/// `POST /technologies/{slug}/edit`
pub async fn edit_post(
    State(state): State<WebState>,
    Path(slug): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let technology = editable(&state, &posted.editor, &slug).await?;
    let context = context(
        &state,
        posted.editor,
        Purpose::Edit {
            technology: Box::new(technology),
        },
    )
    .await?;
    take(&state, context, &posted.fields).await
}

/// One step of the form: "continue" checks, "change" goes back, "confirm" writes.
async fn take(state: &WebState, context: Context, fields: &Fields) -> Result<Response, PageError> {
    let answers = Answers::read(fields, "");
    let step = fields.first("step").unwrap_or("continue");
    let (existing, version, dtac) = match &context.purpose {
        Purpose::Register => (None, 0, Vec::new()),
        Purpose::Edit { technology } => (
            Some(technology.record.id),
            fields
                .first("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(technology.record.version),
            technology
                .dtac
                .iter()
                .map(|d| DtacInput {
                    section: d.section,
                    status: d.status,
                    assessed_on: d.assessed_on,
                    evidence_url: d.evidence_url.clone(),
                })
                .collect(),
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
    let (mut input, unread) = answers.input(dtac);
    if !unread.is_empty() {
        // A stand-in supplier the person may use, so the service checks the rest.
        if input.supplier_id.is_nil()
            && let Some((id, _)) = context.suppliers.first()
        {
            input.supplier_id = *id;
        }
        let problems = match technologies::check(&state.db, actor, existing, &input).await {
            Ok(()) => unread,
            Err(err) => unread.and(err, ORDER)?,
        };
        let problems = answers.unexplained(problems);
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.form(answers, problems, opened, Vec::new()),
        ));
    }
    let result = if step == "confirm" {
        match existing {
            None => technologies::register(&state.db, actor, input).await,
            Some(id) => {
                let reason = answers.reason.trim();
                let reason = (!reason.is_empty()).then_some(reason);
                technologies::update(&state.db, actor, id, version, input, reason).await
            }
        }
        .map(Some)
    } else {
        technologies::check(&state.db, actor, existing, &input)
            .await
            .map(|()| None)
    };
    match result {
        Ok(Some(saved)) => {
            let notice = match existing {
                None => Notice::TechnologyRegistered,
                Some(_) => Notice::TechnologyUpdated,
            };
            Ok(done(
                &format!("/technologies/{}", saved.record.slug),
                notice,
            ))
        }
        Ok(None) => Ok(page(StatusCode::OK, &context.check(&answers, opened))),
        Err(err) => {
            let problems = answers.unexplained(Problems::of(err, ORDER)?);
            let Purpose::Edit { technology } = &context.purpose else {
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
            // the next save edit the technology as it now stands.
            let then = Answers::read(fields, "was.").read_out(&context.suppliers);
            let now = Answers::of(technology).read_out(&context.suppliers);
            let changed = then
                .into_iter()
                .zip(now)
                .filter(|(a, b)| a.1 != b.1)
                .map(|((label, was), (_, now))| (label, was, now))
                .collect();
            let mut explained = Problems::default();
            explained.add(
                "changed",
                "Someone else changed this technology since you opened the form. Check what \
                 they changed, then save your answers again.",
            );
            Ok(page(
                StatusCode::CONFLICT,
                &context.form(answers, explained, opened_at(technology), changed),
            ))
        }
    }
}
