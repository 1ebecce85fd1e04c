"""Configuration files checked against a schema: read the TOML, validate it, fail in one line.

Every file a user may pass in place of a packaged one (score config, report
config, rule and target tables) is read with :func:`read_toml` and checked
with :func:`validate` against a pydantic model built on :class:`ConfigModel`
(unknown keys forbidden, strict types: ``png = "false"`` is an error, not
True; numbers finite). :func:`load_config` does both.

Every problem becomes one line naming the file, the key path
(``indicators[2].weight``), the bad value with ``!r`` and what is allowed,
raised as :class:`~zzgeo.errors.ParameterError` (or the error class the caller
names), so the command line prints it as ``error: <line>``. A missing file is
a :class:`FileNotFoundError` with a one-line message.

This module imports nothing from the theme packages.

Examples
--------
>>> from zzgeo.config import ConfigModel, Positive, validate
>>> class Grid(ConfigModel):
...     cell_m: Positive = 250
>>> validate({"cell_m": 100}, Grid, what="grid config").cell_m
100.0
>>> validate({"cell_m": -1, "size": 3}, Grid, what="grid config", path="grid.toml")
Traceback (most recent call last):
...
zzgeo.errors.ParameterError: grid config 'grid.toml': unknown key 'size'; allowed: cell_m; cell_m = -1: must be greater than 0
"""

from __future__ import annotations

import codecs
import os
import tomllib
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from zzgeo.errors import ParameterError, ZzgeoError
from zzgeo.i18n import _

__all__ = [
    "ConfigModel",
    "ConfigProblem",
    "MISSING",
    "Finite",
    "Positive",
    "NonNegative",
    "Share",
    "PositiveInt",
    "Text",
    "key_path",
    "each_once",
    "read_toml",
    "validate",
    "load_config",
]

M = TypeVar("M", bound=BaseModel)

#: How many problems one error line lists before "(+N more)".
SHOWN = 3


class ConfigModel(BaseModel):
    """Base of every configuration model: unknown keys are errors, types strict, instances frozen.

    Strict means a TOML string never passes as a number or a boolean
    (``weight = "0.2"``, ``png = "false"``); an integer passes as a float.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


#: A finite number (TOML ``inf`` and ``nan`` are errors).
Finite = Annotated[float, Field(allow_inf_nan=False)]
#: A finite number > 0 (areas, radii, days, factors ...).
Positive = Annotated[float, Field(allow_inf_nan=False, gt=0)]
#: A finite number >= 0 (weights).
NonNegative = Annotated[float, Field(allow_inf_nan=False, ge=0)]
#: A finite number in [0, 1].
Share = Annotated[float, Field(allow_inf_nan=False, ge=0, le=1)]
#: A whole number > 0.
PositiveInt = Annotated[int, Field(gt=0)]
#: A string that is not empty or blank.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: The value of :class:`ConfigProblem` when the key is absent.
MISSING: Any = _Missing()
_INPUT: Any = object()


class ConfigProblem(ValueError):
    """Raise inside a model's validator to report a problem at a key below the model.

    Parameters
    ----------
    rule : str
        What is wrong and what is allowed, e.g. ``"normalise = 'target' needs a target > 0"``.
    at : tuple
        Key path below the validated model, e.g. ``("target",)`` or ``("indicators", 2, "id")``.
    value : object, optional
        The bad value (default: the validated input); :data:`MISSING` when the key is absent.
    """

    def __init__(self, rule: str, *, at: tuple = (), value: object = _INPUT) -> None:
        super().__init__(rule)
        self.rule, self.at, self.value = rule, tuple(at), value


def each_once(rows: Sequence[object], *, key: str, at: str, what: str) -> None:
    """Raise :class:`ConfigProblem` at the first row of *rows* (the list under *at*) whose *key* repeats an earlier one.

    Examples
    --------
    >>> from types import SimpleNamespace as Row
    >>> each_once([Row(id="a"), Row(id="b"), Row(id="a")], key="id", at="targets", what="target")
    Traceback (most recent call last):
    ...
    zzgeo.config.ConfigProblem: repeats targets[0].id; give each target once
    """
    first: dict[object, int] = {}
    for i, row in enumerate(rows):
        value = getattr(row, key)
        if value in first:
            rule = _("repeats {at}[{first}].{key}; give each {what} once").format(at=at, first=first[value], key=key, what=what)
            raise ConfigProblem(rule, at=(at, i, key), value=value)
        first[value] = i


def key_path(loc: Sequence[object]) -> str:
    """A pydantic location as a key path: ``("indicators", 2, "weight")`` -> ``"indicators[2].weight"``.

    ``"*"`` stands for every item of a list: ``indicators[*].weight``.

    Examples
    --------
    >>> key_path(("indicators", 2, "weight"))
    'indicators[2].weight'
    """
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) or part == "*" else (f".{part}" if out else str(part))
    return out


# ----------------------------------------------------------------------------- reading


def _label(path: object) -> str:
    return str(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else str(path)


def read_toml(path: str | os.PathLike[str], *, what: str, error: type[ZzgeoError] = ParameterError) -> dict[str, Any]:
    """Parse a TOML file a user gives; every failure is one line naming the file.

    Parameters
    ----------
    path : str or path-like
        The file.
    what : str
        What the file is, for messages (``"score config"``).
    error : ZzgeoError subclass
        The class raised for a file that is not UTF-8, not TOML or empty.

    Returns
    -------
    dict
        The parsed document (a UTF-8 byte-order mark is allowed).

    Raises
    ------
    FileNotFoundError
        No such file.
    ZzgeoError
        *error*: a folder, unreadable, not UTF-8 (with the byte position and
        line), not TOML (with the line and column), or empty.
    """
    file = Path(path)
    label = _label(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise FileNotFoundError(_("{what} {label!r}: no such file").format(what=what, label=label)) from None
    except IsADirectoryError:
        raise error(_("{what} {label!r} is a folder; give a TOML file").format(what=what, label=label)) from None
    except OSError as exc:
        raise error(_("{what} {label!r} cannot be read: {reason}").format(what=what, label=label, reason=exc.strerror or exc)) from None
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[start:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = start + exc.start
        line = data[:at].count(b"\n") + 1
        try:
            data.decode("gb18030")
            gbk = True
        except UnicodeDecodeError:
            gbk = False
        message = _("{what} {label!r} is not UTF-8 text: byte {at} (line {line}) is {byte!r} (it looks like GBK/GB18030); "
                    "save the file as UTF-8") if gbk else _("{what} {label!r} is not UTF-8 text: byte {at} (line {line}) is {byte!r}; "
                                                           "save the file as UTF-8")
        raise error(message.format(what=what, label=label, at=at, line=line, byte=data[at:at + 1])) from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = " ".join(str(exc).split())
        raise error(_("{what} {label!r} is not valid TOML: {reason}").format(what=what, label=label, reason=reason)) from None
    if not doc:
        raise error(_("{what} {label!r} is empty: it holds no TOML table or key").format(what=what, label=label))
    return doc


# ----------------------------------------------------------------------------- validating


def _strip(tp: object) -> object:
    """``X`` of ``Annotated[X, ...]`` and of ``Optional[X]``."""
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_model(tp: object) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _field(model: type[BaseModel], key: object):
    for name, info in model.model_fields.items():
        if (info.alias or name) == key:
            return info
    return None


def _model_at(model: type[BaseModel], loc: Sequence[object]) -> type[BaseModel] | None:
    """The model that validates the table at *loc* (to list its keys), or None."""
    tp: object = model
    for part in loc:
        tp = _strip(tp)
        origin = typing.get_origin(tp)
        if _is_model(tp):
            info = _field(tp, part)  # type: ignore[arg-type]
            if info is None:
                return None
            tp = info.annotation
        elif origin in (list, tuple, Sequence) and isinstance(part, int):
            tp = typing.get_args(tp)[0]
        elif origin in (dict, Mapping):
            tp = typing.get_args(tp)[1]
        else:
            return None
    tp = _strip(tp)
    return tp if _is_model(tp) else None  # type: ignore[return-value]


def _keys(model: type[BaseModel] | None) -> str:
    if model is None:
        return "?"
    return ", ".join(info.alias or name for name, info in model.model_fields.items())


def _show(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _rule(err: Mapping[str, Any]) -> str:
    kind, msg = err["type"], str(err["msg"])
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return _("must be a table")
    if kind == "list_type":
        return _("must be a list (an array)")
    if kind == "bool_type":
        return _("must be true or false (a TOML boolean, without quotes)")
    if kind == "string_type":
        return _("must be a string (in quotes)")
    if kind == "string_too_short" and (err.get("ctx") or {}).get("min_length") == 1:
        return _("must not be empty")
    if kind == "too_short":
        n = (err.get("ctx") or {}).get("min_length", 1)
        return (_("must have at least {n} items") if n != 1 else _("must have at least {n} item")).format(n=n)
    if kind in ("float_type", "int_type") and isinstance(err.get("input"), str):
        if kind == "float_type":
            return _("must be a number, not a string (remove the quotes)")
        return _("must be a whole number, not a string (remove the quotes)")
    if kind == "int_type":
        return _("must be a whole number")
    for prefix, new in (("Input should be", "must be"), ("String should", "must"), ("List should", "must"),
                        ("Value should", "must"), ("Value error, ", "")):
        if msg.startswith(prefix):
            return new + msg[len(prefix):]
    return msg[:1].lower() + msg[1:]


def _problem(err: Mapping[str, Any], model: type[BaseModel]) -> str:
    loc = tuple(err["loc"])
    kind = err["type"]
    if kind == "extra_forbidden":
        where, key = key_path(loc[:-1]), loc[-1]
        unknown = _("unknown table {key!r}; allowed: {keys}") if isinstance(err.get("input"), dict) else _(
            "unknown key {key!r}; allowed: {keys}")
        return (where + ": " if where else "") + unknown.format(key=key, keys=_keys(_model_at(model, loc[:-1])))
    if kind == "missing":
        return _("{where} is missing (required)").format(where=key_path(loc))
    problem = (err.get("ctx") or {}).get("error")
    if isinstance(problem, ConfigProblem):
        where = key_path(loc + problem.at)
        value = err.get("input") if problem.value is _INPUT else problem.value
        if value is MISSING:
            return _("{where} is missing: {rule}").format(where=where, rule=problem.rule)
        return f"{where + ' = ' if where else ''}{_show(value)}: {problem.rule}"
    where = key_path(loc)
    return f"{where + ' = ' if where else ''}{_show(err.get('input'))}: {_rule(err)}"


def validate(doc: Mapping[str, Any], model: type[M], *, what: str, path: object = None,
             error: type[ZzgeoError] = ParameterError) -> M:
    """Check *doc* against *model*; any problem is one line naming the file, key path, value and what is allowed.

    Parameters
    ----------
    doc : mapping
        The parsed file (:func:`read_toml`).
    model : ConfigModel subclass
        The schema (``extra="forbid"`` at every level).
    what : str
        What the file is, for messages (``"score config"``).
    path : str or path-like, optional
        The file, named in messages.
    error : ZzgeoError subclass
        The class raised.

    Returns
    -------
    ConfigModel
        The validated model.

    Raises
    ------
    ZzgeoError
        *error*, listing the first few problems: ``indicators[2].weight = inf:
        must be a finite number``; ``unknown key 'x'; allowed: a, b, c``.
    """
    try:
        return model.model_validate(doc)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")  # a misspelt key first: it explains a missing one
        problems = list(dict.fromkeys(_problem(e, model) for e in errors))
        more = " " + _("(+{n} more)").format(n=len(problems) - SHOWN) if len(problems) > SHOWN else ""
        head = f"{what} {_label(path)!r}" if path is not None else what
        raise error(f"{head}: {'; '.join(problems[:SHOWN])}{more}") from None


def load_config(path: str | os.PathLike[str], model: type[M], *, what: str, error: type[ZzgeoError] = ParameterError) -> M:
    """Read the TOML file *path* and validate it against *model* (:func:`read_toml` then :func:`validate`).

    Returns
    -------
    ConfigModel
        The validated model.

    Raises
    ------
    FileNotFoundError
        No such file.
    ZzgeoError
        *error*: not UTF-8, not TOML, empty, or not matching *model*.
    """
    return validate(read_toml(path, what=what, error=error), model, what=what, path=path, error=error)
