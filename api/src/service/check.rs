//! Collects every problem with an input before anything is written, so one answer names all of
//! them, field by field.

use chrono::NaiveDate;

use crate::error::{ErrorCode, FieldError, ServiceError, ServiceResult};

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

    /// Required text: trimmed, not empty, at most `max` characters.
    pub fn text(&mut self, field: &str, label: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.fail(field, ErrorCode::Required, format!("Enter {label}"));
        } else {
            self.max_len(field, label, trimmed, max);
        }
        trimmed.to_owned()
    }

    /// Optional text: trimmed, empty becomes `None`, at most `max` characters.
    pub fn optional_text(
        &mut self,
        field: &str,
        label: &str,
        value: Option<&str>,
        max: usize,
    ) -> Option<String> {
        let trimmed = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.max_len(field, label, trimmed, max);
        Some(trimmed.to_owned())
    }

    fn max_len(&mut self, field: &str, label: &str, value: &str, max: usize) {
        let len = value.chars().count();
        if len > max {
            let mut label = label.to_owned();
            if let Some(first) = label.get(..1) {
                label.replace_range(..1, &first.to_uppercase());
            }
            self.fail(
                field,
                ErrorCode::TooLong,
                format!("{label} must be {max} characters or fewer (it is {len})"),
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
