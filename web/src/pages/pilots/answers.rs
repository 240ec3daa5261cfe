//! The pilot form's answers as typed: read from the posted fields (under a prefix, so an edit
//! can carry the answers as they were when it was opened beside what is typed now), posted on
//! as hidden fields, turned into the service's input, and read out for people.

use chrono::{Datelike, NaiveDate};
use registry_api::model::{
    CareSetting, EvaluationDesign, EvaluatorKind, PilotStatus, Specialty, pilot,
};
use registry_api::service::pilots::PilotInput;
use sea_orm::prelude::Uuid;

use crate::forms::{Fields, Problems, label_of, one_of};

/// The form's fields, in the order it asks them (the error summary follows it).
pub(super) const ORDER: &[&str] = &[
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
    "reason",
];

/// The fields typed in three boxes each (`{field}-day`, `-month`, `-year`); the rest are one
/// value each.
const DATES: &[&str] = &["startDate", "endDate"];

/// What a read-out says of an answer left empty.
const NOT_GIVEN: &str = "Not given";

/// A date as typed in the design system's three boxes.
#[derive(Debug, Clone, Default)]
pub(super) struct DateAnswer {
    pub(super) day: String,
    pub(super) month: String,
    pub(super) year: String,
}

impl DateAnswer {
    fn of(date: Option<NaiveDate>) -> Self {
        date.map_or_else(Self::default, |d| Self {
            day: d.day().to_string(),
            month: d.month().to_string(),
            year: d.year().to_string(),
        })
    }

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

    /// The date typed, if it is one.
    fn date(&self) -> Option<NaiveDate> {
        let part = |p: &str| p.trim().parse::<u32>().ok();
        match (part(&self.day), part(&self.month), part(&self.year)) {
            (Some(d), Some(m), Some(y)) if y >= 1900 => {
                NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d)
            }
            _ => None,
        }
    }

    /// The date, none when left empty, or what is wrong with it.
    fn parse(&self, problems: &mut Problems, id: &str, what: &str) -> Option<NaiveDate> {
        if self.is_empty() {
            return None;
        }
        let date = self.date();
        if date.is_none() {
            problems.add(id, format!("{what} must be a real date, like 15 3 2025"));
        }
        date
    }

    fn read_out(&self) -> String {
        if self.is_empty() {
            return NOT_GIVEN.to_owned();
        }
        self.date().map_or_else(
            || format!("{} {} {}", self.day, self.month, self.year),
            crate::format::date,
        )
    }

    fn pairs(&self, id: &str) -> Vec<(String, String)> {
        vec![
            (format!("{id}-day"), self.day.clone()),
            (format!("{id}-month"), self.month.clone()),
            (format!("{id}-year"), self.year.clone()),
        ]
    }
}

/// A whole number as typed ("1,250" and "£85000" included); none when left empty, and an
/// error when it is not one.
fn whole(text: &str) -> Result<Option<i64>, ()> {
    let text = text.trim().replace(',', "");
    if text.is_empty() {
        return Ok(None);
    }
    text.trim_start_matches('£')
        .parse::<i64>()
        .map(Some)
        .map_err(|_| ())
}

/// The answers as typed, kept across the check page and back, and (for an edit) as they were
/// when the form was opened.
#[derive(Debug, Clone, Default)]
pub(super) struct Answers {
    texts: Vec<(&'static str, String)>,
    pub(super) start: DateAnswer,
    pub(super) end: DateAnswer,
}

impl Answers {
    /// The pilot's details as the form shows them.
    pub(super) fn of(p: &pilot::Model) -> Self {
        let text = |t: &Option<String>| t.clone().unwrap_or_default();
        let number = |n: Option<i64>| n.map(|n| n.to_string()).unwrap_or_default();
        let texts = ORDER
            .iter()
            .filter(|name| !DATES.contains(name))
            .map(|name| {
                let value = match *name {
                    "technologyId" => p.technology_id.to_string(),
                    "hostOrganisationId" => p.host_organisation_id.to_string(),
                    "title" => p.title.clone(),
                    "problem" => p.problem.clone(),
                    "status" => p.status.as_str().to_owned(),
                    "careSetting" => p.care_setting.as_str().to_owned(),
                    "specialty" => p.specialty.as_str().to_owned(),
                    "population" => p.population.clone(),
                    "patients" => number(p.patients.map(i64::from)),
                    "staff" => number(p.staff.map(i64::from)),
                    "fundingSource" => text(&p.funding_source),
                    "costGbp" => number(p.cost_gbp),
                    "design" => p.design.as_str().to_owned(),
                    "evaluatorKind" => p.evaluator_kind.as_str().to_owned(),
                    "evaluatorName" => text(&p.evaluator_name),
                    "contactName" => text(&p.contact_name),
                    "contactEmail" => text(&p.contact_email),
                    // The reason for a change is the edit's, not the pilot's: asked afresh.
                    _ => String::new(),
                };
                (*name, value)
            })
            .collect();
        Self {
            texts,
            start: DateAnswer::of(p.start_date),
            end: DateAnswer::of(p.end_date),
        }
    }

    /// The answers under `prefix` ("" for what was typed, "was." for the opened pilot).
    pub(super) fn read(fields: &Fields, prefix: &str) -> Self {
        Self {
            texts: ORDER
                .iter()
                .filter(|name| !DATES.contains(name))
                .map(|name| (*name, fields.text(&format!("{prefix}{name}"))))
                .collect(),
            start: DateAnswer::read(fields, &format!("{prefix}startDate")),
            end: DateAnswer::read(fields, &format!("{prefix}endDate")),
        }
    }

    pub(super) fn get(&self, name: &str) -> &str {
        self.texts
            .iter()
            .find(|(n, _)| *n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every answer as a hidden field under `prefix` (a reason only when one was given).
    pub(super) fn pairs(&self, prefix: &str) -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = self
            .texts
            .iter()
            .filter(|(n, v)| *n != "reason" || !v.is_empty())
            .map(|(n, v)| (format!("{prefix}{n}"), v.clone()))
            .collect();
        pairs.extend(self.start.pairs(&format!("{prefix}startDate")));
        pairs.extend(self.end.pairs(&format!("{prefix}endDate")));
        pairs
    }

    /// The reason given for an edit, if any.
    pub(super) fn reason(&self) -> Option<&str> {
        Some(self.get("reason").trim()).filter(|r| !r.is_empty())
    }

    /// The answers as the service takes them, and what could not be read; where a choice
    /// could not be read the input holds a stand-in, so the service checks everything else.
    pub(super) fn input(&self) -> (PilotInput, Problems) {
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
            whole(self.get(field)).unwrap_or_else(|()| {
                problems.add(field, format!("{what} must be a whole number, like 250"));
                None
            })
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

    /// The answers as people read them, labelled, for the check page and for what changed;
    /// `technologies` and `hosts` name the ids the form offers.
    pub(super) fn read_out(
        &self,
        technologies: &[(Uuid, String)],
        hosts: &[(Uuid, String)],
    ) -> Vec<(&'static str, String)> {
        let name = |list: &[(Uuid, String)], field: &str| {
            list.iter()
                .find(|(id, _)| id.to_string() == self.get(field))
                .map_or_else(|| NOT_GIVEN.to_owned(), |(_, n)| n.clone())
        };
        let text = |field: &str| {
            let text = self.get(field).trim();
            if text.is_empty() {
                NOT_GIVEN.to_owned()
            } else {
                text.to_owned()
            }
        };
        let label = |field: &str, of: fn(&str) -> Option<&'static str>| {
            of(self.get(field)).unwrap_or(NOT_GIVEN).to_owned()
        };
        let number = |field: &str, pounds: bool| match whole(self.get(field)) {
            Ok(Some(n)) => format!(
                "{}{}",
                if pounds { "£" } else { "" },
                crate::format::count(n.unsigned_abs())
            ),
            Ok(None) => NOT_GIVEN.to_owned(),
            Err(()) => self.get(field).trim().to_owned(),
        };
        vec![
            ("Technology", name(technologies, "technologyId")),
            ("Host", name(hosts, "hostOrganisationId")),
            ("Title", text("title")),
            ("Problem it addresses", text("problem")),
            ("Status", label("status", label_of::<PilotStatus>)),
            ("Start date", self.start.read_out()),
            ("End date", self.end.read_out()),
            (
                "Care setting",
                label("careSetting", label_of::<CareSetting>),
            ),
            ("Specialty", label("specialty", label_of::<Specialty>)),
            ("Population", text("population")),
            ("Patients", number("patients", false)),
            ("Staff", number("staff", false)),
            ("Funding", text("fundingSource")),
            ("Cost", number("costGbp", true)),
            (
                "Evaluation design",
                label("design", label_of::<EvaluationDesign>),
            ),
            (
                "Evaluated by",
                label("evaluatorKind", label_of::<EvaluatorKind>),
            ),
            ("Evaluator", text("evaluatorName")),
            ("Contact", text("contactName")),
            ("Contact email", text("contactEmail")),
        ]
    }
}
