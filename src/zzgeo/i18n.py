"""Chinese first, English available: the language of messages, help and headings, from gettext catalogues.

Messages are written in English in the code (the gettext message ids) and
translated in ``data/locale/zh/LC_MESSAGES/zzgeo.po``, a standard PO file
edited with any PO editor or Babel (``pybabel``). The Chinese catalogue is
compiled with Babel to a ``.mo`` file the first time it is used (kept in the
user's cache folder, by the hash of the ``.po``) and read with the standard
library's :mod:`gettext`, so later runs pay no compile.

The language is, in order: :func:`set_language` (the command line's
``--lang zh|en``), the environment variable ``ZZGEO_LANG``, then the locale
(``LC_ALL``, ``LC_MESSAGES``, ``LANG``: ``zh_CN.UTF-8`` gives Chinese). With
no locale at all (``C``/``POSIX``) it is English.

Machine-readable keys never change with the language: ``--json`` field
names, the column names of ``tables/*.csv``, ids.

Examples
--------
>>> set_language("zh")
>>> _("Options"), language()
('选项', 'zh')
>>> set_language("en")
>>> _("Options")
'Options'
>>> set_language(None)  # back to the environment
"""

from __future__ import annotations

import gettext as _gettext
import hashlib
import os
from pathlib import Path

__all__ = ["LANGUAGES", "language", "set_language", "chosen_language", "gettext", "ngettext", "_", "N_", "catalogue_path", "language_from_argv", "label_of"]

#: Languages of the interface: Chinese and English.
LANGUAGES = ("zh", "en")
_DOMAIN = "zzgeo"
_chosen: str | None = None
_translations: dict[str, _gettext.NullTranslations] = {}


def catalogue_path(lang: str = "zh") -> Path:
    """The PO file of *lang* in the package (English needs none: the message ids are English).

    >>> catalogue_path().relative_to(Path(__file__).parent).as_posix()
    'data/locale/zh/LC_MESSAGES/zzgeo.po'
    """
    return Path(__file__).parent / "data" / "locale" / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"


def _from_locale() -> str:
    for name in ("ZZGEO_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        if value:
            if name == "ZZGEO_LANG" and value in LANGUAGES:
                return value
            if name != "ZZGEO_LANG":
                return "zh" if value.startswith("zh") else "en"
    return "en"


def language() -> str:
    """The interface language now: ``"zh"`` or ``"en"``."""
    return _chosen or _from_locale()


def set_language(lang: str | None) -> None:
    """Choose the interface language (``--lang``); None goes back to the environment.

    Raises
    ------
    ZzgeoError
        Not ``zh`` or ``en``.
    """
    global _chosen
    if lang is not None and lang not in LANGUAGES:
        from zzgeo.errors import ParameterError

        raise ParameterError(gettext("--lang {lang!r}: use zh (中文) or en (English)").format(lang=lang))  # in the locale's language
    _chosen = lang


def chosen_language() -> str | None:
    """The language chosen with :func:`set_language`, or None when it follows the environment: what to put back
    after a call in another language (``language()`` would pin the environment's language instead).

    >>> chosen_language() is None
    True
    """
    return _chosen


def language_from_argv(argv: list[str]) -> str | None:
    """The value of ``--lang`` in a command line, if any (``--lang zh`` or ``--lang=zh``).

    >>> language_from_argv(["--lang", "en", "report"]), language_from_argv(["report", "--lang=zh"]), language_from_argv([])
    ('en', 'zh', None)
    """
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _compiled(po: Path) -> Path:
    """The ``.mo`` of *po*, compiled with Babel once per content (in the user's cache folder, written atomically)."""
    digest = hashlib.sha256(po.read_bytes()).hexdigest()[:16]
    try:
        from platformdirs import user_cache_dir

        folder = Path(user_cache_dir("zzgeo")) / "locale"
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only home: compile into a temporary folder each run
        import tempfile

        folder = Path(tempfile.gettempdir())
    mo = folder / f"{po.parent.parent.name}-{digest}.mo"
    if not mo.is_file():
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        with po.open("rb") as handle:
            catalog = read_po(handle)
        tmp = mo.with_name(f".{mo.name}.{os.getpid()}")
        with tmp.open("wb") as handle:
            write_mo(handle, catalog)
        os.replace(tmp, mo)
    return mo


def _translation(lang: str) -> _gettext.NullTranslations:
    if lang not in _translations:
        po = catalogue_path(lang)
        if lang == "en" or not po.is_file():
            _translations[lang] = _gettext.NullTranslations()
        else:
            with _compiled(po).open("rb") as handle:
                _translations[lang] = _gettext.GNUTranslations(handle)
    return _translations[lang]


def gettext(message: str) -> str:
    """*message* in the interface language (itself when there is no translation)."""
    return _translation(language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for *n*, in the interface language."""
    return _translation(language()).ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 (the gettext convention)
    """Mark *message* for the catalogue without translating it now (translated where it is shown)."""
    return message


_ = gettext


def label_of(value: object, labels: dict) -> object:
    """An id shown to a person (``abolished``, ``county``): its label of *labels* (``N_()`` message ids) in the
    interface language; in English, and for a value *labels* lacks, the value itself, as ``--json`` and the files
    keep it. The one display-time lookup of the command line and the themes' tables.

    >>> set_language("zh"); label_of("district", {"district": N_("district")}), label_of("x", {})
    ('区县', 'x')
    >>> set_language("en"); label_of("district", {"district": N_("district")})
    'district'
    >>> set_language(None)
    """
    if language() == "en" or not isinstance(value, str) or value not in labels:
        return value
    return gettext(labels[value])
