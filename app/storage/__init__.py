"""Storage: the database client and indexes, the embedded server, repositories, the change
feed, persisted queries, the response cache and rate-limit buckets."""
