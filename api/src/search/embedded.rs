//! The embedded engine: a tantivy index in the data directory. One writer per index directory,
//! so one server process per embedded index (scale-out uses Meilisearch). Blocking work runs on
//! tokio's blocking pool.
//!
//! The index is derived data, so it heals rather than refusing to start: an index that cannot be
//! opened, fails its checksums or cannot be read is moved aside (kept for inspection, not
//! deleted) and a new one created, which the caller rebuilds from the database. Every commit
//! records the outbox watermark it has reached (see `indexing::progress`), so an older copy
//! restored in place is told apart from a current one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tokio::sync::{Mutex, OwnedMutexGuard};

use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, INDEX_WRITER_LOCK, MmapDirectory};
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

/// The version of what documents hold, recorded in every commit. Raise it whenever documents
/// gain or change a field or facet value that the tantivy schema does not show (the facets all
/// share one field): an index with documents of another version is recreated as it opens, and
/// so rebuilt from the database. 2: pilots carry their evidence rating.
const DOCUMENTS_VERSION: i64 = 2;

/// The commit payload: the outbox watermark the commit reached, and the documents' version.
fn payload(applied_through: i64) -> String {
    serde_json::json!({
        "outbox_applied_through": applied_through,
        "documents_version": DOCUMENTS_VERSION,
    })
    .to_string()
}

/// The documents' version in a commit payload; 1 when there is none (written before versions
/// were recorded).
fn documents_version(payload: Option<&str>) -> i64 {
    payload
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|v| v["documents_version"].as_i64())
        .unwrap_or(1)
}

/// The watermark in a commit payload; 0 when there is none (a new index, or one written before
/// the registry recorded watermarks), which no database watermark is behind.
fn watermark(payload: Option<&str>) -> i64 {
    payload
        .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        .and_then(|v| v["outbox_applied_through"].as_i64())
        .unwrap_or(0)
}

/// The writer and the watermark its last commit recorded, behind one lock so that every commit
/// writes the watermark (a commit without a payload would erase it).
struct Writing {
    writer: IndexWriter,
    applied_through: i64,
}

impl Writing {
    /// Commits what the writer holds, recording `applied_through`.
    fn commit(&mut self, applied_through: i64) -> Result<(), SearchError> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&payload(applied_through));
        prepared.commit()?;
        self.applied_through = applied_through;
        Ok(())
    }
}

/// Why an index directory could not be opened as it is.
enum Failure {
    /// Written with another schema, by another version of the registry.
    Schema(String),
    /// Corrupt or unreadable. The writer lock is still held, so that no other process starts on
    /// the directory while it is moved aside.
    Damaged {
        reason: String,
        _lock: DirectoryLock,
    },
    /// Anything else, such as another process using the index: not the index's fault, so it is
    /// left alone.
    Other(SearchError),
}

/// The embedded engine; cheap to clone (all clones share one index and one writer).
#[derive(Clone)]
pub struct EmbeddedEngine {
    dir: Arc<PathBuf>,
    index: Index,
    reader: IndexReader,
    writer: Arc<Mutex<Writing>>,
    /// The watermark of the last commit, readable without waiting for the writer.
    applied: Arc<AtomicI64>,
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
    /// Opens the index in `dir`, creating it when missing. An index written with another schema
    /// is recreated; a corrupt or unreadable one is moved aside (see [`move_aside`]) and a new
    /// one created. Either way the new index is empty, which the caller sees (`is_empty`) and
    /// rebuilds from the database. An index another process is using is an error.
    pub fn open(dir: &Path) -> Result<Self, SearchError> {
        std::fs::create_dir_all(dir)
            .map_err(|e| SearchError::Unavailable(format!("creating {}: {e}", dir.display())))?;
        match Self::open_checked(dir) {
            Ok(engine) => Ok(engine),
            Err(Failure::Schema(reason)) => {
                // Nothing is wrong with it but its age: no need to keep it.
                tracing::warn!(%reason, dir = %dir.display(), "search index has another schema; recreating it");
                std::fs::remove_dir_all(dir)
                    .and_then(|()| std::fs::create_dir_all(dir))
                    .map_err(|e| {
                        SearchError::Unavailable(format!("recreating {}: {e}", dir.display()))
                    })?;
                Self::open_checked(dir).map_err(Failure::into_error)
            }
            Err(Failure::Damaged {
                reason,
                _lock: lock,
            }) => {
                let aside = move_aside(dir)?;
                drop(lock);
                tracing::warn!(
                    %reason,
                    dir = %dir.display(),
                    moved_to = %aside.display(),
                    "search index is corrupt or unreadable: moved it aside and starting a new one, to be rebuilt from the database"
                );
                std::fs::create_dir_all(dir).map_err(|e| {
                    SearchError::Unavailable(format!("creating {}: {e}", dir.display()))
                })?;
                Self::open_checked(dir).map_err(Failure::into_error)
            }
            Err(Failure::Other(err)) => Err(err),
        }
    }

    /// Opens the index in `dir` and proves it readable, or says why not.
    fn open_checked(dir: &Path) -> Result<Self, Failure> {
        let directory = MmapDirectory::open(dir).map_err(|e| {
            Failure::Other(SearchError::Unavailable(format!(
                "opening {}: {e}",
                dir.display()
            )))
        })?;
        // Taken before anything is judged, so a directory a running server owns is never
        // mistaken for a damaged one and moved from under it. Released before the writer takes
        // it for good.
        let lock = directory
            .acquire_lock(&INDEX_WRITER_LOCK)
            .map_err(|e| match e {
                LockError::LockBusy => Failure::Other(SearchError::Unavailable(format!(
                    "the search index in {} is in use by another process",
                    dir.display()
                ))),
                other => Failure::Other(SearchError::Unavailable(format!(
                    "locking {}: {other}",
                    dir.display()
                ))),
            })?;
        let (schema, fields) = schema();
        let damaged = |reason: String, lock| Failure::Damaged {
            reason,
            _lock: lock,
        };
        let index = match Index::open_or_create(directory, schema) {
            Ok(index) => index,
            Err(tantivy::TantivyError::SchemaError(reason)) => return Err(Failure::Schema(reason)),
            Err(err) => return Err(damaged(err.to_string(), lock)),
        };
        index.tokenizers().register(ANALYZER, analyzer());
        let (reader, applied_through) = match verify(&index, fields) {
            Ok(opened) => opened,
            Err(reason) => return Err(damaged(reason, lock)),
        };
        let version = match index.load_metas() {
            Ok(metas) => documents_version(metas.payload.as_deref()),
            Err(err) => return Err(damaged(err.to_string(), lock)),
        };
        if version != DOCUMENTS_VERSION && reader.searcher().num_docs() > 0 {
            return Err(Failure::Schema(format!(
                "its documents are of version {version}, this registry writes version {DOCUMENTS_VERSION}"
            )));
        }
        drop(lock);
        let writer = index
            .writer(WRITER_MEMORY)
            .map_err(|e| Failure::Other(e.into()))?;
        Ok(Self {
            dir: Arc::new(dir.to_path_buf()),
            index,
            reader,
            writer: Arc::new(Mutex::new(Writing {
                writer,
                applied_through,
            })),
            applied: Arc::new(AtomicI64::new(applied_through)),
            fields,
        })
    }

    /// The outbox watermark of the index's last commit (0 when it has none).
    pub fn applied_through(&self) -> i64 {
        self.applied.load(Ordering::SeqCst)
    }

    /// Whether the index is still there and readable: its directory, its `meta.json`, and every
    /// file of its segments. Cheap (one small read and a few `stat`s), for readiness checks; it
    /// notices an index deleted or damaged under the running server, which otherwise goes on
    /// answering from memory-mapped files while every write fails.
    pub async fn check(&self) -> Result<(), SearchError> {
        let engine = self.clone();
        blocking(move || {
            // A commit that lands between reading `meta.json` and listing files can make a
            // segment look half-gone; a second look settles it.
            engine.check_now().or_else(|_| engine.check_now())
        })
        .await
    }

    fn check_now(&self) -> Result<(), SearchError> {
        if !self.dir.is_dir() {
            return Err(SearchError::Unavailable(format!(
                "the search index directory {} is gone",
                self.dir.display()
            )));
        }
        let metas = self.index.load_metas()?;
        let directory = self.index.directory();
        let managed = directory.list_managed_files();
        for path in metas.list_segment_files().intersection(&managed) {
            let present = directory
                .exists(path)
                .map_err(|e| SearchError::Unavailable(e.to_string()))?;
            if !present {
                return Err(SearchError::Unavailable(format!(
                    "the search index file {} is missing",
                    path.display()
                )));
            }
        }
        Ok(())
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

    /// Applies a batch; with `through`, the batch's highest outbox row id, the commit records
    /// that watermark (it never goes down here: batches may arrive out of order).
    pub async fn apply(
        &self,
        upserts: Vec<SearchDocument>,
        deleted: Vec<String>,
        through: Option<i64>,
    ) -> Result<(), SearchError> {
        let engine = self.clone();
        blocking(move || {
            let mut writing = engine.writer.blocking_lock();
            for key in deleted.iter().chain(upserts.iter().map(|d| &d.key)) {
                writing
                    .writer
                    .delete_term(Term::from_field_text(engine.fields.key, key));
            }
            for doc in &upserts {
                writing.writer.add_document(engine.document(doc))?;
            }
            let applied =
                through.map_or(writing.applied_through, |t| t.max(writing.applied_through));
            writing.commit(applied)?;
            engine.applied.store(applied, Ordering::SeqCst);
            engine.reader.reload()?;
            Ok(())
        })
        .await
    }

    /// Starts replacing the whole index. Searches see the old documents until
    /// [`EmbeddedRebuild::finish`] commits; other writes wait until then.
    pub async fn rebuild_start(&self) -> Result<EmbeddedRebuild, SearchError> {
        let writing = self.writer.clone().lock_owned().await;
        writing.writer.delete_all_documents()?;
        Ok(EmbeddedRebuild {
            writing,
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
    fn text_query(&self, text: &str, any_word: bool) -> Option<Box<dyn Query>> {
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
                if any_word { Occur::Should } else { Occur::Must },
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
        if let Some(text) = self.text_query(&query.bounded_text(), query.any_word) {
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
    writing: OwnedMutexGuard<Writing>,
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
            self.writing
                .writer
                .add_document(self.engine.document(doc))?;
        }
        Ok(())
    }

    /// Commits the new index with the watermark `through` exactly: a rebuild replaces whatever
    /// the old index claimed, higher or lower.
    pub async fn finish(self, through: i64) -> Result<(), SearchError> {
        let Self {
            mut writing,
            engine,
        } = self;
        blocking(move || {
            writing.commit(through)?;
            engine.applied.store(through, Ordering::SeqCst);
            engine.reader.reload()?;
            Ok(())
        })
        .await
    }
}

/// Whether an opened index can actually be read, and its watermark: every file's checksum, a
/// reader over every segment, each segment's first and last stored document, its term
/// dictionary, fast field and facets, and one query. Opening alone proves little: tantivy reads
/// most files lazily, so a truncated store or a missing segment file would otherwise surface
/// only as failed searches.
fn verify(index: &Index, fields: Fields) -> Result<(IndexReader, i64), String> {
    let damaged = index.validate_checksum().map_err(|e| e.to_string())?;
    if !damaged.is_empty() {
        let mut files: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
        files.sort();
        return Err(format!("checksum mismatch in {}", files.join(", ")));
    }
    let read = || -> Result<(IndexReader, i64), tantivy::TantivyError> {
        let applied_through = watermark(index.load_metas()?.payload.as_deref());
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        for segment in searcher.segment_readers() {
            let store = segment.get_store_reader(1)?;
            let mut alive = segment.doc_ids_alive();
            let first = alive.next();
            for doc_id in first.into_iter().chain(alive.last()) {
                let _: TantivyDocument = store.get(doc_id)?;
            }
            segment.inverted_index(fields.access)?;
            segment.fast_fields().i64("published")?;
            segment.facet_reader("facets")?;
        }
        let public = TermQuery::new(
            Term::from_field_text(fields.access, "public"),
            IndexRecordOption::Basic,
        );
        searcher.search(&public, &Count)?;
        Ok((reader, applied_through))
    };
    read().map_err(|e| e.to_string())
}

/// Renames a damaged index directory to `<name>.corrupt-<UTC time>` beside it, so that a new
/// one can take its place while the old stays for inspection. Never deletes it: what was wrong
/// may be worth knowing, and the disk it takes is the operator's to reclaim.
fn move_aside(dir: &Path) -> Result<PathBuf, SearchError> {
    let name = dir
        .file_name()
        .map_or_else(|| "search".into(), |n| n.to_string_lossy().into_owned());
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
    for n in 0..100 {
        let aside = match n {
            0 => dir.with_file_name(format!("{name}.corrupt-{stamp}")),
            n => dir.with_file_name(format!("{name}.corrupt-{stamp}-{n}")),
        };
        if aside.exists() {
            continue;
        }
        return std::fs::rename(dir, &aside)
            .map(|()| aside)
            .map_err(|e| SearchError::Unavailable(format!("moving {} aside: {e}", dir.display())));
    }
    Err(SearchError::Unavailable(format!(
        "moving {} aside: too many copies already",
        dir.display()
    )))
}

impl Failure {
    /// The error to report when even a fresh index cannot be opened.
    fn into_error(self) -> SearchError {
        match self {
            Self::Schema(reason) => {
                SearchError::Embedded(tantivy::TantivyError::SchemaError(reason))
            }
            Self::Damaged { reason, .. } => SearchError::Unavailable(reason),
            Self::Other(err) => err,
        }
    }
}

#[cfg(test)]
#[expect(
    clippy::expect_used,
    reason = "a test that cannot go on should stop and say why"
)]
mod tests {
    use super::*;

    /// Writes an index holding one document whose commit records `payload`, as an older
    /// registry would have.
    fn written_with(dir: &Path, payload: &str) {
        let (schema, fields) = schema();
        let index = Index::create_in_dir(dir, schema).expect("a new index");
        index.tokenizers().register(ANALYZER, analyzer());
        let mut writer: IndexWriter = index.writer(15_000_000).expect("a writer");
        let mut doc = TantivyDocument::default();
        doc.add_text(fields.key, "pilot-old");
        doc.add_text(fields.access, "public");
        doc.add_i64(fields.published, 0);
        writer.add_document(doc).expect("a document");
        let mut prepared = writer.prepare_commit().expect("a commit");
        prepared.set_payload(payload);
        prepared.commit().expect("committed");
    }

    #[test]
    fn an_index_of_older_documents_is_recreated_empty_and_a_current_one_kept() {
        let old = tempfile::tempdir().expect("a directory");
        written_with(old.path(), r#"{"outbox_applied_through": 3}"#);
        let engine = EmbeddedEngine::open(old.path()).expect("opens");
        assert!(engine.is_empty(), "documents of version 1 are dropped");
        assert_eq!(engine.applied_through(), 0);

        let current = tempfile::tempdir().expect("a directory");
        written_with(current.path(), &payload(3));
        let engine = EmbeddedEngine::open(current.path()).expect("opens");
        assert!(!engine.is_empty());
        assert_eq!(engine.applied_through(), 3);
    }
}
