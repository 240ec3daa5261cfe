//! Search on a viewer's behalf: the only way to the engines. The viewer's access tokens come
//! from [`access`], so hits, counts and facets obey the same rule as every database read, and
//! the page is checked against the same limits as every other list.

use std::collections::BTreeMap;

use sea_orm::prelude::Uuid;

use super::{PageRequest, access};
use crate::actor::Actor;
use crate::error::{ServiceError, ServiceResult};
use crate::model::IndexedKind;
use crate::search::{FacetName, SearchEngine, SearchQuery, SearchSort};

/// What to search for: free text (empty browses), typed filters (values of one facet are
/// alternatives; facets combine), an order and a page.
#[derive(Debug, Clone, Default)]
pub struct SearchRequest {
    pub text: String,
    /// Records with any of the words, best first, rather than all of them.
    pub any_word: bool,
    pub filters: BTreeMap<FacetName, Vec<String>>,
    pub sort: SearchSort,
    pub page: PageRequest,
}

/// A technology or pilot found, with an excerpt: HTML-escaped, matches in `<mark>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub kind: IndexedKind,
    pub id: Uuid,
    pub title: String,
    pub snippet: String,
}

/// One page of what the viewer may find, with the counts of everything that matched.
#[derive(Debug, Clone)]
pub struct SearchPage {
    pub found: Vec<Found>,
    /// How many records match, among those the viewer may see.
    pub total: u64,
    pub has_next_page: bool,
    /// Every facet's values among all matching records the viewer may see, with counts.
    pub facets: BTreeMap<FacetName, BTreeMap<String, u64>>,
}

/// Searches as `actor`.
#[tracing::instrument(skip_all)]
pub async fn search(
    engine: &SearchEngine,
    actor: &Actor,
    request: SearchRequest,
) -> ServiceResult<SearchPage> {
    request.page.check()?;
    let page = request.page;
    let query = SearchQuery {
        text: request.text,
        any_word: request.any_word,
        filters: request.filters,
        access: access::viewer_tokens(actor),
        sort: request.sort,
        offset: usize::try_from(page.offset).unwrap_or(usize::MAX),
        limit: usize::try_from(page.first).unwrap_or(usize::MAX),
    };
    let started = std::time::Instant::now();
    let results = engine.search(&query).await.map_err(|err| {
        tracing::error!(error = %err, engine = engine.name(), "search failed");
        ServiceError::Unavailable("search")
    })?;
    ::metrics::histogram!("registry_search_seconds", "engine" => engine.name())
        .record(started.elapsed().as_secs_f64());
    page.check_within(results.total)?;
    Ok(SearchPage {
        has_next_page: page.offset + (results.hits.len() as u64) < results.total,
        total: results.total,
        found: results
            .hits
            .into_iter()
            .map(|hit| Found {
                kind: hit.kind,
                id: hit.entity_id,
                title: hit.title,
                snippet: hit.snippet,
            })
            .collect(),
        facets: results.facets,
    })
}

/// The pilots most like one described by its title and problem, best first, that the actor may
/// find: for "has this been tried?" before a pilot is registered.
pub async fn similar_pilots(
    engine: &SearchEngine,
    actor: &Actor,
    title: &str,
    problem: &str,
    first: i64,
) -> ServiceResult<Vec<Found>> {
    let mut filters = BTreeMap::new();
    filters.insert(
        FacetName::Kind,
        vec![IndexedKind::Pilot.as_str().to_owned()],
    );
    let page = search(
        engine,
        actor,
        SearchRequest {
            text: format!("{title} {problem}"),
            any_word: true,
            filters,
            sort: SearchSort::Relevance,
            page: PageRequest::new(first, 0)?,
        },
    )
    .await?;
    Ok(page.found)
}
