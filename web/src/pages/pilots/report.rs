//! `/pilots/{id}/report`: an evaluator at the host writes the evaluation report. The form
//! opens on the latest revision: a draft is rewritten; once a revision is published, each
//! submission is an amendment with a reason (the service's rule). The check page saves it as a
//! draft or publishes it.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, Response};
use registry_api::model::{Recommendation, RevisionStatus, pilot, report_revision};
use registry_api::service::organisations;
use registry_api::service::reports::{self, ReportInput};

use super::work::{CheckPage, crumbs, own_pilot, readers, shared_names};
use crate::WebState;
use crate::components::{Choice, Crumb};
use crate::forms::{
    Editor, Fields, Notice, Posted, Problems, done, label_of, one_of, options, page,
};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;

/// The form's fields, in the order it asks them.
const ORDER: &[&str] = &[
    "amendmentReason",
    "summary",
    "findings",
    "recommendation",
    "barriers",
    "lessons",
    "costsAndSavings",
];

/// What each field is called on the check page.
const LABELS: &[&str] = &[
    "Reason for the amendment",
    "Summary",
    "Findings",
    "Recommendation",
    "Barriers",
    "Lessons learned",
    "Costs and savings",
];

/// The answers as typed.
#[derive(Debug, Clone, Default)]
struct Answers(Vec<(&'static str, String)>);

impl Answers {
    fn read(fields: &Fields) -> Self {
        Self(ORDER.iter().map(|f| (*f, fields.text(f))).collect())
    }

    /// A revision's answers, to start the next from (the reason is the next one's own).
    fn of(revision: &report_revision::Model) -> Self {
        Self(vec![
            ("amendmentReason", String::new()),
            ("summary", revision.summary.clone()),
            ("findings", revision.findings.clone()),
            (
                "recommendation",
                revision.recommendation.as_str().to_owned(),
            ),
            ("barriers", revision.barriers.clone()),
            ("lessons", revision.lessons.clone()),
            ("costsAndSavings", revision.costs_and_savings.clone()),
        ])
    }

    fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

#[derive(Template)]
#[template(path = "pages/pilot/report.html")]
struct ReportForm {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    title: String,
    heading: String,
    intro: String,
    action: String,
    amending: bool,
    carried: Vec<(String, String)>,
    problems: Problems,
    answers: Answers,
    recommendations: Vec<Choice>,
}

/// The pilot and where its report stands.
struct Context {
    editor: Editor,
    pilot: pilot::Model,
    latest: Option<report_revision::Model>,
    amending: bool,
}

impl Context {
    async fn of(state: &WebState, editor: Editor, id: &str) -> Result<Self, PageError> {
        let pilot = own_pilot(state, &editor, id).await?;
        let revisions = reports::of_pilots(&state.db, &editor.actor, [pilot.id]).await?;
        let amending = revisions
            .iter()
            .any(|r| r.status == RevisionStatus::Published);
        Ok(Self {
            editor,
            pilot,
            latest: revisions.last().cloned(),
            amending,
        })
    }

    /// The draft being rewritten, if the latest revision is one.
    fn draft(&self) -> Option<&report_revision::Model> {
        self.latest
            .as_ref()
            .filter(|r| r.status == RevisionStatus::Draft)
    }

    fn carried(&self, fields: Option<&Fields>) -> Vec<(String, String)> {
        let version = fields
            .and_then(|f| f.first("draftVersion"))
            .map(str::to_owned)
            .or_else(|| self.draft().map(|d| d.version.to_string()));
        version
            .map(|v| vec![("draftVersion".to_owned(), v)])
            .unwrap_or_default()
    }

    fn form(
        &self,
        answers: Answers,
        problems: Problems,
        carried: Vec<(String, String)>,
    ) -> ReportForm {
        let next = self.latest.as_ref().map_or(1, |r| {
            if r.status == RevisionStatus::Draft {
                r.revision
            } else {
                r.revision + 1
            }
        });
        let (heading, intro) = match (self.amending, self.draft()) {
            (true, _) => (
                "Amend the evaluation report".to_owned(),
                format!(
                    "A published report is never changed: your amendment becomes revision \
                     {next}, with its reason, and readers can see every revision."
                ),
            ),
            (false, Some(_)) => (
                "Evaluation report".to_owned(),
                format!(
                    "You are rewriting the draft, revision {next}. Nobody outside your organisation has read it."
                ),
            ),
            (false, None) => (
                "Write the evaluation report".to_owned(),
                "Say what the pilot found and what you recommend. You can save it as a draft \
                 first: only your organisation reads a draft."
                    .to_owned(),
            ),
        };
        ReportForm {
            viewer: Some(self.editor.signed_in.clone()),
            crumbs: crumbs(&self.pilot),
            title: self.pilot.title.clone(),
            heading,
            intro,
            action: format!("/pilots/{}/report", self.pilot.id),
            amending: self.amending,
            carried,
            recommendations: options::<Recommendation>(&[answers.get("recommendation").to_owned()]),
            problems,
            answers,
        }
    }

    /// The answers as the service takes them, and what could not be read.
    fn input(&self, answers: &Answers, fields: &Fields, publish: bool) -> (ReportInput, Problems) {
        let mut problems = Problems::default();
        let recommendation = one_of::<Recommendation>(
            &mut problems,
            "recommendation",
            "Select your recommendation",
            answers.get("recommendation"),
        );
        let reason = answers.get("amendmentReason").trim();
        let input = ReportInput {
            summary: answers.get("summary").to_owned(),
            findings: answers.get("findings").to_owned(),
            recommendation: recommendation.unwrap_or(Recommendation::ExtendPilot),
            barriers: answers.get("barriers").to_owned(),
            lessons: answers.get("lessons").to_owned(),
            costs_and_savings: answers.get("costsAndSavings").to_owned(),
            // The form does not edit the documents linked: they carry on from the revision
            // before (GraphQL changes them).
            links: self.latest.as_ref().map(reports::links).unwrap_or_default(),
            amendment_reason: (!reason.is_empty()).then(|| reason.to_owned()),
            publish,
            draft_version: fields.first("draftVersion").and_then(|v| v.parse().ok()),
        };
        (input, problems)
    }
}

/// `GET /pilots/{id}/report`
pub async fn form(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
) -> Result<Html<String>, PageError> {
    let context = Context::of(&state, editor, &id).await?;
    let answers = context.latest.as_ref().map(Answers::of).unwrap_or_default();
    let carried = context.carried(None);
    render(&context.form(answers, Problems::default(), carried))
}

/// `POST /pilots/{id}/report`: "continue" checks, "change" goes back, "draft" and "publish"
/// save.
pub async fn post(
    State(state): State<WebState>,
    Path(id): Path<String>,
    posted: Posted,
) -> Result<Response, PageError> {
    let context = Context::of(&state, posted.editor, &id).await?;
    let fields = &posted.fields;
    let answers = Answers::read(fields);
    let carried = context.carried(Some(fields));
    let step = fields.first("step").unwrap_or("continue");
    if step == "change" {
        return Ok(page(
            StatusCode::OK,
            &context.form(answers, Problems::default(), carried),
        ));
    }
    let publish = step == "publish";
    let (input, unread) = context.input(&answers, fields, publish);
    let actor = &context.editor.actor;
    let checked = reports::check(&state.db, actor, context.pilot.id, &input).await;
    let problems = match checked {
        Ok(()) => unread,
        Err(err) => unread.and(err, ORDER)?,
    };
    if !problems.is_empty() {
        let status = if problems.stale() {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        return Ok(page(status, &context.form(answers, problems, carried)));
    }
    if matches!(step, "draft" | "publish") {
        return match reports::submit(&state.db, actor, context.pilot.id, input).await {
            Ok(_) => Ok(done(
                &format!("/pilots/{}#report", context.pilot.id),
                if publish {
                    Notice::ReportPublished
                } else {
                    Notice::ReportSaved
                },
            )),
            Err(err) => {
                let problems = Problems::of(err, ORDER)?;
                let problems = if problems.stale() {
                    let mut explained = Problems::default();
                    explained.add(
                        "summary",
                        "Someone else saved this report since you opened the form. Your \
                         answers are below as you typed them: reload the page to see theirs.",
                    );
                    explained
                } else {
                    problems
                };
                Ok(page(
                    StatusCode::CONFLICT,
                    &context.form(answers, problems, context.carried(None)),
                ))
            }
        };
    }
    let host = organisations::get(&state.db, context.pilot.host_organisation_id)
        .await?
        .name;
    let shared = shared_names(&state, &context.editor, &context.pilot).await?;
    let read_out = ORDER
        .iter()
        .zip(LABELS)
        .filter(|(f, _)| context.amending || **f != "amendmentReason")
        .map(|(f, label)| {
            let value = answers.get(f);
            let shown = match *f {
                "recommendation" => label_of::<Recommendation>(value).unwrap_or("").to_owned(),
                _ if value.trim().is_empty() => "Not given".to_owned(),
                _ => value.to_owned(),
            };
            ((*label).to_owned(), shown)
        })
        .collect();
    let mut carried_on: Vec<(String, String)> = answers
        .0
        .iter()
        .map(|(n, v)| ((*n).to_owned(), v.clone()))
        .collect();
    carried_on.extend(carried);
    let check = CheckPage {
        viewer: Some(context.editor.signed_in.clone()),
        crumbs: crumbs(&context.pilot),
        caption: context.pilot.title.clone(),
        heading: "Check the report before saving".to_owned(),
        action: format!("/pilots/{}/report", context.pilot.id),
        answers: read_out,
        carried: carried_on,
        notes: vec![
            "A draft stays with your organisation. A published revision is never changed \
             again: later changes are amendments, each with its reason."
                .to_owned(),
        ],
        warning: Some(format!(
            "Once published, the report is read by whoever can read the pilot. Now: {}",
            readers(context.pilot.visibility, &host, &shared)
        )),
        confirms: vec![
            ("publish", "Publish this revision"),
            ("draft", "Save as draft"),
        ],
    };
    Ok(page(StatusCode::OK, &check))
}
