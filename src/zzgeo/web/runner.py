"""Run a ``zzgeo`` command for the web app: the command line itself, in a child process, in a job's folder.

A register upload, a parcel valuation and a map are answered by running the
very command a person would type (``zzgeo shelters coverage --json ...``) with
``python -m zzgeo.cli`` in the job's private folder: the same checks, the same
analysis, the same JSON, by construction (no second implementation of any
rule). A child process also keeps requests apart: one user's register, notes
and language never touch another's, and the memory of a large analysis is
returned when it ends. Arguments are passed as a list (no shell), every option
as ``--name=value`` (a value can never be read as another option), and only
file names the web app chose inside the job's folder.

The number of commands running at once is bounded (``Limits.processes``);
the others wait their turn.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from zzgeo.errors import ZzgeoError
from zzgeo.i18n import _

__all__ = ["CommandFailed", "CommandRunner"]


class CommandFailed(ZzgeoError):
    """A command refused its input (exit 2: one ``error:`` line) or failed (exit 1, a timeout)."""

    def __init__(self, message: str, *, internal: bool = False) -> None:
        super().__init__(message)
        self.internal = internal


class CommandRunner:
    """Runs ``zzgeo`` commands in child processes, at most *processes* at a time.

    Parameters
    ----------
    processes : int
        Commands running at once.
    timeout_s : float
        A command running longer is stopped (an error for the request).
    store : str, optional
        The layer store (``--store``) every command reads.
    """

    def __init__(self, *, processes: int = 2, timeout_s: float = 600.0, store: str | None = None) -> None:
        self._slots = threading.BoundedSemaphore(max(1, processes))
        self.timeout_s = timeout_s
        self.store = store

    def argv(self, args: Sequence[str], *, lang: str) -> list[str]:
        root = ["--lang", lang, *([f"--store={self.store}"] if self.store else [])]
        return [sys.executable, "-m", "zzgeo.cli", *root, *[str(a) for a in args]]

    def run(self, args: Sequence[str], *, cwd: Path, lang: str = "zh", json_out: bool = True) -> Any:
        """Run ``zzgeo ARGS`` in *cwd*; the JSON it printed (or its stdout); :class:`CommandFailed` otherwise."""
        env = {k: v for k, v in os.environ.items() if k not in ("ZZGEO_DEBUG",)}
        env["PYTHONIOENCODING"] = "utf-8"
        src = str(Path(__file__).resolve().parents[2])  # the zzgeo being served, editable install or not
        env["PYTHONPATH"] = os.pathsep.join([src, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
        with self._slots:
            try:
                proc = subprocess.run(self.argv(args, lang=lang), cwd=cwd, env=env, capture_output=True, text=True,
                                      encoding="utf-8", timeout=self.timeout_s, stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired as exc:
                raise CommandFailed(_("the analysis took longer than {seconds:.0f} s and was stopped; try a smaller register")
                                    .format(seconds=self.timeout_s), internal=True) from exc
        if proc.returncode != 0:
            lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
            line = lines[-1][len("error:"):].strip() if lines else (proc.stderr.strip().splitlines() or ["?"])[-1]
            raise CommandFailed(line, internal=proc.returncode != 2)
        if not json_out:
            return proc.stdout
        try:
            return json.loads(proc.stdout)
        except json.JSONDecodeError as exc:
            raise CommandFailed(_("the command printed no JSON ({error})").format(error=exc), internal=True) from exc
