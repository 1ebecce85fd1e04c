"""The message catalogue checked against the code: every message id the code shows, and which lack Chinese.

Message ids are every ``_()`` / ``N_()`` / ``ngettext()`` string in the package (found by Babel's
extractor) and every help text of the command line (:func:`zzgeo._cli.help_messages`). ``scripts/i18n.py``
writes them to the template ``data/locale/zzgeo.pot`` and merges it into the Chinese catalogue;
``tests/test_i18n.py`` fails while one has no translation.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["code_messages", "translations", "missing_translations"]

_PACKAGE = Path(__file__).parent


def code_messages() -> dict[str, list[str]]:
    """Every message id of the code -> where it is used (module paths, or ``zzgeo.cli`` for help texts).

    Examples
    --------
    >>> messages = code_messages()
    >>> "Options" in messages and "Print zzgeo's version and exit." in messages
    True
    """
    from babel.messages.extract import extract_from_dir

    from zzgeo._cli import help_messages
    from zzgeo.cli import app

    found: dict[str, list[str]] = {}
    keywords = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
            _PACKAGE, method_map=[("**.py", "python")], keywords=keywords, comment_tags=(), strip_comment_tags=True):
        for text in message if isinstance(message, tuple) else (message,):
            if text:
                found.setdefault(text, []).append(f"zzgeo/{filename}")
    for text in help_messages(app):
        found.setdefault(text, []).append("zzgeo/cli.py")
    return found


def translations(lang: str = "zh") -> dict[str, str]:
    """Message id -> translation in the catalogue of *lang* (fuzzy entries left out: they are not used)."""
    from babel.messages.pofile import read_po

    from zzgeo.i18n import catalogue_path

    with catalogue_path(lang).open("rb") as handle:
        catalog = read_po(handle)
    return {m.id: m.string for m in catalog if m.id and not m.fuzzy and isinstance(m.id, str)}


def missing_translations(lang: str = "zh") -> list[str]:
    """The message ids of the code with no (or an empty) translation in *lang*, sorted."""
    have = translations(lang)
    return sorted(m for m in code_messages() if not have.get(m))
