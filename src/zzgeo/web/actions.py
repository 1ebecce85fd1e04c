"""What each action of the web app runs: the command line of ``zzgeo`` for it, built from checked fields.

The request models say what a client may send (types, ranges, lengths, closed
vocabularies); the command line then applies every rule of zzgeo exactly as it
does for a person at a terminal. Nothing here decides a price, a coverage or a
rejected row.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from zzgeo.i18n import _

__all__ = ["ValueFields", "RegisterFields", "REGISTER_KINDS", "UPLOAD_SUFFIXES", "value_args", "register_args",
           "map_args", "parcel_csv", "count_rows"]

#: Register kinds of the upload page -> (command, theme of its map, what the command calls the file).
REGISTER_KINDS: dict[str, dict[str, str]] = {
    "shelters": {"map": "shelters", "config": "shelters", "key": "register"},
    "facilities": {"map": "children", "config": "children", "key": "register"},
    "parcels": {"map": "land-price", "config": "land-price", "key": "parcels"},
}
UPLOAD_SUFFIXES = (".csv", ".xlsx", ".gpkg", ".geojson")
_TEXT = re.compile(r"^[^\x00-\x1f\x7f]*$")  # no control characters in a text field
Crs = Field(default="wgs84", max_length=40, pattern=r"^[A-Za-z0-9:_ -]+$")


class _Fields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ValueFields(_Fields):
    """The options of ``zzgeo land-price value``: use, right, plot ratio, term, date, index, factors, steps."""

    table: str | None = Field(default=None, max_length=40, pattern=r"^[a-z_]+$")
    use: str | None = Field(default=None, max_length=40)
    right: str | None = Field(default=None, max_length=40)
    date: str | None = Field(default=None, max_length=10)
    reduction_rate: float | None = None
    term_years: float | None = None
    plot_ratio: float | None = None
    price_index: str | None = Field(default=None, max_length=400)
    monthly_growth: float | None = None
    factors: list[str] = Field(default_factory=list, max_length=30)
    development_adj: float = 0.0
    steps: str | None = Field(default=None, max_length=200)

    @field_validator("use", "right", "date", "price_index", "steps")
    @classmethod
    def _plain_text(cls, value: str | None) -> str | None:
        if value is not None and not _TEXT.match(value):
            raise ValueError("control characters are not allowed")
        return value or None

    @field_validator("factors")
    @classmethod
    def _factors(cls, value: list[str]) -> list[str]:
        items = [v.strip() for v in value if v and v.strip()]
        for item in items:
            if len(item) > 80 or not _TEXT.match(item):
                raise ValueError("a factor is NAME=VALUE, at most 80 characters")
        return items


class ParcelFields(ValueFields):
    """One parcel to value: where it is, and optionally its area."""

    lon: float = Field(ge=-1e8, le=1e8)
    lat: float = Field(ge=-1e8, le=1e8)
    crs: str = Crs
    area_m2: float | None = Field(default=None, gt=0, le=1e9)
    parcel_id: str = Field(default="P1", max_length=40, pattern=r"^[^\x00-\x1f\x7f]*$")


class RegisterFields(ValueFields):
    """Options of a register upload (the valuation ones apply to a parcel register)."""

    crs: str = Crs
    year: Literal[2022, 2025, 2029] | None = None
    cell_m: float | None = Field(default=None, ge=100, le=5000)


def _option(name: str, value: Any) -> list[str]:
    """``--name=value`` (one word: a value can never be read as another option), nothing for None."""
    if value is None:
        return []
    if isinstance(value, float):
        value = repr(value)
    return [f"--{name}={value}"]


def value_args(fields: ValueFields) -> list[str]:
    """The options of ``zzgeo land-price value`` for *fields*."""
    args = [*_option("table", fields.table), *_option("use", fields.use), *_option("right", fields.right),
            *_option("date", fields.date), *_option("reduction-rate", fields.reduction_rate),
            *_option("term-years", fields.term_years), *_option("plot-ratio", fields.plot_ratio),
            *_option("price-index", fields.price_index), *_option("monthly-growth", fields.monthly_growth),
            *[f"--factor={f}" for f in fields.factors], *_option("steps", fields.steps)]
    if fields.development_adj:
        args += _option("development-adj", fields.development_adj)
    return args


def parcel_csv(fields: ParcelFields, folder: Path) -> Path:
    """The one parcel as a CSV (``parcel_id, lon, lat[, area_m2]``) in the job's folder: the file the command values."""
    path = folder / "parcel.csv"
    row = {"parcel_id": fields.parcel_id, "lon": repr(fields.lon), "lat": repr(fields.lat)}
    if fields.area_m2 is not None:
        row["area_m2"] = repr(fields.area_m2)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(row))
        writer.writeheader()
        writer.writerow(row)
    return path


def register_args(kind: str, name: str, fields: RegisterFields, out: str) -> list[str]:
    """The command that checks and analyses a register of *kind* in file *name* (in the job's folder)."""
    crs = [f"--crs={fields.crs}"] if Path(name).suffix.lower() in (".csv", ".xlsx") or fields.crs != "wgs84" else []
    common = [*crs, "--on-error=flag", "--json", f"--out={out}"]
    if kind == "shelters":
        return ["shelters", "coverage", f"--register={name}", *_option("year", fields.year),
                *_option("cell-m", fields.cell_m), *common]
    if kind == "facilities":
        return ["children", f"--register={name}", *_option("year", fields.year), *common]
    if kind == "parcels":
        return ["land-price", "value", name, *value_args(fields), *common]
    raise ValueError(kind)


def map_args(kind: str, name: str, fields: RegisterFields, folder: Path, out: str) -> list[str]:
    """``zzgeo map THEME --config`` with a config naming the uploaded register (written in the job's folder)."""
    spec = REGISTER_KINDS[kind]
    config = folder / "map.toml"
    lines = [f"[{spec['config']}]", f"{spec['key']} = {_toml(name)}", f"crs = {_toml(fields.crs)}"]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return ["map", spec["map"], f"--config={config.name}", f"--out={out}"]


def _toml(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def count_rows(path: Path) -> int:
    """Rows of a register file (CSV lines after the header, the first Excel sheet, the first GeoPackage layer)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        with path.open("rb") as handle:
            lines = sum(1 for line in handle if line.strip())
        return max(lines - 1, 0)
    if suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True)
        except Exception as exc:  # not a workbook: the command names the problem
            raise ValueError(_("{name}: not an Excel workbook ({error})").format(name=path.name, error=type(exc).__name__)) from exc
        try:
            from zzgeo.io import _named_register_sheet  # the sheet the register loader reads (a template's register sheet)

            sheet = book[_named_register_sheet(book, list(book.sheetnames)) or book.sheetnames[0]]
            filled = sum(1 for row in sheet.iter_rows(values_only=True) if any(v not in (None, "") for v in row))
            return max(filled - 1, 0)
        finally:
            book.close()
    import pyogrio

    try:
        return int(pyogrio.read_info(path)["features"])
    except Exception as exc:
        raise ValueError(_("{name}: not a readable vector file ({error})").format(name=path.name, error=type(exc).__name__)) from exc
