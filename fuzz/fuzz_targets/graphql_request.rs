//! The GraphQL request limits: whatever `check_document` / `check_request` accept must be safe
//! to hand to async-graphql's recursive parser.
//!
//! Input bytes are tried two ways, as production sees them (src/graphql_http.rs):
//! - as a document's text (lossy UTF-8): `check_document`, then, if accepted, `parse_query`
//!   and `count_aliases`;
//! - as an HTTP body: `serde_json::from_slice::<BatchRequest>`, then `check_request` for each
//!   request, then the same parse of every accepted one.
//!
//! Three oracles for "the limits let through something nested too deep":
//! - the parse, `count_aliases` and the document's drop (all recursive) run on a worker thread
//!   with a small stack, [`PARSE_STACK`], so an unbounded recursion crashes the fuzzer instead
//!   of passing quietly on libFuzzer's large main stack;
//! - after a document that parses, `check_document` must count brackets appended to it: the
//!   parser saw every string closed, so the scan must not think it is still inside one;
//! - the parsed document's bracket nesting, measured exactly on its syntax tree (without
//!   recursion), must be at most `MAX_NESTING`: every level of the tree is a bracket the parser
//!   read, so a deeper tree means the scan missed brackets. This catches a bypass at any depth,
//!   not only at depths that happen to overflow the stack (pest has its own stack guard, so the
//!   overflow shows only in a window of depths).
//!
//! For accepted variables, their nesting must be at most `MAX_VARIABLE_DEPTH`.

#![no_main]

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, OnceLock};

use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    BaseType, Directive, ExecutableDocument, Selection, SelectionSet, Type,
};
use async_graphql::{BatchRequest, Value as ConstValue};
use async_graphql_value::Value;
use libfuzzer_sys::fuzz_target;
use registry_api::graphql::limits::{self, check_document, check_request, count_aliases};

/// The stack the parse runs on. A document at the deepest nesting the limits accept
/// (`MAX_NESTING` = 48 brackets) parses on it with room to spare in this ASan build (about
/// 200 levels fit), while the 2 000-deep `[[[…` that overflowed production does not.
const PARSE_STACK: usize = 256 * 1024;

/// A long-lived worker with the small stack: a thread per input would cost more than the
/// parse itself. A panic there aborts the process (libfuzzer-sys's panic hook), as does a
/// stack overflow, so the fuzzer sees both as crashes.
struct Worker {
    jobs: SyncSender<String>,
    done: Receiver<()>,
}

fn worker() -> &'static Mutex<Worker> {
    static WORKER: OnceLock<Mutex<Worker>> = OnceLock::new();
    WORKER.get_or_init(|| {
        let (jobs, job_rx) = sync_channel::<String>(0);
        let (done_tx, done) = sync_channel::<()>(0);
        std::thread::Builder::new()
            .name("parse-small-stack".into())
            .stack_size(PARSE_STACK)
            .spawn(move || {
                for query in job_rx {
                    parse_and_check(&query);
                    if done_tx.send(()).is_err() {
                        break;
                    }
                }
            })
            .expect("spawn the parse worker");
        Mutex::new(Worker { jobs, done })
    })
}

/// Parses an accepted document on the small stack.
fn parse_on_small_stack(query: &str) {
    let worker = worker().lock().unwrap_or_else(|e| e.into_inner());
    worker
        .jobs
        .send(query.to_owned())
        .expect("the parse worker is alive");
    worker.done.recv().expect("the parse worker finished");
}

/// What production does with an accepted document, and the checks on what it parsed to.
fn parse_and_check(query: &str) {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return;
    };
    let depth = nesting(&document);
    assert!(
        depth <= limits::MAX_NESTING,
        "check_document accepted a document whose syntax tree nests {depth} brackets deep \
         (more than MAX_NESTING = {}): {query:?}",
        limits::MAX_NESTING
    );
    // The parser read the whole text, so the text ends outside any string or comment: brackets
    // appended after a line break must be counted. If the scan still ignores them, it thinks
    // it is inside a string the parser saw closed, and whatever follows that string (however
    // deep) reaches the parser unmeasured.
    let probe = format!("{query}\n{}", "[".repeat(limits::MAX_NESTING + 1));
    assert!(
        check_document(&probe).is_err(),
        "check_document accepted {} brackets after a document that parses: it disagrees with \
         the parser about where a string or comment ends in {query:?}",
        limits::MAX_NESTING + 1
    );
    let aliases = count_aliases(&document);
    // An alias is a name and a colon, at least two tokens.
    assert!(
        aliases <= limits::MAX_TOKENS / 2,
        "count_aliases gave {aliases} for an accepted document (at most {} tokens)",
        limits::MAX_TOKENS
    );
    drop(document);
}

/// One part of a document still to measure, with the number of brackets open around it.
enum Part<'a> {
    Selections(&'a SelectionSet),
    Value(&'a Value),
    Const(&'a ConstValue),
    Type(&'a Type),
}

/// The deepest bracket nesting of a parsed document: `{` of selection sets and input objects,
/// `[` of lists and list types, `(` of arguments and variable definitions. Iterative.
fn nesting(document: &ExecutableDocument) -> usize {
    let mut deepest = 0;
    let mut pending: Vec<(Part<'_>, usize)> = Vec::new();
    // Arguments `(…)` opened at depth `outside`: their values are one deeper.
    fn arguments<'a>(
        arguments: impl IntoIterator<Item = &'a Positioned<Value>>,
        outside: usize,
        deepest: &mut usize,
        pending: &mut Vec<(Part<'a>, usize)>,
    ) {
        let mut any = false;
        for value in arguments {
            any = true;
            pending.push((Part::Value(&value.node), outside + 1));
        }
        if any {
            *deepest = (*deepest).max(outside + 1);
        }
    }
    fn directives<'a>(
        directives: &'a [Positioned<Directive>],
        outside: usize,
        deepest: &mut usize,
        pending: &mut Vec<(Part<'a>, usize)>,
    ) {
        for directive in directives {
            let values = directive.node.arguments.iter().map(|(_, v)| v);
            arguments(values, outside, deepest, pending);
        }
    }

    for (_, operation) in document.operations.iter() {
        let operation = &operation.node;
        if !operation.variable_definitions.is_empty() {
            deepest = deepest.max(1);
        }
        for variable in &operation.variable_definitions {
            let variable = &variable.node;
            pending.push((Part::Type(&variable.var_type.node), 1));
            if let Some(default) = &variable.default_value {
                pending.push((Part::Const(&default.node), 1));
            }
            directives(&variable.directives, 1, &mut deepest, &mut pending);
        }
        directives(&operation.directives, 0, &mut deepest, &mut pending);
        pending.push((Part::Selections(&operation.selection_set.node), 0));
    }
    for fragment in document.fragments.values() {
        directives(&fragment.node.directives, 0, &mut deepest, &mut pending);
        pending.push((Part::Selections(&fragment.node.selection_set.node), 0));
    }

    while let Some((part, outside)) = pending.pop() {
        let inside = outside + 1;
        match part {
            Part::Selections(set) => {
                if set.items.is_empty() {
                    continue;
                }
                deepest = deepest.max(inside);
                for item in &set.items {
                    match &item.node {
                        Selection::Field(field) => {
                            let field = &field.node;
                            let values = field.arguments.iter().map(|(_, v)| v);
                            arguments(values, inside, &mut deepest, &mut pending);
                            directives(&field.directives, inside, &mut deepest, &mut pending);
                            pending.push((Part::Selections(&field.selection_set.node), inside));
                        }
                        Selection::FragmentSpread(spread) => {
                            directives(&spread.node.directives, inside, &mut deepest, &mut pending);
                        }
                        Selection::InlineFragment(fragment) => {
                            let fragment = &fragment.node;
                            directives(&fragment.directives, inside, &mut deepest, &mut pending);
                            pending.push((Part::Selections(&fragment.selection_set.node), inside));
                        }
                    }
                }
            }
            Part::Value(Value::List(items)) => {
                deepest = deepest.max(inside);
                pending.extend(items.iter().map(|v| (Part::Value(v), inside)));
            }
            Part::Value(Value::Object(fields)) => {
                deepest = deepest.max(inside);
                pending.extend(fields.values().map(|v| (Part::Value(v), inside)));
            }
            Part::Const(ConstValue::List(items)) => {
                deepest = deepest.max(inside);
                pending.extend(items.iter().map(|v| (Part::Const(v), inside)));
            }
            Part::Const(ConstValue::Object(fields)) => {
                deepest = deepest.max(inside);
                pending.extend(fields.values().map(|v| (Part::Const(v), inside)));
            }
            Part::Type(Type {
                base: BaseType::List(inner),
                ..
            }) => {
                deepest = deepest.max(inside);
                pending.push((Part::Type(inner), inside));
            }
            Part::Value(_) | Part::Const(_) | Part::Type(_) => {}
        }
    }
    deepest
}

/// The deepest nesting of the variables, a top-level value being at depth 1. Iterative.
fn variable_depth(variables: &async_graphql::Variables) -> usize {
    let mut deepest = 0;
    let mut pending: Vec<(&ConstValue, usize)> = variables.values().map(|v| (v, 1)).collect();
    while let Some((value, depth)) = pending.pop() {
        deepest = deepest.max(depth);
        match value {
            ConstValue::List(items) => pending.extend(items.iter().map(|v| (v, depth + 1))),
            ConstValue::Object(fields) => pending.extend(fields.values().map(|v| (v, depth + 1))),
            _ => {}
        }
    }
    deepest
}

fuzz_target!(|data: &[u8]| {
    // The document as text.
    let text = String::from_utf8_lossy(data);
    let accepted = check_document(&text);
    // The scan is a pure function of the text.
    assert_eq!(accepted, check_document(&text));
    if accepted.is_ok() {
        parse_on_small_stack(&text);
    }

    // The bytes as a JSON body. serde_json bounds its own recursion at 128.
    if let Ok(batch) = serde_json::from_slice::<BatchRequest>(data) {
        let requests = match batch {
            BatchRequest::Single(request) => vec![request],
            BatchRequest::Batch(requests) => requests,
        };
        for request in &requests {
            if check_request(request).is_ok() {
                let depth = variable_depth(&request.variables);
                assert!(
                    depth <= limits::MAX_VARIABLE_DEPTH,
                    "check_request accepted variables nested {depth} deep"
                );
                parse_on_small_stack(&request.query);
            }
        }
    }
});
