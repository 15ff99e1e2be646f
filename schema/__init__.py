"""The GraphQL surface: types, queries, and the exported SDL (``schema/schema.graphql``)."""
