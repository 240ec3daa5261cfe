//! `/search`: technologies and pilots found by text and facets, as the viewer may see them.
//! One GET form holds the text, every facet as a checkbox group and the order, so every state
//! of the page is a URL and the page works without JavaScript. Parameters use GraphQL's
//! spellings: `?q=sepsis&careSetting=COMMUNITY&kind=PILOT&sort=NEWEST&page=2`.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use registry_api::model::IndexedKind;
use registry_api::search::{FacetName, SearchSort};
use registry_api::service::search::{self as finder, SearchRequest};
use registry_api::service::{PageRequest, technologies};
use sea_orm::prelude::Uuid;

use super::{PageError, PageResult, render};
use crate::WebState;
use crate::components::{Choice, Pagination};
use crate::format;
use crate::viewer::{SignedIn, Viewer};

/// Hits on a page.
const PER_PAGE: u64 = 20;

/// What the address asks for.
#[derive(Debug, Default, Clone, PartialEq)]
struct Asked {
    text: String,
    filters: BTreeMap<FacetName, Vec<String>>,
    sort: SearchSort,
    page: u64,
}

/// A facet's parameter name: its GraphQL field name (`careSetting`).
fn param_name(facet: FacetName) -> String {
    let mut name = String::new();
    let mut upper = false;
    for c in facet.as_str().chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            name.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            name.push(c);
        }
    }
    name
}

impl Asked {
    /// Reads the query string, refusing what it cannot mean with a reason naming the parameter.
    fn parse(pairs: Vec<(String, String)>) -> Result<Self, PageError> {
        let by_param: HashMap<String, FacetName> = FacetName::ALL
            .iter()
            .map(|f| (param_name(*f), *f))
            .collect();
        let mut asked = Asked {
            page: 1,
            ..Asked::default()
        };
        let mut reasons = Vec::new();
        for (name, value) in pairs {
            match name.as_str() {
                "q" => asked.text = value,
                "sort" => match value.as_str() {
                    "RELEVANCE" | "" => asked.sort = SearchSort::Relevance,
                    "NEWEST" => asked.sort = SearchSort::Newest,
                    _ => reasons.push("sort must be RELEVANCE or NEWEST".to_owned()),
                },
                "page" => match value.parse::<u64>() {
                    Ok(n) if n >= 1 => asked.page = n,
                    _ => reasons.push("page must be a whole number, 1 or more".to_owned()),
                },
                _ => match by_param.get(&name) {
                    Some(facet) => {
                        let spelling = value.to_ascii_lowercase();
                        if facet.value_label(&spelling).is_some() {
                            let values = asked.filters.entry(*facet).or_default();
                            if !values.contains(&spelling) {
                                values.push(spelling);
                            }
                        } else {
                            reasons.push(format!("{name} cannot be {value:?}"));
                        }
                    }
                    None => reasons.push(format!("{name} is not a search parameter")),
                },
            }
        }
        if reasons.is_empty() {
            Ok(asked)
        } else {
            Err(PageError::BadRequest(reasons))
        }
    }

    /// The address of this search with changes applied.
    fn href(&self, change: impl FnOnce(&mut Asked)) -> String {
        let mut next = self.clone();
        change(&mut next);
        let mut query = form_urlencoded::Serializer::new(String::new());
        if !next.text.is_empty() {
            query.append_pair("q", &next.text);
        }
        for (facet, values) in &next.filters {
            for value in values {
                query.append_pair(&param_name(*facet), &value.to_ascii_uppercase());
            }
        }
        if next.sort == SearchSort::Newest {
            query.append_pair("sort", "NEWEST");
        }
        if next.page > 1 {
            query.append_pair("page", &next.page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/search".to_owned()
        } else {
            format!("/search?{query}")
        }
    }
}

/// One hit as listed.
struct Hit {
    kind: &'static str,
    title: String,
    href: String,
    /// HTML-escaped by the search service, with matches in `<mark>`.
    snippet: String,
}

/// A facet's checkbox group.
struct FacetGroup {
    param: String,
    legend: &'static str,
    choices: Vec<Choice>,
}

/// A chosen filter and the address without it.
struct Active {
    label: String,
    remove: String,
}

#[derive(Template)]
#[template(path = "pages/search.html")]
struct SearchPage {
    viewer: Option<SignedIn>,
    text: String,
    total: String,
    hits: Vec<Hit>,
    facets: Vec<FacetGroup>,
    active: Vec<Active>,
    clear_all: String,
    sort: Vec<Choice>,
    pages: Pagination,
}

pub async fn show(
    State(state): State<WebState>,
    viewer: Viewer,
    Query(pairs): Query<Vec<(String, String)>>,
) -> PageResult {
    let asked = Asked::parse(pairs)?;
    let offset = (asked.page - 1).saturating_mul(PER_PAGE);
    let found = finder::search(
        &state.search,
        &viewer.actor,
        SearchRequest {
            text: asked.text.clone(),
            filters: asked.filters.clone(),
            sort: asked.sort,
            any_word: false,
            page: PageRequest::new(PER_PAGE as i64, offset)?,
        },
    )
    .await?;

    // Technologies are addressed by slug: one read finds the slugs of those on this page.
    let technology_ids: Vec<Uuid> = found
        .found
        .iter()
        .filter(|f| f.kind == IndexedKind::Technology)
        .map(|f| f.id)
        .collect();
    let slugs: HashMap<Uuid, String> = if technology_ids.is_empty() {
        HashMap::new()
    } else {
        technologies::get_many(&state.db, &viewer.actor, technology_ids)
            .await?
            .into_iter()
            .map(|t| (t.record.id, t.record.slug))
            .collect()
    };
    let hits = found
        .found
        .into_iter()
        .filter_map(|f| {
            let href = match f.kind {
                IndexedKind::Pilot => format!("/pilots/{}", f.id),
                IndexedKind::Technology => format!("/technologies/{}", slugs.get(&f.id)?),
            };
            Some(Hit {
                kind: f.kind.label(),
                title: f.title,
                href,
                snippet: f.snippet,
            })
        })
        .collect();

    let facets = FacetName::ALL
        .iter()
        .map(|&facet| {
            let chosen = asked.filters.get(&facet).cloned().unwrap_or_default();
            let mut counts = found.facets.get(&facet).cloned().unwrap_or_default();
            for value in &chosen {
                counts.entry(value.clone()).or_insert(0);
            }
            let choices = counts
                .into_iter()
                .filter_map(|(value, count)| {
                    let label = facet.value_label(&value)?;
                    Some(Choice {
                        selected: chosen.contains(&value),
                        label: format!("{label} ({})", format::count(count)),
                        value: value.to_ascii_uppercase(),
                    })
                })
                .collect();
            FacetGroup {
                param: param_name(facet),
                legend: facet.label(),
                choices,
            }
        })
        .filter(|group| !group.choices.is_empty())
        .collect();

    let mut active = Vec::new();
    for (facet, values) in &asked.filters {
        for value in values {
            active.push(Active {
                label: format!(
                    "{}: {}",
                    facet.label(),
                    facet.value_label(value).unwrap_or_default()
                ),
                remove: asked.href(|a| {
                    a.page = 1;
                    if let Some(vs) = a.filters.get_mut(facet) {
                        vs.retain(|v| v != value);
                    }
                }),
            });
        }
    }
    let sort = [
        (SearchSort::Relevance, "RELEVANCE", "Best match"),
        (SearchSort::Newest, "NEWEST", "Newest first"),
    ]
    .into_iter()
    .map(|(sort, value, label)| Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: asked.sort == sort,
    })
    .collect();

    render(&SearchPage {
        viewer: viewer.signed_in,
        total: format::count(found.total),
        hits,
        facets,
        clear_all: asked.href(|a| {
            a.filters.clear();
            a.page = 1;
        }),
        active,
        sort,
        pages: Pagination::new(found.total, PER_PAGE, asked.page, |page| {
            asked.href(|a| a.page = page)
        }),
        text: asked.text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(query: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn a_search_address_reads_back_as_itself() -> Result<(), PageError> {
        let asked = Asked::parse(pairs(
            "q=virtual+ward&careSetting=COMMUNITY&careSetting=PRIMARY&sort=NEWEST&page=3",
        ))?;
        assert_eq!(asked.text, "virtual ward");
        assert_eq!(
            asked.filters.get(&FacetName::CareSetting),
            Some(&vec!["community".to_owned(), "primary".to_owned()])
        );
        let again = Asked::parse(pairs(asked.href(|_| {}).trim_start_matches("/search?")))?;
        assert_eq!(again, asked);
        Ok(())
    }

    #[test]
    fn unknown_parameters_and_values_are_named() {
        match Asked::parse(pairs("colour=RED&careSetting=MOON&page=0")) {
            Err(PageError::BadRequest(reasons)) => assert_eq!(
                reasons,
                vec![
                    "colour is not a search parameter",
                    "careSetting cannot be \"MOON\"",
                    "page must be a whole number, 1 or more"
                ]
            ),
            other => panic!("expected a bad request, got {other:?}"),
        }
    }
}
