"""trendgraph: everything below the GraphQL surface (settings, database, domain, loaders, ASGI)."""
