"""Statements the write path runs on every request, built by Django's ORM once and then run as SQL.

Building and compiling a query is most of what a small read costs in Django: for the few
rows a session's log reads, 0.3-1 ms of Python each, against a few hundredths of a
millisecond in the database (docs/performance.md, "Where a write's time goes"). A prepared
statement is written as an ordinary queryset, as a function of its values; the ORM compiles
it once per process and database, and each call after that sends the same SQL with its own
values, and reads the rows back through the ORM's own converters and model loading (dates
and times from SQLite's text, JSON, select_related). Tests compare each one with its
queryset, on SQLite and on PostgreSQL.

Which value goes where is found by compiling the query with sample values, then once more
for each value with another sample in its place: the parameters that change are that value's
slots. So a value must be a single one (no `__in` with a list, whose length would change the
SQL); a query whose SQL changes with its values is refused when it is first compiled.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, transaction
from django.db.models import QuerySet
from django.db.models.query import ValuesListIterable, get_related_populators
from django.db.models.sql import UpdateQuery

try:  # drivers whose cursor runs several statements, with their parameters, in one execute()
    from psycopg import ClientCursor

    _ONE_QUERY_CURSORS: tuple[type, ...] = (ClientCursor,)
except ImportError:  # PostgreSQL's driver is not installed: SQLite only
    _ONE_QUERY_CURSORS = ()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    slots: tuple[tuple[int, int], ...]  # (parameter position, value index)
    compiler: Any
    converters: dict  # a read's, by column


class _Statement:
    def __init__(self, samples: tuple, other: tuple):
        """`samples` and `other`: two sets of example values, each different from the other in every place."""
        if len(samples) != len(other) or any(a == b for a, b in zip(samples, other, strict=True)):
            raise ValueError("each sample value needs a different other value")
        self._samples, self._other = samples, other
        # By connection: each thread has its own, and a compiler (its converters) belongs to one.
        self._compiled: weakref.WeakKeyDictionary[Any, _Compiled] = weakref.WeakKeyDictionary()

    def _compiler(self, values: tuple, using: str):
        raise NotImplementedError

    def _execute(self, cursor, values: tuple, using: str) -> _Compiled:
        compiled, params = self._bound(values, using)
        cursor.execute(compiled.sql, params)
        return compiled

    def _bound(self, values: tuple, using: str) -> tuple[_Compiled, list]:
        connection = connections[using]
        compiled = self._compiled.get(connection) or self._compile(using)
        params = list(compiled.params)
        for position, index in compiled.slots:
            params[position] = _adapted(connection, values[index])
        return compiled, params

    def _compile(self, using: str) -> _Compiled:
        first = self._compiler(self._samples, using)
        sql, params = first.as_sql()
        slots = []
        for index in range(len(self._samples)):
            changed = list(self._samples)
            changed[index] = self._other[index]
            other_sql, other_params = self._compiler(tuple(changed), using).as_sql()
            if other_sql != sql or len(other_params) != len(params):
                raise ValueError(f"value {index} changes the statement's SQL, not only its parameters")
            slots += [(at, index) for at, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b]
        if {index for _, index in slots} != set(range(len(self._samples))):
            raise ValueError("each value must fill a parameter of the statement")
        compiled = _Compiled(sql, tuple(params), tuple(slots), first, _converters(first))
        self._compiled[connections[using]] = compiled
        return compiled


class Prepared(_Statement):
    """A read: `build(*values)` makes the queryset, of model instances or a values_list()."""

    def __init__(self, build: Callable[..., QuerySet], samples: tuple, other: tuple):
        super().__init__(samples, other)
        self.queryset = build  # the queryset itself, as the ORM runs it (what the tests compare with)
        self._tuples = build(*samples)._iterable_class is ValuesListIterable

    def _compiler(self, values: tuple, using: str):
        return self.queryset(*values).query.get_compiler(using)

    def rows(self, *values: Any, using: str = "default") -> list:
        """What the queryset would give for `values`: tuples for a values_list(), else model instances."""
        with connections[using].cursor() as cursor:
            compiled = self._execute(cursor, values, using)
            found = cursor.fetchall()
        return self._loaded(compiled, found, using)

    def _loaded(self, compiled: _Compiled, found: list, using: str) -> list:
        found = _converted(compiled.compiler, found, compiled.converters)
        return found if self._tuples else _instances(compiled.compiler, found, using)


def rows_of_each(*reads: tuple[Prepared, tuple], using: str = "default") -> list[list]:
    """What each (read, values) gives, as read.rows(*values) would, in one round trip where the
    driver sends several statements as one query (psycopg's client-side binding, Django's default
    on PostgreSQL), each result read in turn; one read after another elsewhere (SQLite has no
    round trip to save). A round trip to PostgreSQL costs more than the reads logging a session makes."""
    with connections[using].cursor() as cursor:
        if not _one_query(cursor):
            return [read.rows(*values, using=using) for read, values in reads]
        bound = [read._bound(values, using) for read, values in reads]
        found = _together(cursor, [(c.sql, params) for c, params in bound])
    return [read._loaded(c, rows, using) for (read, _), (c, _), rows in zip(reads, bound, found, strict=True)]


def tuples_of_each(*querysets: QuerySet, using: str = "default") -> list[list[tuple]]:
    """What each values_list() queryset gives, in one round trip where the driver allows it (as rows_of_each)."""
    with connections[using].cursor() as cursor:
        if not _one_query(cursor):
            return [list(queryset) for queryset in querysets]
        compiled, statements = [], []
        for queryset in querysets:
            compiler = queryset.query.get_compiler(using)
            try:
                statements.append(compiler.as_sql())
            except EmptyResultSet:  # such as animal_id__in=[]: nothing to ask the database
                compiled.append(None)
                continue
            compiled.append((compiler, _converters(compiler)))
        found = iter(_together(cursor, statements))
    answers = []
    for each in compiled:
        if each is None:
            answers.append([])
            continue
        compiler, converters = each
        answers.append(_converted(compiler, next(found), converters))
    return answers


def _converters(compiler) -> dict:
    select = compiler.select[: compiler.col_count] if compiler.select else []  # an update selects nothing
    return compiler.get_converters([c for c, _, _ in select])


def _converted(compiler, rows: list, converters: dict) -> list:
    """The rows as the ORM gives them (dates from SQLite's text, JSON decoded), in place: a full history
    is a million rows."""
    if converters:
        for at, row in enumerate(compiler.apply_converters(rows, converters)):
            rows[at] = tuple(row)
    return rows


def _one_query(cursor) -> bool:
    return isinstance(getattr(cursor, "cursor", None), _ONE_QUERY_CURSORS)


def _together(cursor, statements: list[tuple[str, list]]) -> list[list]:
    """Each statement's rows, the statements sent as one query."""
    if not statements:
        return []
    cursor.execute("; ".join(sql for sql, _ in statements), [p for _, params in statements for p in params])
    found = []
    for at in range(len(statements)):
        if at:
            cursor.nextset()
        found.append(cursor.fetchall())
    return found


class PreparedUpdate(_Statement):
    """An update: `build(*values)` gives the queryset and its changes (field name to value or expression)."""

    def __init__(self, build: Callable[..., tuple[QuerySet, dict[str, Any]]], samples: tuple, other: tuple):
        super().__init__(samples, other)
        self._build = build

    def _compiler(self, values: tuple, using: str):
        queryset, changes = self._build(*values)
        query = queryset.query.chain(UpdateQuery)
        query.add_update_values(changes)
        query.annotations = {}
        compiler = query.get_compiler(using)
        compiler.pre_sql_setup()
        return compiler

    def run(self, *values: Any, using: str = "default") -> int:
        """The rows changed, as QuerySet.update() answers."""
        with transaction.mark_for_rollback_on_error(using), connections[using].cursor() as cursor:
            self._execute(cursor, values, using)
            return cursor.rowcount


def _instances(compiler, rows: list[tuple], using: str) -> list:
    """Model instances from rows, as Django's ModelIterable makes them (with select_related's relations
    and annotate()'s values)."""
    klass_info, select = compiler.klass_info, compiler.select
    start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
    names = [column[0].target.attname for column in select[start:end]]
    populators = get_related_populators(klass_info, select, using)
    annotations = compiler.annotation_col_map.items()
    found = []
    for row in rows:
        obj = klass_info["model"].from_db(using, names, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, at in annotations:
            setattr(obj, name, row[at])
        found.append(obj)
    return found


def _adapted(connection, value: Any) -> Any:
    """A value as the ORM hands it to the database driver for a lookup on a field of its type."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value
