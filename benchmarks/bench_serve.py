"""The web app under load: ``zzgeo serve`` on 127.0.0.1, bounded concurrent clients, latency and errors.

1. Baseline: the library's :func:`zzgeo.landprice.lookup.lookup_point` called directly in this process,
   warm, on the same points (what one lookup costs without HTTP).
2. Lookups: ``--clients`` concurrent clients, each sending ``--lookups`` requests to
   ``GET /api/land-price/lookup`` one after another (a closed loop), at points spread over central Zhengzhou.
   Also run at lower concurrency (``--also``) to show where the latency comes from. Each client is a plain
   keep-alive HTTP/1.1 connection (``raw``, a few dozen lines here, so the load costs the shared cores little),
   and again through ``httpx.AsyncClient`` (``--client both``, the default), which costs about a millisecond of
   CPU per request on the client's side.
3. Uploads: ``--uploads`` different shelter registers (each with one bad row) sent at once to
   ``POST /api/registers/shelters``; every result is compared with ``zzgeo shelters coverage --json`` run by
   hand on the same file, and the bad row must be named.

Prints p50/p99 latency, requests per second and the error count; writes ``benchmarks/results/serve.json``.

    python benchmarks/bench_serve.py                       # 50 clients x 200 lookups, 10 uploads
    python benchmarks/bench_serve.py --clients 10 --lookups 50 --uploads 4
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
BOX = (113.58, 34.70, 113.78, 34.84)  # central Zhengzhou: inside the districts, mostly on the grade maps


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def points(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    return [(f"{rng.uniform(BOX[0], BOX[2]):.6f}", f"{rng.uniform(BOX[1], BOX[3]):.6f}") for _ in range(n)]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))]


def summary(lat_s: list[float], errors: int, wall_s: float) -> dict:
    ms = [1000 * x for x in lat_s]
    return {"requests": len(ms), "errors": errors, "p50_ms": round(pct(ms, 50), 2), "p99_ms": round(pct(ms, 99), 2),
            "max_ms": round(max(ms), 2), "per_s": round(len(ms) / wall_s, 1), "wall_s": round(wall_s, 2)}


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-m", "zzgeo.cli", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server stopped: {proc.stderr.read()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start in 60 s")


def baseline(pts: list[tuple[str, str]]) -> dict:
    from zzgeo.landprice.lookup import lookup_point

    lookup_point(*pts[0])
    times = []
    t0 = time.perf_counter()
    for lon, lat in pts:
        t = time.perf_counter()
        lookup_point(lon, lat)
        times.append(time.perf_counter() - t)
    return summary(times, 0, time.perf_counter() - t0)


class _Connection:
    """One keep-alive HTTP/1.1 connection that sends a GET and reads its answer (status, body by Content-Length).

    The load's own cost must stay small beside the server's on a 2-core machine: ``httpx.AsyncClient`` spends about
    a millisecond of CPU per request in the client (its pool, URL building, header models), which the server then
    waits for on the shared cores. ``--client httpx`` measures with it instead."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def get(self, target: str) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n\r\n".encode("ascii"))
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
        length = {k.strip().lower(): v.strip() for k, v in fields.items()}.get("content-length")
        if length is None:
            raise ConnectionError(f"no Content-Length in the answer to {target}")
        return status, await self.reader.readexactly(int(length))

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            await self.writer.wait_closed()


async def lookups(base: str, clients: int, per_client: int, seed: int, client: str = "raw") -> dict:
    """*clients* closed-loop clients, each sending *per_client* lookups one after another; latency per request."""
    pts = points(clients * per_client, seed)
    latencies: list[float] = []
    errors: list[str] = []
    host, port = base.removeprefix("http://").split(":")

    def check(status: int, body: bytes) -> None:
        if status != 200 or "tables" not in json.loads(body):
            errors.append(f"{status}: {body[:120]!r}")

    async def one_client(k: int, http: httpx.AsyncClient | None) -> None:
        connection = _Connection(host, int(port))
        try:
            for lon, lat in pts[k * per_client:(k + 1) * per_client]:
                t = time.perf_counter()
                try:
                    if http is not None:
                        r = await http.get("/api/land-price/lookup", params={"lon": lon, "lat": lat})
                        check(r.status_code, r.content)
                    else:
                        check(*await connection.get(f"/api/land-price/lookup?lon={lon}&lat={lat}"))
                except (httpx.HTTPError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                    errors.append(repr(exc))
                    await connection.close()
                    connection = _Connection(host, int(port))
                latencies.append(time.perf_counter() - t)
        finally:
            await connection.close()

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as http:
        t0 = time.perf_counter()
        await asyncio.gather(*(one_client(k, http if client == "httpx" else None) for k in range(clients)))
        wall = time.perf_counter() - t0
    out = summary(latencies, len(errors), wall)
    out["clients"], out["client"], out["first_errors"] = clients, client, errors[:3]
    return out


def register(k: int) -> str:
    """A shelter register of 6 to 15 sites around central Zhengzhou, the last row with an area that is not a number."""
    rng = random.Random(1000 + k)
    rows = ["名称,类别,有效面积,lon,lat"]
    for i in range(rng.randint(6, 15)):
        rows.append(f"场所{k}-{i},{rng.choice('I II III'.split())},{rng.randint(2, 60) * 1000},"
                    f"{rng.uniform(BOX[0], BOX[2]):.5f},{rng.uniform(BOX[1], BOX[3]):.5f}")
    rows.append(f"坏行{k},I,abc,113.65,34.75")
    return "\n".join(rows) + "\n"


def cli_result(text: str, name: str, cell_m: float) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, name).write_text(text, encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
        proc = subprocess.run([sys.executable, "-m", "zzgeo.cli", "--lang", "zh", "shelters", "coverage", f"--register={name}",
                               f"--cell-m={cell_m!r}", "--crs=wgs84", "--on-error=flag", "--json", "--out=result.gpkg"],
                              cwd=folder, env=env, capture_output=True, text=True, check=True)
        return json.loads(proc.stdout)


async def uploads(base: str, n: int, cell_m: float) -> dict:
    texts = [register(k) for k in range(n)]
    latencies: list[float] = []
    bodies: list[dict | None] = [None] * n
    errors: list[str] = []
    async with httpx.AsyncClient(base_url=base, timeout=600, headers={"Accept-Language": "zh"}) as client:
        async def send(k: int) -> None:
            t = time.perf_counter()
            r = await client.post("/api/registers/shelters", files={"file": (f"shelters_{k}.csv", texts[k].encode(), "text/csv")},
                                  data={"cell_m": str(cell_m)})
            latencies.append(time.perf_counter() - t)
            if r.status_code != 200:
                errors.append(f"{r.status_code}: {r.text[:200]}")
            else:
                bodies[k] = r.json()

        t0 = time.perf_counter()
        await asyncio.gather(*(send(k) for k in range(n)))
        wall = time.perf_counter() - t0
    mismatches = []
    for k, body in enumerate(bodies):
        if body is None:
            continue
        want = cli_result(texts[k], f"shelters_{k}.csv", cell_m)
        if body["result"] != want:
            mismatches.append(k)
        bad = [r["row"] for r in body["result"]["rejected"]]  # "line 9" (or "第 9 行" in Chinese): the last line
        if len(bad) != 1 or re.sub(r"\D", "", bad[0]) != str(len(texts[k].splitlines())):
            mismatches.append(k)
    out = summary(latencies, len(errors), wall)
    out.update({"uploads": n, "cell_m": cell_m, "equal_to_cli": n - len(errors) - len(set(mismatches)),
                "mismatches": sorted(set(mismatches)), "first_errors": errors[:3]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--lookups", type=int, default=200, help="lookups per client")
    parser.add_argument("--also", default="1,5,10", help="lower concurrencies also measured (comma-separated)")
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--client", choices=("raw", "httpx", "both"), default="both",
                        help="the lookups' client: a plain keep-alive connection per client (raw), httpx.AsyncClient, or both")
    parser.add_argument("--cell-m", type=float, default=1000.0, help="population grid of the shelter coverage")
    args = parser.parse_args()

    port = free_port()
    load_before = os.getloadavg()
    server = start_server(port)
    base = f"http://127.0.0.1:{port}"
    try:
        for lon, lat in points(20, 99):  # warm: the store's arrays, the indexes, the imports
            httpx.get(f"{base}/api/land-price/lookup", params={"lon": lon, "lat": lat}, timeout=60)
        results = {"baseline_in_process": baseline(points(500, 7))}
        for kind in (("raw", "httpx") if args.client == "both" else (args.client,)):
            for c in [int(x) for x in args.also.split(",") if x.strip()]:
                results[f"lookups_{c}_clients_{kind}"] = asyncio.run(lookups(base, c, min(args.lookups, 100), seed=c, client=kind))
            results[f"lookups_{args.clients}_clients_{kind}"] = asyncio.run(
                lookups(base, args.clients, args.lookups, seed=1, client=kind))
        if args.uploads > 0:
            results["uploads"] = asyncio.run(uploads(base, args.uploads, args.cell_m))
    finally:
        server.terminate()
        server.wait(timeout=30)
    results["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "machine": platform.machine(),
                          "load_before": [round(x, 2) for x in load_before], "load_after": [round(x, 2) for x in os.getloadavg()],
                          "date_utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime())}
    print(f"{'run':<30}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'req/s':>8}")
    for name, r in results.items():
        if name != "machine":
            print(f"{name:<30}{r['requests']:>9}{r['errors']:>8}{r['p50_ms']:>9}{r['p99_ms']:>9}{r['max_ms']:>9}{r['per_s']:>8}")
    up = results.get("uploads", {"equal_to_cli": 0, "uploads": 0, "mismatches": []})
    print(f"uploads equal to the CLI's result: {up['equal_to_cli']} of {up['uploads']}; mismatches {up['mismatches']}")
    print(f"machine: {results['machine']}")
    out = ROOT / "benchmarks" / "results" / "serve.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
