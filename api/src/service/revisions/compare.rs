//! The difference between two revisions, field by field; prose word by word, by the `similar`
//! crate, as runs of equal, inserted and deleted text that a page can mark up as they come.

use std::time::Duration;

use similar::utils::TextDiffRemapper;
use similar::{Algorithm, ChangeTag, TextDiff};

use super::snapshot::Field;

/// How long one field's word diff may take before `similar` settles for a correct but less
/// minimal answer: prose runs to 10 000 characters, and no request may hang on it.
const WORD_DIFF_TIMEOUT: Duration = Duration::from_millis(50);

/// What a run of text did between the two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SegmentKind {
    /// In both.
    Equal,
    /// Only in the revision compared to.
    Inserted,
    /// Only in the revision compared from.
    Deleted,
}

/// A run of text, in reading order: the text compared from is the equal and deleted runs, the
/// text compared to the equal and inserted ones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub kind: SegmentKind,
    pub text: String,
}

/// One field that differs between two revisions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    pub label: String,
    /// `None` where the field was not given (or not yet kept).
    pub old: Option<String>,
    pub new: Option<String>,
    /// For prose, the change word by word; `None` for short fields, shown old beside new.
    pub words: Option<Vec<Segment>>,
}

/// The fields that differ from `old` to `new`, in `new`'s order (then any `new` no longer
/// has).
pub(super) fn changes(old: &[Field], new: &[Field]) -> Vec<FieldChange> {
    let find = |fields: &'_ [Field], name: &str| fields.iter().find(|f| f.field == name).cloned();
    let mut changed = Vec::new();
    for after in new {
        let before = find(old, &after.field);
        let old_value = before.as_ref().and_then(|f| f.value.clone());
        if old_value != after.value {
            let long = after.long || before.is_some_and(|f| f.long);
            changed.push(change(after, old_value, after.value.clone(), long));
        }
    }
    for before in old {
        if before.value.is_some() && find(new, &before.field).is_none() {
            changed.push(change(before, before.value.clone(), None, before.long));
        }
    }
    changed
}

fn change(field: &Field, old: Option<String>, new: Option<String>, long: bool) -> FieldChange {
    let words = long.then(|| words(old.as_deref().unwrap_or(""), new.as_deref().unwrap_or("")));
    FieldChange {
        field: field.field.clone(),
        label: field.label.clone(),
        old,
        new,
        words,
    }
}

/// `old` to `new` word by word, as runs of the original text (whitespace kept where it was),
/// adjacent runs of one kind joined.
pub fn words(old: &str, new: &str) -> Vec<Segment> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(WORD_DIFF_TIMEOUT)
        .diff_words(old, new);
    let remapper = TextDiffRemapper::from_text_diff(&diff, old, new);
    let mut segments: Vec<Segment> = Vec::new();
    for (tag, text) in diff.ops().iter().flat_map(|op| remapper.iter_slices(op)) {
        let kind = match tag {
            ChangeTag::Equal => SegmentKind::Equal,
            ChangeTag::Insert => SegmentKind::Inserted,
            ChangeTag::Delete => SegmentKind::Deleted,
        };
        match segments.last_mut() {
            Some(last) if last.kind == kind => last.text.push_str(text),
            _ if text.is_empty() => {}
            _ => segments.push(Segment {
                kind,
                text: text.to_owned(),
            }),
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(kind: SegmentKind, text: &str) -> Segment {
        Segment {
            kind,
            text: text.to_owned(),
        }
    }

    fn field(name: &str, value: Option<&str>, long: bool) -> Field {
        Field {
            field: name.to_owned(),
            label: name.to_uppercase(),
            value: value.map(str::to_owned),
            long,
        }
    }

    #[test]
    fn prose_is_compared_word_by_word() {
        use SegmentKind::*;
        assert_eq!(
            words(
                "Readmissions for heart failure are high.",
                "Emergency readmissions for heart failure are very high."
            ),
            vec![
                run(Deleted, "Readmissions"),
                run(Inserted, "Emergency readmissions"),
                run(Equal, " for heart failure are "),
                run(Inserted, "very "),
                run(Equal, "high."),
            ]
        );
        assert_eq!(words("", "New text"), vec![run(Inserted, "New text")]);
        assert_eq!(words("Old text", ""), vec![run(Deleted, "Old text")]);
        assert_eq!(words("Same", "Same"), vec![run(Equal, "Same")]);
    }

    /// Whatever the texts, the runs spell out both of them exactly.
    #[test]
    fn the_runs_rebuild_both_texts() {
        let old = "A team reviews alerts daily,\n\nand calls patients whose weight rises.";
        let new =
            "A nurse-led team reviews alerts twice daily, and calls patients whose weight rises.";
        let segments = words(old, new);
        let side = |skip: SegmentKind| {
            segments
                .iter()
                .filter(|s| s.kind != skip)
                .map(|s| s.text.as_str())
                .collect::<String>()
        };
        assert_eq!(side(SegmentKind::Inserted), old);
        assert_eq!(side(SegmentKind::Deleted), new);
    }

    #[test]
    fn only_changed_fields_are_named() {
        let old = [
            field("title", Some("A"), false),
            field("problem", Some("Waits are long."), true),
            field("cost", None, false),
            field("gone", Some("x"), false),
        ];
        let new = [
            field("title", Some("A"), false),
            field("problem", Some("Waits are too long."), true),
            field("cost", Some("£5"), false),
            field("added", None, false),
        ];
        let changed = changes(&old, &new);
        let names: Vec<&str> = changed.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(names, ["problem", "cost", "gone"]);
        assert!(changed[0].words.is_some(), "prose has word runs");
        assert_eq!(changed[1].words, None, "a short field has none");
        assert_eq!(
            (changed[1].old.as_deref(), changed[1].new.as_deref()),
            (None, Some("£5"))
        );
        assert_eq!(
            (changed[2].old.as_deref(), changed[2].new.as_deref()),
            (Some("x"), None)
        );
    }
}
