//! `/admin/metrics/new` and `/admin/metrics/{code}/edit`: an administrator adds a metric to the
//! catalogue or edits one, as form, check your answers and confirm. An edit carries the version
//! it opened and its answers then, so a stale edit is explained, keeping what was typed.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::model::{Direction, MetricDomain, MetricKind, MetricUnit, Spelling, metric};
use registry_api::service::metrics::{self, MetricInput};
use sea_orm::Iterable;

use super::metrics::metric_at;
use super::{CheckPage, changed, crumbs, ensure};
use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{
    Editor, Fields, Notice, Posted, Problems, done, label_of, one_of, options, page,
};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// The form's fields, in the order it asks them.
const ORDER: &[&str] = &[
    "name",
    "code",
    "definition",
    "domain",
    "kind",
    "unit",
    "direction",
    "minValue",
    "maxValue",
];

/// A unit as the form offers it: its symbol alone says too little.
fn unit_label(unit: MetricUnit) -> &'static str {
    match unit {
        MetricUnit::Proportion => "Proportion, from 0 to 1 (binary metrics: events out of n)",
        MetricUnit::Percent => "Percentage",
        MetricUnit::Count => "Count",
        MetricUnit::Minutes => "Minutes",
        MetricUnit::Hours => "Hours",
        MetricUnit::Days => "Days",
        MetricUnit::Gbp => "Pounds sterling (£)",
        MetricUnit::Score => "Score on a scale (give its lowest and highest values)",
        MetricUnit::RatePerThousand => "Rate per 1,000",
    }
}

/// The answers as typed, kept across the check page and back.
#[derive(Debug, Clone, Default, PartialEq)]
struct Answers {
    code: String,
    name: String,
    unit: String,
    direction: String,
    domain: String,
    kind: String,
    definition: String,
    min_value: String,
    max_value: String,
}

/// A bound as typed: empty is none, anything else must be a number.
fn bound(problems: &mut Problems, field: &str, what: &str, typed: &str) -> Option<f64> {
    let typed = typed.trim();
    if typed.is_empty() {
        return None;
    }
    let parsed = typed.replace(',', "").parse::<f64>().ok();
    if parsed.is_none() {
        problems.add(field, format!("Enter the {what} as a number, like 0 or 27"));
    }
    parsed
}

impl Answers {
    fn of(m: &metric::Model) -> Self {
        let figure = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            code: m.code.clone(),
            name: m.name.clone(),
            unit: m.unit.as_str().to_owned(),
            direction: m.direction.as_str().to_owned(),
            domain: m.domain.as_str().to_owned(),
            kind: m.kind.as_str().to_owned(),
            definition: m.definition.clone(),
            min_value: figure(m.min_value),
            max_value: figure(m.max_value),
        }
    }

    /// The answers under `prefix` ("" for what was typed, "was." for the opened record).
    fn read(fields: &Fields, prefix: &str) -> Self {
        let one = |name: &str| fields.text(&format!("{prefix}{name}"));
        Self {
            code: one("code"),
            name: one("name"),
            unit: one("unit"),
            direction: one("direction"),
            domain: one("domain"),
            kind: one("kind"),
            definition: one("definition"),
            min_value: one("minValue"),
            max_value: one("maxValue"),
        }
    }

    fn pairs(&self, prefix: &str) -> Vec<(String, String)> {
        [
            ("code", &self.code),
            ("name", &self.name),
            ("unit", &self.unit),
            ("direction", &self.direction),
            ("domain", &self.domain),
            ("kind", &self.kind),
            ("definition", &self.definition),
            ("minValue", &self.min_value),
            ("maxValue", &self.max_value),
        ]
        .into_iter()
        .map(|(name, value)| (format!("{prefix}{name}"), value.clone()))
        .collect()
    }

    /// The answers as the service takes them, and what could not be read (with a stand-in
    /// in the input, so the service can check everything else).
    fn input(&self) -> (MetricInput, Problems) {
        let mut problems = Problems::default();
        let domain = one_of::<MetricDomain>(
            &mut problems,
            "domain",
            "Select the metric's domain",
            &self.domain,
        );
        let kind = one_of::<MetricKind>(
            &mut problems,
            "kind",
            "Select whether the metric is continuous or binary",
            &self.kind,
        );
        let unit = one_of::<MetricUnit>(&mut problems, "unit", "Select a unit", &self.unit);
        let direction = one_of::<Direction>(
            &mut problems,
            "direction",
            "Select whether higher or lower is better",
            &self.direction,
        );
        let min_value = bound(&mut problems, "minValue", "lowest value", &self.min_value);
        let max_value = bound(&mut problems, "maxValue", "highest value", &self.max_value);
        let kind = kind.unwrap_or(MetricKind::Continuous);
        let input = MetricInput {
            code: self.code.clone(),
            name: self.name.clone(),
            // A stand-in that fits the kind, so no unit problem is made up on top of another.
            unit: unit.unwrap_or(match kind {
                MetricKind::Binary => MetricUnit::Proportion,
                MetricKind::Continuous => MetricUnit::Count,
            }),
            direction: direction.unwrap_or(Direction::HigherIsBetter),
            domain: domain.unwrap_or(MetricDomain::ClinicalOutcome),
            kind,
            definition: self.definition.clone(),
            min_value,
            max_value,
        };
        (input, problems)
    }

    fn read_out(&self) -> Vec<(&'static str, String)> {
        let or_none = |v: Option<&str>| v.unwrap_or("Not given").to_owned();
        let typed = |v: &str| {
            let v = v.trim();
            if v.is_empty() { "None" } else { v }.to_owned()
        };
        vec![
            ("Name", self.name.clone()),
            ("Code", self.code.trim().to_ascii_uppercase()),
            ("Definition", self.definition.clone()),
            ("Domain", or_none(label_of::<MetricDomain>(&self.domain))),
            ("Kind", or_none(label_of::<MetricKind>(&self.kind))),
            (
                "Unit",
                or_none(MetricUnit::from_spelling(&self.unit).map(unit_label)),
            ),
            (
                "Better when",
                or_none(label_of::<Direction>(&self.direction)),
            ),
            ("Lowest possible value", typed(&self.min_value)),
            ("Highest possible value", typed(&self.max_value)),
        ]
    }
}

#[derive(Template)]
#[template(path = "pages/admin/metric_form.html")]
struct FormPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    heading: String,
    action: String,
    problems: Problems,
    answers: Answers,
    opened: Vec<(String, String)>,
    changed: Vec<(&'static str, String, String)>,
    units: Vec<Choice>,
    directions: Vec<Choice>,
    domains: Vec<Choice>,
    kinds: Vec<Choice>,
}

struct Context {
    editor: Editor,
    /// The metric being edited; `None` for a new one.
    editing: Option<metric::Model>,
}

impl Context {
    fn action(&self) -> String {
        match &self.editing {
            None => "/admin/metrics/new".to_owned(),
            Some(m) => format!("/admin/metrics/{}/edit", m.code),
        }
    }

    fn crumbs(&self) -> Vec<Crumb> {
        crumbs(&[("Metric catalogue", "/admin/metrics")])
    }

    fn form(
        &self,
        answers: Answers,
        problems: Problems,
        opened: Vec<(String, String)>,
        changed: Vec<(&'static str, String, String)>,
    ) -> FormPage {
        FormPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: self.crumbs(),
            heading: match &self.editing {
                None => "Add a metric".to_owned(),
                Some(m) => format!("Edit {}", m.name),
            },
            action: self.action(),
            units: MetricUnit::iter()
                .map(|u| Choice {
                    value: u.as_str().to_owned(),
                    label: unit_label(u).to_owned(),
                    selected: answers.unit == u.as_str(),
                })
                .collect(),
            directions: options::<Direction>(std::slice::from_ref(&answers.direction)),
            domains: options::<MetricDomain>(std::slice::from_ref(&answers.domain)),
            kinds: options::<MetricKind>(std::slice::from_ref(&answers.kind)),
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
            answers: answers.read_out(),
            carried,
            after: "Once saved, the metric is in the public catalogue: evaluators can record \
                    their pilots' outcomes on it, and anyone can compare them.",
            confirm: match self.editing {
                None => "Add metric",
                Some(_) => "Save changes",
            },
        }
    }
}

fn opened_at(m: &metric::Model) -> Vec<(String, String)> {
    let mut opened = vec![("version".to_owned(), m.version.to_string())];
    opened.extend(Answers::of(m).pairs("was."));
    opened
}

/// `GET /admin/metrics/new`
pub async fn new(editor: Editor) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let context = Context {
        editor,
        editing: None,
    };
    render(&context.form(
        Answers::default(),
        Problems::default(),
        Vec::new(),
        Vec::new(),
    ))
}

/// `POST /admin/metrics/new`
pub async fn new_post(
    State(state): State<WebState>,
    posted: Posted,
) -> Result<Response, PageError> {
    ensure(&posted.editor)?;
    let context = Context {
        editor: posted.editor,
        editing: None,
    };
    take(&state, context, &posted.fields).await
}

/// `GET /admin/metrics/{code}/edit`
pub async fn edit(
    State(state): State<WebState>,
    editor: Editor,
    Path(code): Path<String>,
) -> Result<Html<String>, PageError> {
    ensure(&editor)?;
    let metric = metric_at(&state, &code).await?;
    let answers = Answers::of(&metric);
    let opened = opened_at(&metric);
    let context = Context {
        editor,
        editing: Some(metric),
    };
    render(&context.form(answers, Problems::default(), opened, Vec::new()))
}

/// `POST /admin/metrics/{code}/edit`
pub async fn edit_post(
    State(state): State<WebState>,
    Path(code): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    ensure(&posted.editor)?;
    let metric = metric_at(&state, &code).await?;
    let context = Context {
        editor: posted.editor,
        editing: Some(metric),
    };
    take(&state, context, &posted.fields).await
}

/// One step of the form: "continue" checks, "change" goes back, "confirm" writes.
async fn take(state: &WebState, context: Context, fields: &Fields) -> Result<Response, PageError> {
    let answers = Answers::read(fields, "");
    let step = fields.first("step").unwrap_or("continue");
    let existing = context.editing.as_ref().map(|m| m.id);
    let version = context.editing.as_ref().map(|m| {
        fields
            .first("version")
            .and_then(|v| v.parse().ok())
            .unwrap_or(m.version)
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
        let problems = match metrics::check(&state.db, actor, existing, &input).await {
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
                metrics::update(&state.db, actor, id, version, input).await
            }
            _ => metrics::create(&state.db, actor, input).await,
        }
        .map(Some)
    } else {
        metrics::check(&state.db, actor, existing, &input)
            .await
            .map(|()| None)
    };
    match result {
        Ok(Some(_)) => Ok(done(
            "/admin/metrics",
            match existing {
                None => Notice::MetricAdded,
                Some(_) => Notice::MetricUpdated,
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
            // next save edits the metric as it now stands (as read for this request).
            let changed = changed(
                Answers::read(fields, "was.").read_out(),
                Answers::of(current).read_out(),
            );
            let mut explained = Problems::default();
            explained.add(
                "changed",
                "Someone else changed this metric since you opened the form. Check what they \
                 changed, then save your answers again.",
            );
            Ok(page(
                StatusCode::CONFLICT,
                &context.form(answers, explained, opened_at(current), changed),
            ))
        }
    }
}
