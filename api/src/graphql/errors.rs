//! How service errors reach GraphQL clients. Validation failures (and stale versions) are data:
//! `userErrors { field message code }` in the mutation's payload. Missing or insufficient rights
//! are errors with `extensions.code` `UNAUTHENTICATED` or `FORBIDDEN`; a record that is missing or
//! hidden is `NOT_FOUND`; anything else is logged and answered `INTERNAL` with a generic message.

use async_graphql::{ErrorExtensions, ID, SimpleObject};
use sea_orm::prelude::Uuid;

use crate::error::{CauseChain, FieldError, ServiceError};

/// A problem with one field of a mutation's input.
#[derive(Debug, Clone, SimpleObject)]
pub struct UserError {
    /// The input field, as a path (`baseline.sd`, `dtac[0].assessedOn`).
    pub field: String,
    /// What is wrong, in plain English.
    pub message: String,
    /// A stable machine-readable code: REQUIRED, TOO_LONG, INVALID, OUT_OF_RANGE, NOT_FOUND,
    /// TAKEN, STALE or NOT_ALLOWED.
    pub code: String,
}

impl From<FieldError> for UserError {
    fn from(e: FieldError) -> Self {
        Self {
            field: e.field,
            message: e.message,
            code: e.code.as_str().to_owned(),
        }
    }
}

/// The GraphQL error for anything that is not a validation failure. Internal and database
/// errors are logged here with their cause chain, and answered with a generic message.
pub fn to_graphql(err: ServiceError) -> async_graphql::Error {
    let coded = |message: String, code: &'static str| {
        async_graphql::Error::new(message).extend_with(move |_, e| e.set("code", code))
    };
    match &err {
        ServiceError::Invalid(errors) => {
            let message = errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            coded(message, "BAD_USER_INPUT")
        }
        ServiceError::Unauthenticated => coded(err.to_string(), "UNAUTHENTICATED"),
        ServiceError::Forbidden(_) => coded(err.to_string(), "FORBIDDEN"),
        ServiceError::NotFound(_) => coded(err.to_string(), "NOT_FOUND"),
        ServiceError::TimedOut(_) => coded(err.to_string(), "TIMEOUT"),
        ServiceError::Unavailable(_) => coded(err.to_string(), "UNAVAILABLE"),
        ServiceError::Internal(_) => {
            tracing::error!(error = %CauseChain(&err), "internal error in a GraphQL request");
            coded(SORRY.to_owned(), "INTERNAL")
        }
        ServiceError::Database(_) => {
            tracing::error!(error = %CauseChain(&err), "database error in a GraphQL request");
            coded(SORRY.to_owned(), "INTERNAL")
        }
    }
}

/// All a client learns of a failure on our side.
const SORRY: &str = "something went wrong on our side; try again later";

/// Splits a mutation's outcome into its record or its field errors; other failures are errors.
pub fn payload<T>(
    result: Result<T, ServiceError>,
) -> async_graphql::Result<(Option<T>, Vec<UserError>)> {
    match result {
        Ok(value) => Ok((Some(value), Vec::new())),
        Err(ServiceError::Invalid(errors)) => {
            Ok((None, errors.into_iter().map(UserError::from).collect()))
        }
        Err(other) => Err(to_graphql(other)),
    }
}

/// Reads a record id; a malformed one is a field error naming the argument.
pub fn parse_id(field: &str, id: &ID) -> Result<Uuid, ServiceError> {
    Uuid::parse_str(id.as_str()).map_err(|_| {
        ServiceError::field(
            field,
            crate::error::ErrorCode::Invalid,
            "This is not a registry id",
        )
    })
}

/// Like [`parse_id`], for queries: an id that cannot exist finds nothing.
pub fn query_id(id: &ID) -> Option<Uuid> {
    Uuid::parse_str(id.as_str()).ok()
}

/// Reads an optional id in a filter. A malformed one is refused, naming the field: ignoring
/// it would widen the filter to everything, silently.
pub fn filter_id(field: &str, id: Option<&ID>) -> Result<Option<Uuid>, ServiceError> {
    id.map(|id| parse_id(field, id)).transpose()
}
