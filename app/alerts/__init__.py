"""Alerts at run time: the evaluator following the trend change stream into the outbox, and
the deliverer sending the outbox's alerts as signed webhooks. Both run in every API process
(started in the ASGI lifespan); they sit between the web layer and storage."""
