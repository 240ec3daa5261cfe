//! The services: the only way to read or change records. Each call takes the [`Actor`] and runs
//! in one transaction; validation, visibility and roles are enforced here for every entry point.
//!
//! [`Actor`]: crate::actor::Actor

pub mod access;
pub mod accounts;
pub mod audit;
pub mod check;
pub mod comparisons;
pub(crate) mod journal;
pub mod measures;
pub mod memberships;
pub mod metrics;
pub mod organisations;
pub(crate) mod pages;
pub mod pilots;
pub mod reads;
pub mod reports;
pub mod revisions;
pub mod search;
pub mod sessions;
pub mod sharing;
pub mod technologies;
pub mod tokens;
pub mod tombstones;
mod versioned;

/// For writers of many records at once (the synthetic seed), which write their own journal.
pub use journal::evidence_changed;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Select,
};

use crate::error::{ErrorCode, ServiceError, ServiceResult};
use versioned::{ensure_version, update_versioned};

/// The most records one page may hold.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The furthest into a list a page may start. Deeper pages cost the database (and the search
/// engines) work in proportion to their offset; past this, narrow the filter instead.
pub const MAX_OFFSET: u64 = 10_000;

/// A page request: up to `first` records after skipping `offset`, in the list's order, and
/// whether to count every record the list holds (a second statement, so only when shown).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PageRequest {
    pub first: u64,
    pub offset: u64,
    pub count: bool,
}

impl PageRequest {
    /// A page request within the limits, or the field error that says which limit it passed.
    pub fn new(first: i64, offset: u64) -> ServiceResult<Self> {
        let request = Self {
            first: u64::try_from(first).unwrap_or(0),
            offset,
            count: true,
        };
        request.check()?;
        Ok(request)
    }

    /// The same page, without counting the whole list.
    pub fn uncounted(self) -> Self {
        Self {
            count: false,
            ..self
        }
    }

    fn check(&self) -> ServiceResult<()> {
        if !(1..=MAX_PAGE_SIZE).contains(&self.first) {
            return Err(ServiceError::field(
                "first",
                ErrorCode::OutOfRange,
                format!("first must be between 1 and {MAX_PAGE_SIZE}"),
            ));
        }
        if self.offset > MAX_OFFSET {
            return Err(ServiceError::field(
                "after",
                ErrorCode::OutOfRange,
                format!(
                    "Pages start at most {MAX_OFFSET} records into a list: narrow the filter to \
                     reach records further on"
                ),
            ));
        }
        Ok(())
    }

    /// Refuses a page that starts past the end of a list of `total` records (a page that
    /// starts exactly at its end is the empty page after the last record).
    pub fn check_within(&self, total: u64) -> ServiceResult<()> {
        if self.offset > total {
            return Err(ServiceError::field(
                "after",
                ErrorCode::OutOfRange,
                format!("The cursor is past the end of the list, which holds {total} records"),
            ));
        }
        Ok(())
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            first: 20,
            offset: 0,
            count: true,
        }
    }
}

/// The order of a list. Ties are broken by id (UUIDv7, so creation order), so pages are stable.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Sort {
    /// Oldest first.
    #[default]
    Created,
    /// Newest first.
    Newest,
    /// By name or title, A to Z.
    Name,
    /// By start date, earliest first (pilots; others by creation).
    StartDate,
}

#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next_page: bool,
    /// How many records match the filter, among those the actor may see: counted when the
    /// request asked for it.
    pub total_count: Option<u64>,
}

impl<T> Default for Page<T> {
    /// The empty page.
    fn default() -> Self {
        Self {
            items: Vec::new(),
            has_next_page: false,
            total_count: None,
        }
    }
}

impl<T> Page<T> {
    /// The count of a page requested with counting on (as [`PageRequest::new`] makes them,
    /// and every page a person sees); zero for one requested [`PageRequest::uncounted`].
    pub fn total(&self) -> u64 {
        self.total_count.unwrap_or(0)
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            has_next_page: self.has_next_page,
            total_count: self.total_count,
        }
    }
}

/// Runs a filtered, ordered select as one page and, if asked, counts everything it matches.
async fn page_of<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: C,
    request: PageRequest,
) -> ServiceResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    page_sorted(db, select, &[], (id, false), request).await
}

/// [`page_of`] with leading sort columns (ascending, or descending when paired with `true`);
/// the id, in the direction given, breaks ties so pages are stable.
async fn page_sorted<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    order: &[(E::Column, bool)],
    (id, id_descending): (C, bool),
    request: PageRequest,
) -> ServiceResult<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    request.check()?;
    let total_count = match request.count {
        true => Some(count_within(db, select.clone(), request).await?),
        false => None,
    };
    let mut ordered = select.clone();
    for (column, descending) in order {
        ordered = if *descending {
            ordered.order_by_desc(*column)
        } else {
            ordered.order_by_asc(*column)
        };
    }
    ordered = if id_descending {
        ordered.order_by_desc(id)
    } else {
        ordered.order_by_asc(id)
    };
    let mut items = ordered
        .offset(request.offset)
        .limit(request.first + 1)
        .all(db)
        .await?;
    if items.is_empty() && total_count.is_none() && request.offset > 0 {
        // Either the empty page just after the last record or a cursor past the end.
        count_within(db, select, request).await?;
    }
    let has_next_page = items.len() as u64 > request.first;
    items.truncate(request.first as usize);
    Ok(Page {
        items,
        has_next_page,
        total_count,
    })
}

/// How many records `select` matches, refusing a page that starts past them.
async fn count_within<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    request: PageRequest,
) -> ServiceResult<u64>
where
    E::Model: Sync,
{
    let total = select.count(db).await?;
    request.check_within(total)?;
    Ok(total)
}
