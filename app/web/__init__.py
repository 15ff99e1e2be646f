"""Web: the ASGI app, the GraphQL view and GraphQL-over-HTTP rules, HTTP caching, GraphiQL."""
