use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use crate::graphql::enums::{DiffSegmentKind, EntryPoint, RecordKind, RevisionAction};
use crate::service::revisions;

/// One field of a record as a revision kept it, as people read it.
#[derive(Debug, SimpleObject)]
pub struct RevisionField {
    /// The field's name (`title`, `costGbp`, `dtac.clinical_safety`).
    field: String,
    label: String,
    /// Null when not given.
    value: Option<String>,
}

/// A run of text in a word-by-word comparison.
#[derive(Debug, SimpleObject)]
pub struct DiffSegment {
    kind: DiffSegmentKind,
    text: String,
}

/// One field that differs between two revisions.
#[derive(Debug, SimpleObject)]
pub struct FieldChange {
    field: String,
    label: String,
    /// The value in `from`; null when not given.
    old: Option<String>,
    /// The value in `to`; null when not given.
    new: Option<String>,
    /// For prose, the change word by word, in reading order; null for short fields.
    words: Option<Vec<DiffSegment>>,
}

#[derive(Debug)]
pub struct RecordRevision(pub revisions::Revision);

/// One change to a pilot or technology: who made it, when, through which door and why, and
/// the record's fields after it.
#[Object]
impl RecordRevision {
    async fn record_kind(&self) -> RecordKind {
        self.0.kind.into()
    }
    async fn record_id(&self) -> ID {
        ID(self.0.record_id.to_string())
    }
    /// 1 for the record's first revision; each change adds one.
    async fn number(&self) -> i32 {
        self.0.number
    }
    async fn action(&self) -> RevisionAction {
        self.0.action.into()
    }
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who made the change, as the audit log names them.
    async fn actor_label(&self) -> &str {
        &self.0.actor_label
    }
    /// The door the change came in by.
    async fn entry_point(&self) -> EntryPoint {
        self.0.entry_point.into()
    }
    /// Why, where they said (a withdrawal always says).
    async fn reason(&self) -> Option<&str> {
        self.0.reason.as_deref()
    }
    /// The record's fields after the change (a pilot's contact for NHS staff only).
    async fn fields(&self) -> Vec<RevisionField> {
        self.0
            .fields
            .iter()
            .map(|f| RevisionField {
                field: f.field.clone(),
                label: f.label.clone(),
                value: f.value.clone(),
            })
            .collect()
    }
}

#[derive(Debug)]
pub struct RevisionDiff(pub revisions::Diff);

/// The difference between two revisions of one record, field by field.
#[Object]
impl RevisionDiff {
    async fn from(&self) -> RecordRevision {
        RecordRevision(self.0.from.clone())
    }
    async fn to(&self) -> RecordRevision {
        RecordRevision(self.0.to.clone())
    }
    /// The fields that differ, in the record's order.
    async fn changes(&self) -> Vec<FieldChange> {
        self.0
            .changes
            .iter()
            .map(|c| FieldChange {
                field: c.field.clone(),
                label: c.label.clone(),
                old: c.old.clone(),
                new: c.new.clone(),
                words: c.words.as_ref().map(|segments| {
                    segments
                        .iter()
                        .map(|s| DiffSegment {
                            kind: s.kind.into(),
                            text: s.text.clone(),
                        })
                        .collect()
                }),
            })
            .collect()
    }
}
