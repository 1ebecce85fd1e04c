"""Chinese first, English available (issue 22, part 1): the catalogue is complete, the language follows the
locale, ``--lang`` overrides it, and machine-readable keys do not change with it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from zzgeo.catalogue import code_messages, missing_translations, translations
from zzgeo.i18n import _, language, set_language

REPO = Path(__file__).resolve().parents[1]
ERQI = ["--lon", "113.6654", "--lat", "34.7536"]


def _zzgeo(*args: str, lang_env: str | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "ZZGEO_LANG", "COLUMNS")}
    if lang_env is not None:
        environ["LANG"] = lang_env
    environ.update(env)
    return subprocess.run([sys.executable, "-m", "zzgeo.cli", *args], capture_output=True, text=True, env=environ,
                          timeout=120, cwd=REPO)


def test_every_message_has_a_chinese_translation() -> None:
    assert missing_translations() == []


def test_translations_keep_every_placeholder() -> None:
    have = translations()
    for message in code_messages():
        if not have.get(message):  # no translation yet: the test above names it
            continue
        fields = sorted(re.findall(r"\{[^{}]*\}", message))
        assert sorted(re.findall(r"\{[^{}]*\}", have[message])) == fields, message


def test_catalogue_holds_the_help_of_every_command() -> None:
    messages = code_messages()
    assert "Print zzgeo's version and exit." in messages  # an option's help
    assert any(m.startswith("Value every parcel of a file") for m in messages)  # a command's help (its docstring)
    assert "{n} row(s) with a warning (kept and used):" in messages  # a message of the code


def test_language_follows_the_locale_and_lang_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("LC_ALL", "LC_MESSAGES", "ZZGEO_LANG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    set_language(None)
    assert language() == "zh" and _("Options") == translations()["Options"] != "Options"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert language() == "en" and _("Options") == "Options"
    monkeypatch.setenv("ZZGEO_LANG", "zh")
    assert language() == "zh"
    set_language("en")
    try:
        assert language() == "en"
    finally:
        set_language(None)


def test_help_in_chinese_from_the_locale_english_with_lang() -> None:
    zh = _zzgeo("--help", lang_env="zh_CN.UTF-8")
    assert zh.returncode == 0 and translations()["Options"] in zh.stdout
    assert translations()["Print zzgeo's version and exit."] in " ".join(zh.stdout.split())
    en = _zzgeo("--lang", "en", "--help", lang_env="zh_CN.UTF-8")
    assert en.returncode == 0 and "Options" in en.stdout and "Print zzgeo's version and exit." in en.stdout
    assert "Options" in _zzgeo("--help", lang_env="C").stdout


def test_json_keys_do_not_change_with_the_language() -> None:
    zh = _zzgeo("--lang", "zh", "land-price", "lookup", *ERQI, "--json")
    en = _zzgeo("--lang", "en", "land-price", "lookup", *ERQI, "--json")
    assert zh.returncode == en.returncode == 0, zh.stderr + en.stderr
    a, b = json.loads(zh.stdout), json.loads(en.stdout)

    def keys(value: object) -> object:
        if isinstance(value, dict):
            return {k: keys(v) for k, v in value.items()}
        if isinstance(value, list):
            return [keys(v) for v in value[:1]]
        return None

    assert keys(a) == keys(b)


def test_unknown_lang_is_one_error_line() -> None:
    proc = _zzgeo("--lang", "fr", "--help")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == ["error: --lang 'fr': use zh (中文) or en (English)"]


def test_click_usage_errors_and_help_follow_the_language() -> None:
    zh = _zzgeo("land-price", "lookup", "--lo", "1", lang_env="zh_CN.UTF-8")
    assert zh.returncode == 2
    assert zh.stderr.strip() == "error: 没有选项 --lo（可用选项：--json, --lat, --lon）（参见 zzgeo land-price lookup --help）"
    en = _zzgeo("land-price", "lookup", "--lo", "1", lang_env="C.UTF-8")
    assert en.stderr.strip() == "error: No such option: --lo (Possible options: --json, --lat, --lon) (see zzgeo land-price lookup --help)"
    helped = _zzgeo("report", "--help", lang_env="zh_CN.UTF-8", COLUMNS="100")
    assert "用法：zzgeo report" in helped.stdout and "显示此帮助并退出。" in helped.stdout
    assert "Usage:" not in helped.stdout and "Show this message" not in helped.stdout
