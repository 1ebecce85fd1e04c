"""Jobs of the web app: one private folder each, found by a random id, removed when it expires.

Every upload, valuation and report runs in its own folder inside one private
temporary directory of the server process (``tempfile.TemporaryDirectory``,
mode 0700, removed when the server stops). A job's files are served by job id
and file *name*, and only the names the job itself recorded: no path a user
sends ever reaches the filesystem. A job expires ``ttl_s`` seconds after it
was made (its folder is deleted then), and at most ``max_jobs`` are kept (the
oldest finished go first), so downloads live only as long as they are needed.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from zzgeo.errors import ZzgeoError
from zzgeo.i18n import _

__all__ = ["Job", "JobStore", "JobNotFound", "upload_name"]

_ID = re.compile(r"^[0-9a-f]{32}$")


class JobNotFound(ZzgeoError):
    """No such job (never made, expired, or a malformed id), or no such file in it."""


def upload_name(name: str | None) -> str:
    r"""The file name of an upload without any folder (a name, never a path), or :class:`ParameterError`.

    >>> upload_name("../../etc/passwd"), upload_name("C:\\Users\\me\\人民 公园.xlsx")
    ('passwd', '人民 公园.xlsx')
    """
    from pathlib import PurePosixPath, PureWindowsPath

    from zzgeo.errors import ParameterError

    base = PureWindowsPath(PurePosixPath(str(name or "")).name).name.strip()
    if not base or base.startswith(".") or len(base) > 120 or any(ord(c) < 32 or c in '<>:"|?*' for c in base):
        raise ParameterError(_("{name!r}: give the upload a plain file name (letters, digits, spaces, - and _, "
                               "with its extension)").format(name=str(name or "")[:80]))
    return base


@dataclass
class Job:
    """One job: its folder, state, progress, result and the files it may serve (name -> path)."""

    id: str
    kind: str
    folder: Path
    created: float = field(default_factory=time.monotonic)
    status: str = "queued"  # queued | running | done | failed
    stage: str = ""
    done: int = 0
    total: int = 0
    result: Any = None
    error: str | None = None
    files: dict[str, Path] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def state(self) -> dict[str, Any]:
        """What a client polls: status, stage, progress, error and the file names."""
        return {"job": self.id, "kind": self.kind, "status": self.status, "stage": self.stage, "done": self.done,
                "total": self.total, "error": self.error, "files": sorted(self.files)}


class JobStore:
    """The jobs of one server process, each in a private folder that expires.

    Parameters
    ----------
    ttl_s : float
        Seconds a job (and its downloads) is kept.
    max_jobs : int
        Jobs kept at most; making one more removes the oldest finished job.
    """

    def __init__(self, *, ttl_s: float = 3600.0, max_jobs: int = 200) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="zzgeo-web-")
        self.root = Path(self._tmp.name)
        self.ttl_s = ttl_s
        self.max_jobs = max_jobs
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def new(self, kind: str) -> Job:
        """A new job with its own empty folder."""
        self.purge()
        job_id = secrets.token_hex(16)
        folder = self.root / job_id
        folder.mkdir(mode=0o700)
        job = Job(job_id, kind, folder)
        with self._lock:
            self._jobs[job_id] = job
            finished = sorted((j for j in self._jobs.values() if j.status in ("done", "failed")), key=lambda j: j.created)
            extra = len(self._jobs) - self.max_jobs
        for old in finished[:max(extra, 0)]:
            self.remove(old.id)
        return job

    def get(self, job_id: str) -> Job:
        """The job *job_id*; :class:`JobNotFound` for a malformed, unknown or expired id."""
        if not isinstance(job_id, str) or not _ID.match(job_id):
            raise JobNotFound(_("no job {job!r}: a job id is 32 hexadecimal digits").format(job=str(job_id)[:40]))
        self.purge()
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(_("no job {job!r}: it never existed or has expired; run it again").format(job=job_id))
        return job

    def file(self, job_id: str, name: str) -> Path:
        """The file *name* the job recorded (a name, never a path a user chose); :class:`JobNotFound` otherwise."""
        job = self.get(job_id)
        path = job.files.get(name)
        if path is None or not path.is_file():
            raise JobNotFound(_("job {job} has no file {name!r}").format(job=job_id, name=str(name)[:80]))
        return path

    def remove(self, job_id: str) -> None:
        with self._lock:
            job = self._jobs.pop(job_id, None)
        if job is not None:
            shutil.rmtree(job.folder, ignore_errors=True)

    def purge(self) -> None:
        """Remove the jobs older than ``ttl_s`` (a running job is kept until it ends)."""
        now = time.monotonic()
        with self._lock:
            old = [j.id for j in self._jobs.values() if now - j.created > self.ttl_s and j.status in ("done", "failed")]
        for job_id in old:
            self.remove(job_id)

    def close(self) -> None:
        """Remove every job and the private folder."""
        with self._lock:
            self._jobs.clear()
        self._tmp.cleanup()
