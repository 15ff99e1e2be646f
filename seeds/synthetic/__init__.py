"""Synthetic trends for demos and load tests: ``python -m seeds.synthetic --count N --seed S``."""
