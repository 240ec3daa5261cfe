//! The embedded engine: a tantivy index in the data directory. One writer per index directory,
//! so one server process per embedded index (scale-out uses Meilisearch). Blocking work runs on
//! tokio's blocking pool.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tokio::sync::{Mutex, OwnedMutexGuard};

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
};

use super::{
    FacetName, SearchDocument, SearchError, SearchHit, SearchQuery, SearchResults, SearchSort,
};
use crate::model::IndexedKind;

/// Memory the index writer may buffer before it flushes a segment.
const WRITER_MEMORY: usize = 64 * 1024 * 1024;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    entity_id: Field,
    title: Field,
    body: Field,
    facets: Field,
    access: Field,
    published: Field,
}

/// The analyzer for text: words lower-cased, accents folded (so "cafe" finds "Café", as
/// Meilisearch does), English stems.
const ANALYZER: &str = "registry_en";

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .filter(Stemmer::new(Language::English))
        .build()
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: builder.add_text_field("key", STRING | STORED),
        kind: builder.add_text_field("kind", STRING | STORED),
        entity_id: builder.add_text_field("entity_id", STRING | STORED),
        title: builder.add_text_field("title", text.clone()),
        body: builder.add_text_field("body", text),
        facets: builder.add_facet_field("facets", FacetOptions::default()),
        access: builder.add_text_field("access", STRING),
        published: builder.add_i64_field("published", INDEXED | FAST),
    };
    (builder.build(), fields)
}

/// The embedded engine; cheap to clone (all clones share one index and one writer).
#[derive(Clone)]
pub struct EmbeddedEngine {
    index: Index,
    reader: IndexReader,
    writer: Arc<Mutex<IndexWriter>>,
    fields: Fields,
}

impl std::fmt::Debug for EmbeddedEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedEngine").finish_non_exhaustive()
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, SearchError> + Send + 'static,
) -> Result<T, SearchError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| SearchError::Unavailable(format!("search task failed: {e}")))?
}

fn facet(name: FacetName, value: &str) -> Facet {
    Facet::from_path([name.as_str(), value])
}

impl EmbeddedEngine {
    /// Opens the index in `dir`, creating it when missing.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Unavailable(format!("creating {}: {e}", dir.display())))?;
        let (schema, fields) = schema();
        let open = |schema| {
            let directory =
                MmapDirectory::open(dir).map_err(|e| SearchError::Unavailable(e.to_string()))?;
            Ok::<_, SearchError>(Index::open_or_create(directory, schema)?)
        };
        let index = match open(schema.clone()) {
            // An index written by another version: the database is the source of truth, so
            // start afresh and let the caller rebuild it (see `is_empty`).
            Err(SearchError::Embedded(tantivy::TantivyError::SchemaError(reason))) => {
                tracing::warn!(%reason, dir = %dir.display(), "search index has another schema; recreating it");
                std::fs::remove_dir_all(dir)
                    .and_then(|()| std::fs::create_dir_all(dir))
                    .map_err(|e| {
                        SearchError::Unavailable(format!("recreating {}: {e}", dir.display()))
                    })?;
                open(schema)?
            }
            other => other?,
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let writer = index.writer(WRITER_MEMORY)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(Self {
            index,
            reader,
            writer: Arc::new(Mutex::new(writer)),
            fields,
        })
    }

    fn document(&self, doc: &SearchDocument) -> TantivyDocument {
        let f = self.fields;
        let mut out = TantivyDocument::default();
        out.add_text(f.key, &doc.key);
        out.add_text(f.kind, doc.kind.as_str());
        out.add_text(f.entity_id, doc.entity_id.to_string());
        out.add_text(f.title, &doc.title);
        out.add_text(f.body, &doc.body);
        out.add_facet(f.facets, facet(FacetName::Kind, doc.kind.as_str()));
        for (name, values) in &doc.facets {
            for value in values {
                out.add_facet(f.facets, facet(*name, value));
            }
        }
        for token in &doc.access {
            out.add_text(f.access, token);
        }
        out.add_i64(f.published, doc.published);
        out
    }

    pub async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deleted: Vec<String>,
    ) -> Result<(), SearchError> {
        let engine = self.clone();
        blocking(move || {
            let mut writer = engine.writer.blocking_lock();
            for key in deleted.iter().chain(upserts.iter().map(|d| &d.key)) {
                writer.delete_term(Term::from_field_text(engine.fields.key, key));
            }
            for doc in &upserts {
                writer.add_document(engine.document(doc))?;
            }
            writer.commit()?;
            engine.reader.reload()?;
            Ok(())
        })
        .await
    }

    /// Starts replacing the whole index. Searches see the old documents until
    /// [`EmbeddedRebuild::finish`] commits; other writes wait until then.
    pub async fn rebuild_start(&self) -> Result<EmbeddedRebuild, SearchError> {
        let writer = self.writer.clone().lock_owned().await;
        writer.delete_all_documents()?;
        Ok(EmbeddedRebuild {
            writer,
            engine: self.clone(),
        })
    }

    /// Whether the index holds no document (new, or recreated after a schema change).
    pub fn is_empty(&self) -> bool {
        self.reader.searcher().num_docs() == 0
    }

    pub async fn keys(&self) -> Result<Vec<String>, SearchError> {
        let engine = self.clone();
        blocking(move || {
            let searcher = engine.reader.searcher();
            let mut keys = Vec::new();
            for segment in searcher.segment_readers() {
                let store = segment.get_store_reader(1)?;
                for doc_id in segment.doc_ids_alive() {
                    let doc: TantivyDocument = store.get(doc_id)?;
                    if let Some(key) = doc.get_first(engine.fields.key).and_then(|v| v.as_str()) {
                        keys.push(key.to_owned());
                    }
                }
            }
            keys.sort();
            Ok(keys)
        })
        .await
    }

    /// The text part of a query: every word must match the title or the body, exactly or within
    /// Meilisearch's default typo tolerance (one typo from 5 letters, two from 9).
    fn text_query(&self, text: &str) -> Option<Box<dyn Query>> {
        let mut analyzer = self.index.tokenizer_for_field(self.fields.body).ok()?;
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            words.push(token.text.clone());
        }
        words.dedup();
        if words.is_empty() {
            return None;
        }
        let per_word = words.into_iter().map(|word| {
            let distance = match word.chars().count() {
                0..=4 => 0,
                5..=8 => 1,
                _ => 2,
            };
            let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
            for (field, boost) in [(self.fields.title, 3.0), (self.fields.body, 1.0)] {
                let term = Term::from_field_text(field, &word);
                let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                alternatives.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(exact), boost * 2.0)),
                ));
                if distance > 0 {
                    let fuzzy = FuzzyTermQuery::new(term, distance, true);
                    alternatives.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(Box::new(fuzzy), boost)),
                    ));
                }
            }
            (
                Occur::Must,
                Box::new(BooleanQuery::new(alternatives)) as Box<dyn Query>,
            )
        });
        Some(Box::new(BooleanQuery::new(per_word.collect())))
    }

    fn query(&self, query: &SearchQuery) -> Box<dyn Query> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let access: Vec<(Occur, Box<dyn Query>)> = query
            .access
            .iter()
            .map(|token| {
                let term = Term::from_field_text(f.access, token);
                (
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                )
            })
            .collect();
        // No access token means nothing may be seen: an empty Should matches no document.
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(access))));
        for (name, values) in &query.filters {
            let alternatives: Vec<(Occur, Box<dyn Query>)> = values
                .iter()
                .map(|value| {
                    let term = Term::from_facet(f.facets, &facet(*name, value));
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect();
            clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
        }
        if let Some(text) = self.text_query(&query.bounded_text()) {
            clauses.push((Occur::Must, text));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    pub async fn search(&self, query: &SearchQuery) -> Result<SearchResults, SearchError> {
        let engine = self.clone();
        let query = query.clone();
        blocking(move || engine.search_now(&query)).await
    }

    fn search_now(&self, request: &SearchQuery) -> Result<SearchResults, SearchError> {
        let f = self.fields;
        let searcher = self.reader.searcher();
        let query = self.query(request);
        let mut facets = FacetCollector::for_field("facets");
        for name in FacetName::ALL {
            facets.add_facet(Facet::from_path([name.as_str()]));
        }
        let page = TopDocs::with_limit(request.limit.max(1)).and_offset(request.offset);
        let has_text = !request.bounded_text().is_empty();
        let (addresses, total, facet_counts): (Vec<DocAddress>, usize, _) =
            if request.sort == SearchSort::Newest || !has_text {
                let collector = page.order_by_fast_field::<i64>("published", Order::Desc);
                let (top, total, counts) = searcher.search(&query, &(collector, Count, facets))?;
                (top.into_iter().map(|(_, a)| a).collect(), total, counts)
            } else {
                let (top, total, counts) =
                    searcher.search(&query, &(page.order_by_score(), Count, facets))?;
                (top.into_iter().map(|(_, a)| a).collect(), total, counts)
            };
        let snippets = SnippetGenerator::create(&searcher, query.as_ref(), f.body).ok();
        let mut hits = Vec::with_capacity(addresses.len());
        for address in addresses.into_iter().take(request.limit) {
            let doc: TantivyDocument = searcher.doc(address)?;
            let text = |field: Field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_owned()
            };
            let Some(kind) = IndexedKind::from_str_value(&text(f.kind)) else {
                continue;
            };
            let Ok(entity_id) = text(f.entity_id).parse() else {
                continue;
            };
            let body = text(f.body);
            let snippet = match &snippets {
                Some(generator) => {
                    let s = generator.snippet(&body);
                    if s.is_empty() {
                        excerpt(&body)
                    } else {
                        marked(s.fragment(), s.highlighted())
                    }
                }
                None => excerpt(&body),
            };
            hits.push(SearchHit {
                kind,
                entity_id,
                title: text(f.title),
                snippet,
            });
        }
        let mut counted = BTreeMap::new();
        for name in FacetName::ALL {
            let values: BTreeMap<String, u64> = facet_counts
                .get(Facet::from_path([name.as_str()]))
                .filter_map(|(facet, count)| {
                    facet.to_path().last().map(|v| ((*v).to_owned(), count))
                })
                .collect();
            counted.insert(name, values);
        }
        Ok(SearchResults {
            total: total as u64,
            hits,
            facets: counted,
        })
    }
}

/// The first words of a text, escaped, when nothing in it matched.
fn excerpt(text: &str) -> String {
    let cut: String = text.chars().take(200).collect();
    escape(&cut)
}

/// A fragment with its highlighted ranges in `<mark>`, everything escaped.
fn marked(fragment: &str, highlighted: &[std::ops::Range<usize>]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for range in highlighted {
        if range.start < at || range.end > fragment.len() {
            continue;
        }
        out.push_str(&escape(&fragment[at..range.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&fragment[range.clone()]));
        out.push_str("</mark>");
        at = range.end;
    }
    out.push_str(&escape(&fragment[at..]));
    out
}

/// HTML-escapes text for the snippet.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}

/// A rebuild under way: it holds the index writer until it commits.
pub struct EmbeddedRebuild {
    writer: OwnedMutexGuard<IndexWriter>,
    engine: EmbeddedEngine,
}

impl std::fmt::Debug for EmbeddedRebuild {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedRebuild").finish_non_exhaustive()
    }
}

impl EmbeddedRebuild {
    pub async fn add(&mut self, docs: Vec<SearchDocument>) -> Result<(), SearchError> {
        for doc in &docs {
            self.writer.add_document(self.engine.document(doc))?;
        }
        Ok(())
    }

    pub async fn finish(self) -> Result<(), SearchError> {
        let Self { mut writer, engine } = self;
        blocking(move || {
            writer.commit()?;
            engine.reader.reload()?;
            Ok(())
        })
        .await
    }
}
