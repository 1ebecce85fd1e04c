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
    gt = 0                           # ranges: gt, ge, lt, le

    [vocabularies.shelter_class]     # for type = "category"
    what = "class"                   # how messages name a value
    hint = "I/II/III, Ⅰ/Ⅱ/Ⅲ, 1/2/3 or 一类/二类/三类"
    strip = ["class", "类", "级"]    # noise removed before matching
    [vocabularies.shelter_class.terms]
    I = ["I", "1", "一"]

Headers are compared without case, spaces, ``_``/``-`` and bracketed units,
after Unicode NFKC normalisation (full-width letters and Roman numerals
such as ``Ⅱ`` read as ASCII). Types, ranges, vocabularies, empties and
uniqueness are checked with pandera (lazy validation, one failure case per
row and check); geometry and location are checked here. Nothing is dropped:
with ``on_error="flag"`` every row comes back with ``issues`` (errors),
``notes`` (warnings) and ``valid``; with ``on_error="raise"`` one error names
every bad row (the first few with their problems, and a count of the rest).
"""

from zzgeo.registers.checks import CheckContext, district_name_check
from zzgeo.registers.loader import (
    check_register,
    load_register,
    map_columns,
    parse_columns_option,
    register_reader,
    rejected_rows,
    usable_rows,
    validate_register,
)
from zzgeo.registers.schema import (
    COLUMN_TYPES,
    ColumnSpec,
    RegisterSchema,
    Vocabulary,
    load_schema,
)

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
    "usable_rows",
    "rejected_rows",
]
