"""Tests of zzgeo.layers: the GeoPackage store, its provenance, atomic builds."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pyogrio
import pytest

from zzgeo import layers
from zzgeo.errors import UnknownCodeError

REPO_STORE = Path(__file__).resolve().parents[1] / "layers" / "zzgeo.gpkg"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_session_store_is_private(layer_store) -> None:
    assert layers.default_store() == layer_store
    assert layer_store.resolve() != REPO_STORE.resolve()


def test_store_layers_and_provenance(layer_store) -> None:
    present = set(pyogrio.list_layers(layer_store)[:, 0])
    assert {"districts", "census_2020", "land_grade_zones", layers.PROVENANCE_TABLE} <= present
    prov = layers.list_layers(layer_store).set_index("layer")
    assert prov.loc["districts", "kind"] == "real"
    assert prov.loc["districts", "features"] == 12
    assert "仅供学习交流使用" in prov.loc["districts", "licence"]
    assert prov.loc["census_2020", "kind"] == "real"
    assert prov.loc["census_2020", "features"] == 15
    assert prov.loc["land_grade_zones", "kind"] == "demo"
    assert prov.loc["land_grade_zones", "features"] == 48
    assert "NOT the official grade map" in prov.loc["land_grade_zones", "licence"]
    assert set(prov["kind"]) <= {"real", "demo"}
    assert prov["built"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()


def test_full_build_into_a_new_path(tmp_path) -> None:
    path = layers.build_store(tmp_path / "new" / "store.gpkg")
    prov = layers.list_layers(path)
    assert set(prov["layer"]) == set(layers.layer_specs())
    assert set(prov["kind"]) <= {"real", "demo"}
    assert sorted(os.listdir(path.parent)) == ["store.gpkg"]


def test_read_layer(layer_store) -> None:
    d = layers.read_layer("districts")
    assert len(d) == 12 and d.crs == "EPSG:4326"
    d["name"] = "changed"  # a fresh copy each time: the cache is not touched
    assert "changed" not in set(layers.read_layer("districts")["name"])


def test_read_unknown_layer(layer_store) -> None:
    with pytest.raises(UnknownCodeError, match=r"has no layer 'roads'; layers: \["):
        layers.read_layer("roads")
    with pytest.raises(UnknownCodeError, match=r"unknown layer 'roads'; known layers: \["):
        layers.build_store(layer_store, only=["roads"])


def test_rebuild_one_layer_keeps_the_others(tmp_path, layer_store) -> None:
    copy = tmp_path / "store.gpkg"
    shutil.copy(layer_store, copy)
    layers.build_store(copy, only=["census_2020"])
    prov = layers.list_layers(copy).set_index("layer")
    assert {"districts", "census_2020", "land_grade_zones"} <= set(prov.index)
    assert len(layers.read_layer("districts", copy)) == 12


def test_failed_build_leaves_the_old_store_intact(tmp_path, layer_store, monkeypatch) -> None:
    copy = tmp_path / "store.gpkg"
    shutil.copy(layer_store, copy)
    digest = _sha(copy)

    def broken() -> None:
        raise RuntimeError("builder failed (simulated)")

    # the demo zones are built after districts and census: a half-written new store exists when it fails
    monkeypatch.setattr("zzgeo.landprice.demo.build_demo_zones", broken)
    with pytest.raises(RuntimeError, match="simulated"):
        layers.build_store(copy, only=["districts", "census_2020", "land_grade_zones"])
    assert _sha(copy) == digest
    assert os.listdir(tmp_path) == ["store.gpkg"]  # no temporary store left behind
    assert len(layers.read_layer("land_grade_zones", copy)) == 48
