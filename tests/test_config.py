"""Configuration files against their schemas: one-line errors naming file, key path, value and what is allowed.

Each bad file is the packaged file with one edit (or a small file of its own),
so a test fails only for the problem it names.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from pydantic import BaseModel

import zzgeo.config
from zzgeo._data import data_path
from zzgeo.theme_run import check_inputs
from zzgeo.children.rules import AccessFile, TargetTable, access_rules, load_targets
from zzgeo.config import ConfigModel, key_path, load_config, read_toml
from zzgeo.errors import ParameterError, SchemaError
from zzgeo.groundwater.rules import RuleFile as GroundwaterRuleFile
from zzgeo.groundwater.rules import load_rules as groundwater_rules
from zzgeo.report.runs import load_report_config, report_file_model
from zzgeo.report.scoring import ScoreFile, load_score_config
from zzgeo.shelters.rules import PACKAGED_RULE_SETS, TargetFile
from zzgeo.shelters.rules import RuleFile as ShelterRuleFile
from zzgeo.shelters.rules import load_rules as shelter_rules
from zzgeo.shelters.rules import load_targets as shelter_targets

#: kind -> (loader, packaged file, error class, what the messages call the file)
KINDS = {
    "score": (load_score_config, "scores.toml", ParameterError, "score config"),
    "report": (load_report_config, "report.toml", ParameterError, "report config"),
    "shelter rules": (shelter_rules, "shelters/classes_zhengzhou2011.toml", SchemaError, "shelter rule file"),
    "shelter targets": (shelter_targets, "shelters/targets.toml", SchemaError, "shelter target file"),
    "groundwater rules": (groundwater_rules, "groundwater/rules.toml", ParameterError, "groundwater rule file"),
    "children targets": (load_targets, "children/targets.toml", ParameterError, "children target file"),
    "children access": (access_rules, "children/access.toml", ParameterError, "access rule file"),
}


def _packaged(kind: str) -> str:
    return data_path(KINDS[kind][1]).read_text(encoding="utf-8")


def _edit(kind: str, old: str, new: str, count: int = 1) -> str:
    text = _packaged(kind)
    assert old in text, f"{old!r} is not in the packaged {kind} file"
    return text.replace(old, new, count)


def _fails(kind: str, tmp_path: Path, content: str | bytes) -> str:
    """Load *content* as a *kind* file; return the one-line message (checked to name the file)."""
    loader, _, error, what = KINDS[kind]
    path = tmp_path / "bad.toml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(error) as info:
        loader(path)
    message = str(info.value)
    assert "\n" not in message, message
    assert message.startswith(f"{what} {str(path)!r}"), message
    return message


# ----------------------------------------------------------------------------- every kind: bytes and syntax

#: 郑 is D6 A3 in GBK, which happens to be valid UTF-8; 州 (D6 DD) is not: the error is at byte 4.
GBK = "# 郑州 settings\n[x]\n".encode("gbk")


@pytest.mark.parametrize("kind", list(KINDS))
def test_gbk_bytes_are_named_with_their_position(kind, tmp_path):
    message = _fails(kind, tmp_path, GBK)
    assert message.endswith("is not UTF-8 text: byte 4 (line 1) is b'\\xd6' (it looks like GBK/GB18030); save the file as UTF-8")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_file_that_is_not_toml_gives_line_and_column(kind, tmp_path):
    message = _fails(kind, tmp_path, "[report]\nbasemap: osm\n")
    assert message.endswith("is not valid TOML: Expected '=' after a key in a key/value pair (at line 2, column 8)")


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_empty_file_is_an_error(kind, tmp_path):
    assert _fails(kind, tmp_path, "").endswith("is empty: it holds no TOML table or key")
    assert _fails(kind, tmp_path, "# only a comment\n\n").endswith("is empty: it holds no TOML table or key")


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_missing_file_is_file_not_found_in_one_line(kind, tmp_path):
    loader = KINDS[kind][0]
    with pytest.raises(FileNotFoundError) as info:
        loader(tmp_path / "none.toml")
    assert "none.toml" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_packaged_file_loads(kind):
    loader, name, _, _ = KINDS[kind]
    assert loader(data_path(name)) is not None
    assert loader() is not None


def test_both_packaged_shelter_rule_sets_load_by_id_and_by_path():
    for rule_id, name in PACKAGED_RULE_SETS.items():
        assert shelter_rules(rule_id).id == rule_id == shelter_rules(data_path(name)).id


# ----------------------------------------------------------------------------- score config


def test_score_unknown_key(tmp_path):
    message = _fails("score", tmp_path, _edit("score", "weight = 0.2\n", "wieght = 0.2\n"))
    assert message.endswith("bad.toml': indicators[0]: unknown key 'wieght'; allowed: id, title, theme, source, role, why, "
                            "direction, normalise, target, weight")


def test_score_unknown_indicator_id_lists_the_known_ids(tmp_path):
    message = _fails("score", tmp_path, _edit("score", 'id = "shelter_coverage"', 'id = "parks_per_capita"'))
    assert message.endswith("indicators[1].id = 'parks_per_capita': not an indicator zzgeo computes; allowed: shelter_per_capita, "
                            "shelter_coverage, children_targets, childcare_access, sources_in_zones, leak_screening, land_price_level")


@pytest.mark.parametrize(("value", "expected"), [
    ("inf", "indicators[1].weight = inf: must be a finite number"),
    ("nan", "indicators[1].weight = nan: must be a finite number"),
    ("-0.15", "indicators[1].weight = -0.15: must be greater than or equal to 0"),
    ('"0.15"', "indicators[1].weight = '0.15': must be a number, not a string (remove the quotes)"),
    ("true", "indicators[1].weight = True: must be a valid number"),
])
def test_score_weight_must_be_a_finite_number_at_least_0(tmp_path, value, expected):
    assert _fails("score", tmp_path, _edit("score", "weight = 0.15", f"weight = {value}")).endswith(expected)


def test_score_cross_checks(tmp_path):
    assert _fails("score", tmp_path, _edit("score", "target = 2.0\n", "")).endswith(
        "indicators[0].target is missing: normalise = 'target' needs a target, a finite number > 0")
    assert _fails("score", tmp_path, _edit("score", "target = 2.0", "target = 0")).endswith(
        "indicators[0].target = 0: must be greater than 0")
    assert _fails("score", tmp_path, _edit("score", 'id = "shelter_coverage"', 'id = "shelter_per_capita"')).endswith(
        "indicators[1].id = 'shelter_per_capita': repeats indicators[0].id; give each indicator once")
    assert _fails("score", tmp_path, _edit("score", 'theme = "shelters"', 'theme = "shelter"')).endswith(
        "indicators[0].theme = 'shelter': indicator 'shelter_per_capita' belongs to theme 'shelters'")
    assert _fails("score", tmp_path, _edit("score", 'missing = "reweight"', 'missing = "drop"')).endswith(
        "score.missing = 'drop': must be 'reweight' or 'zero'")
    only = '[[indicators]]\nid = "shelter_coverage"\ntitle = "t"\nwhy = "w"\ndirection = "higher"\nnormalise = "share"\nweight = 0\n'
    assert _fails("score", tmp_path, only).endswith("indicators[*].weight = [0.0]: every weight is 0; at least one must be > 0")
    assert _fails("score", tmp_path, '[score]\ntitle = "t"\n').endswith("bad.toml': indicators is missing (required)")


def test_an_edited_score_config_may_drop_and_reweight(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('[[indicators]]\nid = "childcare_access"\ntitle = "t"\nwhy = "w"\ndirection = "higher"\nnormalise = "share"\nweight = 2\n',
                    encoding="utf-8")
    config = load_score_config(path)
    assert config.indicators[["id", "theme", "weight"]].to_dict("records") == [{"id": "childcare_access", "theme": "children", "weight": 2.0}]
    assert config.missing == "reweight" and config.path == str(path)


# ----------------------------------------------------------------------------- report config


@pytest.mark.parametrize(("content", "expected"), [
    ('[report]\npng = "false"\n', "report.png = 'false': must be true or false (a TOML boolean, without quotes)"),
    ('[report]\nbasemap = "google"\n', "report.basemap = 'google': use one of none, osm, amap, or a tile URL template (http/https) with {x}, {y} and {z}"),
    ('[shelter]\nregister = "s.csv"\n', "bad.toml': unknown table 'shelter'; allowed: report, score, units, land-price, shelters, groundwater, children"),
    ('[children]\nregistre = "f.csv"\n', "children: unknown key 'registre'; allowed: register, zones, communities, children, targets, crs"),
    ('[groundwater]\nrules = 3\n', "groundwater.rules = 3: must be a string (in quotes)"),
    ('[shelters]\nregister = ""\n', "shelters.register = '': must not be empty"),
    ('[score]\nconfig = true\n', "score.config = True: must be a string (in quotes)"),
    ('report = "osm"\n', "report = 'osm': must be a table"),
])
def test_report_config_errors(tmp_path, content, expected):
    assert _fails("report", tmp_path, content).endswith(expected)


def test_report_paths_resolve_from_the_config_folder(tmp_path):
    path = tmp_path / "r.toml"
    path.write_text('[report]\npng = false\nbasemap = "osm"\n[score]\nconfig = "s.toml"\n[shelters]\nregister = "d/s.csv"\n'
                    'rules = "gb51143-2015-unverified"\ncrs = "gcj02"\n[land-price]\nzones = "/abs/z.gpkg"\n', encoding="utf-8")
    config = load_report_config(path)
    assert config.png is False and config.basemap == "osm" and config.score_config == str(tmp_path / "s.toml")
    assert config.inputs["shelters"] == {"register": str(tmp_path / "d/s.csv"), "rules": "gb51143-2015-unverified", "crs": "gcj02"}
    assert config.inputs["land-price"] == {"zones": "/abs/z.gpkg"} and config.inputs["children"] == {}


def test_theme_input_keys_are_those_of_each_theme_module():
    import importlib

    from zzgeo.report import THEMES

    model = report_file_model()
    for key, module in THEMES.items():
        section = model.model_fields[key.replace("-", "_")].annotation
        assert [f.alias for f in section.model_fields.values()] == list(importlib.import_module(module).INPUTS)


def test_check_inputs_for_code_callers():
    allowed = {"register": "r", "crs": "c"}
    assert check_inputs("shelters", {"register": Path("x.csv"), "crs": None}, allowed) == {"register": Path("x.csv"), "crs": None}
    with pytest.raises(ParameterError, match=r"^shelters inputs: unknown key 'registre'; allowed: register, crs$"):
        check_inputs("shelters", {"registre": "x.csv"}, allowed)
    with pytest.raises(ParameterError, match=r"^shelters inputs: register = '': an empty file name; give a file or leave the key out$"):
        check_inputs("shelters", {"register": ""}, allowed)


# ----------------------------------------------------------------------------- shelter rules and targets


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("service_radius_m = 1000", "service_radius_m = -1000", "classes.II.service_radius_m = -1000: must be greater than 0"),
    ("service_radius_m = 1000", 'service_radius_m = "1000"', "classes.II.service_radius_m = '1000': must be a number, not a string (remove the quotes)"),
    ("service_radius_m = 1000", "service_radius_m = inf", "classes.II.service_radius_m = inf: must be a finite number"),
    ("service_radius_m = 1000", "radius_m = 1000",
     "classes.II: unknown key 'radius_m'; allowed: label, min_effective_area_m2, min_effective_area_m2_inside_3rd_ring, "
     "service_radius_m, area_per_person_m2, stay; classes.II.service_radius_m is missing (required)"),
    ("[classes.III]", "[classes.IV]", "classes: unknown table 'IV'; allowed: I, II, III; classes.III is missing (required)"),
    ("area_per_person_m2 = 1.5", "area_per_person_m2 = 0", "capacity.area_per_person_m2 = 0: must be greater than 0"),
    ('status = "secondary"', 'status = "ok"', "rule_set.status = 'ok': must be 'checked', 'secondary', 'unverified' or 'assumption'"),
    ("min_effective_area_m2 = 2000\n", "min_effective_area_m2 = 5000\n",
     "classes.III.min_effective_area_m2 = 5000.0: above classes.II.min_effective_area_m2 = 4000; class minima must fall from I to III"),
    ("inside_3rd_ring = 15000", "inside_3rd_ring = 25000",
     "classes.I.min_effective_area_m2_inside_3rd_ring = 25000.0: must be <= min_effective_area_m2 = 20000 (it relaxes the class minimum)"),
])
def test_shelter_rule_errors(tmp_path, old, new, expected):
    assert _fails("shelter rules", tmp_path, _edit("shelter rules", old, new)).endswith(expected)


def test_shelter_rules_need_id_and_source(tmp_path):
    message = _fails("shelter rules", tmp_path, _edit("shelter rules", 'id = "zhengzhou-2011-defaults"\n', ""))
    assert message.endswith("rule_set.id is missing (required)")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("per_capita_m2 = 3.0", "per_capita_m2 = -3", "targets[1].per_capita_m2 = -3: must be greater than 0"),
    ("year = 2029", "year = 2025", "targets[1].year = 2025: repeats targets[0].year; give each year once"),
    ("year = 2029", "year = 29", "targets[1].year = 29: must be greater than or equal to 2000"),
    ("min_usable_area_m2 = 2000", "min_usable_area_m2 = nan", "candidates.min_usable_area_m2 = nan: must be a finite number"),
    ("[[targets]]", "[[target]]", "unknown key 'target'; allowed: document, targets, candidates; targets is missing (required)"),
])
def test_shelter_target_errors(tmp_path, old, new, expected):
    assert _fails("shelter targets", tmp_path, _edit("shelter targets", old, new, count=-1 if old == "[[targets]]" else 1)).endswith(expected)


# ----------------------------------------------------------------------------- groundwater rules


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("safety_factor = 1.5", "safety_factor = 0.5", "hj338.safety_factor = 0.5: must be greater than or equal to 1"),
    ("safety_factor = 1.5", "safety_factor = inf", "hj338.safety_factor = inf: must be a finite number"),
    ("zone2_days = 1000", "zone2_days = 50", "hj338.zone2_days = 50.0: must be > zone1_days = 100 (zone 2 encloses zone 1)"),
    ("travel_days = 3650", "travel_days = -1", "capture.travel_days = -1: must be greater than 0"),
    ("timml_traces = 36", 'timml_traces = "36"', "riverside.timml_traces = '36': must be a whole number, not a string (remove the quotes)"),
    ("timml_traces = 36", "timml_traces = 36.5", "riverside.timml_traces = 36.5: must be a whole number"),
    ("losing_share = 1.0", "losing_share = 1.5", "riverside.losing_share = 1.5: must be less than or equal to 1"),
    ('"landfill"]\n# 72号', '"landfil"]\n# 72号',
     "screening.key_source_types[5] = 'landfil': not a source type of the pollution-source register; allowed: industrial_enterprise, "
     "industrial_cluster, chemical_producer, hazardous_waste_site, landfill, mining_area, tailings_pond, petrol_station, golf_course, "
     "livestock_farm, crop_area"),
    ('"electroplating"]', '"plating"]', "screening.first_in_line_industries[1] = 'plating': not an industry of the pollution-source register; "
     "allowed: chemical, electroplating, pesticide, pharmaceutical, petrochemical, dyeing, tanning, nonferrous, coking, other"),
    ("[capture]", "[captures]", "bad.toml': unknown table 'captures'; allowed: rule_set, hj338, capture, riverside, screening; capture is missing (required)"),
    ("large_wellfield_m3_d = 50000", "large_wellfield = 50000",
     "hj338: unknown key 'large_wellfield'; allowed: zone1_days, zone2_days, safety_factor, source, status, large_wellfield_m3_d; "
     "hj338.large_wellfield_m3_d is missing (required)"),
])
def test_groundwater_rule_errors(tmp_path, old, new, expected):
    assert _fails("groundwater rules", tmp_path, _edit("groundwater rules", old, new)).endswith(expected)


# ----------------------------------------------------------------------------- children targets and access


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('facility = "childcare_demo"', 'facility = "zoo"', "targets[5].facility = 'zoo': unknown facility type; allowed: activity_centre, "),
    ('facility = "childcare_demo"', 'facility = ""', "targets[5].facility = '': a 'count' target names no facility type; "
     "give one of facilities.toml's facility_type keys"),
    ('facility = "childcare_demo"', "facility = 3", "targets[5].facility = 3: must be a facility type, a list of them, or \"\" (none)"),
    ("year = 2022,", "year = 2023,", "targets[0].year = 2023: must be a milestone of the plan: 2022, 2025, or 0 for a standing target"),
    ("year = 2022,", "year = 2022.0,", "targets[0].year = 2022.0: must be a whole number"),
    ("value = 200,", "value = inf,", "targets[0].value = inf: must be a finite number"),
    ("value = 200,", 'value = "200",', "targets[0].value = '200': must be a number, not a string (remove the quotes)"),
    ("value_max = 2,", "value_max = 1,", "targets[4].value_max = 1.0: must be > value = 1 (cmp = 'range')"),
    ('cmp = ">=", value = 200,', 'cmp = ">=", value = 200, value_max = 300,',
     "targets[0].value_max = 300.0: only read when cmp = 'range' (cmp is '>='); remove it"),
    ('id = "pioneer_counsellors_2022"', 'id = "social_workers_2022"',
     "targets[1].id = 'social_workers_2022': repeats targets[0].id; give each target once"),
    ('unit = "人 (增加)"', 'units = "人 (增加)"', "targets[0]: unknown key 'units'; allowed: id, year, facility, measure, scope, cmp, value, "
     "unit, task, line, wording, annex, value_max, min_places, baseline, counts_from, note, community; targets[0].unit is missing (required)"),
    ('scope = "city"', 'scope = "town"', "targets[0].scope = 'town': must be 'city', 'per_unit', 'per_1000_residents', "
     "'per_10000_residents', 'community_share' or 'unit_share'"),
    ("[source]", "[sources]", "unknown table 'sources'; allowed: targets, source; source is missing (required)"),
])
def test_children_target_errors(tmp_path, old, new, expected):
    message = _fails("children targets", tmp_path, _edit("children targets", old, new))
    assert expected in message and message.index(expected) == message.index(": ") + 2, message


@pytest.mark.parametrize(("old", "new", "expected"), [
    ('"15min" = 1000', '"15min" = -1000', "circles.walk_m.15min = -1000: must be greater than 0"),
    ("walk_m = {", "walk_m = {} #", "circles.walk_m = {}: must have at least 1 item"),
    ("factor = 1.3", "factor = 0.9", "detour.factor = 0.9: must be greater than or equal to 1"),
    ("cell_m = 250", "cell_m = 0", "grid.cell_m = 0: must be greater than 0"),
    ("distance_m = 1000", 'distance_m = "1000"', "catchment.distance_m = '1000': must be a number, not a string (remove the quotes)"),
    ("[grid]", "[cells]", "unknown table 'cells'; allowed: circles, detour, catchment, grid; grid is missing (required)"),
])
def test_children_access_errors(tmp_path, old, new, expected):
    assert _fails("children access", tmp_path, _edit("children access", old, new)).endswith(expected)


def test_access_overrides_are_checked_too():
    with pytest.raises(ParameterError, match=r"^access_rules overrides: detour = 0\.5: must be greater than or equal to 1$"):
        access_rules(detour=0.5)
    with pytest.raises(ParameterError, match=r"^access_rules overrides: circles\.near = -1: must be greater than 0$"):
        access_rules(circles={"near": -1})
    assert access_rules(circles={"near": 200}).circles == {"near": 200.0}


# ----------------------------------------------------------------------------- the base module


def test_every_model_forbids_unknown_keys_and_is_strict():
    roots = [ScoreFile, report_file_model(), ShelterRuleFile, TargetFile, GroundwaterRuleFile, TargetTable, AccessFile]
    seen, todo = set(), list(roots)
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        assert issubclass(model, ConfigModel), model
        assert model.model_config["extra"] == "forbid" and model.model_config["strict"] is True, model
        for info in model.model_fields.values():
            todo += [t for t in _types_in(info.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    assert len(seen) >= 25


def _types_in(annotation):
    import typing

    yield annotation
    for arg in typing.get_args(annotation):
        yield from _types_in(arg)


def test_read_toml_allows_a_byte_order_mark_and_names_the_file(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + '[a]\nb = "郑州"\n'.encode())
    assert read_toml(path, what="test file") == {"a": {"b": "郑州"}}
    path.write_bytes(b'[a]\nb = "\xff"\n')
    with pytest.raises(ParameterError, match=r"^test file '.*bom\.toml' is not UTF-8 text: byte 9 \(line 2\) is b'\\xff'; save the file as UTF-8$"):
        read_toml(path, what="test file")
    with pytest.raises(SchemaError, match=r"^test file '.*' is a folder; give a TOML file$"):
        read_toml(tmp_path, what="test file", error=SchemaError)


def test_load_config_re_reads_an_edited_file(tmp_path):
    path = tmp_path / "access.toml"
    text = data_path("children/access.toml").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    assert load_config(path, AccessFile, what="access").grid.cell_m == 250
    path.write_text(text.replace("cell_m = 250", "cell_m = 100"), encoding="utf-8")
    assert load_config(path, AccessFile, what="access").grid.cell_m == 100


def test_key_path_and_the_module_doctests():
    assert key_path(("indicators", 2, "weight")) == "indicators[2].weight"
    assert key_path(("indicators", "*", "weight")) == "indicators[*].weight" and key_path(()) == ""
    assert doctest.testmod(zzgeo.config).failed == 0


def test_the_first_three_problems_then_a_count(tmp_path):
    import re

    text = re.sub(r"weight = [0-9.]+", "weight = -1", _packaged("score"))
    message = _fails("score", tmp_path, text)
    assert message.count("must be greater than or equal to 0") == 3 and message.endswith("indicators[2].weight = -1: must be greater "
                                                                                      "than or equal to 0 (+4 more)")


# ----------------------------------------------------------------------------- the command line


def _cli(argv, capsys):
    from zzgeo._cli import run
    from zzgeo.cli import app

    capsys.readouterr()
    code = run(app, argv)
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    return lines[0]


def test_cli_score_with_a_bad_config(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(_edit("score", "weight = 0.15", "weight = inf"), encoding="utf-8")
    line = _cli(["score", "--config", str(bad), "--out", str(tmp_path / "s.csv")], capsys)
    assert line == f"error: score config {str(bad)!r}: indicators[1].weight = inf: must be a finite number"
    assert not (tmp_path / "s.csv").exists()


def test_cli_report_with_a_bad_config(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text('[report]\npng = "false"\n', encoding="utf-8")
    line = _cli(["report", "--config", str(bad), "--out", str(tmp_path / "r"), "--no-png"], capsys)
    assert line == f"error: report config {str(bad)!r}: report.png = 'false': must be true or false (a TOML boolean, without quotes)"
    bad.write_bytes(GBK)
    line = _cli(["report", "--config", str(bad), "--out", str(tmp_path / "r"), "--no-png"], capsys)
    assert line.startswith(f"error: report config {str(bad)!r} is not UTF-8 text: byte 4 (line 1)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_cli_shelters_coverage_with_bad_rules(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(_edit("shelter rules", "service_radius_m = 500\n", "service_radius_m = -500\n"), encoding="utf-8")
    line = _cli(["shelters", "coverage", "--rules", str(bad), "--cell-m", "3000", "--out", str(tmp_path / "c.csv")], capsys)
    assert line == f"error: shelter rule file {str(bad)!r}: classes.III.service_radius_m = -500: must be greater than 0"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_cli_groundwater_zones_with_bad_rules(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(_edit("groundwater rules", "zone1_days = 100", "zone1_days = 100\nzone3_days = 5000"), encoding="utf-8")
    line = _cli(["groundwater", "zones", "--rules", str(bad), "--out", str(tmp_path / "z.gpkg")], capsys)
    assert line.startswith(f"error: groundwater rule file {str(bad)!r}: hj338: unknown key 'zone3_days'; allowed: zone1_days, zone2_days, ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]


def test_cli_children_with_bad_targets(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("targets = [\n", encoding="utf-8")
    line = _cli(["children", "--targets", str(bad), "--out", str(tmp_path / "t.csv")], capsys)
    assert line.startswith(f"error: children target file {str(bad)!r} is not valid TOML: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml"]
