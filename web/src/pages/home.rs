//! `/`: what the registry is, a search box, what the viewer can read, the latest outcomes, and
//! a way in for each kind of user.

use askama::Template;
use axum::extract::State;
use registry_api::model::IndexedKind;
use registry_api::search::{FacetName, SearchSort};
use registry_api::service::search::{self as finder, Found, SearchRequest};
use registry_api::service::{PageRequest, Sort, pilots, technologies};

use super::{PageResult, render};
use crate::WebState;
use crate::format;
use crate::viewer::{SignedIn, Viewer};

/// How many of the newest published pilots the home page lists.
const RECENT: u64 = 5;

#[derive(Template)]
#[template(path = "pages/home.html")]
struct HomePage {
    viewer: Option<SignedIn>,
    technologies: String,
    pilots: String,
    recent: Vec<Found>,
}

pub async fn show(State(state): State<WebState>, viewer: Viewer) -> PageResult {
    let one = PageRequest {
        first: 1,
        offset: 0,
        count: true,
    };
    let actor = &viewer.actor;
    let technologies =
        technologies::list(&state.db, actor, &Default::default(), Sort::default(), one)
            .await?
            .total();
    let pilots = pilots::list(&state.db, actor, &Default::default(), Sort::default(), one)
        .await?
        .total();
    let recent = finder::search(
        &state.search,
        actor,
        SearchRequest {
            filters: [(
                FacetName::Kind,
                vec![IndexedKind::Pilot.as_str().to_owned()],
            )]
            .into(),
            sort: SearchSort::Newest,
            any_word: false,
            page: PageRequest {
                first: RECENT,
                offset: 0,
                count: true,
            },
            ..SearchRequest::default()
        },
    )
    .await?
    .found;
    render(&HomePage {
        viewer: viewer.signed_in,
        technologies: format::count(technologies),
        pilots: format::count(pilots),
        recent,
    })
}
