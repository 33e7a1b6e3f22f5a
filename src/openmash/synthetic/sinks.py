"""Where generated rows go: PostgreSQL through COPY, or a list in memory for tests.

COPY is an order of magnitude faster than INSERT for a few hundred thousand rows.
Rows are buffered per table and copied in batches, so memory stays bounded however
big the borough is. Row-level triggers still fire on COPY, so change history is
recorded as for any insert.

Foreign keys are checked as each batch lands (the service sets constraints IMMEDIATE):
with checks deferred to commit, every change-history trigger re-scans the growing queue
of pending checks and loading turns quadratic (measured: 20,000 identities took 5.4 s
deferred against 1.1 s immediate, and minutes for a whole borough). So a batch is
copied only after the batches of the tables it refers to, and the generator adds
parents before children.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Protocol

from django.db import connection
from django.db.models import Model

_MISSING = object()


class RowSink(Protocol):
    def add(self, model: type[Model], row: dict[str, Any]) -> None: ...

    def close(self) -> None: ...


class TableLayout:
    """A model's columns in table order, and the value of each column a row leaves out."""

    def __init__(self, model: type[Model]) -> None:
        fields = list(model._meta.concrete_fields)
        self.model = model
        self.table = model._meta.db_table
        self.attnames = [field.attname for field in fields]
        self.columns = [str(field.column) for field in fields]
        self._defaults: dict[str, Any] = {}
        for field in fields:
            # Callable defaults (uuid4, now) would differ per row: a row must give those itself.
            if field.has_default() and callable(field.default):
                self._defaults[field.attname] = _MISSING
            else:
                self._defaults[field.attname] = field.get_default()
        self._checked = False

    def to_tuple(self, row: dict[str, Any]) -> tuple[Any, ...]:
        if not self._checked:
            unknown = set(row) - set(self.attnames)
            if unknown:
                raise ValueError(f"{self.table} has no column for {sorted(unknown)}")
            self._checked = True
        values = tuple(row.get(name, self._defaults[name]) for name in self.attnames)
        if _MISSING in values:
            missing = [name for name, value in zip(self.attnames, values, strict=True) if value is _MISSING]
            raise ValueError(f"{self.table} row lacks {missing}")
        return values


class _BufferedSink:
    def __init__(self) -> None:
        self._layouts: dict[type[Model], TableLayout] = {}
        self.counts: dict[str, int] = defaultdict(int)

    def layout(self, model: type[Model]) -> TableLayout:
        layout = self._layouts.get(model)
        if layout is None:
            layout = self._layouts[model] = TableLayout(model)
        return layout


def _references(model: type[Model]) -> list[type[Model]]:
    return [
        field.related_model  # type: ignore[misc]
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is not None
    ]


class CopySink(_BufferedSink):
    def __init__(self, *, batch_rows: int = 20_000) -> None:
        super().__init__()
        self._batch_rows = batch_rows
        self._buffers: dict[type[Model], list[tuple[Any, ...]]] = defaultdict(list)
        self._refers_to: dict[type[Model], list[type[Model]]] = {}

    def add(self, model: type[Model], row: dict[str, Any]) -> None:
        buffer = self._buffers[model]
        buffer.append(self.layout(model).to_tuple(row))
        if len(buffer) >= self._batch_rows:
            self._flush(model)

    def _targets(self, model: type[Model]) -> list[type[Model]]:
        targets = self._refers_to.get(model)
        if targets is None:
            targets = self._refers_to[model] = _references(model)
        return targets

    def _flush(self, model: type[Model]) -> None:
        for target in self._targets(model):
            if target is not model and self._buffers.get(target):
                self._flush(target)
        rows = self._buffers.pop(model, [])
        if not rows:
            return
        layout = self.layout(model)
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in layout.columns)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            with raw.copy(f"COPY {quote(layout.table)} ({columns}) FROM STDIN") as copy:
                for values in rows:
                    copy.write_row(values)
        self.counts[layout.table] += len(rows)

    def close(self) -> None:
        for model in list(self._buffers):
            self._flush(model)


class MemorySink(_BufferedSink):
    """Keeps every row as a dict of column values, for tests that need no database."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[type[Model], list[dict[str, Any]]] = defaultdict(list)

    def add(self, model: type[Model], row: dict[str, Any]) -> None:
        layout = self.layout(model)
        self.rows[model].append(dict(zip(layout.attnames, layout.to_tuple(row), strict=True)))
        self.counts[layout.table] += 1

    def close(self) -> None:
        return None
