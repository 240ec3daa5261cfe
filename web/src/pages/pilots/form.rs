//! `/pilots/new`: an evaluator registers a pilot at their organisation, as a draft only its
//! own people read. "Continue" checks the answers with the service; the check page shows them
//! beside the pilots of the same technology that other organisations already ran, with their
//! outcomes ("has this been tried?"), so a trust does not repeat a pilot unknowingly; "Confirm"
//! writes.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, Response};
use chrono::NaiveDate;
use registry_api::Actor;
use registry_api::model::{
    CareSetting, EvaluationDesign, EvaluatorKind, PilotStatus, Role, Specialty,
};
use registry_api::service::pilots::{self, PilotFilter, PilotInput};
use registry_api::service::technologies::{self, TechnologyFilter};
use registry_api::service::{PageRequest, Sort, organisations};
use sea_orm::prelude::Uuid;

use super::show::{PilotTable, table};
use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{
    Editor, Fields, Notice, Posted, Problems, done, label_of, one_of, options, page,
};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// The form's fields, in the order it asks them (the error summary follows it).
const ORDER: &[&str] = &[
    "technologyId",
    "hostOrganisationId",
    "title",
    "problem",
    "status",
    "startDate",
    "endDate",
    "careSetting",
    "specialty",
    "population",
    "patients",
    "staff",
    "fundingSource",
    "costGbp",
    "design",
    "evaluatorKind",
    "evaluatorName",
    "contactName",
    "contactEmail",
];

/// The fields typed in three boxes each (`{field}-day`, `-month`, `-year`); the rest are one
/// value each.
const DATES: &[&str] = &["startDate", "endDate"];

/// A date as typed in the design system's three boxes.
#[derive(Debug, Clone, Default)]
struct DateAnswer {
    day: String,
    month: String,
    year: String,
}

impl DateAnswer {
    fn read(fields: &Fields, id: &str) -> Self {
        Self {
            day: fields.text(&format!("{id}-day")),
            month: fields.text(&format!("{id}-month")),
            year: fields.text(&format!("{id}-year")),
        }
    }

    fn is_empty(&self) -> bool {
        [&self.day, &self.month, &self.year]
            .iter()
            .all(|p| p.trim().is_empty())
    }

    /// The date, none when left empty, or what is wrong with it.
    fn parse(&self, problems: &mut Problems, id: &str, what: &str) -> Option<NaiveDate> {
        if self.is_empty() {
            return None;
        }
        let part = |p: &str| p.trim().parse::<u32>().ok();
        let date = match (part(&self.day), part(&self.month), part(&self.year)) {
            (Some(d), Some(m), Some(y)) if y >= 1900 => {
                NaiveDate::from_ymd_opt(i32::try_from(y).unwrap_or(0), m, d)
            }
            _ => None,
        };
        if date.is_none() {
            problems.add(id, format!("{what} must be a real date, like 15 3 2025"));
        }
        date
    }

    fn pairs(&self, id: &str) -> Vec<(String, String)> {
        vec![
            (format!("{id}-day"), self.day.clone()),
            (format!("{id}-month"), self.month.clone()),
            (format!("{id}-year"), self.year.clone()),
        ]
    }
}

/// The answers as typed.
#[derive(Debug, Clone, Default)]
struct Answers {
    texts: Vec<(&'static str, String)>,
    start: DateAnswer,
    end: DateAnswer,
}

impl Answers {
    fn read(fields: &Fields) -> Self {
        Self {
            texts: ORDER
                .iter()
                .filter(|name| !DATES.contains(name))
                .map(|name| (*name, fields.text(name)))
                .collect(),
            start: DateAnswer::read(fields, "startDate"),
            end: DateAnswer::read(fields, "endDate"),
        }
    }

    fn get(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn pairs(&self) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .texts
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect();
        pairs.extend(self.start.pairs("startDate"));
        pairs.extend(self.end.pairs("endDate"));
        pairs
    }

    /// The answers as the service takes them, and what could not be read; where a choice
    /// could not be read the input holds a stand-in, so the service checks everything else.
    fn input(&self) -> (PilotInput, Problems) {
        let mut problems = Problems::default();
        let id = |problems: &mut Problems, field: &str, missing: &str| {
            self.get(field).parse::<Uuid>().unwrap_or_else(|_| {
                problems.add(field, missing);
                Uuid::nil()
            })
        };
        let technology_id = id(&mut problems, "technologyId", "Select the technology");
        let host_organisation_id = id(
            &mut problems,
            "hostOrganisationId",
            "Select your organisation",
        );
        let status = one_of(
            &mut problems,
            "status",
            "Select the pilot's status",
            self.get("status"),
        );
        let start_date = self
            .start
            .parse(&mut problems, "startDate", "The start date");
        let end_date = self.end.parse(&mut problems, "endDate", "The end date");
        let care_setting = one_of(
            &mut problems,
            "careSetting",
            "Select the care setting",
            self.get("careSetting"),
        );
        let specialty = one_of(
            &mut problems,
            "specialty",
            "Select the specialty",
            self.get("specialty"),
        );
        let design = one_of(
            &mut problems,
            "design",
            "Select how the pilot is evaluated",
            self.get("design"),
        );
        let evaluator_kind = one_of(
            &mut problems,
            "evaluatorKind",
            "Select who evaluates it",
            self.get("evaluatorKind"),
        );
        let mut whole = |field: &str, what: &str| -> Option<i64> {
            let text = self.get(field).trim().replace(',', "");
            if text.is_empty() {
                return None;
            }
            let n = text.trim_start_matches('£').parse::<i64>().ok();
            if n.is_none() {
                problems.add(field, format!("{what} must be a whole number, like 250"));
            }
            n
        };
        let patients = whole("patients", "The number of patients");
        let staff = whole("staff", "The number of staff");
        let cost_gbp = whole("costGbp", "The cost");
        let optional = |field: &str| {
            let text = self.get(field).trim();
            (!text.is_empty()).then(|| text.to_owned())
        };
        let input = PilotInput {
            technology_id,
            host_organisation_id,
            title: self.get("title").to_owned(),
            problem: self.get("problem").to_owned(),
            status: status.unwrap_or(PilotStatus::Planned),
            start_date,
            end_date,
            care_setting: care_setting.unwrap_or(CareSetting::Secondary),
            specialty: specialty.unwrap_or(Specialty::Cardiology),
            population: self.get("population").to_owned(),
            patients: patients.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            staff: staff.map(|n| i32::try_from(n).unwrap_or(i32::MAX)),
            funding_source: optional("fundingSource"),
            cost_gbp,
            design: design.unwrap_or(EvaluationDesign::BeforeAfter),
            evaluator_kind: evaluator_kind.unwrap_or(EvaluatorKind::Internal),
            evaluator_name: optional("evaluatorName"),
            contact_name: optional("contactName"),
            contact_email: optional("contactEmail"),
        };
        (input, problems)
    }
}

#[derive(Template)]
#[template(path = "pages/pilot_form.html")]
struct FormPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    problems: Problems,
    answers: Answers,
    technologies: Vec<Choice>,
    hosts: Vec<Choice>,
    statuses: Vec<Choice>,
    care_settings: Vec<Choice>,
    specialties: Vec<Choice>,
    designs: Vec<Choice>,
    evaluator_kinds: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "pages/pilot_check.html")]
struct CheckPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    answers: Vec<(&'static str, String)>,
    carried: Vec<(String, String)>,
    technology: String,
    technology_href: String,
    /// What the viewer may read of the same technology's pilots elsewhere.
    tried: PilotTable,
}

/// The technologies to choose from, and the organisations where the actor evaluates.
struct Context {
    editor: Editor,
    technologies: Vec<(Uuid, String)>,
    slugs: std::collections::HashMap<Uuid, String>,
    hosts: Vec<(Uuid, String)>,
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
    async fn of(state: &WebState, editor: Editor) -> Result<Self, PageError> {
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
        })
    }

    fn form(&self, answers: Answers, problems: Problems) -> FormPage {
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
            crumbs: vec![Crumb::new("Home", "/")],
            technologies,
            hosts: chosen(&self.hosts, answers.get("hostOrganisationId")),
            statuses: options::<PilotStatus>(&one("status")),
            care_settings: options::<CareSetting>(&one("careSetting")),
            specialties,
            designs: options::<EvaluationDesign>(&one("design")),
            evaluator_kinds: options::<EvaluatorKind>(&one("evaluatorKind")),
            problems,
            answers,
        }
    }

    async fn check(
        &self,
        state: &WebState,
        answers: &Answers,
        input: &PilotInput,
    ) -> Result<CheckPage, PageError> {
        let name = |list: &[(Uuid, String)], id: Uuid| {
            list.iter()
                .find(|(i, _)| *i == id)
                .map_or_else(String::new, |(_, n)| n.clone())
        };
        let technology = name(&self.technologies, input.technology_id);
        let date =
            |d: Option<NaiveDate>| d.map_or_else(|| "Not given".to_owned(), crate::format::date);
        let or_not = |v: Option<String>| v.unwrap_or_else(|| "Not given".to_owned());
        let number = |v: Option<i64>| {
            v.map_or_else(
                || "Not given".to_owned(),
                |n| crate::format::count(n.unsigned_abs()),
            )
        };
        let read_out = vec![
            ("Technology", technology.clone()),
            ("Host", name(&self.hosts, input.host_organisation_id)),
            ("Title", input.title.clone()),
            ("Problem it addresses", input.problem.clone()),
            ("Status", input.status.label().to_owned()),
            ("Start date", date(input.start_date)),
            ("End date", date(input.end_date)),
            ("Care setting", input.care_setting.label().to_owned()),
            (
                "Specialty",
                label_of::<Specialty>(answers.get("specialty"))
                    .unwrap_or("")
                    .to_owned(),
            ),
            ("Population", input.population.clone()),
            ("Patients", number(input.patients.map(i64::from))),
            ("Staff", number(input.staff.map(i64::from))),
            ("Funding", or_not(input.funding_source.clone())),
            (
                "Cost",
                input.cost_gbp.map_or_else(
                    || "Not given".to_owned(),
                    |c| format!("£{}", crate::format::count(c.unsigned_abs())),
                ),
            ),
            ("Evaluation design", input.design.label().to_owned()),
            ("Evaluated by", input.evaluator_kind.label().to_owned()),
            ("Evaluator", or_not(input.evaluator_name.clone())),
            ("Contact", or_not(input.contact_name.clone())),
            ("Contact email", or_not(input.contact_email.clone())),
        ];
        let slug = self
            .slugs
            .get(&input.technology_id)
            .cloned()
            .unwrap_or_default();
        let tried = table(
            &state.db,
            &self.editor.actor,
            &PilotFilter {
                technology_id: Some(input.technology_id),
                ..PilotFilter::default()
            },
            None,
            |n| format!("/technologies/{slug}?page={n}#pilots"),
        )
        .await?;
        Ok(CheckPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: vec![Crumb::new("Home", "/")],
            answers: read_out,
            carried: answers.pairs(),
            technology,
            technology_href: format!("/technologies/{slug}#pilots"),
            tried,
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
    let context = Context::of(&state, editor).await?;
    render(&context.form(Answers::default(), Problems::default()))
}

/// `POST /pilots/new`: "continue" checks, "change" goes back, "confirm" registers.
pub async fn new_post(
    State(state): State<WebState>,
    posted: Posted,
) -> Result<Response, PageError> {
    let context = Context::of(&state, posted.editor).await?;
    let fields = &posted.fields;
    let answers = Answers::read(fields);
    let step = fields.first("step").unwrap_or("continue");
    if step == "change" {
        return Ok(page(
            StatusCode::OK,
            &context.form(answers, Problems::default()),
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
        let problems = match pilots::check(&state.db, actor, &input).await {
            Ok(()) => unread,
            Err(err) => unread.and(err, ORDER)?,
        };
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.form(answers, problems),
        ));
    }
    let result = if step == "confirm" {
        pilots::register(&state.db, actor, input.clone())
            .await
            .map(Some)
    } else {
        pilots::check(&state.db, actor, &input).await.map(|()| None)
    };
    match result {
        Ok(Some(pilot)) => Ok(done(
            &format!("/pilots/{}", pilot.id),
            Notice::PilotRegistered,
        )),
        Ok(None) => Ok(page(
            StatusCode::OK,
            &context.check(&state, &answers, &input).await?,
        )),
        Err(err) => {
            let problems = Problems::of(err, ORDER)?;
            Ok(page(
                StatusCode::UNPROCESSABLE_ENTITY,
                &context.form(answers, problems),
            ))
        }
    }
}
