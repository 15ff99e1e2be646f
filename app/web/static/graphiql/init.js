// Starts GraphiQL on /graphql (the page's own URL), subscriptions over graphql-transport-ws.
// Part of trendgraph (MIT); kept in a file so the page needs no inline script.
(function () {
  "use strict";
  var url = window.location.origin + window.location.pathname;
  var subscriptionUrl = url.replace(/^http/, "ws");
  var fetcher = GraphiQL.createFetcher({ url: url, subscriptionUrl: subscriptionUrl });
  var defaultQuery = [
    "# trendgraph: trends, their growth and four framework analyses.",
    "# Run with Ctrl-Enter; the Docs pane lists every type and field.",
    "{",
    '  trend(slug: "asyncio") {',
    "    name",
    "    growth { label percent }",
    "  }",
    "}",
    "",
  ].join("\n");
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
    })
  );
})();
