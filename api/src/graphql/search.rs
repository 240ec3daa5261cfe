//! `search`: technologies and pilots found by text and typed filters, with facet counts, as the
//! viewer may see them.

use async_graphql::connection::{Connection, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use std::collections::BTreeMap;

use super::connection::request;
use super::enums::{
    CareSetting, EsfTier, EvaluationDesign, EvidenceRating, FacetName, IndexedKind, Mirror,
    PilotStatus, Recommendation, Region, SearchSort, Specialty, Standard, TechnologyCategory,
};
use super::errors::to_graphql;
use super::loaders::TechnologyId;
use super::types::{Pilot, Technology, loader};
use crate::actor::Actor;
use crate::model::Spelling;
use crate::search::SearchEngine;
use crate::service::search::{self, Found, SearchRequest};

/// Typed filters: values of one facet are alternatives; facets combine.
#[derive(Debug, InputObject, Default)]
pub struct SearchFilterInput {
    kind: Option<Vec<IndexedKind>>,
    category: Option<Vec<TechnologyCategory>>,
    care_setting: Option<Vec<CareSetting>>,
    specialty: Option<Vec<Specialty>>,
    region: Option<Vec<Region>>,
    status: Option<Vec<PilotStatus>>,
    esf_tier: Option<Vec<EsfTier>>,
    standard: Option<Vec<Standard>>,
    recommendation: Option<Vec<Recommendation>>,
    design: Option<Vec<EvaluationDesign>>,
    /// Pilots with these evidence ratings (technologies have none, so this keeps only pilots).
    evidence_rating: Option<Vec<EvidenceRating>>,
}

/// The values as the index stores them.
fn spelled<T>(values: Option<Vec<T>>) -> Vec<String>
where
    T: Mirror,
    T::Domain: Spelling,
{
    values
        .unwrap_or_default()
        .into_iter()
        .map(|v| Into::<T::Domain>::into(v).as_str().to_owned())
        .collect()
}

impl SearchFilterInput {
    fn into_filters(self) -> BTreeMap<crate::search::FacetName, Vec<String>> {
        [
            (FacetName::Kind, spelled(self.kind)),
            (FacetName::Category, spelled(self.category)),
            (FacetName::CareSetting, spelled(self.care_setting)),
            (FacetName::Specialty, spelled(self.specialty)),
            (FacetName::Region, spelled(self.region)),
            (FacetName::Status, spelled(self.status)),
            (FacetName::EsfTier, spelled(self.esf_tier)),
            (FacetName::Standard, spelled(self.standard)),
            (FacetName::Recommendation, spelled(self.recommendation)),
            (FacetName::Design, spelled(self.design)),
            (FacetName::EvidenceRating, spelled(self.evidence_rating)),
        ]
        .into_iter()
        .filter(|(_, values)| !values.is_empty())
        .map(|(facet, values)| (facet.into(), values))
        .collect()
    }
}

/// One value of a facet and how many matching records have it.
#[derive(Debug, SimpleObject)]
pub struct FacetValue {
    /// The value as the API's enums spell it (`AI_DIAGNOSTICS`).
    value: String,
    count: u64,
}

#[derive(Debug, SimpleObject)]
pub struct FacetCounts {
    facet: FacetName,
    values: Vec<FacetValue>,
}

/// What the connection adds to Relay's fields.
#[derive(Debug, SimpleObject)]
pub struct SearchTotals {
    /// How many records match, among those you may see.
    total_count: u64,
    facets: Vec<FacetCounts>,
}

/// A found technology or pilot.
#[derive(Debug)]
pub struct SearchResultNode(Found);

#[Object(name = "SearchHit")]
impl SearchResultNode {
    async fn kind(&self) -> IndexedKind {
        self.0.kind.into()
    }
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// An excerpt, HTML-escaped, with the words that matched in `<mark>`.
    async fn snippet(&self) -> &str {
        &self.0.snippet
    }
    async fn technology(&self, ctx: &Context<'_>) -> Result<Option<Technology>> {
        if self.0.kind != crate::model::IndexedKind::Technology {
            return Ok(None);
        }
        Ok(loader(ctx)?
            .load_one(TechnologyId(self.0.id))
            .await?
            .map(Technology))
    }
    async fn pilot(&self, ctx: &Context<'_>) -> Result<Option<Pilot>> {
        if self.0.kind != crate::model::IndexedKind::Pilot {
            return Ok(None);
        }
        let db = ctx.data::<sea_orm::DatabaseConnection>()?;
        match crate::service::pilots::get(db, ctx.data::<Actor>()?, self.0.id).await {
            Ok(p) => Ok(Some(Pilot(p))),
            Err(crate::ServiceError::NotFound(_)) => Ok(None),
            Err(other) => Err(to_graphql(other)),
        }
    }
}

#[derive(Debug, Default)]
pub struct SearchQueryRoot;

#[Object]
impl SearchQueryRoot {
    /// Finds technologies and pilots. Typos are forgiven; an empty query browses with filters.
    #[graphql(
        complexity = "super::limits::SEARCH_COST + super::limits::page_cost(first, child_complexity)"
    )]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] query: String,
        filter: Option<SearchFilterInput>,
        #[graphql(default)] sort: SearchSort,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<OpaqueCursor<u64>, SearchResultNode, SearchTotals, EmptyFields>> {
        let engine = ctx.data::<SearchEngine>()?;
        let actor = ctx.data::<Actor>()?;
        let page = request(ctx, first, after).map_err(to_graphql)?;
        let results = search::search(
            engine,
            actor,
            SearchRequest {
                text: query,
                filters: filter.unwrap_or_default().into_filters(),
                sort: sort.into(),
                any_word: false,
                page,
            },
        )
        .await
        .map_err(to_graphql)?;
        let has_next = results.has_next_page;
        let facets = results
            .facets
            .into_iter()
            .map(|(facet, values)| FacetCounts {
                facet: facet.into(),
                values: values
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        value: value.to_uppercase(),
                        count,
                    })
                    .collect(),
            })
            .collect();
        let mut connection = Connection::with_additional_fields(
            page.offset > 0,
            has_next,
            SearchTotals {
                total_count: results.total,
                facets,
            },
        );
        connection
            .edges
            .extend(results.found.into_iter().enumerate().map(|(i, hit)| {
                Edge::new(
                    OpaqueCursor(page.offset + i as u64 + 1),
                    SearchResultNode(hit),
                )
            }));
        Ok(connection)
    }
}
