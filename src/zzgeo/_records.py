"""Turning results into JSON-ready records: plain Python values, null for NaN and infinity."""

from __future__ import annotations

import math

__all__ = ["json_safe"]


def json_safe(data: object) -> object:
    """NaN and infinity (a dash cell, an unlimited term) have no JSON form: null. numpy scalars become Python.

    Examples
    --------
    >>> import numpy as np
    >>> json_safe({"price": np.float64(1020.0), "term": float("inf"), "grades": (np.int64(1), float("nan")), 3: "x"})
    {'price': 1020.0, 'term': None, 'grades': [1, None], '3': 'x'}
    """
    kind = type(data)  # the plain types first, by identity: a lookup's answer has about 300 values, the web app many
    if kind is str or kind is int or kind is bool or data is None:
        return data
    if kind is float:
        return None if math.isnan(data) or math.isinf(data) else data
    if kind is dict:
        return {k if type(k) is str else str(k): json_safe(v) for k, v in data.items()}
    if kind is list or kind is tuple:
        return [json_safe(v) for v in data]
    if hasattr(data, "item") and not isinstance(data, (list, tuple, dict, str, bytes)) and getattr(data, "shape", None) == ():
        data = data.item()
    if isinstance(data, float) and (math.isnan(data) or math.isinf(data)):
        return None
    if isinstance(data, dict):
        return {str(k): json_safe(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [json_safe(v) for v in data]
    if type(data).__name__ in ("Timestamp", "NaTType", "date", "datetime"):
        return None if str(data) == "NaT" else str(data)[:10] if len(str(data)) >= 10 else str(data)
    return data
