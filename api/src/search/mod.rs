//! The search engines behind one interface: an embedded tantivy index (the default) and
//! Meilisearch, which pass one conformance suite. They know documents, facets and access
//! tokens, and nothing of the registry's records or rules: `service::search` asks them on a
//! viewer's behalf, and `indexing` keeps their index in step with the database. An embedded
//! index that cannot be read is moved aside and started afresh as it opens.
//!
//! Visibility travels with each document as access tokens and every query is narrowed to the
//! tokens its viewer holds (both from `service::access`), so hits, counts and facets obey the
//! same rule as the database reads.

pub mod embedded;
pub mod meili;

use std::collections::BTreeMap;

use sea_orm::prelude::Uuid;
use serde::{Deserialize, Serialize};

use crate::model::IndexedKind;

/// The facets a search counts and filters on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetName {
    Kind,
    Category,
    CareSetting,
    Specialty,
    Region,
    Status,
    EsfTier,
    Standard,
    Recommendation,
    Design,
    /// A pilot's evidence rating (`evidence::rating`); technologies have none.
    EvidenceRating,
}

impl FacetName {
    pub const ALL: [FacetName; 11] = [
        FacetName::Kind,
        FacetName::Category,
        FacetName::CareSetting,
        FacetName::Specialty,
        FacetName::Region,
        FacetName::Status,
        FacetName::EsfTier,
        FacetName::Standard,
        FacetName::Recommendation,
        FacetName::Design,
        FacetName::EvidenceRating,
    ];

    /// The attribute name in either engine.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Kind => "kind",
            Self::Category => "category",
            Self::CareSetting => "care_setting",
            Self::Specialty => "specialty",
            Self::Region => "region",
            Self::Status => "status",
            Self::EsfTier => "esf_tier",
            Self::Standard => "standard",
            Self::Recommendation => "recommendation",
            Self::Design => "design",
            Self::EvidenceRating => "evidence_rating",
        }
    }
}

impl FacetName {
    /// The facet's name as people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Kind => "Type of record",
            Self::Category => "Category",
            Self::CareSetting => "Care setting",
            Self::Specialty => "Specialty",
            Self::Region => "Region",
            Self::Status => "Pilot status",
            Self::EsfTier => "NICE evidence tier",
            Self::Standard => "Standard supported",
            Self::Recommendation => "Recommendation",
            Self::Design => "Evaluation design",
            Self::EvidenceRating => "Evidence rating",
        }
    }

    /// The label of one of the facet's values (its stored spelling), if the value is one.
    pub fn value_label(self, value: &str) -> Option<&'static str> {
        use crate::model as m;
        match self {
            Self::Kind => m::IndexedKind::from_str_value(value).map(|v| v.label()),
            Self::Category => m::TechnologyCategory::from_str_value(value).map(|v| v.label()),
            Self::CareSetting => m::CareSetting::from_str_value(value).map(|v| v.label()),
            Self::Specialty => m::Specialty::from_str_value(value).map(|v| v.label()),
            Self::Region => m::Region::from_str_value(value).map(|v| v.label()),
            Self::Status => m::PilotStatus::from_str_value(value).map(|v| v.label()),
            Self::EsfTier => m::EsfTier::from_str_value(value).map(|v| v.label()),
            Self::Standard => m::Standard::from_str_value(value).map(|v| v.label()),
            Self::Recommendation => m::Recommendation::from_str_value(value).map(|v| v.label()),
            Self::Design => m::EvaluationDesign::from_str_value(value).map(|v| v.label()),
            Self::EvidenceRating => m::EvidenceRating::from_str_value(value).map(|v| v.label()),
        }
    }
}

/// What one document says about one published record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDocument {
    /// `pilot-<uuid>` or `technology-<uuid>`: unique across kinds.
    pub key: String,
    pub kind: IndexedKind,
    pub entity_id: Uuid,
    pub title: String,
    /// Everything else worth finding the record by.
    pub body: String,
    /// Facet values, in the closed lists' snake_case spelling.
    pub facets: BTreeMap<FacetName, Vec<String>>,
    /// Who may see it: `public`, `nhs`, `org:<uuid>`.
    pub access: Vec<String>,
    /// Seconds since the epoch at publication (0 for drafts), for newest-first order.
    pub published: i64,
}

/// The key of a record's document.
pub fn key(kind: IndexedKind, id: Uuid) -> String {
    match kind {
        IndexedKind::Technology => format!("technology-{id}"),
        IndexedKind::Pilot => format!("pilot-{id}"),
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SearchSort {
    /// Best match first (ties newest first).
    #[default]
    Relevance,
    /// Most recently published first.
    Newest,
}

/// A query: free text (empty browses), typed filters (values of one facet are alternatives,
/// facets combine), the viewer's access tokens, and a page.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    pub text: String,
    /// Find records with any of the words, best matches first, rather than all of them: for
    /// records like a given one.
    pub any_word: bool,
    pub filters: BTreeMap<FacetName, Vec<String>>,
    pub access: Vec<String>,
    pub sort: SearchSort,
    pub offset: usize,
    pub limit: usize,
}

/// The longest query text used; the rest of a longer one is ignored.
pub const MAX_QUERY_CHARS: usize = 500;
/// The most words of a query that count.
pub const MAX_QUERY_TERMS: usize = 16;

impl SearchQuery {
    /// The text as the engines see it: bounded, and only letters, digits, spaces and common
    /// punctuation (symbols such as emoji are dropped, so both engines read the same words).
    pub fn bounded_text(&self) -> String {
        let text: String = self
            .text
            .chars()
            .take(MAX_QUERY_CHARS)
            .map(|c| {
                if c.is_alphanumeric() || "-'’.,:;&/".contains(c) {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        text.split_whitespace()
            .take(MAX_QUERY_TERMS)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchHit {
    pub kind: IndexedKind,
    pub entity_id: Uuid,
    pub title: String,
    /// An excerpt with matches in `<mark>…</mark>`; everything else HTML-escaped.
    pub snippet: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SearchResults {
    pub total: u64,
    pub hits: Vec<SearchHit>,
    /// Every facet's values among all matching documents the viewer may see, with counts.
    pub facets: BTreeMap<FacetName, BTreeMap<String, u64>>,
}

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("the embedded search index failed: {0}")]
    Embedded(#[from] tantivy::TantivyError),
    #[error("reading the embedded search index failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("Meilisearch failed: {0}")]
    Meili(#[from] meilisearch_sdk::errors::Error),
    #[error("the search engine is unavailable: {0}")]
    Unavailable(String),
}

/// The engine in use.
#[derive(Debug, Clone)]
pub enum SearchEngine {
    Embedded(embedded::EmbeddedEngine),
    Meili(meili::MeiliEngine),
}

impl SearchEngine {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Embedded(_) => "embedded",
            Self::Meili(_) => "meilisearch",
        }
    }

    /// Adds or replaces documents, and removes the documents of `deleted` keys.
    pub async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deleted: Vec<String>,
    ) -> Result<(), SearchError> {
        match self {
            Self::Embedded(e) => e.apply(upserts, deleted, None).await,
            Self::Meili(m) => m.apply(upserts, deleted, None).await,
        }
    }

    /// Applies an outbox batch whose highest row id is `through`, and records that watermark
    /// in the index with the change.
    pub async fn apply_through(
        &self,
        upserts: Vec<SearchDocument>,
        deleted: Vec<String>,
        through: i64,
    ) -> Result<(), SearchError> {
        match self {
            Self::Embedded(e) => e.apply(upserts, deleted, Some(through)).await,
            Self::Meili(m) => m.apply(upserts, deleted, Some(through)).await,
        }
    }

    /// The outbox watermark the index has recorded (0 when none).
    pub async fn applied_through(&self) -> Result<i64, SearchError> {
        match self {
            Self::Embedded(e) => Ok(e.applied_through()),
            Self::Meili(m) => m.applied_through().await,
        }
    }

    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        match self {
            Self::Embedded(e) => e.search(query).await,
            Self::Meili(m) => m.search(query).await,
        }
    }

    /// Every key in the index (for checks against the database).
    pub async fn keys(&self) -> Result<Vec<String>, SearchError> {
        match self {
            Self::Embedded(e) => e.keys().await,
            Self::Meili(m) => m.keys().await,
        }
    }

    /// Starts rebuilding the whole index; searching goes on meanwhile.
    pub async fn rebuild_start(&self) -> Result<Rebuild, SearchError> {
        Ok(match self {
            Self::Embedded(e) => Rebuild::Embedded(e.rebuild_start().await?),
            Self::Meili(m) => Rebuild::Meili(m.rebuild_start().await?),
        })
    }

    /// Whether the engine can serve: the embedded index still on disk and readable, or
    /// Meilisearch answering. Cheap enough for every readiness probe.
    pub async fn check(&self) -> Result<(), SearchError> {
        match self {
            Self::Embedded(e) => e.check().await,
            Self::Meili(m) => m.check().await,
        }
    }

    pub async fn healthy(&self) -> bool {
        self.check().await.is_ok()
    }
}

/// A whole-index rebuild under way.
#[derive(Debug)]
pub enum Rebuild {
    Embedded(embedded::EmbeddedRebuild),
    Meili(meili::MeiliRebuild),
}

impl Rebuild {
    pub async fn add(&mut self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        match self {
            Self::Embedded(r) => r.add(docs).await,
            Self::Meili(r) => r.add(docs).await,
        }
    }

    /// Makes the new index the one searches see, recording the outbox watermark `through`: the
    /// new index holds every change whose outbox row is at or below it.
    pub async fn finish(self, through: i64) -> Result<(), SearchError> {
        match self {
            Self::Embedded(r) => r.finish(through).await,
            Self::Meili(r) => r.finish(through).await,
        }
    }
}
