//! Whether an operation got as far as execution.
//!
//! GraphQL tells two kinds of failure apart. A *request error* (the document does not parse, it
//! fails validation or a limit, a variable cannot be coerced, the named operation is not in the
//! document) stops the request before anything runs: its response has `errors` and no `data`
//! entry at all, and GraphQL over HTTP answers it with 400 under
//! `application/graphql-response+json`. A *field error* happens during execution: `data` is
//! present (perhaps `null`, when the error reached a non-null root field) and the status is 200.
//!
//! async-graphql's [`Response`] cannot say which it holds (`data` is `null` either way), so
//! [`ExecutionMarker`] notes on the request's [`Executed`] flag that execution began; the HTTP
//! layer reads the flag after the operation ran. async-graphql also leaves one request error
//! to execution, where it would surface as a field error: a required variable (`$n: Int!`, no
//! default) that the request does not give, or gives as `null`. The marker refuses that as the
//! document is parsed, as GraphQL's variable coercion does.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationDefinition};
use async_graphql::{Request, Response, ServerError, ServerResult, Value, Variables};

/// One operation's flag, attached to its request as data: set once the operation passed
/// parsing, validation and variable coercion and began executing.
#[derive(Debug, Clone, Default)]
pub struct Executed(Arc<AtomicBool>);

impl Executed {
    /// Whether the operation began executing (false: its response is a request error).
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Sets the request's [`Executed`] flag as execution begins (async-graphql calls an extension's
/// `execute` only for an operation whose preparation succeeded), and refuses a missing required
/// variable before then.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExecutionMarker;

impl ExtensionFactory for ExecutionMarker {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(MarkerForOneRequest::default())
    }
}

/// The marker for one request (async-graphql creates extensions afresh for each operation):
/// it keeps the operation's name from preparation until the document is parsed.
#[derive(Debug, Default)]
struct MarkerForOneRequest {
    operation_name: Mutex<Option<String>>,
}

#[async_graphql::async_trait::async_trait]
impl Extension for MarkerForOneRequest {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        if let Ok(mut name) = self.operation_name.lock() {
            name.clone_from(&request.operation_name);
        }
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        let name = self
            .operation_name
            .lock()
            .ok()
            .and_then(|name| name.clone());
        // An operation that is not there is refused by async-graphql itself, after validation.
        if let Some(operation) = selected(&document, name.as_deref()) {
            required_variables_given(operation, variables)?;
        }
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(executed) = ctx.data_opt::<Executed>() {
            executed.0.store(true, Ordering::Release);
        }
        next.run(ctx, operation_name).await
    }
}

/// The operation a request runs: the one named, or the document's only one.
fn selected<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a OperationDefinition> {
    match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(&operation.node),
        (DocumentOperations::Multiple(operations), Some(name)) => {
            operations.get(name).map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next().map(|operation| &operation.node)
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// GraphQL's variable coercion, for the case async-graphql leaves to execution: a variable of
/// non-null type with no default must be given, and not as `null`.
fn required_variables_given(
    operation: &OperationDefinition,
    variables: &Variables,
) -> ServerResult<()> {
    for definition in &operation.variable_definitions {
        let definition = &definition.node;
        let required = !definition.var_type.node.nullable && definition.default_value.is_none();
        let given = variables
            .get(&definition.name.node)
            .is_some_and(|value| *value != Value::Null);
        if required && !given {
            return Err(ServerError::new(
                format!(
                    r#"Variable "${}" of required type "{}" was not provided."#,
                    definition.name.node, definition.var_type.node
                ),
                Some(definition.name.pos),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};
    use serde_json::json;

    use super::*;

    struct Query;

    #[Object]
    impl Query {
        async fn ok(&self) -> bool {
            true
        }

        async fn fails(&self) -> async_graphql::Result<bool> {
            Err("it failed".into())
        }
    }

    /// Runs `query` (as operation `name`, if given) and says whether it executed.
    async fn run(
        query: &str,
        name: Option<&str>,
        variables: serde_json::Value,
    ) -> (bool, Response) {
        let schema = Schema::build(Query, EmptyMutation, EmptySubscription)
            .extension(ExecutionMarker)
            .finish();
        let executed = Executed::default();
        let mut request = Request::new(query)
            .variables(Variables::from_json(variables))
            .data(executed.clone());
        if let Some(name) = name {
            request = request.operation_name(name);
        }
        let response = schema.execute(request).await;
        (executed.get(), response)
    }

    #[tokio::test]
    async fn request_errors_never_execute() {
        let include = "query Q($b: Boolean!) { ok @include(if: $b) }";
        for (query, variables) in [
            ("{", json!({})),
            ("{ nope }", json!({})),
            ("query A { ok } query B { ok }", json!({})),
            (include, json!({})),
            (include, json!({ "b": null })),
            (include, json!({ "b": "yes" })),
        ] {
            let (executed, response) = run(query, None, variables.clone()).await;
            assert!(!executed, "{query} with {variables} should not execute");
            assert!(response.is_err(), "{query} with {variables} should fail");
        }
        let (_, response) = run(include, None, json!({})).await;
        assert_eq!(
            response.errors[0].message,
            r#"Variable "$b" of required type "Boolean!" was not provided."#
        );
    }

    #[tokio::test]
    async fn field_errors_and_successes_executed() {
        let (executed, response) = run("{ fails }", None, json!({})).await;
        assert!(
            executed && response.is_err(),
            "a field error happens in execution"
        );
        for (query, name, variables) in [
            ("{ ok }", None, json!({})),
            (
                "query Q($b: Boolean!) { ok @include(if: $b) }",
                None,
                json!({ "b": true }),
            ),
            (
                "query Q($b: Boolean! = true) { ok @include(if: $b) }",
                None,
                json!({}),
            ),
            // Only the operation that runs needs its variables.
            (
                "query A($b: Boolean!) { ok @include(if: $b) } query B { ok }",
                Some("B"),
                json!({}),
            ),
        ] {
            let (executed, response) = run(query, name, variables).await;
            assert!(
                executed && response.is_ok(),
                "{query}: {:?}",
                response.errors
            );
        }
    }
}
