"""Reading bookings from JSON Lines, CSV or Parquet in bounded chunks; writing the results.

A `Source` yields chunks of about ``rows`` rows, never the whole file: Arrow record batches
(Parquet, CSV), raw JSON Lines (parsed where they are quoted, in the worker), or rows that are
errors already (a CSV line of the wrong width). A `Sink` writes quoted batches as they come, to
a temporary file renamed into place when the job ends, so that a failed job never leaves a
half-written result under the real name.

The file's kind comes from its extension (``.parquet``/``.pq``, ``.csv``, ``.jsonl``/
``.ndjson``/``.json``), or is named (``kind=``). A Parquet input may be a directory of files
(a partitioned dataset, as the Dask engine writes).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Final, Literal

import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from penalty.batch._jsonl import JSONL_SCHEMA, Lines, batch_lines, json_lines, lines_to_batch
from penalty.batch._local import peak_rss
from penalty.batch._table import assemble, check_schema, error_batch, output_schema, quote_rows
from penalty.errors import InvalidInput

__all__ = [
    "Chunk",
    "Failed",
    "Kind",
    "Packed",
    "Sink",
    "Source",
    "kind_of",
    "open_sink",
    "open_source",
    "pack",
    "parquet_batches",
    "quote_chunk",
    "unpack",
]

Kind = Literal["parquet", "csv", "jsonl"]
_EXTENSIONS: Final[dict[str, Kind]] = {
    ".parquet": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}
#: CSV is read this many bytes at a time (a block holds whole rows).
_CSV_BLOCK = 4 << 20
#: JSON text of a cell is at most this long in an error message.
_SHOWN = 80


@dataclass(frozen=True)
class Failed:
    """Input that never became rows: each ``(code, path, message)`` is one error row."""

    errors: tuple[tuple[str, str | None, str], ...]


@dataclass(frozen=True)
class Packed:
    """A record batch as Arrow IPC bytes, for sending to another process.

    Pickling a batch sends every buffer it points into, and a batch read from Parquet or CSV
    points into its whole row group or block (a 5,000-row slice of a 100,000-row group would
    carry all 100,000 rows). The IPC format writes the batch's own rows only.
    """

    data: bytes
    #: The peak memory of the process that packed it (a worker reports its own this way).
    rss: int = 0

    @classmethod
    def of(cls, batch: pa.RecordBatch, *, rss: int = 0) -> Packed:
        """``batch``'s rows, and nothing else."""
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, batch.schema) as writer:
            writer.write_batch(batch)
        return cls(sink.getvalue().to_pybytes(), rss)

    def batch(self) -> pa.RecordBatch:
        """The batch again."""
        return pa.ipc.open_stream(self.data).read_next_batch()


#: What a `Source` yields: rows to quote, raw JSON Lines to parse and quote, or errors; and,
#: on its way to a worker process, rows packed (`pack`).
Chunk = pa.RecordBatch | Lines | Failed | Packed


def pack(chunk: Chunk) -> Chunk:
    """``chunk`` ready to be sent to a worker process (a record batch, `Packed`)."""
    return Packed.of(chunk) if isinstance(chunk, pa.RecordBatch) else chunk


def unpack(chunk: Chunk) -> pa.RecordBatch | Lines | Failed:
    """``chunk`` as it was before `pack`."""
    return chunk.batch() if isinstance(chunk, Packed) else chunk


def kind_of(path: str, kind: str | None = None, *, what: str = "input") -> Kind:
    """The file kind named, or read from ``path``'s extension (a directory is Parquet)."""
    if kind is not None:
        if kind not in {"parquet", "csv", "jsonl"}:
            raise InvalidInput(
                "a file kind is one of parquet, csv, jsonl", path=what, value=kind, code="kind"
            )
        return kind  # type: ignore[return-value]
    suffix = Path(path).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    if Path(path).is_dir():
        return "parquet"
    raise InvalidInput(
        "cannot tell the file's kind from its extension: use .parquet, .csv or .jsonl, "
        f"or name it with --{what}-kind",
        path=what,
        value=path,
        code="unknown_kind",
    )


def _unreadable(path: str, exc: BaseException) -> InvalidInput:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InvalidInput(
        f"cannot read the input: {reason.splitlines()[0] if reason else type(exc).__name__}",
        path="input",
        value=path,
        code="unreadable",
    )


def _slices(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """Batches of at most ``rows`` rows (zero-copy slices of bigger ones)."""
    for batch in batches:
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def _joined(pieces: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(pieces) == 1:
        return pieces[0]
    (joined,) = pa.Table.from_batches(pieces).combine_chunks().to_batches()
    return joined


def _rebatched(batches: Iterable[pa.RecordBatch], rows: int) -> Iterator[pa.RecordBatch]:
    """The rows of ``batches`` in batches of ``rows`` rows, the last one shorter."""
    pending: list[pa.RecordBatch] = []
    held = 0
    for batch in batches:
        start = 0
        while start < batch.num_rows:
            piece = batch.slice(start, rows - held)
            start += piece.num_rows
            pending.append(piece)
            held += piece.num_rows
            if held == rows:
                yield _joined(pending)
                pending, held = [], 0
    if held:
        yield _joined(pending)


def parquet_batches(
    file: pq.ParquetFile, rows: int, row_groups: Iterable[int] | None = None
) -> Iterator[pa.RecordBatch]:
    """The rows of ``file``'s ``row_groups`` (all by default), in batches of ``rows`` rows.

    Read one row group at a time: one `pyarrow.parquet.ParquetFile.iter_batches` over many
    row groups holds more Arrow memory the more of them it has read, until it ends (pyarrow
    26: 42 MB after the first of twelve 100,000-row groups of bookings, 160 MB after the
    last), so a job's main process grew with its input. A batch still spans row groups as
    `iter_batches`'s do: every batch but the last has ``rows`` rows.
    """
    groups = range(file.num_row_groups) if row_groups is None else row_groups
    pieces = (
        batch
        for group in groups
        for batch in file.iter_batches(batch_size=rows, row_groups=[group])
    )
    return _rebatched(pieces, rows)


@dataclass
class Source:
    """An input file read in chunks of about ``rows`` rows."""

    path: str
    kind: Kind
    rows: int
    schema: pa.Schema
    total: int | None = None
    #: The Parquet files of a Parquet input (one, or a directory's).
    files: tuple[str, ...] = field(default=(), repr=False)

    def chunks(self) -> Iterator[Chunk]:
        """The file's chunks, in order; memory holds a few at most."""
        try:
            if self.kind == "jsonl":
                with Path(self.path).open("rb") as handle:
                    yield from json_lines(handle, self.rows)
            elif self.kind == "csv":
                yield from self._csv()
            else:
                yield from self._parquet()
        except (OSError, pa.ArrowException) as exc:
            raise _unreadable(self.path, exc) from exc

    def _parquet(self) -> Iterator[pa.RecordBatch]:
        """Each file's batches in turn, read a batch at a time (`parquet_batches`)."""
        for path in self.files:
            with pq.ParquetFile(path) as file:
                for batch in parquet_batches(file, self.rows):
                    yield batch if batch.schema == self.schema else batch.cast(self.schema)

    def _csv(self) -> Iterator[Chunk]:
        invalid: list[tuple[str, str | None, str]] = []

        def handler(row: pa_csv.InvalidRow) -> Literal["skip", "error"]:
            text = row.text if len(row.text) <= _SHOWN else row.text[: _SHOWN - 3] + "..."
            where = f"line {row.number}: " if row.number is not None else ""
            invalid.append(
                (
                    "invalid_csv_row",
                    None,
                    (
                        f"{where}{row.actual_columns} columns instead of "
                        f"{row.expected_columns}: {text!r}"
                    ),
                )
            )
            return "skip"

        reader = pa_csv.open_csv(
            self.path,
            read_options=pa_csv.ReadOptions(block_size=_CSV_BLOCK),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, invalid_row_handler=handler),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(self.schema.names, pa.string()),
                strings_can_be_null=False,
            ),
        )
        for batch in _slices(reader, self.rows):
            if invalid:
                yield Failed(tuple(invalid))
                invalid.clear()
            yield batch
        if invalid:
            yield Failed(tuple(invalid))


def _csv_header(path: str) -> list[str]:
    with Path(path).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise InvalidInput("the CSV file has no header row", path="input", value=path, code="empty")
    return header


def open_source(path: str, *, kind: str | None = None, rows: int = 5000) -> Source:
    """``path`` opened for reading in chunks of ``rows`` rows.

    Raises:
        InvalidInput: the file is missing, unreadable, or of an unknown kind.
    """
    which = kind_of(path, kind)
    try:
        if which == "jsonl":
            with Path(path).open("rb"):
                pass
            return Source(path, which, rows, JSONL_SCHEMA)
        if which == "csv":
            names = _csv_header(path)
            source = Source(path, which, rows, pa.schema([(name, pa.string()) for name in names]))
        else:
            dataset = pa_ds.dataset(path, format="parquet")
            files = tuple(dataset.files) if isinstance(dataset, pa_ds.FileSystemDataset) else ()
            source = Source(path, which, rows, dataset.schema, dataset.count_rows(), files)
    except (OSError, UnicodeDecodeError, csv.Error, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from exc
    check_schema(source.schema)
    return source


def quote_chunk(
    chunk: Chunk,
    at: datetime | str,
    schema: pa.Schema,
    format: str = "auto",  # noqa: A002
    *,
    remote: bool = False,
) -> pa.RecordBatch | Packed:
    """One chunk quoted: what each worker runs (``at`` already checked by `instant`).

    ``remote``: the result goes back to another process, `Packed`, with this process's peak
    memory.
    """
    quoted = _quote(unpack(chunk), at, schema, format)
    return Packed.of(quoted, rss=peak_rss()) if remote else quoted


def _quote(
    chunk: pa.RecordBatch | Lines | Failed,
    at: datetime | str,
    schema: pa.Schema,
    format: str,  # noqa: A002
) -> pa.RecordBatch:
    if isinstance(chunk, Failed):
        return error_batch(schema, chunk.errors)
    if isinstance(chunk, tuple):
        batch, preset = lines_to_batch(chunk)
        return assemble(batch, quote_rows(batch, at, preset=preset, format=format))
    return assemble(chunk, quote_rows(chunk, at, format=format))


# -- writing ------------------------------------------------------------------------------------


class Sink:
    """Quoted batches written to ``path`` as they come (``kind`` from the extension)."""

    def __init__(self, path: str, kind: Kind, schema: pa.Schema) -> None:
        self.path = path
        self.kind = kind
        self.schema = schema
        self.rows = 0
        self._partial = Path(f"{path}.partial")
        self._text: IO[str] | None = None
        self._writer: pq.ParquetWriter | pa_csv.CSVWriter | None = None
        try:
            if kind == "parquet":
                self._writer = pq.ParquetWriter(str(self._partial), schema)
            elif kind == "csv":
                self._writer = pa_csv.CSVWriter(str(self._partial), schema)
            else:
                self._text = self._partial.open("w", encoding="utf-8")
        except (OSError, pa.ArrowException) as exc:
            raise InvalidInput(
                f"cannot write the output: {exc}", path="out", value=path, code="unwritable"
            ) from exc

    def write(self, batch: pa.RecordBatch) -> None:
        """Append ``batch`` (its schema is the sink's)."""
        if self._text is not None:
            self._text.writelines(batch_lines(batch))
        elif self._writer is not None:
            self._writer.write_batch(batch)
        self.rows += batch.num_rows

    def close(self, *, keep: bool = True) -> None:
        """Finish the file and give it its name (``keep``), or remove what was written."""
        if self._text is not None:
            self._text.close()
        elif self._writer is not None:
            self._writer.close()
        if keep:
            self._partial.replace(self.path)
        else:
            self._partial.unlink(missing_ok=True)


def open_sink(path: str, schema: pa.Schema, *, kind: str | None = None) -> Sink:
    """A `Sink` for quoted rows of input ``schema``."""
    return Sink(path, kind_of(path, kind, what="output"), output_schema(schema))
