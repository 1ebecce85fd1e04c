"""The office web app (``zzgeo serve``): pages and a JSON API over the same functions as the command line.

No rule lives here. A lookup calls :func:`zzgeo.landprice.lookup.lookup_point`
in the server process (the answer is the dict ``zzgeo land-price lookup
--json`` prints); a valuation, a register and a map run the ``zzgeo`` command
itself in a job's private folder (:mod:`zzgeo.web.runner`), so their JSON is
the command's JSON; a report runs :func:`zzgeo.report.build_report` in a
background thread with its progress. Errors are one line: a
:class:`~zzgeo.errors.ZzgeoError` is a 4xx ``{"error": "..."}``, a malformed
request a 422 with the field and the reason, never a traceback.

Safe by default: an optional access token is checked on every request; uploads
are bounded in bytes and rows; every page escapes what it shows (Jinja2
autoescape; the scripts set ``textContent``); files are served by job id and
a name the job recorded, never by a path a user sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from zzgeo._records import json_safe
from zzgeo.errors import ParameterError, ZzgeoError
from zzgeo.i18n import LANGUAGES, _
from zzgeo.web.actions import (
    REGISTER_KINDS,
    UPLOAD_SUFFIXES,
    ParcelFields,
    RegisterFields,
    count_rows,
    map_args,
    parcel_csv,
    register_args,
    value_args,
)
from zzgeo.web.jobs import Job, JobNotFound, JobStore, upload_name
from zzgeo.web.runner import CommandFailed, CommandRunner
from zzgeo.web.texts import page_texts

__all__ = ["Limits", "create_app"]

log = logging.getLogger("zzgeo.web")
_HERE = Path(__file__).parent
_LAYERS = ("districts", "land_grade_zones")  # the layers the land-price map draws (a closed list)
#: The pages load scripts, styles and data from this server only (Leaflet is served here, no CDN), and no other
#: site may frame them.
_PAGE_HEADERS = {"Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                                            "base-uri 'none'; form-action 'self'",
                 "Referrer-Policy": "same-origin"}


@dataclass(frozen=True)
class Limits:
    """What one request may ask of the server.

    Attributes
    ----------
    upload_bytes : int
        Largest upload (a register, a config and its files together).
    rows : int
        Most rows of an uploaded register.
    processes : int
        Commands (valuations, registers, maps) running at once; the others wait.
    timeout_s : float
        A command running longer is stopped.
    reports : int
        Reports running at once.
    job_ttl_s : float
        Seconds a job's results and downloads are kept.
    """

    upload_bytes: int = 20 * 1024 * 1024
    rows: int = 50_000
    processes: int = 2
    timeout_s: float = 600.0
    reports: int = 1
    job_ttl_s: float = 3600.0


# ----------------------------------------------------------------------------- language


def request_language(request: Request) -> str:
    """``?lang=zh|en``, else the ``zzgeo_lang`` cookie, else the first of Accept-Language that zzgeo has; default zh."""
    chosen = request.query_params.get("lang") or request.cookies.get("zzgeo_lang")
    if chosen in LANGUAGES:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return "zh"


def translator(lang: str):
    """The ``gettext`` of *lang* (for this request only: the process's language is left alone)."""
    from zzgeo.i18n import _translation  # the catalogue of one language, compiled once

    return _translation(lang).gettext


# ----------------------------------------------------------------------------- errors


def _error(status: int, message: str) -> JSONResponse:
    line = (str(message).strip().splitlines() or [""])[0]
    return JSONResponse({"error": line}, status_code=status)


def _validation_line(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query", "path", "form"))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else str(err.get("msg", "invalid")))
    return "; ".join(parts) or _("malformed request")


def _internal(exc: BaseException) -> str:
    return _("internal error ({kind}); the server log has the details").format(kind=type(exc).__name__)


def _install_errors(app: FastAPI) -> None:
    @app.exception_handler(JobNotFound)
    async def _not_found(request: Request, exc: JobNotFound) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(CommandFailed)
    async def _failed(request: Request, exc: CommandFailed) -> JSONResponse:
        if exc.internal:
            log.error("command failed: %s", exc)
        return _error(500 if exc.internal else 400, str(exc))

    @app.exception_handler(ZzgeoError)
    async def _zzgeo(request: Request, exc: ZzgeoError) -> JSONResponse:
        return _error(400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(422, _validation_line(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        return _error(500, _internal(exc))


# ----------------------------------------------------------------------------- the app


def _in_language(lang: str, fn, *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)`` with zzgeo's messages in *lang*, the language choice put back as it was after."""
    from zzgeo.i18n import chosen_language, set_language

    before = chosen_language()  # None while following the environment: put back as it was, not pinned
    set_language(lang)
    try:
        return fn(*args, **kwargs)
    finally:
        set_language(before)


class _State:
    """What the routes share: limits, jobs, the command runner, the report slots, the page templates."""

    def __init__(self, store: str | None, token: str | None, limits: Limits) -> None:
        self.store = store
        self.token = token or None
        self.limits = limits
        self.jobs = JobStore(ttl_s=limits.job_ttl_s)
        self.runner = CommandRunner(processes=limits.processes, timeout_s=limits.timeout_s, store=store)
        self.reports = threading.BoundedSemaphore(max(1, limits.reports))
        self.lookups = threading.Lock()
        self.warm = threading.Event()  # set once a lookup has read the store in a worker thread (see warm_up)
        self.children: set[Any] = set()  # report processes running, stopped when the server stops
        self.pages = Environment(loader=PackageLoader("zzgeo.web", "templates"), autoescape=select_autoescape(default=True))

    def in_process(self, lang: str, fn, *args: Any, **kwargs: Any) -> Any:
        """Call the library in this process, one call at a time (its caches are not shared between threads, and the
        GIL runs one thread anyway), with its messages in the request's language *lang*."""
        with self.lookups:
            return _in_language(lang, fn, *args, **kwargs)

    async def quick(self, lang: str, fn, *args: Any, **kwargs: Any) -> Any:
        """:meth:`in_process` for a call of about a millisecond (a lookup), made on the event loop itself.

        Requests waiting for a lookup are then answered in the order they came: from worker threads, they took
        the lock in no particular order, and under 50 clients some waited ten times as long as the median. When
        another thread holds the library (a layer being read for a page), the call waits for it in a worker
        thread, as :meth:`in_process` does, so that the event loop never blocks on the lock.
        """
        if not self.warm.is_set() or not self.lookups.acquire(blocking=False):
            return await run_in_threadpool(self.in_process, lang, fn, *args, **kwargs)
        try:
            return _in_language(lang, fn, *args, **kwargs)
        finally:
            self.lookups.release()

    def warm_up(self) -> None:
        """One lookup in a worker thread when the server starts: the layer store (built on first use), the zones and
        districts read from it and their index. Until it has succeeded, lookups run in worker threads as well, so that
        a lookup doing that work first never holds up the event loop (and every other request) for seconds."""
        from zzgeo.landprice.lookup import lookup_point

        try:
            self.in_process("en", lookup_point, 113.6654, 34.7536)  # 二七广场
        except Exception as exc:  # a store without zones there, say: each lookup then says why, from a thread
            log.warning("lookup warm-up: %s", (str(exc).splitlines() or [type(exc).__name__])[0])
        else:
            self.warm.set()

    def close(self) -> None:
        for child in list(self.children):
            child.kill()
        self.jobs.close()

    def page(self, request: Request, name: str, **context: Any) -> HTMLResponse:
        lang = request_language(request)
        texts = page_texts(translator(lang))
        html = self.pages.get_template(name).render(t=texts, lang=lang, other="en" if lang == "zh" else "zh",
                                                    path=request.url.path, **context)
        response = HTMLResponse(html, headers=_PAGE_HEADERS)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie("zzgeo_lang", lang, samesite="strict", httponly=True)
        return response


def create_app(store: str | None = None, token: str | None = None, limits: Limits | None = None) -> FastAPI:
    """The web app.

    Parameters
    ----------
    store : str, optional
        Layer store every request reads: a GeoPackage path or ``postgresql://...`` (default: ``ZZGEO_STORE``, else the
        shipped GeoPackage). It is set for this server process (``ZZGEO_STORE``), as ``zzgeo --store`` does for a command.
    token : str, optional
        Access token asked of every request (``Authorization: Bearer``, ``X-Zzgeo-Token``, or ``?token=`` once in a
        browser, which then keeps it in a cookie).
    limits : Limits, optional
        Upload, row, process and time limits.
    """
    if store:
        os.environ["ZZGEO_STORE"] = store
    state = _State(store, token, limits or Limits())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        warming = asyncio.get_running_loop().run_in_executor(None, state.warm_up)  # the server answers meanwhile
        yield
        warming.cancel()
        state.close()  # report processes stopped, every job's folder removed

    app = FastAPI(lifespan=lifespan, title="zzgeo", summary="Zhengzhou planning tools: land price, registers, report",
                  version=_version(), docs_url="/api/docs", redoc_url=None, openapi_url="/api/openapi.json")
    app.state.zzgeo = state
    _install_errors(app)
    _install_guard(app, state)
    _install_pages(app, state)
    _install_api(app, state)

    return app


def _version() -> str:
    from zzgeo import __version__

    return __version__


def _install_guard(app: FastAPI, state: _State) -> None:
    """Token on every request, uploads bounded by Content-Length before they are read, no caching of results."""
    app.add_middleware(_Guard, state=state)


class _Guard:
    """The guard of :func:`_install_guard` as plain ASGI middleware.

    Starlette's ``@app.middleware("http")`` runs every request through a task group and a stream of the response
    body (about half a millisecond each on 2 cores), which a server answering hundreds of lookups a second pays
    on every one; this only looks at the request's headers and adds two to the response's.
    """

    def __init__(self, app, state: _State) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state, request = self.state, Request(scope)
        refused = self._refusal(request)  # a refusal gets the same headers, never the cookie
        cookie = None
        if (refused is None and state.token is not None and request.query_params.get("token")
                and not request.url.path.startswith("/api/")):
            cookie = Response()
            cookie.set_cookie("zzgeo_token", request.query_params["token"], samesite="strict", httponly=True)

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Cache-Control", "no-store")
                if cookie is not None:
                    headers.append("set-cookie", cookie.headers["set-cookie"])
            await send(message)

        await (refused or self.app)(scope, receive, send_with_headers)

    def _refusal(self, request: Request) -> Response | None:
        """The answer to a request without the token, or announcing an upload over the limit; None to let it in."""
        state = self.state
        if state.token is not None:
            given = _token_of(request)
            if given is None or not secrets.compare_digest(given.encode(), state.token.encode()):
                if request.url.path.startswith("/api/") or request.method != "GET":
                    return _error(401, _("an access token is needed: Authorization: Bearer TOKEN (zzgeo serve --token)"))
                lang = request_language(request)
                return HTMLResponse(state.pages.get_template("token.html").render(
                    t=page_texts(translator(lang)), lang=lang, other="en" if lang == "zh" else "zh", path=request.url.path),
                    status_code=401, headers=_PAGE_HEADERS)
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > state.limits.upload_bytes + 64 * 1024:
            return _error(413, _too_large(state.limits))
        return None


def _token_of(request: Request) -> str | None:
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return request.headers.get("x-zzgeo-token") or request.cookies.get("zzgeo_token") or request.query_params.get("token")


def _too_large(limits: Limits) -> str:
    return _("the upload is larger than {mb:.0f} MB, the limit of this server; split the register or ask for a higher "
             "limit").format(mb=limits.upload_bytes / 1024 / 1024)


# ----------------------------------------------------------------------------- pages


def _install_pages(app: FastAPI, state: _State) -> None:
    @app.get("/", include_in_schema=False)
    def home(request: Request) -> Response:
        lang = request.query_params.get("lang")
        return RedirectResponse("/land-price" + (f"?lang={lang}" if lang in LANGUAGES else ""), status_code=307)

    @app.get("/land-price", response_class=HTMLResponse, include_in_schema=False)
    def land_price_page(request: Request) -> HTMLResponse:
        from zzgeo.crs import INPUT_CRS_NAMES

        return state.page(request, "land_price.html", crs_names=INPUT_CRS_NAMES)

    @app.get("/registers", response_class=HTMLResponse, include_in_schema=False)
    def registers_page(request: Request) -> HTMLResponse:
        return state.page(request, "registers.html", kinds=list(REGISTER_KINDS),
                          limit_mb=state.limits.upload_bytes / 1024 / 1024, limit_rows=state.limits.rows)

    @app.get("/report", response_class=HTMLResponse, include_in_schema=False)
    def report_page(request: Request) -> HTMLResponse:
        return state.page(request, "report.html")

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        text, media = _static(name)
        return Response(text, media_type=media, headers={"Cache-Control": "max-age=3600"})


@functools.lru_cache(maxsize=8)
def _static(name: str) -> tuple[str, str]:
    """The page assets: Leaflet as zzgeo.maps inlines it (no CDN), and the app's own CSS and script."""
    if name == "leaflet.js":
        from zzgeo.maps.assets import _leaflet_js

        return _leaflet_js() or "", "text/javascript"
    if name == "leaflet.css":
        from zzgeo.maps.assets import _leaflet_css

        return _leaflet_css() or "", "text/css"
    own = {"app.css": "text/css", "app.js": "text/javascript"}
    if name not in own:
        raise StarletteHTTPException(404, _("no static file {name!r}").format(name=name[:40]))
    return (_HERE / "static" / name).read_text(encoding="utf-8"), own[name]


# ----------------------------------------------------------------------------- API


def _install_api(app: FastAPI, state: _State) -> None:  # noqa: C901 (the routes, one after another)
    @app.get("/api/land-price/lookup", tags=["land price"])
    async def lookup(request: Request, lon: Annotated[str, _query(64)], lat: Annotated[str, _query(64)],
                     crs: Annotated[str, _query(40)] = "wgs84") -> JSONResponse:
        """District, grade and benchmark price of every table, use and right at a point: ``zzgeo land-price lookup --json``."""
        from zzgeo.landprice.lookup import lookup_point

        answer = await state.quick(request_language(request), lookup_point, lon, lat, crs=crs or "wgs84")
        return JSONResponse(json_safe(answer))

    @app.post("/api/land-price/value", tags=["land price"])
    def value(fields: ParcelFields, request: Request) -> JSONResponse:
        """One parcel valued by the coefficient correction method: ``zzgeo land-price value parcel.csv --json``
        with the same options (the record holds every coefficient). The response header ``X-Zzgeo-Job`` names the
        job whose ``valuation.gpkg`` can be downloaded."""
        job = state.jobs.new("valuation")
        name = parcel_csv(fields, job.folder).name
        args = ["land-price", "value", name, f"--crs={fields.crs}", "--out=valuation.gpkg", "--json", *value_args(fields)]
        job.result = _run_job(state, job, args, request)
        job.files["valuation.gpkg"] = job.folder / "valuation.gpkg"
        return JSONResponse(job.result, headers={"X-Zzgeo-Job": job.id})

    @app.get("/api/layers/{name}", tags=["layers"])
    def layer(name: str, use: Annotated[str | None, _query(40)] = None) -> Response:
        """A layer of the store as GeoJSON (WGS-84), for the page's map: ``districts`` or ``land_grade_zones``
        (``?use=commercial`` for one use)."""
        if name not in _LAYERS:
            raise StarletteHTTPException(404, _("no layer {name!r}; layers: {layers}").format(name=name[:40], layers=", ".join(_LAYERS)))
        with state.lookups:
            text = _layer_geojson(name, use or "", os.environ.get("ZZGEO_STORE", ""))
        return Response(text, media_type="application/geo+json")

    @app.post("/api/registers/{kind}", tags=["registers"])
    async def upload_register(kind: str, request: Request, file: Annotated[UploadFile, File()],
                              crs: Annotated[str, Form(max_length=40)] = "wgs84",
                              year: Annotated[int | None, Form()] = None,
                              cell_m: Annotated[float | None, Form()] = None,
                              use: Annotated[str | None, Form(max_length=40)] = None,
                              right: Annotated[str | None, Form(max_length=40)] = None,
                              table: Annotated[str | None, Form(max_length=40)] = None,
                              date: Annotated[str | None, Form(max_length=10)] = None,
                              plot_ratio: Annotated[float | None, Form()] = None,
                              term_years: Annotated[float | None, Form()] = None) -> JSONResponse:
        """Check a register (shelters, facilities or parcels; .xlsx, .csv, .gpkg, .geojson) as the command line does,
        list the rows left out by line, and analyse it: ``zzgeo shelters coverage`` / ``zzgeo children`` /
        ``zzgeo land-price value`` with ``--on-error flag --json``. ``result`` is that command's JSON."""
        if kind not in REGISTER_KINDS:
            raise StarletteHTTPException(404, _("no register kind {kind!r}; kinds: {kinds}").format(
                kind=kind[:40], kinds=", ".join(REGISTER_KINDS)))
        fields = _checked(RegisterFields, crs=crs, year=year, cell_m=cell_m, use=use or None, right=right or None,
                          table=table or None, date=date or None, plot_ratio=plot_ratio, term_years=term_years)
        suffix = Path(file.filename or "").suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise ParameterError(_("{name!r}: upload a register as {suffixes}").format(
                name=(file.filename or "")[:80], suffixes=", ".join(UPLOAD_SUFFIXES)))
        name = upload_name(file.filename)
        if name.lower().startswith(("result.", "map.")):  # the names of the job's own outputs
            name = f"upload_{name}"
        job = state.jobs.new(f"register:{kind}")
        path = job.folder / name
        try:
            await _save_upload(file, path, state.limits)
        except Exception:
            state.jobs.remove(job.id)
            raise

        return await run_in_threadpool(_analyse_register, state, job, kind, path, fields, request)

    @app.get("/api/jobs/{job_id}", tags=["jobs"])
    def job_state(job_id: str) -> JSONResponse:
        """A job's status, stage and progress, its files, and its result when done."""
        job = state.jobs.get(job_id)
        return JSONResponse(json_safe({**job.state(), "result": job.result if job.status == "done" else None}))

    @app.get("/api/jobs/{job_id}/download/{fmt}", tags=["jobs"])
    def download(job_id: str, fmt: str, request: Request) -> FileResponse:
        """An analysed register as ``gpkg`` (GeoPackage), ``xlsx`` (Excel) or ``html`` (the offline map), made on first ask."""
        job = state.jobs.get(job_id)
        if fmt not in ("gpkg", "xlsx", "html") or "kind" not in job.data:
            raise StarletteHTTPException(404, _("no download {fmt!r} for job {job}: xlsx, gpkg or html of a register").format(
                fmt=fmt[:10], job=job_id))
        name = {"gpkg": "result.gpkg", "xlsx": "result.xlsx", "html": "map.html"}[fmt]
        with job.lock:
            if name not in job.files:
                data = job.data
                if fmt == "html":
                    args = map_args(data["kind"], data["input"], data["fields"], job.folder, name)
                    state.runner.run(args, cwd=job.folder, lang=request_language(request), json_out=False)
                else:
                    state.runner.run(register_args(data["kind"], data["input"], data["fields"], name), cwd=job.folder,
                                     lang=request_language(request))
                job.files[name] = job.folder / name
        return _file(state.jobs.file(job_id, name), download=f"{Path(data_name(job)).stem}_{name}")

    @app.get("/api/jobs/{job_id}/files/{name:path}", tags=["jobs"])
    def job_file(job_id: str, name: str) -> FileResponse:
        """A file the job wrote, by the name it lists (a report bundle's ``index.html``, ``maps/shelters.html``, ...)."""
        return _file(state.jobs.file(job_id, name))

    @app.post("/api/reports", status_code=202, tags=["report"])
    async def start_report(request: Request, config: Annotated[UploadFile | None, File()] = None,
                           files: Annotated[list[UploadFile] | None, File()] = None,
                           png: Annotated[bool, Form()] = False) -> JSONResponse:
        """Start ``zzgeo report`` on the default data, or on an uploaded config (TOML) with the files it names; poll
        ``/api/jobs/{job}`` for progress, then open the bundle's files."""
        job = state.jobs.new("report")
        try:
            config_path = await _report_inputs(state, job, config, files)
            if config_path is not None:

                await run_in_threadpool(state.in_process, request_language(request), _checked_config, config_path, job.folder)
        except Exception:
            state.jobs.remove(job.id)  # a refused upload leaves nothing behind
            raise
        threading.Thread(target=_run_report, args=(state, job, config_path, png, request_language(request)), daemon=True,
                         name=f"report-{job.id[:8]}").start()
        return JSONResponse({"job": job.id, "status": job.status}, status_code=202)


async def _report_inputs(state: _State, job: Job, config: UploadFile | None, files: list[UploadFile] | None) -> Path | None:
    """Save an uploaded report config (as ``report.toml``) and the files it names (under their own names) in the job's
    ``inputs`` folder; None without a config."""
    config_path = None
    if config is not None and config.filename:
        inputs = job.folder / "inputs"
        inputs.mkdir()
        config_path = inputs / "report.toml"
        budget = [state.limits.upload_bytes]
        await _save_upload(config, config_path, state.limits, budget)
        for upload in files or []:
            if upload.filename:
                name = upload_name(upload.filename)
                if name == config_path.name or (inputs / name).exists():
                    raise ParameterError(_("{name!r} is uploaded twice (or is named like the config); give each file "
                                           "its own name").format(name=name))
                await _save_upload(upload, inputs / name, state.limits, budget)
    return config_path


def data_name(job: Job) -> str:
    return str(job.data.get("input", "result"))


def _query(max_length: int):
    from fastapi import Query

    return Query(max_length=max_length)


def _checked(model, **values):
    """A request model from form fields: a bad one is the same one-line 422 as a bad JSON body."""
    from pydantic import ValidationError

    try:
        return model(**values)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from None


def _file(path: Path, download: str | None = None) -> FileResponse:
    headers = {}
    if path.suffix.lower() in (".html", ".htm"):
        # the bundle's pages run in a sandbox: their scripts cannot reach this app (its cookies, its API)
        headers["Content-Security-Policy"] = "sandbox allow-scripts allow-popups allow-downloads"
    return FileResponse(path, filename=download, headers=headers,
                        content_disposition_type="attachment" if download else "inline")


async def _save_upload(upload: UploadFile, path: Path, limits: Limits, budget: list[int] | None = None) -> None:
    """Copy *upload* to *path* (a name the app chose), refusing more than the upload limit."""
    left = budget if budget is not None else [limits.upload_bytes]
    with path.open("wb") as handle:
        while chunk := await upload.read(1024 * 1024):
            left[0] -= len(chunk)
            if left[0] < 0:
                handle.close()
                path.unlink(missing_ok=True)
                raise StarletteHTTPException(413, _too_large(limits))
            handle.write(chunk)


def _run_job(state: _State, job: Job, args: list[str], request: Request) -> Any:
    job.status = "running"
    try:
        result = state.runner.run(args, cwd=job.folder, lang=request_language(request))
    except ZzgeoError as exc:
        job.status, job.error = "failed", str(exc)
        raise
    job.status = "done"
    return result


def _analyse_register(state: _State, job: Job, kind: str, path: Path, fields: RegisterFields, request: Request) -> JSONResponse:
    """Check and analyse the uploaded register; a refused one is removed at once (its folder with it)."""
    try:
        try:
            rows = count_rows(path)
        except ValueError as exc:
            raise ParameterError(str(exc)) from None
        if rows > state.limits.rows:
            state.jobs.remove(job.id)
            return _error(413, _("{name}: {rows:,} rows, more than the {limit:,} this server takes at once; split the register")
                          .format(name=path.name, rows=rows, limit=state.limits.rows))
        job.data = {"kind": kind, "input": path.name, "fields": fields}
        result = _run_job(state, job, register_args(kind, path.name, fields, "result.gpkg"), request)
    except Exception:
        state.jobs.remove(job.id)
        raise
    job.result = result
    job.files["result.gpkg"] = job.folder / "result.gpkg"
    base = f"/api/jobs/{job.id}/download"
    return JSONResponse(json_safe({"job": job.id, "kind": kind, "input": path.name, "rows": rows, "result": result,
                                   "downloads": {f: f"{base}/{f}" for f in ("xlsx", "gpkg", "html")}}))


def _checked_config(path: Path, folder: Path):
    """The uploaded report config, read by :func:`zzgeo.report.load_report_config`; every file it names must be one
    of the uploaded files (no path on the server, no database)."""
    from zzgeo.report import load_report_config
    from zzgeo.store import is_postgis

    config = load_report_config(path)
    root = path.parent.resolve()
    for named in config.input_paths():
        text = str(named)
        if is_postgis(text) or text.startswith(("postgres", "http:", "https:")):
            raise ParameterError(_("the report config names {name!r}: the web app reads only the files uploaded with "
                                   "the config").format(name=text[:80]))
        resolved = Path(text).resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            raise ParameterError(_("the report config names {name!r}, which was not uploaded with it; upload every file "
                                   "it names").format(name=Path(text).name[:80]))
    return config


def _run_report(state: _State, job: Job, config: Path | None, png: bool, lang: str) -> None:
    """Run the report in a child process (:mod:`zzgeo.web.report_job`), following its progress; at most
    ``Limits.reports`` at once, each stopped after ``Limits.timeout_s``."""
    import multiprocessing
    import queue as queues
    import time

    from zzgeo.web.report_job import report_child

    with state.reports:
        job.status = "running"
        context = multiprocessing.get_context("spawn")
        messages = context.Queue()
        child = context.Process(target=report_child, args=(str(job.folder / "bundle"), str(config) if config else None,
                                                           png, lang, messages))  # not a daemon: the report starts processes
        child.start()
        state.children.add(child)
        deadline = time.monotonic() + state.limits.timeout_s
        try:
            while True:
                try:
                    message = messages.get(timeout=0.5)
                except queues.Empty:
                    if not child.is_alive():
                        message = ("internal", f"the report process ended with code {child.exitcode}")
                    elif time.monotonic() > deadline:
                        message = ("error", _("the report took longer than {seconds:.0f} s and was stopped")
                                   .format(seconds=state.limits.timeout_s))
                    else:
                        continue
                kind = message[0]
                if kind == "progress":
                    job.stage, job.done, job.total = message[1], message[2], message[3]
                    continue
                if kind == "done":
                    result = message[1]
                    job.files = {name: job.folder / "bundle" / name for name in result["files"]}
                    job.result, job.stage, job.status = result, "done", "done"
                elif kind == "internal":
                    log.error("report job %s: %s", job.id, message[1])
                    job.status, job.error = "failed", _("internal error ({kind}); the server log has the details").format(
                        kind=message[1].split(":")[0])
                else:
                    job.status, job.error = "failed", message[1]
                return
        finally:
            if child.is_alive():
                child.kill()
            child.join(timeout=10)
            state.children.discard(child)


@functools.lru_cache(maxsize=16)
def _layer_geojson(name: str, use: str, store: str) -> str:
    """A layer of the store as GeoJSON in WGS-84, simplified to about 20 m for the page (cached per store)."""
    from zzgeo.layers import read_layer

    frame = read_layer(name).to_crs(4326)
    if name == "land_grade_zones":
        frame = frame[frame["use"] == use] if use else frame[frame["table"] == "collective_construction"]
        frame = frame[["table", "use", "grade", "geometry"]]
    else:
        frame = frame[["adcode", "name", "geometry"]]
    frame = frame.assign(geometry=frame.geometry.simplify(0.0002, preserve_topology=True))
    return json.dumps(json.loads(frame.to_json(drop_id=True)), ensure_ascii=False)
