"""The embedded layer store: one GeoPackage in ``layers/`` with provenance for every layer.

``zzgeo layers build`` writes it from the installed packages and the data files
in ``zzgeo/data``; the same inputs give the same layers. Each layer has a row
in the ``zzgeo_provenance`` table: title, real or demo, source, licence note,
build date. Readers build the store on first use when it is missing.

The store path is, in order: the ``ZZGEO_STORE`` environment variable; the
``layers/`` folder of a source checkout (an editable install); the per-user
data folder of platformdirs (``~/.local/share/zzgeo`` on Linux,
``%LOCALAPPDATA%\\zzgeo`` on Windows), never the installed package. The store
is not shipped in the wheel: the district boundaries it is built from are for
"learning and exchange only" and are not ours to redistribute (``NOTICE.md``).
Only the default store is built on first use, with a progress line on
stderr: a store named explicitly (``--store``, ``ZZGEO_STORE``, a *path*) must
exist, so a mistyped name is an error, never a new store in the wrong place;
and a GeoPackage that is not a zzgeo store (it has no ``zzgeo_provenance``
table) is never written into or replaced.

The store may also be a PostGIS database, ``postgresql://user@host:port/db``
with an optional ``#schema`` (default ``zzgeo``), given as *path* or in
``ZZGEO_STORE``: the same layers and provenance table, written in one
transaction by :func:`zzgeo.store.write_tables` (a failed build leaves the
previous tables as they were).

One-point questions (a lookup at the counter) read small layers with
:func:`read_layer_arrays`: straight from the GeoPackage with ``sqlite3`` into
numpy and shapely arrays, without pandas or geopandas, whose imports alone
cost more than the whole answer.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import functools
import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np

from zzgeo.errors import StoreError, UnknownCodeError
from zzgeo.i18n import _

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd
    import pandas as pd

__all__ = ["LayerSpec", "default_districts", "layer_specs", "default_store", "is_store", "build_store", "list_layers", "read_layer",
           "read_layer_arrays", "PROVENANCE_TABLE"]

PROVENANCE_TABLE = "zzgeo_provenance"


@dataclass(frozen=True)
class LayerSpec:
    """How to build one layer and where it comes from.

    Its fields become the layer's row of the provenance table (:func:`list_layers`).

    Parameters
    ----------
    name : str
        Layer name in the store.
    title : str
        One-line description.
    kind : {"real", "demo"}
        Real data, or synthetic data that every output built on it marks DEMO.
    builder : str
        ``"module:function"`` of a function without arguments returning the
        (Geo)DataFrame.
    source, licence : str
        Where the data comes from and on what terms.

    Examples
    --------
    >>> spec = layer_specs()["land_grade_zones"]
    >>> spec.kind, spec.builder
    ('demo', 'zzgeo.landprice.demo:build_demo_zones')
    >>> spec.licence
    'synthetic, no restrictions; NOT the official grade map'
    """

    name: str
    title: str
    kind: str  # "real" or "demo"
    builder: str  # "module:function" returning a (Geo)DataFrame
    source: str
    licence: str


def _spec_rows() -> tuple[LayerSpec, ...]:
    from zzgeo.districts import BOUNDARY_PROVENANCE

    census = "NBS, Tabulation on the 2020 China Population Census by County (2022); functional zones assigned per data/functional_zones.toml (assumption)"
    return (
        LayerSpec(
            "districts",
            "Zhengzhou county-level units with area (EPSG:4547) and 2020 census population",
            "real",
            "zzgeo.layers:_build_districts_layer",
            f"boundaries: {BOUNDARY_PROVENANCE['source']}; population: {census}",
            BOUNDARY_PROVENANCE["licence"],
        ),
        LayerSpec(
            "census_2020",
            "2020 census rows as tabulated (15 rows, functional zones separate)",
            "real",
            "zzgeo.population:census_2020",
            census,
            "public statistics",
        ),
        LayerSpec(
            "land_grade_zones",
            "DEMO land benchmark price grade zones for the three tables of 郑政文〔2022〕42号",
            "demo",
            "zzgeo.landprice.demo:build_demo_zones",
            "zzgeo demo generator (zzgeo/data/landprice/grade_zones_demo.toml); the official grade maps were omitted from 郑政文〔2022〕42号 (地价图（略）)",
            "synthetic, no restrictions; NOT the official grade map",
        ),
        LayerSpec(
            "analysis_units_demo",
            "DEMO sub-district analysis units: the six urban districts cut into quadrants (NOT official 街道 boundaries)",
            "demo",
            "zzgeo.units:build_demo_units",
            "zzgeo demo generator (zzgeo.units.build_demo_units): quadrants of the districts layer, census population shared by area",
            "synthetic, no restrictions; NOT official 街道/乡镇 boundaries",
        ),
    )


def _extra_specs() -> tuple[LayerSpec, ...]:
    """Layers contributed by optional domain modules (added as they exist)."""
    specs = []
    for module, attr in (("zzgeo.shelters.demo", "LAYER_SPECS"), ("zzgeo.groundwater.demo", "LAYER_SPECS"),
                         ("zzgeo.children.demo", "LAYER_SPECS")):
        try:
            specs.extend(getattr(importlib.import_module(module), attr))
        except ModuleNotFoundError:
            continue
    return tuple(specs)


def layer_specs() -> dict[str, LayerSpec]:
    """All layers the store holds, by name.

    Returns
    -------
    dict of str to LayerSpec
        The core layers (districts, census, DEMO land-price grade zones) and
        those of the theme modules (shelters, groundwater, children).

    Examples
    --------
    >>> specs = layer_specs()
    >>> list(specs)[:3]
    ['districts', 'census_2020', 'land_grade_zones']
    >>> specs["districts"].kind, specs["groundwater_wells_demo"].kind
    ('real', 'demo')
    """
    return {spec.name: spec for spec in (*_spec_rows(), *_extra_specs())}


PG_SCHEMA = "zzgeo"


def _pg(store: object) -> tuple[str, str] | None:
    """``(dsn, schema)`` when *store* is a PostGIS store, else None."""
    from zzgeo.store import is_postgis, split_url

    if store is None or not is_postgis(store):
        return None
    return split_url(store, PG_SCHEMA)


def default_store() -> Path | str:
    """Path of the GeoPackage store, or the PostGIS URL in ``ZZGEO_STORE`` (see module notes).

    Returns
    -------
    pathlib.Path or str
        A path for a GeoPackage, the URL text for PostGIS.

    Examples
    --------
    ``ZZGEO_STORE`` wins; without it the store is ``zzgeo.gpkg`` in the
    checkout's ``layers/`` folder or the per-user data folder:

    >>> import os
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"ZZGEO_STORE": "postgresql://me@db:5432/gis#zz"}):
    ...     default_store()
    'postgresql://me@db:5432/gis#zz'
    >>> with mock.patch.dict(os.environ, {"ZZGEO_STORE": "/data/my_store.gpkg"}):
    ...     default_store().name
    'my_store.gpkg'
    >>> with mock.patch.dict(os.environ):
    ...     _unused = os.environ.pop("ZZGEO_STORE", None)
    ...     default_store().name
    'zzgeo.gpkg'
    """
    env = os.environ.get("ZZGEO_STORE")
    if env:
        return env if _pg(env) else Path(env)
    return _default_gpkg(__file__, os.environ.get("XDG_DATA_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=4)
def _default_gpkg(module_file: str, _xdg_data_home: str | None, _home: str | None) -> Path:
    """The default GeoPackage: in the checkout's ``layers/`` folder in a source tree, else the per-user data folder
    (found once for the same module path and data folders: resolving the path is a dozen system calls, which every
    lookup paid)."""
    root = Path(module_file).resolve().parents[2]  # src/zzgeo/layers.py -> the checkout, in a source tree
    if (root / "pyproject.toml").exists() and (root / "src" / "zzgeo").is_dir():
        return root / "layers" / "zzgeo.gpkg"
    from platformdirs import user_data_path

    return user_data_path("zzgeo", appauthor=False) / "zzgeo.gpkg"


def _explicit(path: Path | str | None) -> bool:
    """Whether the store was named by the user (a path, ``--store`` or ``ZZGEO_STORE``) rather than defaulted."""
    return path is not None or bool(os.environ.get("ZZGEO_STORE"))


def is_store(path: Path | str) -> bool:
    """Whether *path* is a zzgeo GeoPackage store (it holds the ``zzgeo_provenance`` table).

    Parameters
    ----------
    path : str or pathlib.Path

    Returns
    -------
    bool
        False for a missing file, or any file that is not a GeoPackage with
        the provenance table.

    Examples
    --------
    A store built by :func:`build_store` is one; the user's own GeoPackage and
    a missing file are not:

    >>> import tempfile
    >>> from pathlib import Path
    >>> import geopandas as gpd
    >>> from shapely.geometry import Point
    >>> tmp = tempfile.TemporaryDirectory()
    >>> store = build_store(Path(tmp.name) / "store.gpkg", only=["census_2020"])
    >>> gpd.GeoDataFrame(geometry=[Point(113.6654, 34.7536)], crs="EPSG:4326").to_file(Path(tmp.name) / "mine.gpkg")
    >>> is_store(store), is_store(Path(tmp.name) / "mine.gpkg"), is_store(Path(tmp.name) / "missing.gpkg")
    (True, False, False)
    >>> tmp.cleanup()
    """
    return PROVENANCE_TABLE in (_gpkg_tables(path) or {})


def _gpkg_tables(path: str | Path) -> dict[str, int | None] | None:
    """Tables of a GeoPackage with their SRS id (``gpkg_contents``), or None when *path* is no readable GeoPackage.

    Read with ``sqlite3``, read-only: pyogrio would import geopandas (~0.9 s) to list a few names.
    Kept while the file's modification time and size stay the same.
    """
    try:
        resolved = Path(path).resolve()
        stat = resolved.stat()
    except (OSError, ValueError):
        return None
    found = _gpkg_tables_cached(str(resolved), stat.st_mtime_ns, stat.st_size)
    return None if found is None else dict(found)


@functools.lru_cache(maxsize=8)
def _gpkg_tables_cached(path: str, mtime_ns: int, size: int) -> dict[str, int | None] | None:
    import sqlite3

    try:
        with _read_only(path) as con:
            return dict(con.execute("SELECT table_name, srs_id FROM gpkg_contents").fetchall())
    except (sqlite3.Error, OSError, ValueError):
        return None


def _refuse_foreign(path: Path) -> None:
    """A file at *path* that is not a zzgeo store is the user's own: never replace or add to it."""
    if path.exists() and (path.is_dir() or not is_store(path)):
        raise StoreError(_("{path!r} is not a zzgeo layer store (it has no {table} table) and would be "
                           "replaced; choose a new file for --store, or remove it yourself if it is an old store").format(
            path=str(path), table=PROVENANCE_TABLE))


def _build_districts_layer() -> gpd.GeoDataFrame:
    from zzgeo.districts import build_districts
    from zzgeo.population import district_population

    districts = build_districts()
    pop = district_population()[["adcode", "pop_census_row", "pop_from_zones", "population"]]
    return districts.merge(pop, on="adcode", how="left")


def _call(builder: str) -> pd.DataFrame:
    module, func = builder.split(":")
    fn: Callable[[], pd.DataFrame] = getattr(importlib.import_module(module), func)
    return fn()


def build_store(path: str | Path | None = None, *, only: list[str] | None = None,
                progress: Callable[[str], None] | None = None) -> Path:
    """Build every layer (or those in *only*) into the GeoPackage at *path*, atomically.

    The new store is written beside the old one and moved into place, so a
    failed build leaves the previous store untouched. *progress* is called
    with ``"[i/n] layer"`` before each layer is built.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        A ``.gpkg`` file or a PostGIS URL (default: :func:`default_store`).
    only : list of str, optional
        Layer names; the store's other layers are kept as they are.
    progress : callable, optional
        Called with ``"[i/n] layer"`` before each layer is built.

    Returns
    -------
    pathlib.Path
        The store path (the ``url#schema`` text for PostGIS).

    Raises
    ------
    UnknownCodeError
        A name in *only* is no layer of :func:`layer_specs`.
    StoreError
        *path* is not a ``.gpkg`` file, or is a file that is not a zzgeo store
        (never replaced).

    Examples
    --------
    The 2020 census as tabulated, 15 rows (the 12 units, with the functional
    zones listed apart), into a new store:

    >>> import tempfile
    >>> from pathlib import Path
    >>> tmp = tempfile.TemporaryDirectory()
    >>> store = build_store(Path(tmp.name) / "zz.gpkg", only=["census_2020"], progress=print)
    [1/1] census_2020
    >>> list_layers(store)[["layer", "kind", "features"]].to_dict("records")
    [{'layer': 'census_2020', 'kind': 'real', 'features': 15}]
    >>> build_store(Path(tmp.name) / "zz.gpkg", only=["roads"])
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: unknown layer 'roads'; known layers: [...]
    >>> tmp.cleanup()
    """
    import pyogrio

    path = path or default_store()
    specs = layer_specs()
    names = only or list(specs)
    for name in names:
        if name not in specs:
            raise UnknownCodeError(_("unknown layer {name!r}; known layers: {layers}").format(name=name, layers=sorted(specs)))
    if _pg(path):
        return _build_postgis(*_pg(path), names, progress)
    path = Path(path)
    if path.suffix.lower() != ".gpkg":
        raise StoreError(_("layer store {path!r}: give a GeoPackage file (.gpkg) or a PostGIS URL postgresql://...").format(path=str(path)))
    _refuse_foreign(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    if tmp.exists():
        tmp.unlink()
    today = _dt.date.today().isoformat()
    prov_rows = []
    try:
        if only and path.exists():  # keep the other layers of an existing store
            for existing in pyogrio.list_layers(path)[:, 0]:
                if existing not in names and existing != PROVENANCE_TABLE:
                    pyogrio.write_dataframe(pyogrio.read_dataframe(path, layer=existing), tmp, layer=existing, driver="GPKG")
            old = pyogrio.read_dataframe(path, layer=PROVENANCE_TABLE)
            prov_rows.extend(old[~old["layer"].isin(names)].to_dict("records"))
        for i, name in enumerate(names, 1):
            if progress:
                progress(f"[{i}/{len(names)}] {name}")
            frame = _call(specs[name].builder)
            pyogrio.write_dataframe(frame, tmp, layer=name, driver="GPKG")
            prov_rows.append(_provenance(specs[name], frame, today))
        import pandas as pd

        pyogrio.write_dataframe(pd.DataFrame(prov_rows), tmp, layer=PROVENANCE_TABLE, driver="GPKG")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    _read_cached.cache_clear()
    _gpkg_arrays.cache_clear()
    _gpkg_tables_cached.cache_clear()
    return path


def _provenance(spec: LayerSpec, frame: pd.DataFrame, today: str) -> dict:
    from zzgeo import __version__

    return {"layer": spec.name, "title": spec.title, "kind": spec.kind, "source": spec.source, "licence": spec.licence,
            "built": today, "zzgeo_version": __version__, "features": len(frame)}


def _build_postgis(dsn: str, schema: str, names: list[str], progress: Callable[[str], None] | None = None) -> str:
    """Build *names* into a PostGIS schema, with the provenance table, in one transaction."""
    from zzgeo.store import table_names, write_tables

    specs = layer_specs()
    today = _dt.date.today().isoformat()
    frames = {}
    for i, name in enumerate(names, 1):
        if progress:
            progress(f"[{i}/{len(names)}] {name}")
        frames[name] = _call(specs[name].builder)
    rows = [_provenance(specs[name], frame, today) for name, frame in frames.items()]
    if PROVENANCE_TABLE in table_names(dsn, schema):
        old = _pg_table(dsn, schema, PROVENANCE_TABLE)
        rows = old[~old["layer"].isin(names)].to_dict("records") + rows
    import pandas as pd

    write_tables({**frames, PROVENANCE_TABLE: pd.DataFrame(rows)}, dsn, schema=schema)
    _pg_table.cache_clear()
    return f"{dsn}#{schema}"


@functools.lru_cache(maxsize=64)
def _pg_table(dsn: str, schema: str, name: str) -> pd.DataFrame:
    from zzgeo.store import read_table

    return read_table(dsn, f"{schema}.{name}")


def _first_use(where: str) -> Callable[[str], None]:
    """A progress printer for a store built on first use: one line to say so, then one per layer (stderr)."""
    import sys

    print(_("zzgeo: building the layer store at {where} (first use, once; about 30 s)").format(where=where), file=sys.stderr, flush=True)

    def show(step: str) -> None:
        print(f"zzgeo:   {step}", file=sys.stderr, flush=True)

    return show


def _ensure(path: Path | str | None) -> Path | str:
    """The store to read, built on first use only when it is the default one (see module notes)."""
    explicit = _explicit(path)
    path = path or default_store()
    pg = _pg(path)
    if pg:
        from zzgeo.store import table_names

        if PROVENANCE_TABLE not in table_names(*pg):
            if explicit:
                raise StoreError(_("no zzgeo layer store in {dsn} schema {schema!r} (mistyped?); build one with "
                                   "zzgeo layers build --store '{dsn}#{schema}'").format(dsn=pg[0], schema=pg[1]))
            build_store(path, progress=_first_use(f"{pg[0]}#{pg[1]}"))
        return path
    path = Path(path)
    if not path.exists():
        if explicit:
            raise StoreError(_("no layer store at {path!r} (mistyped?); build one with zzgeo layers build --store {path!r}").format(
                path=str(path)))
        build_store(path, progress=_first_use(str(path)))
    elif not is_store(path):
        raise StoreError(_("{path!r} is not a zzgeo layer store (it has no {table} table); "
                           "give a store built by zzgeo layers build").format(path=str(path), table=PROVENANCE_TABLE))
    return path


def list_layers(path: str | Path | None = None) -> pd.DataFrame:
    """Provenance table of the store (building it first if missing).

    Parameters
    ----------
    path : str or pathlib.Path, optional
        Store to read (default: :func:`default_store`).

    Returns
    -------
    pandas.DataFrame
        One row per layer: ``layer``, ``title``, ``kind`` (real / demo),
        ``source``, ``licence``, ``built``, ``zzgeo_version``, ``features``.

    Raises
    ------
    StoreError
        A store named explicitly does not exist, or the file is not a zzgeo store.

    Examples
    --------
    >>> layers = list_layers().set_index("layer")
    >>> layers.loc["districts", "kind"], int(layers.loc["districts", "features"])
    ('real', 12)
    >>> layers.loc["land_grade_zones", "title"]
    'DEMO land benchmark price grade zones for the three tables of 郑政文〔2022〕42号'
    """
    import pyogrio

    store = _ensure(path)
    if _pg(store):
        return _pg_table(*_pg(store), PROVENANCE_TABLE).copy()
    return pyogrio.read_dataframe(store, layer=PROVENANCE_TABLE)


@functools.lru_cache(maxsize=32)
def _read_cached(path: str, mtime: float, name: str) -> pd.DataFrame:
    import pyogrio

    return pyogrio.read_dataframe(path, layer=name)


def read_layer(name: str, path: str | Path | None = None) -> gpd.GeoDataFrame:
    """Read one layer of the store (a fresh copy), building the store if missing.

    Layers of :func:`layer_specs` that the store lacks (the DEMO layers of a
    theme) are built into it on first use.

    Parameters
    ----------
    name : str
        Layer name (see :func:`list_layers`).
    path : str or pathlib.Path, optional
        Store to read (default: :func:`default_store`).

    Returns
    -------
    geopandas.GeoDataFrame or pandas.DataFrame
        The layer in EPSG:4326 (tables without geometry as DataFrames).

    Raises
    ------
    UnknownCodeError
        If the store holds no layer *name*.
    StoreError
        A store named explicitly does not exist, or the file is not a zzgeo store.

    Examples
    --------
    >>> d = read_layer("districts")
    >>> len(d), d.crs.to_epsg()
    (12, 4326)
    >>> d.set_index("adcode").loc["410104", ["name", "kind"]].tolist()
    ['管城回族区', 'district']
    >>> read_layer("roads")
    Traceback (most recent call last):
    ...
    zzgeo.errors.UnknownCodeError: the store '...' has no layer 'roads'; layers: [...]
    """

    store = _ensure(path)
    if _pg(store):
        dsn, schema = _pg(store)
        if name not in list_layers(store)["layer"].tolist():
            if name not in layer_specs():
                raise UnknownCodeError(_("the store {store} has no layer {name!r}").format(store=f"{dsn}#{schema}", name=name))
            build_store(store, only=[name])
        return _pg_table(dsn, schema, name).copy()
    present = list(_gpkg_tables(store) or ())
    if name not in present:
        if name in layer_specs():
            build_store(store, only=[name])
        else:
            raise UnknownCodeError(_("the store {store!r} has no layer {name!r}; layers: {layers}").format(
                store=str(store), name=name, layers=sorted(present)))
    return _read_cached(str(store), store.stat().st_mtime, name).copy()


def read_layer_arrays(name: str, path: str | Path | None = None) -> dict[str, np.ndarray]:
    """One layer of the store as numpy arrays, without pandas: for questions about one place.

    A GeoPackage layer in WGS-84 is read with ``sqlite3`` and its geometries
    decoded by shapely (each GeoPackage geometry is a short header and WKB);
    a PostGIS store, or a layer not yet built, goes through :func:`read_layer`.
    Rows come in the layer's order (``fid``), as :func:`read_layer` gives them.

    Parameters
    ----------
    name : str
        Layer name (see :func:`list_layers`), or :data:`PROVENANCE_TABLE`.
    path : str or pathlib.Path, optional
        Store to read (default: :func:`default_store`).

    Returns
    -------
    dict of str to numpy.ndarray
        One array per column (text as objects, ``None`` where empty) and
        ``geometry``: shapely geometries in EPSG:4326 (none for a table
        without geometry, such as the provenance table).

    Raises
    ------
    UnknownCodeError
        If the store holds no layer *name*.
    StoreError
        A store named explicitly does not exist, or the file is not a zzgeo store.

    Examples
    --------
    The same districts, in the same order, as :func:`read_layer` gives:

    >>> arrays = read_layer_arrays("districts")
    >>> arrays["adcode"][:2].tolist(), arrays["name"][1], arrays["geometry"][1].geom_type
    (['410102', '410103'], '二七区', 'MultiPolygon')
    >>> frame = read_layer("districts")
    >>> frame["adcode"].tolist() == arrays["adcode"].tolist(), frame.geometry.iloc[3].equals_exact(arrays["geometry"][3], 0)
    (True, True)
    >>> provenance = read_layer_arrays(PROVENANCE_TABLE)
    >>> provenance["layer"].tolist() == list_layers()["layer"].tolist(), "geometry" in provenance
    (True, False)
    """
    store = _ensure(path)
    if not _pg(store) and (_gpkg_tables(store) or {}).get(name, -1) in (4326, 0, None):  # WGS-84 features, or a table
        arrays = _gpkg_arrays(str(store), Path(store).stat().st_mtime, name)
        return {column: values.copy() for column, values in arrays.items()}
    frame = list_layers(store) if name == PROVENANCE_TABLE else read_layer(name, store)
    out = {str(c): frame[c].to_numpy(dtype=object if frame[c].dtype.kind in "OUT" else None)
           for c in frame.columns if c != getattr(frame, "_geometry_column_name", None)}
    if hasattr(frame, "geometry"):
        out["geometry"] = np.asarray(frame.geometry.values)
    return out


_GPKG_ENVELOPE = (0, 32, 48, 48, 64)  # bytes of the envelope by the flags' envelope indicator (GeoPackage 1.3, 2.1.3)


@functools.lru_cache(maxsize=32)
def _gpkg_arrays(path: str, mtime: float, name: str) -> dict[str, np.ndarray]:
    import shapely

    with _read_only(path) as con:
        found = con.execute("SELECT column_name FROM gpkg_geometry_columns WHERE table_name = ?", (name,)).fetchone()
        geom_col = found[0] if found else None
        info = [(row[1], str(row[2]).upper()) for row in con.execute(f"PRAGMA table_info({_quoted(name)})")]
        columns = [(c, kind) for c, kind in info if c not in ("fid", geom_col)]
        select = ", ".join(_quoted(c) for c, _kind in [(geom_col or "fid", ""), *columns])
        rows = con.execute(f"SELECT {select} FROM {_quoted(name)} ORDER BY fid").fetchall()
    out = {c: _sqlite_column([row[i] for row in rows], kind) for i, (c, kind) in enumerate(columns, 1)}
    if geom_col:
        wkb = [None if b is None else b[8 + _GPKG_ENVELOPE[(b[3] >> 1) & 7]:] for b in (row[0] for row in rows)]
        out["geometry"] = shapely.from_wkb(np.array(wkb, dtype=object))
    return out


def _read_only(path: str | Path) -> contextlib.closing:
    """A read-only sqlite3 connection to a GeoPackage, closed on leaving the ``with`` block (never creates a file)."""
    import sqlite3

    return contextlib.closing(sqlite3.connect(Path(path).resolve().as_uri() + "?mode=ro", uri=True))


def _quoted(identifier: str) -> str:
    """An SQLite identifier in double quotes (a quote inside doubled): names from the store's own schema, never SQL."""
    return '"' + identifier.replace('"', '""') + '"'


def _sqlite_column(values: list, kind: str) -> np.ndarray:
    """A column read by sqlite3 as numpy: booleans and integers without gaps as such, real as float (NaN where empty), text as objects."""
    if kind == "BOOLEAN" and None not in values:
        return np.array(values, dtype=bool)
    if kind in ("INTEGER", "MEDIUMINT", "SMALLINT", "TINYINT") and None not in values:
        return np.array(values, dtype=np.int64)
    if kind in ("REAL", "FLOAT", "DOUBLE"):
        return np.array([np.nan if v is None else v for v in values], dtype=float)
    return np.array(values, dtype=object)


def default_districts() -> "gpd.GeoDataFrame":
    """The ``districts`` layer of the layer store (built on first use).

    Examples
    --------
    >>> len(default_districts())
    12
    """
    return read_layer("districts")
