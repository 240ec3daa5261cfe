//! `/my-organisation`: for a signed-in member, what each of their organisations' own pilots
//! asks of them: drafts to publish, pilots past their end date with no reported result (the
//! rule is the service's, [`pilots::OVERDUE_RULE`]), and published reports that may need an
//! amendment. One section per organisation, then the drafts other organisations shared with
//! theirs; anyone not signed in is sent to sign in and back.

use std::collections::HashMap;

use askama::Template;
use axum::extract::State;
use chrono::Utc;
use registry_api::model::pilot;
use registry_api::service::pilots::{self, Attention};
use registry_api::service::{organisations, sharing};
use sea_orm::prelude::Uuid;

use crate::components::Crumb;
use crate::forms::Editor;
use crate::pages::{PageResult, render};
use crate::viewer::SignedIn;
use crate::{WebState, format};

/// A pilot as these lists show it.
struct PilotLine {
    href: String,
    title: String,
    status: &'static str,
    end: String,
}

fn pilot_line(p: &pilot::Model) -> PilotLine {
    PilotLine {
        href: format!("/pilots/{}", p.id),
        title: p.title.clone(),
        status: p.status.label(),
        end: p
            .end_date
            .map_or_else(|| "Not given".to_owned(), format::date),
    }
}

/// A published report, and where to amend it.
struct ReportLine {
    pilot: PilotLine,
    revision: i32,
    published: String,
    amend_href: String,
}

/// One organisation's section.
struct Section {
    name: String,
    href: Option<String>,
    evaluator: bool,
    drafts: Vec<PilotLine>,
    overdue: Vec<PilotLine>,
    reports: Vec<ReportLine>,
}

fn section(a: &Attention) -> Section {
    Section {
        name: a.organisation.name.clone(),
        href: a
            .organisation
            .ods_code
            .as_ref()
            .map(|c| format!("/organisations/{c}")),
        evaluator: a.evaluator,
        drafts: a.drafts.iter().map(pilot_line).collect(),
        overdue: a.overdue.iter().map(pilot_line).collect(),
        reports: a
            .published_reports
            .iter()
            .map(|(p, r)| ReportLine {
                pilot: pilot_line(p),
                revision: r.revision,
                published: r
                    .published_at
                    .map_or_else(|| "Not recorded".to_owned(), format::day),
                amend_href: format!("/pilots/{}/report", p.id),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "pages/my_organisation.html")]
struct MyOrganisationPage {
    viewer: Option<SignedIn>,
    crumbs: Vec<Crumb>,
    sections: Vec<Section>,
    /// Drafts other organisations shared with the viewer's (host in brackets).
    shared: Vec<(PilotLine, String)>,
    overdue_rule: &'static str,
}

/// `GET /my-organisation`
pub async fn show(State(state): State<WebState>, editor: Editor) -> PageResult {
    let today = Utc::now().date_naive();
    let attention = pilots::needing_attention(&state.db, &editor.actor, today).await?;
    let shared = sharing::drafts_shared_with(&state.db, &editor.actor).await?;
    let hosts: HashMap<Uuid, String> =
        organisations::get_many(&state.db, shared.iter().map(|p| p.host_organisation_id))
            .await?
            .into_iter()
            .map(|o| (o.id, o.name))
            .collect();
    render(&MyOrganisationPage {
        viewer: Some(editor.signed_in.clone()),
        crumbs: vec![Crumb::new("Home", "/")],
        sections: attention.iter().map(section).collect(),
        shared: shared
            .iter()
            .map(|p| {
                let host = hosts
                    .get(&p.host_organisation_id)
                    .cloned()
                    .unwrap_or_default();
                (pilot_line(p), host)
            })
            .collect(),
        overdue_rule: pilots::OVERDUE_RULE,
    })
}
