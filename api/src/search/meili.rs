//! The Meilisearch engine, for production and scale-out. Documents are flat: facet attributes
//! at the top level, `access` holding the visibility tokens. Filters are built from typed values
//! with every value quoted and escaped, so no input can change a filter's meaning. Writes wait
//! for their task, so a change is searchable as soon as `apply` returns.
//!
//! The outbox watermark (see `indexing::progress`) lives in the index itself, in one small
//! document per server process (`kind = "progress"`, no access token, so no search ever matches
//! it): each process's value only rises, and the index's watermark is the highest of them.
//! Meilisearch has no compare-and-set, so one shared document could be lowered by a slower
//! server writing late. Being inside the index, the watermark moves with it when a rebuild is
//! swapped in, and is restored with it from a snapshot.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use meilisearch_sdk::client::{Client, SwapIndexes};
use meilisearch_sdk::search::{MatchingStrategies, Selectors};
use meilisearch_sdk::settings::{FacetingSettings, PaginationSetting, Settings};
use meilisearch_sdk::task_info::TaskInfo;
use serde_json::{Map, Value, json};

use super::{
    FacetName, SearchDocument, SearchError, SearchHit, SearchQuery, SearchResults, SearchSort,
};
use crate::model::IndexedKind;

const PRIMARY_KEY: &str = "key";
/// How long to wait for Meilisearch to finish a write.
const TASK_TIMEOUT: Duration = Duration::from_secs(60);
const HIGHLIGHT_START: &str = "\u{2}";
const HIGHLIGHT_END: &str = "\u{3}";
/// The `kind` of watermark documents, and the start of their keys.
const PROGRESS_KIND: &str = "progress";
const PROGRESS_KEY_PREFIX: &str = "registry_progress_";

#[derive(Clone)]
pub struct MeiliEngine {
    client: Client,
    index: String,
    /// This process's watermark document.
    progress_key: String,
    /// The highest watermark this process has written.
    applied: Arc<AtomicI64>,
}

impl std::fmt::Debug for MeiliEngine {
    /// The client holds the API key: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MeiliEngine")
            .field("index", &self.index)
            .finish_non_exhaustive()
    }
}

/// A value as a Meilisearch filter string literal: quoted, with `\` and `"` escaped.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The filter expression for a query: the viewer's access, then each typed filter.
pub fn filter_expression(query: &SearchQuery) -> String {
    let access: Vec<String> = query.access.iter().map(|t| quoted(t)).collect();
    let mut clauses = vec![format!("access IN [{}]", access.join(", "))];
    for (name, values) in &query.filters {
        if values.is_empty() {
            continue;
        }
        let alternatives: Vec<String> = values
            .iter()
            .map(|v| format!("{} = {}", name.as_str(), quoted(v)))
            .collect();
        clauses.push(format!("({})", alternatives.join(" OR ")));
    }
    clauses.join(" AND ")
}

fn flat(doc: &SearchDocument) -> Value {
    let mut map = Map::new();
    map.insert("key".into(), json!(doc.key));
    map.insert("kind".into(), json!(doc.kind.as_str()));
    map.insert("entity_id".into(), json!(doc.entity_id));
    map.insert("title".into(), json!(doc.title));
    map.insert("body".into(), json!(doc.body));
    map.insert("access".into(), json!(doc.access));
    map.insert("published".into(), json!(doc.published));
    for (name, values) in &doc.facets {
        map.insert(name.as_str().into(), json!(values));
    }
    Value::Object(map)
}

impl MeiliEngine {
    /// Connects to `url` and makes sure `index` exists with the registry's settings.
    pub async fn connect(
        url: &str,
        api_key: Option<&str>,
        index: &str,
    ) -> Result<Self, SearchError> {
        let engine = Self::new(url, api_key, index)?;
        engine.prepare(index).await?;
        Ok(engine)
    }

    /// A client for `index` at `url`, without contacting the server yet (it may be down; writes
    /// then fail and the outbox keeps them for later).
    pub fn new(url: &str, api_key: Option<&str>, index: &str) -> Result<Self, SearchError> {
        Ok(Self {
            client: Client::new(url, api_key)?,
            index: index.to_owned(),
            progress_key: format!(
                "{PROGRESS_KEY_PREFIX}{}",
                sea_orm::prelude::Uuid::new_v4().simple()
            ),
            applied: Arc::new(AtomicI64::new(0)),
        })
    }

    /// This process's watermark document, saying `applied_through`.
    fn progress_doc(&self, applied_through: i64) -> Value {
        json!({
            "key": self.progress_key,
            "kind": PROGRESS_KIND,
            "access": [],
            "applied_through": applied_through,
        })
    }

    /// The index's outbox watermark: the highest any server has recorded (0 when none has).
    pub async fn applied_through(&self) -> Result<i64, SearchError> {
        let index = self.client.index(&self.index);
        let filter = format!("kind = {}", quoted(PROGRESS_KIND));
        let page = meilisearch_sdk::documents::DocumentsQuery::new(&index)
            .with_filter(&filter)
            .with_fields(["applied_through"])
            .with_limit(1_000)
            .execute::<Value>()
            .await?;
        Ok(page
            .results
            .iter()
            .filter_map(|d| d["applied_through"].as_i64())
            .max()
            .unwrap_or(0))
    }

    fn settings() -> Settings {
        let mut filterable: Vec<&str> = vec!["access", "kind"];
        filterable.extend(FacetName::ALL.iter().map(|f| f.as_str()));
        Settings::new()
            .with_searchable_attributes(["title", "body"])
            .with_filterable_attributes(filterable)
            .with_sortable_attributes(["published"])
            .with_faceting(FacetingSettings {
                max_values_per_facet: 500,
                sort_facet_values_by: None,
            })
            .with_pagination(PaginationSetting {
                max_total_hits: 1_000_000,
            })
    }

    async fn wait(&self, task: TaskInfo) -> Result<(), SearchError> {
        let task = task
            .wait_for_completion(
                &self.client,
                Some(Duration::from_millis(25)),
                Some(TASK_TIMEOUT),
            )
            .await?;
        if task.is_failure() {
            return Err(SearchError::Unavailable(format!(
                "Meilisearch task failed: {task:?}"
            )));
        }
        Ok(())
    }

    /// Creates the index if needed and applies the settings.
    async fn prepare(&self, uid: &str) -> Result<(), SearchError> {
        if self.client.get_index(uid).await.is_err() {
            let task = self.client.create_index(uid, Some(PRIMARY_KEY)).await?;
            self.wait(task).await?;
        }
        let task = self
            .client
            .index(uid)
            .set_settings(&Self::settings())
            .await?;
        self.wait(task).await
    }

    /// Whether Meilisearch answers its health check.
    pub async fn check(&self) -> Result<(), SearchError> {
        if self.client.is_healthy().await {
            Ok(())
        } else {
            Err(SearchError::Unavailable(
                "Meilisearch does not answer its health check".to_owned(),
            ))
        }
    }

    /// Applies a batch; with `through`, the batch's highest outbox row id, this process's
    /// watermark document is raised with the upserts, in the same task, after the deletions, so
    /// the watermark never runs ahead of a change that failed.
    pub async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deleted: Vec<String>,
        through: Option<i64>,
    ) -> Result<(), SearchError> {
        let index = self.client.index(&self.index);
        if !deleted.is_empty() {
            let task = index.delete_documents(&deleted).await?;
            self.wait(task).await?;
        }
        let mut docs: Vec<Value> = upserts.iter().map(flat).collect();
        let applied = through.map(|t| t.max(self.applied.load(Ordering::SeqCst)));
        if let Some(applied) = applied {
            docs.push(self.progress_doc(applied));
        }
        if !docs.is_empty() {
            let task = index.add_or_replace(&docs, Some(PRIMARY_KEY)).await?;
            self.wait(task).await?;
        }
        if let Some(applied) = applied {
            self.applied.fetch_max(applied, Ordering::SeqCst);
        }
        Ok(())
    }

    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let index = self.client.index(&self.index);
        let filter = filter_expression(query);
        let text = query.bounded_text();
        let facet_names: Vec<&str> = FacetName::ALL.iter().map(|f| f.as_str()).collect();
        let limit = query.limit.max(1);
        let mut search = index.search();
        search
            .with_query(&text)
            .with_filter(&filter)
            .with_facets(Selectors::Some(&facet_names))
            .with_attributes_to_crop(Selectors::Some(&[("body", Some(30))]))
            .with_attributes_to_highlight(Selectors::Some(&["body"]))
            .with_highlight_pre_tag(HIGHLIGHT_START)
            .with_highlight_post_tag(HIGHLIGHT_END);
        // Meilisearch's default ("last") drops words until something matches; the registry
        // finds records with every word unless asked for any of them, as the embedded engine.
        search.with_matching_strategy(match query.any_word {
            true => MatchingStrategies::FREQUENCY,
            false => MatchingStrategies::ALL,
        });
        // Page mode gives exact totals; offsets that are not a whole number of pages use
        // offset mode.
        if query.offset.is_multiple_of(limit) {
            search
                .with_page(query.offset / limit + 1)
                .with_hits_per_page(limit);
        } else {
            search.with_offset(query.offset).with_limit(limit);
        }
        let newest = ["published:desc"];
        if query.sort == SearchSort::Newest || text.is_empty() {
            search.with_sort(&newest);
        }
        let results = search.execute::<Value>().await?;
        let hits = results
            .hits
            .into_iter()
            .filter_map(|hit| {
                let doc = &hit.result;
                let kind = IndexedKind::from_str_value(doc["kind"].as_str()?)?;
                let entity_id = doc["entity_id"].as_str()?.parse().ok()?;
                let formatted = hit
                    .formatted_result
                    .as_ref()
                    .and_then(|f| f.get("body"))
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                let snippet = super::embedded::escape(formatted)
                    .replace(HIGHLIGHT_START, "<mark>")
                    .replace(HIGHLIGHT_END, "</mark>");
                Some(SearchHit {
                    kind,
                    entity_id,
                    title: doc["title"].as_str().unwrap_or_default().to_owned(),
                    snippet,
                })
            })
            .collect();
        let total = results
            .total_hits
            .or(results.estimated_total_hits)
            .unwrap_or(0) as u64;
        let distribution: HashMap<String, HashMap<String, usize>> =
            results.facet_distribution.unwrap_or_default();
        let facets = FacetName::ALL
            .iter()
            .map(|name| {
                let values: BTreeMap<String, u64> = distribution
                    .get(name.as_str())
                    .map(|counts| counts.iter().map(|(v, c)| (v.clone(), *c as u64)).collect())
                    .unwrap_or_default();
                (*name, values)
            })
            .collect();
        Ok(SearchResults {
            total,
            hits,
            facets,
        })
    }

    pub async fn keys(&self) -> Result<Vec<String>, SearchError> {
        let index = self.client.index(&self.index);
        let mut keys = Vec::new();
        let mut offset = 0;
        loop {
            let page = meilisearch_sdk::documents::DocumentsQuery::new(&index)
                .with_fields(["key"])
                .with_offset(offset)
                .with_limit(1_000)
                .execute::<Value>()
                .await?;
            let count = page.results.len();
            keys.extend(
                page.results
                    .iter()
                    .filter_map(|d| d["key"].as_str())
                    .filter(|key| !key.starts_with(PROGRESS_KEY_PREFIX))
                    .map(str::to_owned),
            );
            if count < 1_000 {
                break;
            }
            offset += count;
        }
        keys.sort();
        Ok(keys)
    }

    /// Starts a rebuild in a fresh index that [`MeiliRebuild::finish`] swaps in.
    pub async fn rebuild_start(&self) -> Result<MeiliRebuild, SearchError> {
        let uid = format!("{}_rebuild", self.index);
        if self.client.get_index(&uid).await.is_ok() {
            let task = self.client.delete_index(&uid).await?;
            self.wait(task).await?;
        }
        self.prepare(&uid).await?;
        Ok(MeiliRebuild {
            engine: self.clone(),
            uid,
            last: None,
        })
    }
}

/// A rebuild under way in a side index.
#[derive(Debug)]
pub struct MeiliRebuild {
    engine: MeiliEngine,
    uid: String,
    last: Option<TaskInfo>,
}

impl MeiliRebuild {
    pub async fn add(&mut self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        if docs.is_empty() {
            return Ok(());
        }
        let flat_docs: Vec<Value> = docs.iter().map(flat).collect();
        let task = self
            .engine
            .client
            .index(&self.uid)
            .add_or_replace(&flat_docs, Some(PRIMARY_KEY))
            .await?;
        self.last = Some(task);
        Ok(())
    }

    /// Records the watermark `through` in the side index, waits for it, swaps it with the live
    /// one, and drops the old documents (and the old watermarks with them).
    pub async fn finish(self, through: i64) -> Result<(), SearchError> {
        if let Some(task) = self.last {
            self.engine.wait(task).await?;
        }
        let task = self
            .engine
            .client
            .index(&self.uid)
            .add_or_replace(&[self.engine.progress_doc(through)], Some(PRIMARY_KEY))
            .await?;
        self.engine.wait(task).await?;
        let swap = SwapIndexes {
            indexes: (self.engine.index.clone(), self.uid.clone()),
            rename: None,
        };
        let task = self.engine.client.swap_indexes([&swap]).await?;
        self.engine.wait(task).await?;
        self.engine.applied.store(through, Ordering::SeqCst);
        let task = self.engine.client.delete_index(&self.uid).await?;
        self.engine.wait(task).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_values_cannot_change_the_filter() {
        let mut query = SearchQuery {
            access: vec!["public".into()],
            ..Default::default()
        };
        query.filters.insert(
            FacetName::Category,
            vec![r#"x" OR access = "nhs"#.into(), r"back\slash".into()],
        );
        assert_eq!(
            filter_expression(&query),
            r#"access IN ["public"] AND (category = "x\" OR access = \"nhs" OR category = "back\\slash")"#
        );
    }
}
