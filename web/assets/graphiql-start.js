// Starts GraphiQL against the registry's own endpoint. A signed-in browser's session must
// prove each request comes from the registry's pages, so the page's CSRF token goes with it.
const csrf = document.querySelector('meta[name="csrf-token"]');
const fetcher = GraphiQL.createFetcher({
  url: "/graphql",
  headers: csrf ? { "X-CSRF-Token": csrf.content } : {},
});
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(
    GraphiQL,
    { fetcher, defaultEditorToolsVisibility: true },
    React.createElement(GraphiQL.Logo, null, "Innovation Outcomes Registry"),
  ),
);

// GraphiQL's editors (CodeMirror) give their text areas no name and their scrolling regions no
// way in from the keyboard; name each after the editor it belongs to, as editors appear.
const editorNames = [
  [".graphiql-query-editor", "Query"],
  [".graphiql-editor-tool .graphiql-editor:not(.hidden)", "Variables or headers"],
  [".graphiql-response", "Response"],
];
function nameEditors() {
  for (const [selector, name] of editorNames) {
    for (const editor of document.querySelectorAll(`${selector} .CodeMirror`)) {
      const input = editor.querySelector("textarea");
      if (input && !input.hasAttribute("aria-label")) input.setAttribute("aria-label", name);
      const scroll = editor.querySelector(".CodeMirror-scroll");
      if (scroll && scroll.getAttribute("tabindex") === "-1") scroll.setAttribute("tabindex", "0");
    }
  }
  for (const input of document.querySelectorAll(".CodeMirror textarea:not([aria-label])")) {
    input.setAttribute("aria-label", "GraphQL editor");
  }
}
new MutationObserver(nameEditors).observe(document.body, { childList: true, subtree: true });
