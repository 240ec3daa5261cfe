//! The audit log in pages. `/admin/audit`: the whole log, for administrators, narrowed by a
//! GET form (who, which record, which action, which door, from and to which day), so every
//! view of it is a bookmarkable address; a value that cannot be read is shown as the form's
//! error, never a failure. `/pilots/{id}/reads`: who outside a pilot's host organisation
//! opened it, for the host's members and administrators.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use registry_api::ServiceError;
use registry_api::model::{EntryPoint, Spelling, audit_log};
use registry_api::service::audit::{self, AuditFilter};
use registry_api::service::reads::{self, Door};
use registry_api::service::{PageRequest, organisations};
use sea_orm::Iterable;
use sea_orm::prelude::Uuid;

use crate::components::{Choice, Crumb, Pagination};
use crate::forms::{self, Editor, Problems};
use crate::pages::{PageError, render};
use crate::viewer::SignedIn;
use crate::{WebState, format};

/// Entries on a page.
const PER_PAGE: u64 = 50;
/// The form's fields, in the order it asks them.
const ORDER: &[&str] = &[
    "who", "action", "door", "kind", "record", "from", "to", "page",
];

/// The kinds of record the services write entries about, for the form's choice.
const KINDS: &[(&str, &str)] = &[
    ("pilot", "Pilot"),
    ("pilot_measure", "Measure of a pilot"),
    ("report_revision", "Report revision"),
    ("technology", "Technology"),
    ("organisation", "Organisation"),
    ("metric", "Metric"),
    ("membership", "Membership"),
    ("invitation", "Invitation"),
    ("user", "User"),
    ("session", "Session"),
    ("api_token", "API token"),
    ("comparison", "Saved comparison"),
];

/// The form as typed, from the address: `?who=…&kind=pilot&record=…&action=pilot.read&door=web
/// &from=1/3/2026&to=31/3/2026&page=2`.
#[derive(Debug, Clone, Default)]
struct Asked {
    who: String,
    kind: String,
    record: String,
    action: String,
    door: String,
    from: String,
    to: String,
    page: String,
}

impl Asked {
    fn of(pairs: Vec<(String, String)>) -> Self {
        let mut asked = Self::default();
        for (name, value) in pairs {
            let slot = match name.as_str() {
                "who" => &mut asked.who,
                "kind" => &mut asked.kind,
                "record" => &mut asked.record,
                "action" => &mut asked.action,
                "door" => &mut asked.door,
                "from" => &mut asked.from,
                "to" => &mut asked.to,
                "page" => &mut asked.page,
                // Anything else is not this form's, and filters nothing.
                _ => continue,
            };
            *slot = value.trim().to_owned();
        }
        asked
    }

    /// The filter and page the form asks for, or what is wrong with it, field by field.
    fn read(&self) -> (AuditFilter, u64, Problems) {
        let mut problems = Problems::default();
        let mut filter = AuditFilter::default();
        if !self.who.is_empty() {
            match Uuid::parse_str(&self.who) {
                Ok(id) => filter.actor_user_id = Some(id),
                Err(_) => filter.actor_label = Some(self.who.clone()),
            }
        }
        if !self.kind.is_empty() {
            filter.entity_kind = Some(self.kind.clone());
        }
        if !self.record.is_empty() {
            match Uuid::parse_str(&self.record) {
                Ok(id) => filter.entity_id = Some(id),
                Err(_) => problems.add(
                    "record",
                    "Enter the record's id as the registry writes it, like \
                     0190e3a4-5b6c-7d8e-9f01-23456789abcd, or leave it empty",
                ),
            }
        }
        if !self.action.is_empty() {
            filter.action = Some(self.action.clone());
        }
        if !self.door.is_empty() {
            match EntryPoint::from_spelling(&self.door) {
                Some(door) => filter.entry_point = Some(door),
                None => problems.add("door", "Select a door from the list"),
            }
        }
        filter.from = day(&mut problems, "from", "first", &self.from);
        filter.to = day(&mut problems, "to", "last", &self.to);
        let page = match self.page.as_str() {
            "" => 1,
            text => match text.parse::<u64>() {
                Ok(n) if n >= 1 => n,
                _ => {
                    problems.add("page", "The page must be a whole number, 1 or more");
                    1
                }
            },
        };
        (filter, page, problems)
    }

    /// This address with another page (and the rest of the form as it was).
    fn href(&self, page: u64) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("who", &self.who),
            ("kind", &self.kind),
            ("record", &self.record),
            ("action", &self.action),
            ("door", &self.door),
            ("from", &self.from),
            ("to", &self.to),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/admin/audit".to_owned()
        } else {
            format!("/admin/audit?{query}")
        }
    }

    fn is_empty(&self) -> bool {
        self.href(1) == "/admin/audit"
    }
}

/// A day typed as 27/3/2026 or 2026-03-27; anything else is a problem for `field`.
fn day(problems: &mut Problems, field: &str, which: &str, text: &str) -> Option<NaiveDate> {
    if text.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(text, "%d/%m/%Y")
        .or_else(|_| NaiveDate::parse_from_str(text, "%Y-%m-%d"));
    match parsed {
        Ok(d) => Some(d),
        Err(_) => {
            problems.add(
                field,
                format!("Enter the {which} day as a real date, like 27/3/2026"),
            );
            None
        }
    }
}

/// Where the service's field names go on the form.
fn form_field(service_field: &str) -> &str {
    match service_field {
        "actorLabel" | "actorUserId" => "who",
        "entityKind" => "kind",
        "entityId" => "record",
        "after" | "first" => "page",
        other => other,
    }
}

/// An entry as a row of the table.
struct EntryLine {
    at: String,
    who: String,
    door: String,
    action: String,
    /// The kind of record, linked to its page where it has one by id.
    kind: String,
    kind_href: Option<String>,
    /// Its id, linked to the log's entries about it.
    id: String,
    id_href: String,
    detail: String,
}

fn kind_label(kind: &str) -> String {
    KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or_else(|| kind.to_owned(), |(_, label)| (*label).to_owned())
}

/// How an entry came in: its entry point, and for a read the view it was.
fn door_label(entry: &audit_log::Model) -> String {
    match audit::door(entry) {
        Some(door) if door != Door::Page && door != Door::Graphql => {
            format!("{} ({})", entry.entry_point.label(), door.label())
        }
        _ => entry.entry_point.label().to_owned(),
    }
}

/// The entry's detail as "name: value" pairs (the reader's organisations are ids: left out).
fn detail(entry: &audit_log::Model) -> String {
    let Some(fields) = entry.detail.as_object() else {
        return String::new();
    };
    fields
        .iter()
        .filter(|(name, _)| name.as_str() != "organisations" && name.as_str() != "door")
        .map(|(name, value)| match value.as_str() {
            Some(text) => format!("{name}: {text}"),
            None => format!("{name}: {value}"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn line(entry: &audit_log::Model) -> EntryLine {
    let about = Asked {
        kind: entry.entity_kind.clone(),
        record: entry.entity_id.to_string(),
        ..Asked::default()
    };
    EntryLine {
        at: format::moment(entry.at),
        who: entry.actor_label.clone(),
        door: door_label(entry),
        action: entry.action.clone(),
        kind: kind_label(&entry.entity_kind),
        kind_href: (entry.entity_kind == "pilot").then(|| format!("/pilots/{}", entry.entity_id)),
        id: entry.entity_id.to_string(),
        id_href: about.href(1),
        detail: detail(entry),
    }
}

#[derive(Template)]
#[template(path = "pages/audit_log.html")]
struct AuditLogPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    problems: Problems,
    asked: Asked,
    kinds: Vec<Choice>,
    doors: Vec<Choice>,
    lines: Vec<EntryLine>,
    /// "1 entry", "1,204 entries"; empty when the form could not be read.
    total: String,
    filtered: bool,
    pages: Pagination,
}

fn kinds(chosen: &str) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Any kind".to_owned(),
        selected: chosen.is_empty(),
    }];
    choices.extend(KINDS.iter().map(|(value, label)| Choice {
        value: (*value).to_owned(),
        label: (*label).to_owned(),
        selected: *value == chosen,
    }));
    if !chosen.is_empty() && !KINDS.iter().any(|(k, _)| *k == chosen) {
        // A kind typed into the address: kept, so the form says what was asked.
        choices.push(Choice {
            value: chosen.to_owned(),
            label: chosen.to_owned(),
            selected: true,
        });
    }
    choices
}

fn doors(chosen: &str) -> Vec<Choice> {
    let mut choices = vec![Choice {
        value: String::new(),
        label: "Any door".to_owned(),
        selected: chosen.is_empty(),
    }];
    choices.extend(EntryPoint::iter().map(|e| Choice {
        value: e.as_str().to_owned(),
        label: e.label().to_owned(),
        selected: e.as_str() == chosen,
    }));
    choices
}

/// `GET /admin/audit`
pub async fn log(
    State(state): State<WebState>,
    editor: Editor,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    audit::ensure_reads_everything(&editor.actor)?;
    let asked = Asked::of(pairs);
    let (filter, page_number, mut problems) = asked.read();
    let mut page = AuditLogPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: vec![Crumb::new("Home", "/")],
        problems: Problems::default(),
        kinds: kinds(&asked.kind),
        doors: doors(&asked.door),
        lines: Vec::new(),
        total: String::new(),
        filtered: !asked.is_empty(),
        pages: Pagination::default(),
        asked,
    };
    if problems.is_empty() {
        let offset = (page_number - 1).saturating_mul(PER_PAGE);
        let listed = match PageRequest::new(PER_PAGE as i64, offset) {
            Ok(request) => audit::list(&state.db, &editor.actor, &filter, request).await,
            Err(err) => Err(err),
        };
        match listed {
            Ok(entries) => {
                page.total = match entries.total() {
                    1 => "1 entry".to_owned(),
                    n => format!("{} entries", format::count(n)),
                };
                page.pages = Pagination::new(entries.total(), PER_PAGE, page_number, |n| {
                    page.asked.href(n)
                });
                page.lines = entries.items.iter().map(line).collect();
            }
            Err(ServiceError::Invalid(errors)) => {
                for e in errors {
                    problems.add(form_field(&e.field), forms::sentence(&e.message));
                }
            }
            Err(other) => return Err(other.into()),
        }
    }
    let status = if problems.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    page.problems = problems.in_order(ORDER);
    Ok(forms::page(status, &page))
}

/// A read of a pilot as a row of its reads page.
struct ReadLine {
    at: String,
    who: String,
    organisations: String,
    door: String,
    what: String,
}

#[derive(Template)]
#[template(path = "pages/pilot_reads.html")]
struct PilotReadsPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    title: String,
    host_name: String,
    lines: Vec<ReadLine>,
    pages: Pagination,
}

/// `GET /pilots/{id}/reads`
pub async fn pilot_reads(
    State(state): State<WebState>,
    editor: Editor,
    Path(id): Path<String>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Result<Response, PageError> {
    let id = Uuid::parse_str(&id).map_err(|_| PageError::NotFound)?;
    let db = &state.db;
    let actor = &editor.actor;
    let page_number = match pairs.iter().find(|(name, _)| name == "page") {
        None => 1,
        Some((_, value)) => match value.parse::<u64>() {
            Ok(n) if n >= 1 => n,
            _ => {
                return Err(PageError::BadRequest(vec![
                    "The page must be a whole number, 1 or more".to_owned(),
                ]));
            }
        },
    };
    let request = PageRequest::new(PER_PAGE as i64, (page_number - 1).saturating_mul(PER_PAGE))?;
    let (pilot, entries) = audit::reads_of(db, actor, id, request).await?;
    let host = organisations::get(db, pilot.host_organisation_id).await?;
    let ids: Vec<Uuid> = entries
        .items
        .iter()
        .flat_map(audit::reader_organisations)
        .collect();
    let names: HashMap<Uuid, String> = organisations::get_many(db, ids)
        .await?
        .into_iter()
        .map(|o| (o.id, o.name))
        .collect();
    let lines = entries
        .items
        .iter()
        .map(|entry| {
            let organisations: Vec<&str> = audit::reader_organisations(entry)
                .iter()
                .filter_map(|id| names.get(id).map(String::as_str))
                .collect();
            ReadLine {
                at: format::moment(entry.at),
                who: entry.actor_label.clone(),
                organisations: if organisations.is_empty() {
                    "No organisation".to_owned()
                } else {
                    organisations.join(", ")
                },
                door: audit::door(entry)
                    .map_or("Not recorded", Door::label)
                    .to_owned(),
                what: if entry.action == reads::REPORT_READ {
                    match entry.detail.get("revision").and_then(|r| r.as_i64()) {
                        Some(n) => format!("Read draft revision {n} of the report"),
                        None => "Read a draft of the report".to_owned(),
                    }
                } else {
                    "Opened the pilot".to_owned()
                },
            }
        })
        .collect();
    let pages = Pagination::new(entries.total(), PER_PAGE, page_number, |n| {
        format!("/pilots/{id}/reads?page={n}")
    });
    let page = PilotReadsPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: vec![
            Crumb::new("Home", "/"),
            Crumb::new(pilot.title.clone(), format!("/pilots/{id}")),
        ],
        title: pilot.title,
        host_name: host.name,
        lines,
        pages,
    };
    Ok(render(&page)?.into_response())
}
