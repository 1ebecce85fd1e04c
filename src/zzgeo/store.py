"""PostGIS as a store: transactional writes of layers, registers and outputs, and reads back.

A PostGIS target is a URL ``postgresql://user:pw@host:port/db`` with the table
after ``#`` (``#schema.table`` or ``#table``, schema ``public``), or the table
given separately. Every write replaces the table inside one transaction: the
new rows go to a scratch table, then the old table is dropped and the scratch
table renamed, and only then is the transaction committed. A failed write
rolls back and leaves the previous table exactly as it was. Several tables can
be written in one transaction (:func:`write_tables`): the layer store is built
that way, with its provenance table.

GeoDataFrames keep their CRS as the PostGIS SRID; frames without geometry
become plain tables. A column ``zzgeo_row`` records each row's position, so
the table reads back in the order it was written; empty strings stay empty
strings (not NULL). Reading goes through :func:`zzgeo.io.read_vector` (the
one register path) or :func:`read_table` for plain tables.

Names
-----
PostgreSQL cuts every name at 63 **bytes** without an error, so zzgeo checks
them before anything is written:

* Column names are written and read back exactly, whatever they hold (``%``,
  spaces, quotes, Chinese): the rows go in under neutral names (``zzgeo_c0``
  ...) and the columns are renamed with properly quoted identifiers. A column
  name longer than 63 bytes (21 Chinese characters) is refused (:class:`StoreError`).
* Table and schema names are letters, digits and ``_``, at most 63 characters.
  An output table (``--out postgresql://...#schema.table``,
  :func:`check_output_target`) must leave room for the side tables zzgeo may
  write beside it, ``<table>_rejected`` and ``<table>_notes``: at most
  54 bytes. The choice is to refuse, before any work, rather than derive
  shortened side-table names that a user would have to look for.
* The scratch table of a write is ``zzgeo_new_<12 hex digits of a hash of
  schema.table>`` (22 characters, whatever the table's length), and its spatial
  index is renamed after the table (``idx_<table>_<geometry column>``, cut to
  52 bytes plus ``_`` and a 10-digit hash when longer): no name is ever cut
  by PostgreSQL and no two tables share a scratch or index name.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from zzgeo.errors import StoreError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

__all__ = ["redact", "ROW_COLUMN", "IDENTIFIER_BYTES", "SIDE_TABLE_SUFFIXES", "in_written_order", "PostgisTarget", "clean_url", "split_url", "is_postgis",
           "parse_target", "check_output_target", "engine_for", "write_table", "write_tables", "read_table", "table_names", "drop_table"]

_PREFIXES = ("postgresql://", "postgres://", "postgresql+psycopg://", "postgresql+psycopg2://")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_INSTALL = "pip install 'zzgeo[postgis]' (sqlalchemy, psycopg, geoalchemy2)"


def clean_url(target: object) -> str:
    """A URL that went through ``pathlib.Path`` lost a slash (``postgresql:/host``): put it back."""
    text = str(target)
    for prefix in _PREFIXES:
        single = prefix[:-1]
        if text.startswith(single) and not text.startswith(prefix):
            return prefix + text[len(single):]
    return text


def split_url(target: object, default: str = "") -> tuple[str, str]:
    """``(database URL, what follows "#")``: a schema for a store, ``schema.table`` for a table; *default* when absent."""
    dsn, _hash, fragment = clean_url(target).partition("#")
    return dsn, fragment or default


def is_postgis(target: object) -> bool:
    """Whether *target* names a PostGIS database (a ``postgresql://`` URL, also after ``pathlib.Path`` mangling)."""
    return clean_url(target).startswith(_PREFIXES)


@dataclass(frozen=True)
class PostgisTarget:
    """A database URL and one table in it."""

    dsn: str
    schema: str
    table: str

    @property
    def qualified(self) -> str:
        return f'"{self.schema}"."{self.table}"'

    def __str__(self) -> str:  # for messages: the password never shows
        return f"{_redact(self.dsn)}#{self.schema}.{self.table}"


def parse_target(target: object, table: str | None = None, *, default_table: str | None = None) -> PostgisTarget:
    """Split ``postgresql://...#schema.table`` (or the URL and *table*) into its parts; names are checked."""
    dsn, fragment = split_url(target)
    name = table or fragment or default_table
    if not name:
        raise StoreError(_("{dsn}: say which table, e.g. {dsn}#public.my_table").format(dsn=_redact(dsn)))
    schema, _dot, tab = name.rpartition(".")
    schema = schema or "public"
    for part in (schema, tab):
        if not _NAME.match(part):
            raise StoreError(_("PostGIS table name {name!r}: use letters, digits and _ (schema.table, at most 63 characters each)").format(
                name=name))
    return PostgisTarget(dsn, schema, tab)


#: PostgreSQL's limit on names (NAMEDATALEN - 1); longer names are cut without an error.
IDENTIFIER_BYTES = 63
#: Tables zzgeo may write beside an output table ``<table>``: the rows left out and the notes of a run.
SIDE_TABLE_SUFFIXES = ("_rejected", "_notes")


def check_output_target(target: object, table: str | None = None) -> PostgisTarget:
    """:func:`parse_target` for an output table, refusing a name its side tables would not fit beside.

    zzgeo may write ``<table>_rejected`` and ``<table>_notes`` beside an output
    table; PostgreSQL would cut those names at 63 bytes (silently, and two
    outputs could then share one), so the output table's name may be at most
    63 - 9 = 54 bytes. Called before any work is done.

    Raises
    ------
    StoreError
        No table named, a name that is not letters/digits/_, or a name too long for its side tables.
    """
    parsed = parse_target(target, table)
    limit = IDENTIFIER_BYTES - max(len(suffix) for suffix in SIDE_TABLE_SUFFIXES)
    size = len(parsed.table.encode("utf-8"))
    if size > limit:
        raise StoreError(_("PostGIS output table {table!r} is {size} bytes long; an output table may have at most {limit} bytes, "
                           "so that {side!r} beside it fits PostgreSQL's {bytes}-byte names; choose a shorter name").format(
            table=parsed.table, size=size, limit=limit, side=parsed.table + SIDE_TABLE_SUFFIXES[0], bytes=IDENTIFIER_BYTES))
    return parsed


def redact(dsn: str) -> str:
    """*dsn* with its password replaced by ``***`` (for messages)."""
    return _redact(str(dsn))


def _redact(dsn: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", dsn)


@functools.lru_cache(maxsize=8)
def engine_for(dsn: str):
    """A SQLAlchemy engine for *dsn* (one per URL); a clear error when the driver or server is missing."""
    try:
        import sqlalchemy
    except ImportError as exc:  # pragma: no cover - the test environment has it
        raise StoreError(_("PostGIS needs SQLAlchemy and psycopg: {install}").format(install=_INSTALL)) from exc
    url = dsn.replace("postgresql://", "postgresql+psycopg://", 1).replace("postgres://", "postgresql+psycopg://", 1)
    try:
        engine = sqlalchemy.create_engine(url, pool_pre_ping=True)
        with engine.connect() as conn:
            conn.execute(sqlalchemy.text("SELECT 1"))
    except ImportError as exc:
        raise StoreError(_("PostGIS needs psycopg: {install}").format(install=_INSTALL)) from exc
    except sqlalchemy.exc.OperationalError as exc:
        raise StoreError(_("cannot connect to {dsn}: {reason}").format(
            dsn=_redact(dsn), reason=str(exc.orig).strip().splitlines()[0])) from exc
    atexit.register(engine.dispose)
    return engine


#: Column holding each row's position, so a table reads back in the order it was written (SQL tables have none).
ROW_COLUMN = "zzgeo_row"

#: Stands in for "" during the COPY (geopandas writes CSV, where an empty field is NULL); put back before commit.
_EMPTY = "\x1e"


def _mark_empty_strings(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """*frame* with "" replaced by :data:`_EMPTY` in text columns, and the names of the columns that had one."""
    import pandas as pd

    columns = [c for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)
               and (pd.api.types.is_string_dtype(frame[c]) or frame[c].dtype == object)
               and any(isinstance(v, str) and v == "" for v in frame[c].astype(object))]
    if not columns:
        return frame, []
    out = frame.copy()
    for c in columns:
        out[c] = out[c].astype(object).map(lambda v: _EMPTY if isinstance(v, str) and v == "" else v)
    return out, columns


def _fit_name(name: str) -> str:
    """*name* when it fits in 63 bytes, else its first 52 bytes (whole characters), ``_`` and 10 hex digits of its hash."""
    raw = name.encode("utf-8")
    if len(raw) <= IDENTIFIER_BYTES:
        return name
    head = raw[: IDENTIFIER_BYTES - 11].decode("utf-8", errors="ignore")
    return f"{head}_{hashlib.sha1(raw).hexdigest()[:10]}"


def _scratch_name(target: PostgisTarget) -> str:
    """The scratch table of a write: short and fixed-length, so neither it nor its index name is ever cut."""
    return f"zzgeo_new_{hashlib.sha1(f'{target.schema}.{target.table}'.encode()).hexdigest()[:12]}"


def _check_column_names(frame: pd.DataFrame, target: PostgisTarget) -> list[str]:
    """The column names as PostgreSQL will hold them (``str``), refusing any it would cut, reject or merge."""
    names = [str(c) for c in frame.columns]
    where = f"{target.schema}.{target.table}"
    seen: set[str] = set()
    for name in names:
        size = len(name.encode("utf-8"))
        if size == 0 or "\x00" in name:
            raise StoreError(_("{where}: column name {name!r} cannot be a PostgreSQL column (empty or holding NUL); rename it").format(
                where=where, name=name))
        if size > IDENTIFIER_BYTES:
            raise StoreError(_("{where}: column name {name!r} is {size} bytes long; PostgreSQL keeps at most "
                               "{limit} bytes (21 Chinese characters) and would cut it; rename it").format(
                where=where, name=name, size=size, limit=IDENTIFIER_BYTES))
        if name in seen:
            raise StoreError(_("{where}: column name {name!r} appears twice; rename one").format(where=where, name=name))
        seen.add(name)
    if ROW_COLUMN in seen:
        raise StoreError(_("{where}: the column name {name!r} is zzgeo's own (row order); rename it").format(where=where, name=ROW_COLUMN))
    return names


def _ddl(conn, template: str, *names: str) -> None:
    """Run *template* with each ``{}`` replaced by a quoted identifier (psycopg quotes them; no ``%`` or ``:`` is parsed)."""
    from psycopg import sql

    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(sql.SQL(template).format(*(sql.Identifier(n) for n in names)))


def _write_one(conn, frame: pd.DataFrame, target: PostgisTarget) -> None:
    """Write *frame* to a scratch table, drop the old table and rename; the caller's transaction commits.

    The rows are written under neutral column names (``zzgeo_c0`` ...): the
    COPY that geopandas issues doubles any ``%`` in a column name, and
    SQLAlchemy refuses names it cannot quote; the real names are then set with
    psycopg-quoted identifiers, so every name comes back exactly as given.
    """
    import geopandas as gpd
    import pandas as pd
    import sqlalchemy

    names = _check_column_names(frame, target)
    scratch = _scratch_name(target)
    spatial = isinstance(frame, gpd.GeoDataFrame) and frame.geometry.name in frame.columns
    if spatial and frame.crs is None:
        raise StoreError(_("{table}: the frame has no CRS; set one before writing to PostGIS").format(table=target.table))
    frame, empties = _mark_empty_strings(frame)
    keys = [f"zzgeo_c{i}" for i in range(len(names))]
    while set(keys) & set(names):  # a user column called zzgeo_c0 would clash with a neutral name while renaming
        keys = [f"{k}_" for k in keys]
    real = dict(zip(keys, names, strict=True))
    neutral = {name: key for key, name in real.items()}
    if spatial:
        geometry = str(frame.geometry.name)
        frame = gpd.GeoDataFrame(pd.DataFrame(frame).set_axis(list(real), axis=1), geometry=neutral[geometry], crs=frame.crs)
    else:
        frame = pd.DataFrame(frame).set_axis(list(real), axis=1)
    frame = frame.assign(**{ROW_COLUMN: range(len(frame))})
    _ddl(conn, "CREATE SCHEMA IF NOT EXISTS {}", target.schema)
    _ddl(conn, "DROP TABLE IF EXISTS {}.{}", target.schema, scratch)
    if spatial:
        frame.to_postgis(scratch, conn, schema=target.schema, index=False)
    else:
        frame.to_sql(scratch, conn, schema=target.schema, index=False)
    for column in empties:
        conn.execute(sqlalchemy.text(f'UPDATE "{target.schema}"."{scratch}" SET "{neutral[str(column)]}" = \'\' '
                                     f'WHERE "{neutral[str(column)]}" = :mark'), {"mark": _EMPTY})
    for key, name in real.items():
        _ddl(conn, "ALTER TABLE {}.{} RENAME COLUMN {} TO {}", target.schema, scratch, key, name)
    _ddl(conn, "DROP TABLE IF EXISTS {}.{}", target.schema, target.table)
    _ddl(conn, "ALTER TABLE {}.{} RENAME TO {}", target.schema, scratch, target.table)
    indexes = conn.execute(sqlalchemy.text("SELECT indexname FROM pg_indexes WHERE schemaname = :s AND tablename = :t ORDER BY indexname"),
                           {"s": target.schema, "t": target.table}).scalars().all()
    for index in indexes:  # geopandas names the spatial index idx_<scratch>_<column>: name it after the table and the real column
        if index.startswith(f"idx_{scratch}_"):
            column = real.get(index[len(f"idx_{scratch}_"):], index[len(f"idx_{scratch}_"):])
            _ddl(conn, "ALTER INDEX {}.{} RENAME TO {}", target.schema, index, _fit_name(f"idx_{target.table}_{column}"))


def _failed(what: str, exc: Exception) -> StoreError:
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return StoreError(_("PostGIS write of {what} failed, nothing was changed: {reason}").format(
        what=what, reason=reason[0] if reason else type(exc).__name__))


def write_tables(frames: Mapping[str, pd.DataFrame], dsn: str, *, schema: str = "public") -> list[PostgisTarget]:
    """Write several tables in **one** transaction: all replaced, or (on any failure) none.

    Parameters
    ----------
    frames : mapping of str to DataFrame
        Table name -> frame (GeoDataFrames keep their CRS as SRID).
    dsn : str
        ``postgresql://user:pw@host:port/db``.
    schema : str
        Created when missing.

    Returns
    -------
    list of PostgisTarget

    Raises
    ------
    StoreError
        No connection, a bad name, or the write failed (then every table is as before).
    """
    dsn = split_url(dsn)[0]
    targets = {name: parse_target(dsn, f"{schema}.{name}") for name in frames}
    engine = engine_for(dsn)
    try:
        with engine.begin() as conn:
            for name, frame in frames.items():
                _write_one(conn, frame, targets[name])
    except StoreError:
        raise
    except Exception as exc:  # the transaction was rolled back
        raise _failed(", ".join(str(t) for t in targets.values()), exc) from exc
    return list(targets.values())


def write_table(frame: pd.DataFrame, target: object, table: str | None = None) -> PostgisTarget:
    """Replace one table in one transaction (see :func:`write_tables`); *target* is ``postgresql://...#schema.table``."""
    parsed = parse_target(target, table)
    write_tables({parsed.table: frame}, parsed.dsn, schema=parsed.schema)
    return parsed


def read_table(target: object, table: str | None = None) -> pd.DataFrame:
    """A table as written by :func:`write_table`: a GeoDataFrame when it has a geometry column, else a DataFrame."""
    import geopandas as gpd
    import pandas as pd
    import sqlalchemy

    parsed = parse_target(target, table)
    engine = engine_for(parsed.dsn)
    with engine.connect() as conn:
        geo = conn.execute(sqlalchemy.text("SELECT f_geometry_column FROM geometry_columns WHERE f_table_schema = :s AND "
                                           "f_table_name = :t"), {"s": parsed.schema, "t": parsed.table}).scalar()
        if parsed.table not in table_names(parsed.dsn, parsed.schema):
            raise StoreError(_("PostGIS has no table {schema}.{table}").format(schema=parsed.schema, table=parsed.table))
        query = sqlalchemy.text(f"SELECT * FROM {parsed.qualified}")
        frame = gpd.read_postgis(query, conn, geom_col=geo) if geo else pd.read_sql(query, conn)
    return in_written_order(frame)


def in_written_order(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by :data:`ROW_COLUMN` (when the table has it, i.e. zzgeo wrote it), without that column."""
    if ROW_COLUMN not in frame.columns:
        return frame
    return frame.sort_values(ROW_COLUMN, kind="stable").drop(columns=ROW_COLUMN).reset_index(drop=True)


def table_names(dsn: str, schema: str = "public") -> list[str]:
    """Tables in *schema* (empty when the schema does not exist)."""
    import sqlalchemy

    return sorted(sqlalchemy.inspect(engine_for(split_url(dsn)[0])).get_table_names(schema=schema))


def drop_table(target: object, table: str | None = None) -> None:
    """Drop a table if it exists."""
    import sqlalchemy

    parsed = parse_target(target, table)
    with engine_for(parsed.dsn).begin() as conn:
        conn.execute(sqlalchemy.text(f"DROP TABLE IF EXISTS {parsed.qualified}"))
