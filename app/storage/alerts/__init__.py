"""Storage of watchlists, alert rules, the alert outbox, delivery attempts and the
evaluator's trend snapshots; every document carries its owner's key id."""
