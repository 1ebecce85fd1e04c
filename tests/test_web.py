"""The web app's API (zzgeo.web): the same answers as the command line's --json, one-line 4xx errors, the token,
the limits, no path from a request reaching the filesystem, and what users typed escaped in pages."""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("multipart")
from fastapi.testclient import TestClient  # noqa: E402

from zzgeo._cli import run  # noqa: E402
from zzgeo.cli import app as cli_app  # noqa: E402
from zzgeo.web import Limits, create_app  # noqa: E402

EN = {"Accept-Language": "en"}
ERQI = (113.6654, 34.7536)
BAD_NAME = "<script>alert(1)</script>"
SHELTERS = f"名称,类别,有效面积,lon,lat\n人民公园,I,30000,113.68,34.79\n{BAD_NAME},I,abc,113.64,34.72\n"


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def cli_json(capsys, argv: list[str], lang: str = "en") -> dict:
    capsys.readouterr()
    code = run(cli_app, ["--lang", lang, *[str(a) for a in argv]])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def one_line_error(response, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert list(body) == ["error"] and "\n" not in body["error"] and "Traceback" not in body["error"]
    return body["error"]


# ----------------------------------------------------------------------------- the same figures as the CLI


def test_lookup_is_the_cli_lookup(client, capsys):
    got = client.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]}, headers=EN)
    assert got.status_code == 200
    assert got.json() == cli_json(capsys, ["land-price", "lookup", "--lon", ERQI[0], "--lat", ERQI[1], "--json"])
    commercial = got.json()["tables"][0]["uses"][0]
    assert commercial["use"] == "commercial" and commercial["prices"][0]["price_yuan_m2"] in (1020.0, 895.0, 770.0, 640.0, 540.0)


def test_answers_follow_the_request_language(client, capsys):
    from zzgeo.i18n import language

    before = language()
    for lang in ("zh", "en"):
        got = client.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]}, headers={"Accept-Language": lang})
        assert got.json() == cli_json(capsys, ["land-price", "lookup", "--lon", ERQI[0], "--lat", ERQI[1], "--json"], lang=lang)
    zh = client.get("/api/land-price/lookup", params={"lon": 1, "lat": 34.7, "lang": "zh"}).json()["error"]
    en = client.get("/api/land-price/lookup", params={"lon": 1, "lat": 34.7, "lang": "en"}).json()["error"]
    assert en.startswith("location (1.00000, 34.70000) lies outside") and zh != en
    assert language() == before  # the server's own language is left as it was


def test_lookup_in_gcj02_and_epsg(client, capsys):
    for crs, (x, y) in (("gcj02", (113.6717, 34.7523)), ("EPSG:4547", (469_000.0, 3_846_000.0))):
        got = client.get("/api/land-price/lookup", params={"lon": x, "lat": y, "crs": crs}, headers=EN)
        assert got.status_code == 200, got.text
        assert got.json() == cli_json(capsys, ["land-price", "lookup", "--lon", x, "--lat", y, "--crs", crs, "--json"])


VALUE = {"use": "commercial", "area_m2": 1500.0, "plot_ratio": 3.0, "term_years": 30.0, "date": "2023-06-30",
         "price_index": "2020-01-01=100,2024-01-01=93", "factors": ["交通条件=0.02", "环境=-0.01"], "development_adj": 12.5,
         "steps": "date,individual,term,plot_ratio,floor_to_ground,development"}


def test_valuation_is_the_cli_valuation_with_every_coefficient(client, capsys, tmp_path, monkeypatch):
    got = client.post("/api/land-price/value", json={"lon": ERQI[0], "lat": ERQI[1], **VALUE}, headers=EN)
    assert got.status_code == 200, got.text
    monkeypatch.chdir(tmp_path)
    Path("parcel.csv").write_text(f"parcel_id,lon,lat,area_m2\nP1,{ERQI[0]!r},{ERQI[1]!r},1500.0\n", encoding="utf-8")
    want = cli_json(capsys, ["land-price", "value", "parcel.csv", "--crs=wgs84", "--out=valuation.gpkg", "--json",
                             "--use=commercial", "--date=2023-06-30", "--term-years=30.0", "--plot-ratio=3.0",
                             "--price-index=2020-01-01=100,2024-01-01=93", "--factor=交通条件=0.02", "--factor=环境=-0.01",
                             f"--steps={VALUE['steps']}", "--development-adj=12.5"])
    assert got.json() == want
    rec = got.json()["records"][0]
    assert rec["sum_k"] == pytest.approx(0.01) and rec["k_date"] != 1.0 and rec["development_adj_yuan_m2"] == 12.5
    assert rec["steps"].startswith("date > individual")
    job = got.headers["X-Zzgeo-Job"]
    assert client.get(f"/api/jobs/{job}/files/valuation.gpkg").status_code == 200


def test_register_upload_names_the_bad_row_and_equals_the_cli(client, capsys, tmp_path, monkeypatch):
    got = client.post("/api/registers/shelters", files={"file": ("shelters.csv", SHELTERS.encode(), "text/csv")},
                      data={"cell_m": "3000"}, headers=EN)
    assert got.status_code == 200, got.text
    body = got.json()
    assert body["rows"] == 2 and body["input"] == "shelters.csv"
    assert body["result"]["rejected"] == [{"input": "shelters.csv", "row": "line 3", "name": BAD_NAME,
                                           "reason": "effective_area_m2 is not a number: 'abc'"}]
    monkeypatch.chdir(tmp_path)
    Path("shelters.csv").write_text(SHELTERS, encoding="utf-8")
    want = cli_json(capsys, ["shelters", "coverage", "--register=shelters.csv", "--cell-m=3000.0", "--crs=wgs84",
                             "--on-error=flag", "--json", "--out=result.gpkg"])
    assert body["result"] == want
    # downloads: Excel and GeoPackage of the same result, and the offline map with the bad name escaped
    xlsx = client.get(body["downloads"]["xlsx"])
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(body["downloads"]["gpkg"]).content[:15] == b"SQLite format 3"
    assert "line 3" in one_line_error(client.get(body["downloads"]["html"], headers=EN), 400)  # the map needs every row


@pytest.mark.slow
def test_a_register_value_is_escaped_in_its_offline_map(client):
    clean = SHELTERS.replace(",abc,", ",3000,")
    got = client.post("/api/registers/shelters", files={"file": ("clean.csv", clean.encode(), "text/csv")}, data={"cell_m": "3000"})
    assert got.status_code == 200, got.text
    assert got.json()["result"]["rejected"] == []
    html = client.get(got.json()["downloads"]["html"])
    assert html.status_code == 200 and "<html" in html.text.lower() and "sandbox" in html.headers["content-security-policy"]
    assert "alert(1)" in html.text and BAD_NAME not in html.text


def test_parcel_register_is_valued_like_the_cli(client, capsys, tmp_path, monkeypatch):
    text = f"parcel_id,use,lon,lat,area_m2\nA,commercial,{ERQI[0]},{ERQI[1]},1000\nB,nonsense_use,{ERQI[0]},{ERQI[1]},500\n"
    got = client.post("/api/registers/parcels", files={"file": ("parcels.csv", text.encode(), "text/csv")},
                      data={"plot_ratio": "2.5"}, headers=EN)
    assert got.status_code == 200, got.text
    monkeypatch.chdir(tmp_path)
    Path("parcels.csv").write_text(text, encoding="utf-8")
    want = cli_json(capsys, ["land-price", "value", "parcels.csv", "--plot-ratio=2.5", "--crs=wgs84", "--on-error=flag",
                             "--json", "--out=result.gpkg"])
    assert got.json()["result"] == want
    assert [r["row"] for r in want["rejected"]] == ["line 3"]


# ----------------------------------------------------------------------------- errors: one line, 4xx


def test_bad_requests_are_one_line_4xx(client):
    assert "outside Zhengzhou" in one_line_error(client.get("/api/land-price/lookup", params={"lon": 1, "lat": 34.7}, headers=EN), 400)
    assert "lon" in one_line_error(client.post("/api/land-price/value", json={"lon": "east", "lat": 34.7}), 422)
    assert "out: extra" in one_line_error(client.post("/api/land-price/value", json={"lon": 113.6, "lat": 34.7, "out": "/etc/x"}), 422).lower()
    bad_use = client.post("/api/land-price/value", json={"lon": ERQI[0], "lat": ERQI[1], "use": "--out=/tmp/x"}, headers=EN)
    assert "--out=/tmp/x" in one_line_error(bad_use, 400)
    assert one_line_error(client.post("/api/land-price/value", content=b"{not json", headers={"content-type": "application/json"}), 422)
    assert "kinds" in one_line_error(client.post("/api/registers/wells", files={"file": ("a.csv", b"x", "text/csv")}), 404)
    assert ".xlsx" in one_line_error(client.post("/api/registers/shelters", files={"file": ("a.exe", b"x", "application/x")}), 400)
    assert "file" in one_line_error(client.post("/api/registers/shelters", data={"crs": "wgs84"}), 422)
    assert one_line_error(client.post("/api/registers/shelters", files={"file": ("a.csv", b"", "text/csv")}), 400)


def test_an_upload_named_like_an_output_is_still_read(client):
    got = client.post("/api/registers/shelters", files={"file": ("result.gpkg", b"not a geopackage", "application/octet-stream")},
                      headers=EN)
    assert "upload_result.gpkg" in one_line_error(got, 400)


def test_paths_from_requests_never_reach_the_filesystem(client):
    assert one_line_error(client.get("/api/jobs/..%2F..%2Fetc"), 404)
    assert one_line_error(client.get("/api/jobs/0123/files/x"), 404)
    job = client.post("/api/land-price/value", json={"lon": ERQI[0], "lat": ERQI[1], "use": "commercial"}).headers["X-Zzgeo-Job"]
    for name in ("../../../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "/etc/passwd", "parcel.csv", "valuation.gpkg/../parcel.csv"):
        got = client.get(f"/api/jobs/{job}/files/{name}")
        assert got.status_code == 404, name
    assert client.get("/static/..%2F..%2Fapp.py").status_code == 404
    assert client.get("/api/layers/zzgeo_provenance").status_code == 404


def test_a_report_config_may_name_only_uploaded_files(client):
    config = b'[shelters]\nregister = "/etc/passwd"\n'
    got = client.post("/api/reports", files={"config": ("r.toml", config, "text/plain")}, headers=EN)
    assert "was not uploaded" in one_line_error(got, 400)
    config = b'[shelters]\nregister = "postgresql://me@db/gis#public.shelters"\n'
    assert "uploaded" in one_line_error(client.post("/api/reports", files={"config": ("r.toml", config, "text/plain")}, headers=EN), 400)


def _finished(client, job: str, *, timeout: float) -> dict:
    """The state of report job *job* once it is no longer queued or running (the test fails after *timeout* s)."""
    import time

    deadline = time.monotonic() + timeout
    while (state := client.get(f"/api/jobs/{job}").json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"job {job} still {state['status']} after {timeout} s"
        time.sleep(0.2)
    return state


def test_a_report_job_that_fails_says_why_in_one_line(client):
    config = b'[shelters]\nregister = "shelters.csv"\ncrs = "wgs84"\n'
    files = [("config", ("report.toml", config, "text/plain")), ("files", ("shelters.csv", SHELTERS.encode(), "text/csv"))]
    got = client.post("/api/reports", files=files, headers=EN)
    assert got.status_code == 202, got.text
    job = got.json()["job"]
    state = _finished(client, job, timeout=120)
    assert state["status"] == "failed" and "line 3" in state["error"] and "\n" not in state["error"]
    assert state["files"] == [] and client.get(f"/api/jobs/{job}/files/index.html").status_code == 404


@pytest.mark.slow
def test_a_report_on_an_uploaded_config_and_register(client):
    config = b'[report]\npng = false\n\n[shelters]\nregister = "my shelters.csv"\ncrs = "wgs84"\n'
    clean = SHELTERS.replace(",abc,", ",3000,")
    files = [("config", ("report.toml", config, "text/plain")), ("files", ("my shelters.csv", clean.encode(), "text/csv"))]
    before = set(client.app.state.zzgeo.jobs.root.iterdir())
    assert "was not uploaded" in one_line_error(client.post("/api/reports", files=files[:1], headers=EN), 400)
    twice = client.post("/api/reports", files=[*files, files[1]], headers=EN)
    assert "uploaded twice" in one_line_error(twice, 400)
    assert set(client.app.state.zzgeo.jobs.root.iterdir()) == before  # refused: nothing left behind
    got = client.post("/api/reports", files=files, headers=EN)
    assert got.status_code == 202, got.text
    job = got.json()["job"]
    state = _finished(client, job, timeout=300)
    assert state["status"] == "done", state["error"]
    assert "maps/shelters_coverage.html" in state["files"] and state["result"]["demo"].get("shelters") != ["shelter register"]
    page = client.get(f"/api/jobs/{job}/files/maps/shelters_coverage.html")
    assert page.status_code == 200 and "alert(1)" in page.text and BAD_NAME not in page.text


def test_user_text_is_escaped_in_pages(client):
    page = client.get("/land-price", params={"lang": BAD_NAME})
    assert page.status_code == 200 and BAD_NAME not in page.text
    page = client.get(f"/registers?x={BAD_NAME}")
    assert BAD_NAME not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"] and page.headers["x-content-type-options"] == "nosniff"


# ----------------------------------------------------------------------------- token, limits, language


def test_token_is_asked_of_every_request():
    with TestClient(create_app(token="s3cret")) as c:
        assert "token" in one_line_error(c.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]}), 401)
        assert c.get("/land-price").status_code == 401
        assert c.get("/static/app.js").status_code == 401
        assert c.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]},
                     headers={"Authorization": "Bearer s3cret"}).status_code == 200
        assert c.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]},
                     headers={"Authorization": "Bearer wrong"}).status_code == 401
        wrong = c.get("/land-price", params={"token": "wrong"})
        assert wrong.status_code == 401 and "set-cookie" not in wrong.headers  # a wrong token is not kept
        assert wrong.headers["cache-control"] == "no-store" and wrong.headers["x-content-type-options"] == "nosniff"
        page = c.get("/land-price", params={"token": "s3cret"})
        assert page.status_code == 200 and "zzgeo_token" in page.headers["set-cookie"]
        assert c.get("/registers").status_code == 200  # the cookie now


def test_upload_size_and_row_limits():
    with TestClient(create_app(limits=Limits(upload_bytes=200))) as c:
        got = c.post("/api/registers/shelters", files={"file": ("s.csv", SHELTERS.encode() * 10, "text/csv")}, headers=EN)
        assert "larger than" in one_line_error(got, 413) and got.headers["cache-control"] == "no-store"
    with TestClient(create_app(limits=Limits(rows=1))) as c:
        got = c.post("/api/registers/shelters", files={"file": ("s.csv", SHELTERS.encode(), "text/csv")}, headers=EN)
        assert re.search(r"2 rows, more than the 1", one_line_error(got, 413))
        jobs = c.app.state.zzgeo.jobs
        assert list(jobs.root.iterdir()) == []  # a refused upload is removed at once
        root = jobs.root
    assert not root.exists()  # and every job's folder when the server stops


def test_pages_are_chinese_first_english_on_request(client):
    from zzgeo.catalogue import translations

    page = client.get("/land-price").text
    assert '<html lang="zh-CN">' in page
    chinese = translations().get("Benchmark land price at a point")
    assert chinese is None or chinese in page  # once the catalogue has the web's words
    assert "Benchmark land price at a point" in client.get("/land-price", params={"lang": "en"}).text
    assert "Benchmark land price at a point" in client.get("/land-price", headers=EN).text
    assert client.get("/static/leaflet.js").text.startswith("/*") or "Leaflet" in client.get("/static/leaflet.js").text[:2000]
    assert client.get("/api/openapi.json").json()["paths"]["/api/land-price/value"]


def test_serve_without_the_extra_is_one_error_line(monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "uvicorn", None)
    assert run(cli_app, ["serve", "--port", "8123"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: zzgeo serve needs uvicorn, which is not installed: pip install 'zzgeo[web]'"]
    assert run(cli_app, ["serve", "--port", "http"]) == 2
    assert "--port 'http'" in capsys.readouterr().err


# ----------------------------------------------------------------------------- PostGIS store


@pytest.mark.postgis
@pytest.mark.skipif(not os.environ.get("ZZGEO_TEST_PG_DSN"), reason="ZZGEO_TEST_PG_DSN not set (scripts/start-postgis.sh)")
def test_a_postgis_store_gives_the_cli_answers(capsys, monkeypatch, tmp_path):
    import sqlalchemy

    from zzgeo import store
    from zzgeo.landprice.lookup import lookup_point
    from zzgeo.layers import build_store

    dsn = os.environ["ZZGEO_TEST_PG_DSN"]
    schema = f"t_{uuid.uuid4().hex[:8]}"
    url = f"{dsn}#{schema}"
    try:
        build_store(url, only=["districts", "land_grade_zones"])
        on_gpkg = lookup_point(113.70, 34.78)
        monkeypatch.setenv("ZZGEO_STORE", url)  # create_app sets it for the server process; restored after the test
        with TestClient(create_app(store=url)) as c:
            got = c.get("/api/land-price/lookup", params={"lon": 113.70, "lat": 34.78}, headers=EN)
            assert got.status_code == 200 and got.json() == json.loads(json.dumps(on_gpkg))
            assert got.json() == cli_json(capsys, ["--store", url, "land-price", "lookup", "--lon", 113.70, "--lat", 34.78, "--json"])
            valued = c.post("/api/land-price/value", json={"lon": 113.70, "lat": 34.78, "use": "commercial"}, headers=EN)
            assert valued.status_code == 200, valued.text
            monkeypatch.chdir(tmp_path)
            Path("parcel.csv").write_text("parcel_id,lon,lat\nP1,113.7,34.78\n", encoding="utf-8")
            assert valued.json() == cli_json(capsys, ["--store", url, "land-price", "value", "parcel.csv", "--crs=wgs84",
                                                      "--out=valuation.gpkg", "--json", "--use=commercial"])
    finally:
        with store.engine_for(dsn).begin() as conn:
            conn.execute(sqlalchemy.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))


def test_jobs_expire_and_their_folders_go():
    from zzgeo.web.jobs import JobNotFound, JobStore

    jobs = JobStore(ttl_s=0.0)
    job = jobs.new("register:shelters")
    (job.folder / "shelters.csv").write_text("x", encoding="utf-8")
    jobs.get(job.id)  # running: kept while it runs
    job.status = "done"
    with pytest.raises(JobNotFound, match="expired"):
        jobs.get(job.id)
    assert not job.folder.exists()
    with pytest.raises(JobNotFound, match="32 hexadecimal"):
        jobs.get("../etc")
    jobs.close()
    assert not jobs.root.exists()


def test_a_facility_template_is_read_from_its_register_sheet_like_the_cli(client, capsys, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from zzgeo.registers.template import write_template

    monkeypatch.chdir(tmp_path)
    path = write_template("facilities", tmp_path / "facilities.xlsx", lang="en")
    book = load_workbook(path)
    sheet = book["Register"]
    sheet.append(["F1", "小太阳托育", "childcare", "金水区", 100, 2023, "备案名单", 113.70, 34.80])
    sheet.append(["F2", "<b>bold</b>", "no_such_type", "金水区", 50, 2023, "备案名单", 113.71, 34.80])
    book.save(path)
    got = client.post("/api/registers/facilities", files={"file": ("facilities.xlsx", path.read_bytes(), "application/octet-stream")},
                      headers=EN)
    assert got.status_code == 200, got.text
    assert got.json()["rows"] == 2
    want = cli_json(capsys, ["children", "--register=facilities.xlsx", "--crs=wgs84", "--on-error=flag", "--json", "--out=result.gpkg"])
    assert got.json()["result"] == want
    assert [(r["row"], r["name"]) for r in want["rejected"]] == [("line 3", "<b>bold</b>")]


def test_lookups_run_in_a_thread_until_the_store_is_read_then_on_the_event_loop():
    # the first lookup reads (or builds) the layer store: on the event loop it would hold up every other request
    import asyncio
    import time

    import zzgeo.web.app as web_app

    where: list[str] = []
    real = web_app._in_language

    def recording(lang, fn, *args, **kwargs):
        try:
            asyncio.get_running_loop()
            where.append("event loop")
        except RuntimeError:
            where.append("thread")
        return real(lang, fn, *args, **kwargs)

    app = create_app()
    state = app.state.zzgeo
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(web_app, "_in_language", recording)
        cold = TestClient(app)  # not entered: no start-up, so no warm-up yet
        assert cold.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]}).status_code == 200
        assert where == ["thread"] and not state.warm.is_set()
        with TestClient(app) as warm:  # start-up warms the store in a worker thread
            deadline = time.monotonic() + 120
            while not state.warm.is_set() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert state.warm.is_set()
            where.clear()
            answer = warm.get("/api/land-price/lookup", params={"lon": ERQI[0], "lat": ERQI[1]}, headers=EN).json()
            assert where == ["event loop"] and answer["district"]["name"] == "管城回族区"
