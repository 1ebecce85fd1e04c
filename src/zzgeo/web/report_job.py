"""A report job's child process: :func:`zzgeo.report.build_report` with its progress sent back to the server.

The report runs in a process of its own (``multiprocessing``, spawned): it keeps the server's memory,
caches and interface language apart from the report's, and a report that runs too long can be stopped.
"""

from __future__ import annotations

from typing import Any

__all__ = ["report_child"]


def report_child(out: str, config: str | None, png: bool, lang: str, queue: Any) -> None:
    """Build the report into *out* and put ``("progress", stage, done, total)`` messages on *queue*, then
    ``("done", result)`` or ``("error", one line)``."""
    from zzgeo.errors import ZzgeoError
    from zzgeo.i18n import set_language

    try:
        set_language(lang)
        from zzgeo.report import build_report

        result = build_report(out, config, png=png,
                              progress=lambda stage, done, total: queue.put(("progress", str(stage), int(done), int(total))))
        queue.put(("done", {"out": "bundle", "files": list(result.files), "timings_s": dict(result.timings),
                            "demo": result.demo, "renderers": list(result.renderers), "notes": list(result.notes)}))
    except (ZzgeoError, FileNotFoundError) as exc:
        queue.put(("error", (str(exc).splitlines() or [type(exc).__name__])[0]))
    except Exception as exc:  # a bug: one line for the user (the server log has the kind)
        queue.put(("internal", f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}"))
