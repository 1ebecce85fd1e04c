"""Turning results into JSON-ready records: plain Python values, null for NaN and infinity."""

from __future__ import annotations

import math

__all__ = ["json_safe"]


def json_safe(data: object) -> object:
    """NaN and infinity (a dash cell, an unlimited term) have no JSON form: null. numpy scalars become Python."""
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
