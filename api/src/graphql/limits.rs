//! Limits that refuse hostile requests before they cost anything. async-graphql sets none by
//! default; these are deliberate. The HTTP layer adds the body-size limit and the batch cap.
//!
//! The parser behind `async_graphql::parser` recurses on nested values and nested input
//! objects without a bound, so a few kilobytes of `[[[[…` overflow a worker's stack before any
//! schema limit is looked at. [`check_request`] therefore scans a document's text once, with no
//! recursion, and walks its variables iteratively, refusing anything out of bounds; only what
//! passes reaches a recursive parser.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{ErrorExtensions, Request, ServerError, ValidationResult, Value as ConstValue};

use crate::service::MAX_PAGE_SIZE;

/// Deepest selection nesting; introspection (GraphiQL's query) needs about 13.
pub const MAX_DEPTH: usize = 15;
/// Total complexity of one HTTP request (every operation of a batch together): each field
/// costs 1, lists and pages multiply their children, and heavy fields cost what they cost.
pub const MAX_COMPLEXITY: usize = 20_000;
/// Parser recursion, which bounds nested lists and objects in literals too.
pub const MAX_RECURSIVE_DEPTH: usize = 32;
/// Directives in one query.
pub const MAX_DIRECTIVES: usize = 50;
/// Aliased fields in one document: enough for any real client, not for an alias flood.
pub const MAX_ALIASES: usize = 100;
/// Operations in one batch request.
pub const MAX_BATCH: usize = 10;

/// Tokens in one document: GraphiQL's introspection query has about 300.
pub const MAX_TOKENS: usize = 10_000;
/// Brackets (`{`, `[`, `(`) open at once in a document: selections plus argument values.
pub const MAX_NESTING: usize = 48;
/// Items in one list, in a document or in the variables.
pub const MAX_LIST_ITEMS: usize = 1_000;
/// Bytes in one string, in a document or in the variables (the longest text field, a report's
/// findings, is 20 000 characters).
pub const MAX_STRING_BYTES: usize = 128 * 1024;
/// Nesting of lists and objects in the variables.
pub const MAX_VARIABLE_DEPTH: usize = MAX_RECURSIVE_DEPTH;
/// Values (scalars, lists, objects) in the variables altogether.
pub const MAX_VARIABLE_VALUES: usize = 10_000;

/// What a heavy field costs in complexity, beside its children: one comparison reads every
/// measure of its metric and pools them, about as much work as 1 000 plain fields.
pub const COMPARISON_COST: usize = 1_000;
/// A search runs a ranked query with ten facet counts in the engine.
pub const SEARCH_COST: usize = 200;
/// A revision diff compares each field, and prose word by word.
pub const DIFF_COST: usize = 100;

/// The complexity of a page: its size (as the list will clamp it) times its children.
pub fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let first = first.unwrap_or(20).clamp(1, MAX_PAGE_SIZE as i32) as usize;
    first.saturating_mul(child_complexity)
}

/// Why a request was refused before it was parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("The query has more than {MAX_TOKENS} tokens")]
    TooManyTokens,
    #[error("The query is nested more than {MAX_NESTING} brackets deep")]
    TooDeep,
    #[error("A list in the query has more than {MAX_LIST_ITEMS} items")]
    ListTooLong,
    #[error("A string in the query is longer than {MAX_STRING_BYTES} bytes")]
    StringTooLong,
    /// The parser would read an unclosed `"""` as two empty strings and go on, so the
    /// scan cannot treat the rest as string text: it refuses the document instead.
    #[error("A block string (\"\"\") in the query is never closed")]
    UnterminatedBlockString,
    #[error("The variables nest lists and objects more than {MAX_VARIABLE_DEPTH} deep")]
    VariablesTooDeep,
    #[error("A list in the variables has more than {MAX_LIST_ITEMS} items")]
    VariableListTooLong,
    #[error("A string in the variables is longer than {MAX_STRING_BYTES} bytes")]
    VariableStringTooLong,
    #[error("The variables hold more than {MAX_VARIABLE_VALUES} values")]
    TooManyVariableValues,
}

impl Refusal {
    /// The stable code clients see in `extensions.code`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TooManyTokens => "QUERY_TOO_LARGE",
            Self::TooDeep => "QUERY_TOO_DEEP",
            Self::ListTooLong => "LIST_TOO_LONG",
            Self::StringTooLong => "STRING_TOO_LONG",
            Self::UnterminatedBlockString => "UNTERMINATED_STRING",
            Self::VariablesTooDeep => "VARIABLES_TOO_DEEP",
            Self::VariableListTooLong => "LIST_TOO_LONG",
            Self::VariableStringTooLong => "STRING_TOO_LONG",
            Self::TooManyVariableValues => "VARIABLES_TOO_LARGE",
        }
    }
}

/// Checks a request's document and variables against the bounds above.
pub fn check_request(request: &Request) -> Result<(), Refusal> {
    check_document(&request.query)?;
    check_variables(&request.variables)
}

/// One pass over a document's text with the GraphQL lexical grammar (names, numbers, strings,
/// block strings, comments, punctuators), counting tokens and tracking open brackets on a
/// heap-allocated stack. Anything the grammar does not know counts as a token and is left for
/// the parser to reject.
pub fn check_document(query: &str) -> Result<(), Refusal> {
    let bytes = query.as_bytes();
    let mut i = 0;
    let mut tokens = 0usize;
    // Open brackets, each with the number of items seen directly inside it.
    let mut open: Vec<(u8, usize)> = Vec::new();
    while i < bytes.len() {
        let byte = bytes[i];
        match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            _ => {}
        }
        tokens += 1;
        if tokens > MAX_TOKENS {
            return Err(Refusal::TooManyTokens);
        }
        // A variable's `$` and its name are one item of a list.
        if byte != b'$'
            && let Some((b'[', items)) = open.last_mut()
        {
            *items += 1;
            if *items > MAX_LIST_ITEMS {
                return Err(Refusal::ListTooLong);
            }
        }
        match byte {
            b'{' | b'[' | b'(' => {
                open.push((byte, 0));
                if open.len() > MAX_NESTING {
                    return Err(Refusal::TooDeep);
                }
                i += 1;
            }
            b'}' | b']' | b')' => {
                open.pop();
                i += 1;
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                let start = i + 3;
                i = start;
                loop {
                    if i >= bytes.len() {
                        return Err(Refusal::UnterminatedBlockString);
                    }
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if bytes[i..].starts_with(b"\"\"\"") {
                        break;
                    } else {
                        i += 1;
                    }
                }
                if i - start > MAX_STRING_BYTES {
                    return Err(Refusal::StringTooLong);
                }
                i = (i + 3).min(bytes.len());
            }
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                if i.min(bytes.len()) - start > MAX_STRING_BYTES {
                    return Err(Refusal::StringTooLong);
                }
                i = (i + 1).min(bytes.len());
            }
            b'.' if bytes[i..].starts_with(b"...") => i += 3,
            b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'-' | b'0'..=b'9' => {
                i += 1;
                while i < bytes.len()
                    && matches!(bytes[i], b'_' | b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'.' | b'+' | b'-')
                {
                    i += 1;
                }
            }
            _ => {
                // One token a character (a multi-byte character is one token too).
                i += query
                    .get(i..)
                    .and_then(|rest| rest.chars().next())
                    .map_or(1, char::len_utf8);
            }
        }
    }
    Ok(())
}

/// Walks the variables without recursion, bounding depth, list lengths, strings and size.
pub fn check_variables(variables: &async_graphql::Variables) -> Result<(), Refusal> {
    let mut pending: Vec<(&ConstValue, usize)> = variables.values().map(|v| (v, 1)).collect();
    let mut seen = 0usize;
    while let Some((value, depth)) = pending.pop() {
        seen += 1;
        if seen > MAX_VARIABLE_VALUES {
            return Err(Refusal::TooManyVariableValues);
        }
        match value {
            ConstValue::String(text) if text.len() > MAX_STRING_BYTES => {
                return Err(Refusal::VariableStringTooLong);
            }
            ConstValue::List(items) => {
                if items.len() > MAX_LIST_ITEMS {
                    return Err(Refusal::VariableListTooLong);
                }
                if depth >= MAX_VARIABLE_DEPTH && !items.is_empty() {
                    return Err(Refusal::VariablesTooDeep);
                }
                pending.extend(items.iter().map(|v| (v, depth + 1)));
            }
            ConstValue::Object(fields) => {
                if depth >= MAX_VARIABLE_DEPTH && !fields.is_empty() {
                    return Err(Refusal::VariablesTooDeep);
                }
                pending.extend(fields.values().map(|v| (v, depth + 1)));
            }
            _ => {}
        }
    }
    Ok(())
}

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

/// The complexity left for one HTTP request, shared by the operations of a batch, so ten
/// operations cannot spend ten times [`MAX_COMPLEXITY`].
#[derive(Debug, Clone)]
pub struct RequestBudget(Arc<AtomicUsize>);

impl Default for RequestBudget {
    fn default() -> Self {
        Self(Arc::new(AtomicUsize::new(MAX_COMPLEXITY)))
    }
}

impl RequestBudget {
    /// Takes `cost` from the budget, or nothing if less than that is left.
    fn spend(&self, cost: usize) -> bool {
        self.0
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(cost)
            })
            .is_ok()
    }
}

/// Charges each validated operation's complexity to its request's [`RequestBudget`].
#[derive(Debug, Default, Clone, Copy)]
pub struct BudgetExtension;

impl ExtensionFactory for BudgetExtension {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(BudgetExtension)
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for BudgetExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        match ctx.data_opt::<RequestBudget>() {
            Some(budget) if !budget.spend(result.complexity) => {
                let error = async_graphql::Error::new(format!(
                    "The operations of this request together cost more than {MAX_COMPLEXITY}; \
                     ask for fewer or smaller pages, comparisons or searches"
                ))
                .extend_with(|_, e| e.set("code", "QUERY_TOO_COMPLEX"));
                Err(vec![error.into_server_error(async_graphql::Pos::default())])
            }
            _ => Ok(result),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_documents_pass() {
        let query = r#"
            # a comment with [[[ brackets ]]]
            query Q($f: PilotFilter, $n: Int = 5) {
              pilots(first: $n, filter: $f) { edges { node { title ...F } } }
              a: metrics { code } b: search(query: "brace { in [ a \" string") { totalCount }
            }
            fragment F on Pilot { id measures { metric { code } } }
            mutation M { x(input: {list: [1, 2.5e3, -4, "s", """block "" \""" ]"""], e: RED}) { ok } }
        "#;
        assert_eq!(check_document(query), Ok(()));
    }

    #[test]
    fn deep_values_are_refused_without_recursion() {
        let deep = format!(
            "{{ a(b: {}1{}) }}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        assert_eq!(check_document(&deep), Err(Refusal::TooDeep));
        let objects = format!("{{ a(b: {}1{}) }}", "{c: ".repeat(2_000), "}".repeat(2_000));
        assert_eq!(check_document(&objects), Err(Refusal::TooDeep));
    }

    #[test]
    fn long_lists_many_tokens_and_long_strings_are_refused() {
        let list = format!("{{ a(b: [{}]) }}", "1,".repeat(MAX_LIST_ITEMS + 1));
        assert_eq!(check_document(&list), Err(Refusal::ListTooLong));
        let tokens = format!("{{ {} }}", "a ".repeat(MAX_TOKENS));
        assert_eq!(check_document(&tokens), Err(Refusal::TooManyTokens));
        let string = format!("{{ a(b: \"{}\") }}", "x".repeat(MAX_STRING_BYTES + 1));
        assert_eq!(check_document(&string), Err(Refusal::StringTooLong));
        let block = format!(
            "{{ a(b: \"\"\"{}\"\"\") }}",
            "x".repeat(MAX_STRING_BYTES + 1)
        );
        assert_eq!(check_document(&block), Err(Refusal::StringTooLong));
    }

    /// Found by the fuzzer: an unclosed block string once hid everything after it from the
    /// scan, while the parser read on and recursed through 3 000 brackets.
    #[test]
    fn an_unclosed_block_string_hides_nothing() {
        let hidden = format!(
            "{{a(b:[\"\"\"\"{}{}])}}",
            "[".repeat(3_000),
            "]".repeat(3_000)
        );
        assert_eq!(
            check_document(&hidden),
            Err(Refusal::UnterminatedBlockString)
        );
        assert_eq!(
            check_document("{ a(b: \"\"\"open) }"),
            Err(Refusal::UnterminatedBlockString)
        );
        assert_eq!(check_document("{ a(b: \"\"\"\"closed\"\"\") }"), Ok(()));
    }

    #[test]
    fn deep_variables_are_refused() {
        let mut value = serde_json::json!(1);
        for _ in 0..100 {
            value = serde_json::json!({ "c": value });
        }
        let variables = async_graphql::Variables::from_json(serde_json::json!({ "v": value }));
        assert_eq!(check_variables(&variables), Err(Refusal::VariablesTooDeep));
        let long = serde_json::json!({ "v": vec![1; MAX_LIST_ITEMS + 1] });
        let variables = async_graphql::Variables::from_json(long);
        assert_eq!(
            check_variables(&variables),
            Err(Refusal::VariableListTooLong)
        );
    }

    #[test]
    fn page_cost_never_overflows() {
        assert_eq!(page_cost(Some(-1), usize::MAX), usize::MAX);
        assert_eq!(page_cost(Some(i32::MAX), 3), 300);
        assert_eq!(page_cost(None, 2), 40);
    }
}
