"""Nightly batches: every open booking re-quoted, and the cancellation exposure over time.

Needs the ``batch`` extra (``pip install 'penalty[batch]'``: pyarrow, dask[distributed], rich).

- `quote_batch` (and `quote_table`, `quote_pandas`): the pure per-batch function. Rows with
  ``id``, ``booking`` and ``policy`` (JSON text), ``format`` and ``zone`` come back with
  ``fee``, ``fee_minor``, ``currency``, ``phase``, ``free_until``, ``next_change``,
  ``next_fee``, ``refundability``, ``warnings``, and ``error_code`` / ``error_path`` /
  ``error_message`` for a row that cannot be quoted. Spark's ``mapInArrow`` and Ray Data's
  ``map_batches`` call it as it is (README, "Batch and exposure").
- `run_batch`: a file (JSON Lines, CSV or Parquet) quoted in bounded chunks on every local
  core, or on a Dask cluster; `run_exposure`: per currency, the total fee if every booking were
  cancelled at each step, and how many are still free.
"""

from __future__ import annotations

try:
    import pyarrow as pa  # noqa: F401 - the extra's marker
except ImportError as exc:  # pragma: no cover - exercised in an environment without the extra
    raise ImportError("penalty.batch needs the batch extra: pip install 'penalty[batch]'") from exc

from penalty.batch._table import (
    INPUT_COLUMNS,
    RESULT_DDL,
    RESULT_SCHEMA,
    output_schema,
    quote_batch,
    quote_pandas,
    quote_table,
)

__all__ = [
    "INPUT_COLUMNS",
    "RESULT_DDL",
    "RESULT_SCHEMA",
    "output_schema",
    "quote_batch",
    "quote_pandas",
    "quote_table",
]
