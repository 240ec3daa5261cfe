//! One page of the children of many parents at once (each technology's pilots, say), so a list
//! nested in a list costs one statement however many parents it has.

use std::collections::HashMap;

use sea_orm::sea_query::{Alias, Asterisk, Expr, ExprTrait, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait, Select, prelude::Uuid,
};

use super::{Page, PageRequest};
use crate::error::ServiceResult;

/// The alias of each row's place in its parent's list.
const PLACE: &str = "place_in_parent";

/// For every parent in `parents`, the page `request` asks for of the records `select` matches
/// whose `parent` column names it, ordered by `order` with `id` breaking ties (each paired with
/// `true` for descending). Ranked by a window function, so one statement serves every parent;
/// counted per parent, in one more statement, only if the request asks.
pub async fn by_parent<E, C>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    parent: E::Column,
    parents: &[Uuid],
    order: &[(E::Column, bool)],
    (id, id_descending): (C, bool),
    request: PageRequest,
) -> ServiceResult<HashMap<Uuid, Page<E::Model>>>
where
    E: EntityTrait,
    E::Model: FromQueryResult + Sync,
    C: ColumnTrait,
{
    let select = select.filter(parent.is_in(parents.iter().copied()));
    let direction = |descending: bool| match descending {
        true => Order::Desc,
        false => Order::Asc,
    };
    let mut window = WindowStatement::partition_by(parent);
    for (column, descending) in order {
        window.order_by(*column, direction(*descending));
    }
    window.order_by(id, direction(id_descending));
    let mut ranked = select.clone().into_query();
    ranked.expr_window_as(Expr::cust("ROW_NUMBER()"), window, Alias::new(PLACE));
    let first_place = request.offset;
    let last_place = request.offset + request.first + 1;
    let page = Query::select()
        .column(Asterisk)
        .from_subquery(ranked, Alias::new("ranked"))
        .and_where(Expr::col(Alias::new(PLACE)).gt(first_place))
        .and_where(Expr::col(Alias::new(PLACE)).lte(last_place))
        .order_by(Alias::new(PLACE), Order::Asc)
        .to_owned();
    let statement = db.get_database_backend().build(&page);
    let rows = E::find().from_raw_sql(statement).all(db).await?;

    let counts: Option<HashMap<Uuid, u64>> = match request.count {
        true => Some(
            select
                .select_only()
                .column(parent)
                .column_as(Expr::col(id).count(), "count")
                .group_by(parent)
                .into_tuple::<(Uuid, i64)>()
                .all(db)
                .await?
                .into_iter()
                .map(|(parent, count)| (parent, u64::try_from(count).unwrap_or(0)))
                .collect(),
        ),
        false => None,
    };

    let mut pages: HashMap<Uuid, Page<E::Model>> = parents
        .iter()
        .map(|&p| {
            let total_count = counts.as_ref().map(|c| c.get(&p).copied().unwrap_or(0));
            (
                p,
                Page {
                    items: Vec::new(),
                    has_next_page: false,
                    total_count,
                },
            )
        })
        .collect();
    for row in rows {
        let Some(owner) = uuid_of(&row, parent) else {
            continue;
        };
        if let Some(page) = pages.get_mut(&owner) {
            if page.items.len() as u64 == request.first {
                page.has_next_page = true;
            } else {
                page.items.push(row);
            }
        }
    }
    Ok(pages)
}

/// The parent a row names, read through the model's own column accessor.
fn uuid_of<M: sea_orm::ModelTrait>(
    row: &M,
    column: <M::Entity as EntityTrait>::Column,
) -> Option<Uuid> {
    match row.get(column) {
        sea_orm::Value::Uuid(Some(id)) => Some(id),
        _ => None,
    }
}
