//! Relay connections over the services' pages: opaque cursors, `pageInfo` and `totalCount`.

use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields, OpaqueCursor};
use async_graphql::{Context, Object, OutputType};

use crate::error::{ErrorCode, ServiceError};
use crate::service::{Page, PageRequest};

/// What every connection adds to Relay's fields.
#[derive(Debug)]
pub struct Counted {
    /// Counted only when the query asks for it ([`request`]).
    total_count: Option<u64>,
}

#[Object]
impl Counted {
    /// How many records match, among those you may see.
    async fn total_count(&self) -> async_graphql::Result<u64> {
        self.total_count
            .ok_or_else(|| "totalCount was not counted for this list".into())
    }
}

pub type Paged<T> = Connection<OpaqueCursor<u64>, T, Counted, EmptyFields>;

/// The page that `first` and `after` ask for, checked against the services' limits before
/// anything is read; the list is counted only if the query selects `totalCount`.
pub fn request(
    ctx: &Context<'_>,
    first: Option<i32>,
    after: Option<String>,
) -> Result<PageRequest, ServiceError> {
    let request = offset_request(first, after)?;
    Ok(match ctx.look_ahead().field("totalCount").exists() {
        true => request,
        false => request.uncounted(),
    })
}

fn offset_request(first: Option<i32>, after: Option<String>) -> Result<PageRequest, ServiceError> {
    let offset = match after {
        None => 0,
        Some(cursor) => {
            OpaqueCursor::<u64>::decode_cursor(&cursor)
                .map_err(|_| {
                    ServiceError::field(
                        "after",
                        ErrorCode::Invalid,
                        "This is not a cursor from this list",
                    )
                })?
                .0
        }
    };
    PageRequest::new(i64::from(first.unwrap_or(20)), offset)
}

/// Builds the connection for a page that started at `request.offset`.
pub fn connection<T: OutputType, U>(
    request: PageRequest,
    page: Page<U>,
    node: impl Fn(U) -> T,
) -> Paged<T> {
    let mut connection = Connection::with_additional_fields(
        request.offset > 0,
        page.has_next_page,
        Counted {
            total_count: page.total_count,
        },
    );
    connection.edges.extend(
        page.items
            .into_iter()
            .enumerate()
            .map(|(i, item)| Edge::new(OpaqueCursor(request.offset + i as u64 + 1), node(item))),
    );
    connection
}
