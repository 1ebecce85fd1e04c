"""One schema-driven loader for every register a user brings.

A *register* is a table of things with a location: shelters, candidate sites,
parcels, water sources and wells, pollution sources, child-friendly
facilities. Its *schema* is data, a TOML file beside the theme's rules
(``zzgeo/data/<theme>/*_register.toml``)::

    [register]
    id = "shelters.register"         # how outputs name the schema
    title = "应急避难场所台账 (shelter register)"
    geometry = ["point", "polygon"]  # allowed kinds; [] when none is needed
    id_column = "shelter_id"         # names rows in messages
    name_column = "name"
    locate = true                    # every row must lie in Zhengzhou; adds adcode, district_name

    [columns.effective_area_m2]
    title = "有效面积"
    headers = ["effective_area", "有效面积", "可用面积"]   # accepted headers besides the name
    type = "number"                  # text, number, integer, category, bool, date
    quantity = "area"                # header units convert: 有效面积(公顷) -> x 10,000 (data/units.toml)
    required = true                  # the column must be present
    nullable = false                 # every cell must hold a value
    gt = 0                           # the hard range: gt, ge, lt, le (outside it the row is an error)
    le = 7.6e9
    why = "no site is larger than Zhengzhou (7,567 km²)"
    plausible = [100, 2e6]           # outside it (but inside the hard range) the row gets a note
    plausible_why = "a Zhengzhou park shelter has 10^3-10^6 m²"

    [vocabularies.shelter_class]     # for type = "category"
    what = "class"                   # how messages name a value
    hint = "I/II/III, Ⅰ/Ⅱ/Ⅲ, 1/2/3 or 一类/二类/三类"
    strip = ["class", "类", "级"]    # noise removed before matching
    [vocabularies.shelter_class.terms]
    I = ["I", "1", "一"]

Headers are compared without case, spaces, ``_``/``-`` and bracketed units,
after Unicode NFKC normalisation (full-width letters and Roman numerals
such as ``Ⅱ`` read as ASCII). A unit in a header (``有效面积(公顷)``,
``开采量(万m³/a)``, ``area_mu``) is read with pint and converted to the
column's canonical unit (:mod:`zzgeo.registers.quantities`); a unit that does
not parse or measures something else is an error naming the header.

Types, hard ranges, vocabularies and empties are checked with pandera (lazy
validation, one failure case per row and check); values inside the hard range
but outside a column's ``plausible`` range get a note; repeated ids and
records repeated whole are errors on the later rows; geometry and location
are checked here. Nothing is dropped: with ``on_error="flag"`` every row comes
back with ``issues`` (errors), ``notes`` (warnings) and ``valid``; with
``on_error="raise"`` one error names every bad row (the first few with their
problems, and a count of the rest). Rows are named by their id, else their
CSV/Excel line, feature number or index label (:class:`zzgeo._problems.RowNames`).
"""

from zzgeo.registers.checks import CheckContext, LocationFlags, default_boundary_m, district_name_check, location_check
from zzgeo.registers.loader import (
    check_register,
    conversion_note,
    header_conversions,
    row_namer,
    row_notes,
    load_register,
    location_counts,
    location_summary,
    map_columns,
    parse_columns_option,
    register_reader,
    rejected_rows,
    usable_rows,
    validate_register,
    whole_register_problems,
)
from zzgeo.registers.schema import (
    COLUMN_TYPES,
    ColumnSpec,
    RegisterSchema,
    Vocabulary,
    load_schema,
)
from zzgeo.registers.template import TEMPLATES, TemplateColumn, read_template, template_columns, write_template

__all__ = [
    "COLUMN_TYPES",
    "Vocabulary",
    "ColumnSpec",
    "RegisterSchema",
    "CheckContext",
    "load_schema",
    "parse_columns_option",
    "map_columns",
    "check_register",
    "validate_register",
    "load_register",
    "register_reader",
    "district_name_check",
    "location_check",
    "LocationFlags",
    "default_boundary_m",
    "location_counts",
    "location_summary",
    "usable_rows",
    "rejected_rows",
    "row_notes",
    "row_namer",
    "whole_register_problems",
    "header_conversions",
    "conversion_note",
    "TEMPLATES",
    "TemplateColumn",
    "template_columns",
    "write_template",
    "read_template",
]
