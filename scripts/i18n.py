"""Keep the message catalogue in step with the code (Babel).

    python scripts/i18n.py extract   # src/zzgeo/data/locale/zzgeo.pot: every _() message and every CLI help text
    python scripts/i18n.py update    # merge the template into the Chinese catalogue (translations kept, new ids empty)
    python scripts/i18n.py check     # list the message ids without a Chinese translation (exit 1 if any)
    python scripts/i18n.py fill F.json [...]  # translations from JSON files {msgid: msgstr} into the catalogue

Edit ``src/zzgeo/data/locale/zh/LC_MESSAGES/zzgeo.po`` with any PO editor (Poedit, Lokalize) or by hand;
zzgeo compiles it on first use. ``tests/test_i18n.py`` fails while a message has no translation.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zzgeo.catalogue import code_messages  # noqa: E402
from zzgeo.i18n import catalogue_path  # noqa: E402

TEMPLATE = ROOT / "src" / "zzgeo" / "data" / "locale" / "zzgeo.pot"


def _catalog(messages: dict[str, list[str]]):
    from babel.messages.catalog import Catalog

    catalog = Catalog(project="zzgeo", domain="zzgeo", charset="utf-8")
    for message, places in messages.items():
        catalog.add(message, locations=[(p, 0) for p in places])
    return catalog


def extract() -> None:
    from babel.messages.pofile import write_po

    with TEMPLATE.open("wb") as handle:
        write_po(handle, _catalog(code_messages()), omit_header=False, sort_output=True, include_lineno=False, width=120)
    print(f"wrote {TEMPLATE.relative_to(ROOT)}")


def update() -> None:
    from babel.messages.pofile import read_po, write_po

    po = catalogue_path("zh")
    po.parent.mkdir(parents=True, exist_ok=True)
    with TEMPLATE.open("rb") as handle:
        template = read_po(handle)
    if po.is_file():
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="zh_Hans_CN")
    else:
        from babel.messages.catalog import Catalog

        catalog = Catalog(locale="zh_Hans_CN", project="zzgeo", domain="zzgeo", charset="utf-8")
    catalog.update(template, no_fuzzy_matching=True)
    with po.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True, width=120)
    print(f"updated {po.relative_to(ROOT)}")


def fill(paths: list[str]) -> int:
    """Put the translations of JSON files ``{msgid: msgstr}`` (e.g. from a translator) into the catalogue.

    Only message ids of the code are taken, and only when the translation keeps every ``{placeholder}``;
    the others are listed and left out. Run ``update`` first so every message id of the code is in the PO.
    """
    import json
    import re

    from babel.messages.pofile import read_po, write_po

    po = catalogue_path("zh")
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="zh_Hans_CN")
    refused = 0
    for path in paths:
        for msgid, msgstr in json.loads(Path(path).read_text(encoding="utf-8")).items():
            message = catalog.get(msgid)
            fields = sorted(re.findall(r"\{[^{}]*\}", msgid))
            if message is None or not msgstr or sorted(re.findall(r"\{[^{}]*\}", msgstr)) != fields:
                print(f"{path}: left out {msgid!r}: " + ("not a message of the code" if message is None else "placeholders differ"))
                refused += 1
                continue
            message.string = msgstr
            message.flags.discard("fuzzy")
    with po.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, include_lineno=False, ignore_obsolete=True, width=120)
    print(f"filled {po.relative_to(ROOT)} from {len(paths)} file(s); {refused} left out")
    return 1 if refused else 0


def check() -> int:
    from zzgeo.catalogue import missing_translations

    missing = missing_translations()
    for message in missing:
        print(f"no translation: {message!r}")
    print(f"{len(missing)} message(s) without a Chinese translation")
    return 1 if missing else 0


if __name__ == "__main__":
    action = sys.argv[1] if len(sys.argv) > 1 else "check"
    if action == "extract":
        extract()
    elif action == "update":
        extract()
        update()
    elif action == "fill":
        raise SystemExit(fill(sys.argv[2:]))
    else:
        raise SystemExit(check())
