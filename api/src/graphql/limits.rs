//! Limits that refuse hostile queries before they cost anything. async-graphql sets none by
//! default; these are deliberate. The HTTP layer adds the body-size limit and the batch cap.

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// Deepest selection nesting; introspection (GraphiQL's query) needs about 13.
pub const MAX_DEPTH: usize = 15;
/// Total complexity: each field costs 1, lists and pages multiply their children.
pub const MAX_COMPLEXITY: usize = 20_000;
/// Parser recursion, which bounds nested lists and objects in literals too.
pub const MAX_RECURSIVE_DEPTH: usize = 32;
/// Directives in one query.
pub const MAX_DIRECTIVES: usize = 50;
/// Aliased fields in one document: enough for any real client, not for an alias flood.
pub const MAX_ALIASES: usize = 100;
/// Operations in one batch request.
pub const MAX_BATCH: usize = 10;

/// Counts the aliases in a parsed document, fragments included.
pub fn count_aliases(document: &ExecutableDocument) -> usize {
    fn walk(set: &SelectionSet) -> usize {
        set.items
            .iter()
            .map(|item| match &item.node {
                Selection::Field(field) => {
                    usize::from(field.node.alias.is_some()) + walk(&field.node.selection_set.node)
                }
                Selection::FragmentSpread(_) => 0,
                Selection::InlineFragment(fragment) => walk(&fragment.node.selection_set.node),
            })
            .sum()
    }
    let operations: usize = document
        .operations
        .iter()
        .map(|(_, op)| walk(&op.node.selection_set.node))
        .sum();
    let fragments: usize = document
        .fragments
        .values()
        .map(|f| walk(&f.node.selection_set.node))
        .sum();
    operations + fragments
}
