//! The error policy of the services.
//!
//! - Bad input is a [`ServiceError::Invalid`] carrying one [`FieldError`] per problem: the field's
//!   path as the API spells it (`odsCode`, `baseline.sd`), a plain-English reason, and a stable
//!   code that clients can rely on. A stale `version` and a taken unique value are field errors too.
//! - Missing or insufficient rights are [`ServiceError::Unauthenticated`] / [`ServiceError::Forbidden`].
//! - A record the actor may not see is [`ServiceError::NotFound`], exactly as if it did not exist,
//!   so nothing leaks that hidden records exist.
//! - Database failures are [`ServiceError::Database`]: logged with their cause by the entry point
//!   and answered with a generic message, never shown to the client.
//! - Anything else that failed on our side (a stored document that no longer reads, a worker
//!   that died) is [`ServiceError::Internal`], carrying its cause as its `source()`: never a
//!   database error it is not. Entry points log both with [`CauseChain`].
//! - Work that passed its deadline is [`ServiceError::TimedOut`], so no request holds a worker.

use std::fmt;

use sea_orm::{DbErr, SqlErr};
use serde::Serialize;

/// Stable, machine-readable reasons for a field error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    /// A value is required and was empty or missing.
    Required,
    /// Longer than allowed.
    TooLong,
    /// Not in the expected shape (ODS code, slug, e-mail, URL).
    Invalid,
    /// A number or date outside what the field allows.
    OutOfRange,
    /// A referenced record does not exist (or is not visible).
    NotFound,
    /// Another record already has this unique value.
    Taken,
    /// The record changed since it was read: reload and try again.
    Stale,
    /// The change is not allowed in the record's current state.
    NotAllowed,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Required => "REQUIRED",
            Self::TooLong => "TOO_LONG",
            Self::Invalid => "INVALID",
            Self::OutOfRange => "OUT_OF_RANGE",
            Self::NotFound => "NOT_FOUND",
            Self::Taken => "TAKEN",
            Self::Stale => "STALE",
            Self::NotAllowed => "NOT_ALLOWED",
        }
    }
}

/// One problem with one field of the input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub code: ErrorCode,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
            code,
        }
    }

    /// The same error reported under a parent field, e.g. `sd` under `baseline`.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The input is wrong; nothing was written.
    #[error("invalid input: {}", display_all(.0))]
    Invalid(Vec<FieldError>),
    /// The action needs a signed-in user.
    #[error("sign in to do this")]
    Unauthenticated,
    /// The actor is signed in but lacks the role.
    #[error("you do not have permission to {0}")]
    Forbidden(&'static str),
    /// No such record, or none the actor may see.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The database failed; never shown to clients.
    #[error("database error")]
    Database(#[source] DbErr),
    /// Work that could not finish within its deadline (a comparison over too many pilots, say):
    /// the request is answered, and nothing was written.
    #[error("{0} took too long; try again, or narrow the question")]
    TimedOut(&'static str),
    /// A part the registry depends on (the search engine) did not answer; nothing was written.
    #[error("{0} is unavailable right now; try again shortly")]
    Unavailable(&'static str),
    /// Anything else that failed on our side; logged with its cause chain, never shown.
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn display_all(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

impl ServiceError {
    pub fn field(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, code, message)])
    }

    pub fn stale(what: &str) -> Self {
        Self::field(
            "version",
            ErrorCode::Stale,
            format!(
                "this {what} was changed by someone else since you read it; reload it and try again"
            ),
        )
    }

    /// The field errors, if this is a validation failure.
    pub fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::Invalid(errors) => errors,
            _ => &[],
        }
    }
}

impl From<DbErr> for ServiceError {
    fn from(err: DbErr) -> Self {
        Self::Database(err)
    }
}

/// Turns a unique-constraint violation into a field error, so a race between two writers gets
/// the same answer as the check that ran first.
pub fn on_unique(err: DbErr, field: &str, message: &str) -> ServiceError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => {
            ServiceError::field(field, ErrorCode::Taken, message)
        }
        _ => ServiceError::Database(err),
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;

/// Shows an error with every cause under it, `outer: inner: innermost`, for the logs: an entry
/// point logs internal and database errors through this, so the cause that explains them is
/// never cut off at the first line.
#[derive(Debug, Clone, Copy)]
pub struct CauseChain<'a>(pub &'a (dyn std::error::Error + 'static));

impl fmt::Display for CauseChain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)?;
        let mut cause = self.0.source();
        while let Some(err) = cause {
            write!(f, ": {err}")?;
            cause = err.source();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_internal_error_shows_every_cause() {
        let parse = serde_json::from_str::<u32>("not a number");
        let Err(cause) = parse else {
            panic!("the text is not a number");
        };
        let cause_text = cause.to_string();
        let err = ServiceError::Internal(Box::new(cause));
        assert_eq!(
            CauseChain(&err).to_string(),
            format!("internal error: {cause_text}")
        );
    }
}
