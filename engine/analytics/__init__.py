"""Process analytics: how a process performs, in time and in Six Sigma figures.

- `formulas`: the pure arithmetic (DPMO, sigma level, yields, control limits, percentiles);
- `report`: the frozen values every surface renders (`ProcessReport` and its parts);
- `queries`: the read model, aggregates computed in the database (SQLAlchemy Core);
- `sql`: the few expressions SQLite and PostgreSQL spell differently.

docs/analytics.md defines every figure.
"""
