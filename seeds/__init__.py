"""Seed data (``seeds/data/*.json``) and the loader that puts it in the database."""
