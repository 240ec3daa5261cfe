//! `/pilots/{id}/history` and `/technologies/{slug}/history`: every change to a record the
//! viewer may read (when, who, through which door, why), and the difference between any two
//! of its revisions, field by field and long text word by word. A GET form picks the two, so
//! every comparison is an address.

use askama::Template;
use axum::extract::{Path, Query, State};
use registry_api::model::RecordKind;
use registry_api::service::reads::Door;
use registry_api::service::revisions::{self, Revision, SegmentKind};
use registry_api::service::{pilots, technologies};
use sea_orm::prelude::Uuid;
use serde::Deserialize;

use crate::components::{Choice, Crumb};
use crate::pages::{PageError, PageResult, render};
use crate::viewer::{SignedIn, Viewer};
use crate::{WebState, format};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    from: Option<i32>,
    to: Option<i32>,
}

struct Line {
    number: i32,
    at: String,
    action: &'static str,
    who: String,
    door: &'static str,
    reason: String,
}

/// One changed field: old beside new, or the words inserted and deleted.
struct Change {
    label: String,
    old: String,
    new: String,
    words: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "pages/history.html")]
struct HistoryPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    name: String,
    action: String,
    lines: Vec<Line>,
    froms: Vec<Choice>,
    tos: Vec<Choice>,
    compared: Option<(i32, i32)>,
    changes: Vec<Change>,
}

fn line(r: &Revision) -> Line {
    Line {
        number: r.number,
        at: format!(
            "{} at {}",
            format::date(r.at.date_naive()),
            r.at.format("%H:%M")
        ),
        action: r.action.label(),
        who: r.actor_label.clone(),
        door: r.entry_point.label(),
        reason: r.reason.clone().unwrap_or_default(),
    }
}

fn choices(lines: &[Line], chosen: i32) -> Vec<Choice> {
    lines
        .iter()
        .map(|l| Choice {
            value: l.number.to_string(),
            label: format!("{}: {} {}", l.number, l.action, l.at),
            selected: l.number == chosen,
        })
        .collect()
}

/// `GET /pilots/{id}/history`
pub async fn of_pilot(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> PageResult {
    let id: Uuid = id.parse().map_err(|_| PageError::NotFound)?;
    // Its history shows the pilot as much as its page does: opened, and so audited, alike.
    let pilot = pilots::open(&state.db, &viewer.actor, id, Door::Page).await?;
    let history = revisions::of_pilot(&state.db, &viewer.actor, id).await?;
    let href = format!("/pilots/{id}");
    page(
        &state,
        viewer,
        RecordKind::Pilot,
        id,
        pilot.title,
        href,
        history,
        query,
    )
    .await
}

/// `GET /technologies/{slug}/history`
pub async fn of_technology(
    State(state): State<WebState>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(query): Query<HistoryQuery>,
) -> PageResult {
    let technology = technologies::get_by_slug(&state.db, &viewer.actor, &slug).await?;
    let id = technology.record.id;
    let history = revisions::of_technology(&state.db, &viewer.actor, id).await?;
    let href = format!("/technologies/{slug}");
    let name = technology.record.name;
    page(
        &state,
        viewer,
        RecordKind::Technology,
        id,
        name,
        href,
        history,
        query,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn page(
    state: &WebState,
    viewer: Viewer,
    kind: RecordKind,
    id: Uuid,
    name: String,
    href: String,
    history: Vec<Revision>,
    query: HistoryQuery,
) -> PageResult {
    let lines: Vec<Line> = history.iter().map(line).collect();
    let newest = lines.first().map_or(0, |l| l.number);
    let oldest = lines.last().map_or(0, |l| l.number);
    let to = query.to.unwrap_or(newest);
    let from = query
        .from
        .unwrap_or(if to > oldest { to - 1 } else { oldest });
    let compared = (lines.len() > 1 && from != to).then_some((from, to));
    let changes = match compared {
        Some((from, to)) => revisions::diff(&state.db, &viewer.actor, kind, id, from, to)
            .await?
            .changes
            .into_iter()
            .map(|c| Change {
                label: c.label,
                old: c.old.unwrap_or_else(|| "Not given".to_owned()),
                new: c.new.unwrap_or_else(|| "Not given".to_owned()),
                words: c
                    .words
                    .unwrap_or_default()
                    .into_iter()
                    .map(|s| {
                        let kind = match s.kind {
                            SegmentKind::Equal => "equal",
                            SegmentKind::Inserted => "inserted",
                            SegmentKind::Deleted => "deleted",
                        };
                        (kind, s.text)
                    })
                    .collect(),
            })
            .collect(),
        None => Vec::new(),
    };
    render(&HistoryPage {
        viewer: viewer.signed_in,
        crumbs: vec![
            Crumb::new("Home", "/"),
            Crumb::new(name.clone(), href.clone()),
        ],
        action: format!("{href}/history"),
        froms: choices(&lines, from),
        tos: choices(&lines, to),
        name,
        lines,
        compared,
        changes,
    })
}
