//! `/pilots/{id}/measures/new`: an evaluator at the host records a measure, or replaces one
//! (`?replace=` a measure's id). First the metric, chosen from the catalogue with its unit,
//! kind and direction; then the figures that kind needs (events and n for a binary metric;
//! mean, standard deviation and n for a continuous one); then "check your answers".

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use registry_api::model::{Comparator, MetricKind, metric, pilot, pilot_measure};
use registry_api::service::measures::{self, MeasureInput, ObservationInput};
use registry_api::service::metrics;
use sea_orm::prelude::Uuid;
use serde::Deserialize;

use super::work::{CheckPage, crumbs, own_pilot};
use crate::components::{Choice, Crumb};
use crate::forms::{
    Editor, Fields, Notice, Posted, Problems, done, label_of, one_of, options, page,
};
use crate::pages::PageError;
use crate::viewer::SignedIn;
use crate::{WebState, format, wording};

/// The figures' fields, named as the service names them so its errors land on them.
const ORDER: &[&str] = &[
    "metricId",
    "timeFrame",
    "comparator",
    "isPrimary",
    "baseline.events",
    "baseline.value",
    "baseline.sd",
    "baseline.n",
    "result.events",
    "result.value",
    "result.sd",
    "result.n",
];

#[derive(Debug, Deserialize)]
pub struct Chosen {
    /// Sent by the catalogue's form, so a choice left empty is told apart from a first visit.
    step: Option<String>,
    metric: Option<String>,
    replace: Option<String>,
}

/// The answers as typed.
#[derive(Debug, Clone, Default)]
struct Answers(Vec<(&'static str, String)>);

impl Answers {
    fn read(fields: &Fields) -> Self {
        Self(
            ORDER[1..]
                .iter()
                .map(|f| (*f, fields.text(f).trim().to_owned()))
                .collect(),
        )
    }

    /// A recorded measure's figures, to replace it.
    fn of(m: &pilot_measure::Model) -> Self {
        let number = |x: Option<f64>| x.map(format_plain).unwrap_or_default();
        let whole = |x: Option<i32>| x.map(|n| n.to_string()).unwrap_or_default();
        Self(vec![
            ("timeFrame", m.time_frame.clone()),
            ("comparator", spelled(m.comparator)),
            (
                "isPrimary",
                if m.is_primary { "yes" } else { "no" }.to_owned(),
            ),
            ("baseline.events", whole(m.baseline_events)),
            ("baseline.value", format_plain(m.baseline_value)),
            ("baseline.sd", number(m.baseline_sd)),
            ("baseline.n", whole(m.baseline_n)),
            ("result.events", whole(m.result_events)),
            ("result.value", format_plain(m.result_value)),
            ("result.sd", number(m.result_sd)),
            ("result.n", whole(m.result_n)),
        ])
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    fn pairs(&self) -> Vec<(String, String)> {
        self.0
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect()
    }

    /// One side's figures as the service takes them; a binary side's value is its events
    /// out of n.
    fn side(&self, problems: &mut Problems, side: &str, kind: MetricKind) -> ObservationInput {
        let field = |name: &str| format!("{side}.{name}");
        let what = if side == "baseline" {
            "baseline"
        } else {
            "result"
        };
        let mut whole = |name: &str, label: &str| -> Option<i32> {
            let text = self.get(&field(name)).replace(',', "");
            if text.is_empty() {
                return None;
            }
            let n = text.parse::<i32>().ok();
            if n.is_none() {
                problems.add(
                    field(name),
                    format!("The {what}'s {label} must be a whole number, like 120"),
                );
            }
            n
        };
        let events = whole("events", "number of events");
        let n = whole("n", "number of people");
        let mut decimal = |name: &str, label: &str, required: bool| -> Option<f64> {
            let text = self.get(&field(name)).replace(',', "");
            if text.is_empty() {
                if required {
                    problems.add(field(name), format!("Enter the {what}'s {label}"));
                }
                return None;
            }
            let x = text.parse::<f64>().ok().filter(|x| x.is_finite());
            if x.is_none() {
                problems.add(
                    field(name),
                    format!("The {what}'s {label} must be a number, like 4.5"),
                );
            }
            x
        };
        match kind {
            MetricKind::Binary => {
                if events.is_none() && self.get(&field("events")).is_empty() {
                    problems.add(
                        field("events"),
                        format!("Enter the {what}'s number of events"),
                    );
                }
                if n.is_none() && self.get(&field("n")).is_empty() {
                    problems.add(field("n"), format!("Enter the {what}'s number of people"));
                }
                let value = match (events, n) {
                    (Some(e), Some(n)) if n > 0 => f64::from(e) / f64::from(n),
                    _ => 0.0,
                };
                ObservationInput {
                    value,
                    n,
                    sd: None,
                    events,
                    period_start: None,
                    period_end: None,
                }
            }
            MetricKind::Continuous => ObservationInput {
                value: decimal("value", "mean", true).unwrap_or(0.0),
                sd: decimal("sd", "standard deviation", false),
                n,
                events: None,
                period_start: None,
                period_end: None,
            },
        }
    }
}

/// A number as typed back into a box: no grouping, no trailing zeros.
fn format_plain(x: f64) -> String {
    let text = format!("{x:.6}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn spelled<T: registry_api::model::Spelling>(value: T) -> String {
    value.as_str().to_owned()
}

/// One side of the figures form: its heading and its fields' names.
struct SideFields {
    legend: &'static str,
    /// How the side's labels end, so that each label is the page's only one.
    at: &'static str,
    events: &'static str,
    value: &'static str,
    sd: &'static str,
    n: &'static str,
}

const SIDES: [SideFields; 2] = [
    SideFields {
        legend: "Baseline: before the pilot, or the control group",
        at: "at baseline",
        events: "baseline.events",
        value: "baseline.value",
        sd: "baseline.sd",
        n: "baseline.n",
    },
    SideFields {
        legend: "Result: with the technology",
        at: "with the technology",
        events: "result.events",
        value: "result.value",
        sd: "result.sd",
        n: "result.n",
    },
];

#[derive(Template)]
#[template(path = "pages/pilot/measure_metric.html")]
struct MetricPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    title: String,
    action: String,
    problems: Problems,
    metrics: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "pages/pilot/measure_form.html")]
struct FiguresPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    title: String,
    heading: String,
    action: String,
    choose_href: String,
    definition: String,
    unit: &'static str,
    kind: &'static str,
    direction: &'static str,
    binary: bool,
    events_hint: String,
    carried: Vec<(String, String)>,
    problems: Problems,
    answers: Answers,
    comparators: Vec<Choice>,
    primary: Vec<Choice>,
    sides: Vec<SideView>,
}

/// One side of the figures form as shown: its fields and their labels, each the page's only
/// one of its wording.
struct SideView {
    fields: &'static SideFields,
    events_label: String,
    n_label: String,
    mean_label: String,
    sd_label: String,
}

/// The pilot, the metric and the measure being replaced, if any.
struct Context {
    editor: Editor,
    pilot: pilot::Model,
    metric: metric::Model,
    replacing: Option<pilot_measure::Model>,
}

impl Context {
    async fn of(
        state: &WebState,
        editor: Editor,
        id: &str,
        code: &str,
        replace: Option<&str>,
    ) -> Result<Result<Self, (Editor, pilot::Model)>, PageError> {
        let pilot = own_pilot(state, &editor, id).await?;
        let replacing = match replace.filter(|r| !r.is_empty()) {
            None => None,
            Some(r) => {
                let id = Uuid::parse_str(r).map_err(|_| PageError::NotFound)?;
                let recorded = measures::of_pilots(&state.db, &editor.actor, [pilot.id]).await?;
                Some(
                    recorded
                        .into_iter()
                        .find(|m| m.id == id)
                        .ok_or(PageError::NotFound)?,
                )
            }
        };
        let metric = match &replacing {
            Some(m) => Some(metrics::get(&state.db, m.metric_id).await?),
            None => metrics::find_by_code(&state.db, code).await?,
        };
        Ok(match metric {
            Some(metric) => Ok(Self {
                editor,
                pilot,
                metric,
                replacing,
            }),
            None => Err((editor, pilot)),
        })
    }

    fn action(&self) -> String {
        format!("/pilots/{}/measures/new", self.pilot.id)
    }

    fn carried(&self) -> Vec<(String, String)> {
        let mut carried = vec![("metric".to_owned(), self.metric.code.clone())];
        if let Some(m) = &self.replacing {
            carried.push(("replace".to_owned(), m.id.to_string()));
            carried.push(("version".to_owned(), m.version.to_string()));
        }
        carried
    }

    fn form(
        &self,
        answers: Answers,
        problems: Problems,
        carried: Vec<(String, String)>,
    ) -> FiguresPage {
        let m = &self.metric;
        let unit = m.unit.label();
        FiguresPage {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: crumbs(&self.pilot),
            title: self.pilot.title.clone(),
            heading: match &self.replacing {
                Some(_) => format!("Replace the measure of {}", m.name),
                None => format!("Record {}", m.name),
            },
            action: self.action(),
            choose_href: format!("{}?", self.action()),
            definition: m.definition.clone(),
            unit,
            kind: match m.kind {
                MetricKind::Binary => "Binary: events out of a number of people",
                MetricKind::Continuous => "Continuous: a mean with its standard deviation",
            },
            direction: m.direction.label(),
            binary: m.kind == MetricKind::Binary,
            events_hint: format!(
                "How many people had the outcome ({})",
                m.name.to_lowercase()
            ),
            carried,
            comparators: options::<Comparator>(&[answers.get("comparator").to_owned()]),
            primary: [
                ("yes", "Yes, it is the primary outcome"),
                ("no", "No, it is a secondary outcome"),
            ]
            .into_iter()
            .map(|(v, l)| Choice {
                value: v.to_owned(),
                label: l.to_owned(),
                selected: answers.get("isPrimary") == v,
            })
            .collect(),
            sides: SIDES
                .iter()
                .map(|side| SideView {
                    fields: side,
                    events_label: format!("Events {}", side.at),
                    n_label: format!("People {} (n)", side.at),
                    mean_label: format!("Mean {} ({unit})", side.at),
                    sd_label: format!("Standard deviation {}", side.at),
                })
                .collect(),
            problems,
            answers,
        }
    }

    fn input(&self, answers: &Answers) -> (MeasureInput, Problems) {
        let mut problems = Problems::default();
        let comparator = one_of::<Comparator>(
            &mut problems,
            "comparator",
            "Select what the result is compared with",
            answers.get("comparator"),
        );
        let is_primary = match answers.get("isPrimary") {
            "yes" => true,
            "no" => false,
            _ => {
                problems.add("isPrimary", "Select whether this is the primary outcome");
                false
            }
        };
        let baseline = answers.side(&mut problems, "baseline", self.metric.kind);
        let result = answers.side(&mut problems, "result", self.metric.kind);
        let input = MeasureInput {
            pilot_id: self.pilot.id,
            metric_id: self.metric.id,
            is_primary,
            time_frame: answers.get("timeFrame").to_owned(),
            comparator: comparator.unwrap_or(Comparator::BeforeAfter),
            baseline,
            result,
            target: self.replacing.as_ref().and_then(|m| m.target),
        };
        (input, problems)
    }

    fn read_out(&self, input: &MeasureInput, answers: &Answers) -> Vec<(String, String)> {
        let unit = self.metric.unit;
        let side = |o: &ObservationInput| match self.metric.kind {
            MetricKind::Binary => format!(
                "{} out of {} ({})",
                o.events.unwrap_or(0),
                o.n.unwrap_or(0),
                wording::value(o.value, unit)
            ),
            MetricKind::Continuous => {
                let mut text = format!("Mean {}", wording::value(o.value, unit));
                if let Some(sd) = o.sd {
                    text.push_str(&format!(", SD {}", format::figure(sd)));
                }
                if let Some(n) = o.n {
                    text.push_str(&format!(", n = {n}"));
                }
                text
            }
        };
        vec![
            ("Metric".to_owned(), self.metric.name.clone()),
            ("Time frame".to_owned(), input.time_frame.clone()),
            (
                "Compared with".to_owned(),
                label_of::<Comparator>(answers.get("comparator"))
                    .unwrap_or("")
                    .to_owned(),
            ),
            (
                "Primary outcome".to_owned(),
                if input.is_primary { "Yes" } else { "No" }.to_owned(),
            ),
            ("Baseline".to_owned(), side(&input.baseline)),
            ("Result".to_owned(), side(&input.result)),
        ]
    }
}

/// The catalogue to choose from.
async fn metric_page(
    state: &WebState,
    editor: &Editor,
    pilot: &pilot::Model,
    problems: Problems,
) -> Result<MetricPage, PageError> {
    let catalogue = metrics::list(&state.db).await?;
    // A retired metric takes no new measures (the service refuses them too).
    let mut metrics: Vec<Choice> = catalogue
        .into_iter()
        .filter(|m| m.retired_at.is_none())
        .map(|m| Choice {
            label: format!(
                "{}: {}, {}, {}",
                m.name,
                m.unit.label(),
                m.kind.label().to_lowercase(),
                m.direction.label().to_lowercase()
            ),
            value: m.code,
            selected: false,
        })
        .collect();
    metrics.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(MetricPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: crumbs(pilot),
        title: pilot.title.clone(),
        action: format!("/pilots/{}/measures/new", pilot.id),
        problems,
        metrics,
    })
}

/// `GET /pilots/{id}/measures/new[?metric=CODE][&replace=ID]`
pub async fn form(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
    Query(chosen): Query<Chosen>,
) -> Result<Response, PageError> {
    let code = chosen.metric.unwrap_or_default();
    match Context::of(&state, editor, &id, &code, chosen.replace.as_deref()).await? {
        Ok(context) => {
            let answers = context
                .replacing
                .as_ref()
                .map(Answers::of)
                .unwrap_or_default();
            let carried = context.carried();
            Ok(page(
                StatusCode::OK,
                &context.form(answers, Problems::default(), carried),
            ))
        }
        Err((editor, pilot)) => {
            let mut problems = Problems::default();
            let status = if code.is_empty() && chosen.step.is_none() {
                StatusCode::OK
            } else {
                problems.add("metric", "Select the metric you measured");
                StatusCode::UNPROCESSABLE_ENTITY
            };
            Ok(page(
                status,
                &metric_page(&state, &editor, &pilot, problems).await?,
            ))
        }
    }
}

/// `POST /pilots/{id}/measures/new`: "continue" checks, "change" goes back, "confirm" saves.
pub async fn post(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let fields = &posted.fields;
    let code = fields.text("metric");
    let context =
        match Context::of(&state, posted.editor, &id, &code, fields.first("replace")).await? {
            Ok(context) => context,
            Err(_) => {
                return Err(PageError::BadRequest(vec![
                    "The metric could not be read.".to_owned(),
                ]));
            }
        };
    let answers = Answers::read(fields);
    let mut carried = context.carried();
    if let Some(version) = fields.first("version") {
        carried.retain(|(n, _)| n != "version");
        carried.push(("version".to_owned(), version.to_owned()));
    }
    let step = fields.first("step").unwrap_or("continue");
    if step == "change" {
        return Ok(page(
            StatusCode::OK,
            &context.form(answers, Problems::default(), carried),
        ));
    }
    let (input, unread) = context.input(&answers);
    let problems = match measures::check_against(&context.metric, &input) {
        Ok(_) => unread,
        Err(err) => unread.and(err, ORDER)?,
    };
    // A binary side's value is worked out from its events and n, so its errors are theirs.
    let problems = problems
        .moved(
            "baseline.value",
            if context.metric.kind == MetricKind::Binary {
                "baseline.events"
            } else {
                "baseline.value"
            },
        )
        .moved(
            "result.value",
            if context.metric.kind == MetricKind::Binary {
                "result.events"
            } else {
                "result.value"
            },
        );
    if !problems.is_empty() {
        return Ok(page(
            StatusCode::UNPROCESSABLE_ENTITY,
            &context.form(answers, problems, carried),
        ));
    }
    if step == "confirm" {
        let actor = &context.editor.actor;
        let saved = match &context.replacing {
            None => measures::record(&state.db, actor, input).await,
            Some(m) => {
                let version = fields
                    .first("version")
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(m.version);
                measures::update(&state.db, actor, m.id, version, input).await
            }
        };
        return match saved {
            Ok(_) => Ok(done(
                &format!("/pilots/{}#outcomes", context.pilot.id),
                Notice::MeasureRecorded,
            )),
            Err(err) => {
                let problems = Problems::of(err, ORDER)?;
                let status = if problems.stale() {
                    StatusCode::CONFLICT
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                };
                let problems = if problems.stale() {
                    let mut explained = Problems::default();
                    explained.add(
                        "timeFrame",
                        "Someone else changed this measure since you opened the form. Your \
                         figures are below as you typed them: check the pilot's page for theirs, \
                         then save again.",
                    );
                    explained
                } else {
                    problems
                };
                Ok(page(
                    status,
                    &context.form(answers, problems, context.carried()),
                ))
            }
        };
    }
    let mut carried_on = answers.pairs();
    carried_on.extend(carried);
    let check = CheckPage {
        viewer: Some(context.editor.signed_in.clone()),
        crumbs: crumbs(&context.pilot),
        caption: context.pilot.title.clone(),
        heading: "Check the measure before saving".to_owned(),
        action: context.action(),
        answers: context.read_out(&input, &answers),
        carried: carried_on,
        notes: vec![match &context.replacing {
            Some(_) => "Saving replaces the figures recorded before; comparisons saved with the old figures say they were amended.".to_owned(),
            None => "Comparisons across pilots of this metric will count it for those who can read the pilot.".to_owned(),
        }],
        warning: None,
        confirms: vec![("confirm", "Save the measure")],
    };
    Ok(page(StatusCode::OK, &check))
}
