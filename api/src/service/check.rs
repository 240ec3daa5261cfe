//! Collects every problem with an input before anything is written, so one answer names all of
//! them, field by field.

use chrono::NaiveDate;

use crate::error::{ErrorCode, FieldError, ServiceError, ServiceResult};

/// Whether a text field holds one line or prose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lines {
    One,
    Many,
}

impl Lines {
    /// Prose keeps its line breaks, each as `\n` whatever the browser sent.
    fn normalise(self, value: &str) -> String {
        match self {
            Lines::One => value.to_owned(),
            Lines::Many => value.replace("\r\n", "\n").replace('\r', "\n"),
        }
    }
}

/// Unicode's noncharacters: U+FDD0 to U+FDEF, and the last two code points of every plane.
fn is_noncharacter(c: char) -> bool {
    let code = u32::from(c);
    (0xFDD0..=0xFDEF).contains(&code) || code & 0xFFFE == 0xFFFE
}

/// "the title" becomes "The title", to start a sentence.
fn sentence_case(label: &str) -> String {
    let mut chars = label.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

#[derive(Debug, Default)]
pub struct Check {
    errors: Vec<FieldError>,
}

impl Check {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, error: FieldError) {
        self.errors.push(error);
    }

    pub fn fail(&mut self, field: &str, code: ErrorCode, message: impl Into<String>) {
        self.push(FieldError::new(field, code, message));
    }

    /// Keeps the value of a parse, or records its error.
    pub fn take<T>(&mut self, parsed: Result<T, FieldError>) -> Option<T> {
        parsed.map_err(|e| self.push(e)).ok()
    }

    /// Required text on one line: trimmed, not empty, at most `max` characters, with no
    /// control character (tab and newline included) and no noncharacter.
    pub fn text(&mut self, field: &str, label: &str, value: &str, max: usize) -> String {
        self.required(field, label, value, max, Lines::One)
    }

    /// Optional text on one line: as [`Check::text`], but empty becomes `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        label: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        self.optional(field, label, value, max, Lines::One)
    }

    /// Required prose, which may run over several lines: as [`Check::text`], but newlines
    /// (a browser's `\r\n` becomes `\n`) and tabs are kept.
    pub fn prose(&mut self, field: &str, label: &str, value: &str, max: usize) -> String {
        self.required(field, label, value, max, Lines::Many)
    }

    /// Optional prose: as [`Check::prose`], but empty becomes `None`.
    pub fn optional_prose(
        &mut self,
        field: &str,
        label: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        self.optional(field, label, value, max, Lines::Many)
    }

    fn required(
        &mut self,
        field: &str,
        label: &str,
        value: &str,
        max: usize,
        lines: Lines,
    ) -> String {
        let text = lines.normalise(value.trim());
        if text.is_empty() {
            self.fail(field, ErrorCode::Required, format!("Enter {label}"));
        } else {
            self.max_len(field, label, &text, max);
            self.characters(field, label, &text, lines);
        }
        text
    }

    fn optional(
        &mut self,
        field: &str,
        label: &str,
        value: Option<&str>,
        max: usize,
        lines: Lines,
    ) -> Option<String> {
        let text = lines.normalise(value.map(str::trim).filter(|v| !v.is_empty())?);
        self.max_len(field, label, &text, max);
        self.characters(field, label, &text, lines);
        Some(text)
    }

    /// Refuses characters that no document can carry: control characters (they make XML
    /// ill-formed, and PostgreSQL refuses NUL) and Unicode noncharacters.
    fn characters(&mut self, field: &str, label: &str, value: &str, lines: Lines) {
        let line_break = value.chars().any(|c| c == '\n' || c == '\t');
        if lines == Lines::One && line_break {
            self.fail(
                field,
                ErrorCode::Invalid,
                format!("{} must be on one line, with no tabs", sentence_case(label)),
            );
        } else if let Some(bad) = value
            .chars()
            .find(|&c| (c.is_control() && c != '\n' && c != '\t') || is_noncharacter(c))
        {
            self.fail(
                field,
                ErrorCode::Invalid,
                format!(
                    "{} contains a character that cannot be shown (U+{:04X}): remove it",
                    sentence_case(label),
                    u32::from(bad)
                ),
            );
        }
    }

    fn max_len(&mut self, field: &str, label: &str, value: &str, max: usize) {
        let len = value.chars().count();
        if len > max {
            self.fail(
                field,
                ErrorCode::TooLong,
                format!(
                    "{} must be {max} characters or fewer (it is {len})",
                    sentence_case(label)
                ),
            );
        }
    }

    /// A finite number, optionally at least `min`.
    pub fn finite(&mut self, field: &str, label: &str, value: f64) -> bool {
        if value.is_finite() {
            true
        } else {
            self.fail(
                field,
                ErrorCode::Invalid,
                format!("{label} must be a finite number"),
            );
            false
        }
    }

    /// A whole count of at least `min`.
    pub fn count_at_least(&mut self, field: &str, label: &str, value: Option<i64>, min: i64) {
        if let Some(value) = value
            && value < min
        {
            self.fail(
                field,
                ErrorCode::OutOfRange,
                format!("{label} must be {min} or more"),
            );
        }
    }

    /// An end date that is not before its start.
    pub fn dates_in_order(
        &mut self,
        field: &str,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        what: &str,
    ) {
        if let (Some(start), Some(end)) = (start, end)
            && end < start
        {
            self.fail(
                field,
                ErrorCode::OutOfRange,
                format!("{what} end date must be the same as or after its start date ({start})"),
            );
        }
    }

    pub fn finish(self) -> ServiceResult<()> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ServiceError::Invalid(self.errors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(check: Check) -> Vec<String> {
        match check.finish() {
            Ok(()) => Vec::new(),
            Err(err) => err
                .field_errors()
                .iter()
                .map(|e| e.message.clone())
                .collect(),
        }
    }

    #[test]
    fn one_line_text_refuses_control_characters_line_breaks_and_noncharacters() {
        for bad in [
            "a\u{1}b",
            "a\u{1b}[31mb",
            "a\u{b}b",
            "a\u{c}b",
            "a\u{fffe}b",
            "a\0b",
            "a\nb",
            "a\tb",
            "a\u{9f}b",
            "a\u{10ffff}b",
        ] {
            let mut check = Check::new();
            check.text("title", "the title", bad, 200);
            let found = errors(check);
            assert_eq!(found.len(), 1, "{bad:?} is refused: {found:?}");
            assert!(found[0].starts_with("The title"), "{found:?}");
        }
        let mut check = Check::new();
        assert_eq!(
            check.text("title", "the title", "  Café – ward 7 ✓ ", 200),
            "Café – ward 7 ✓"
        );
        assert!(errors(check).is_empty());
    }

    #[test]
    fn prose_keeps_line_breaks_and_tabs_and_normalises_carriage_returns() {
        let mut check = Check::new();
        let kept = check.prose("findings", "the findings", "One.\r\n\tTwo.\rThree.", 200);
        assert_eq!(kept, "One.\n\tTwo.\nThree.");
        assert!(errors(check).is_empty());
        let mut check = Check::new();
        check.optional_prose("lessons", "the lessons", Some("a\u{7}b"), 200);
        assert_eq!(
            errors(check),
            ["The lessons contains a character that cannot be shown (U+0007): remove it"]
        );
    }
}
