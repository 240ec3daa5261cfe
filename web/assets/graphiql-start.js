// Starts GraphiQL against the registry's own endpoint. A signed-in browser's session must
// prove each request comes from the registry's pages, so the page's CSRF token goes with it.
const csrf = document.querySelector('meta[name="csrf-token"]');
const fetcher = GraphiQL.createFetcher({
  url: "/graphql",
  headers: csrf ? { "X-CSRF-Token": csrf.content } : {},
});
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultEditorToolsVisibility: true }),
);
