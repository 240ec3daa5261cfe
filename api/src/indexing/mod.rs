//! Keeps the search index in step with the database, which is the source of truth. Every change
//! that search must see writes an outbox row in its own transaction; the [`outbox`] worker
//! takes the rows in large [`batch`]es (every row of a record in one), builds the changed
//! records' [`documents`] and hands them to the engine in one commit, retrying with backoff
//! while it is down; [`reindex`] rebuilds a whole index from the database. Both sides keep the
//! outbox watermark ([`progress`]), so at start [`reindex::needed`] tells whether the index has
//! fallen behind (an older copy restored in place), and [`health`] says when search cannot be
//! relied on, for `/readyz`.

pub mod batch;
pub mod documents;
pub mod health;
pub mod outbox;
pub mod progress;
pub mod reindex;
