"""The office web app, ``zzgeo serve``: land price on a map, registers checked and analysed, the report.

Needs the ``web`` extra (``pip install 'zzgeo[web]'``: FastAPI, uvicorn, python-multipart).
See :func:`zzgeo.web.app.create_app` for the app and :func:`serve` for the server.
"""

from __future__ import annotations

from zzgeo.web.app import Limits, create_app

__all__ = ["Limits", "create_app", "serve"]


def serve(*, store: str | None = None, host: str = "127.0.0.1", port: int = 8000, token: str | None = None,
          limits: Limits | None = None) -> None:
    """Run the app on uvicorn at *host*:*port* until interrupted (127.0.0.1 by default: this machine only).

    Messages that are not tied to a request (the server's own) are in Chinese unless ``--lang`` or ``ZZGEO_LANG``
    chose otherwise; a request's answers follow its ``?lang=`` or Accept-Language (default zh).
    """
    import os
    import sys

    import uvicorn

    from zzgeo.i18n import language_from_argv, set_language

    if language_from_argv(sys.argv[1:]) is None and not os.environ.get("ZZGEO_LANG"):
        set_language("zh")

    app = create_app(store=store, token=token, limits=limits)
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=True, server_header=False)
