"""Class breaks of numeric map columns: mapclassify's upper bounds, without importing mapclassify.

``import mapclassify`` costs 3 to 9 s in a fresh process, whatever classifier is asked for: its
package ``__init__`` imports every classifier module, and ``mapclassify.classifiers`` (which
``import mapclassify.classifiers`` also runs the package ``__init__`` for) compiles
``_fisher_jenks_means`` with numba at import (an eager ``@njit`` with a signature and no cache,
about 2.8 s of LLVM work in every process), imports ``sklearn.cluster`` (KMeans, for natural breaks,
about 1 s), ``scipy.stats`` (one percentile function, about 1.3 s) and, through ``legendgram`` and
``value_by_alpha``, ``matplotlib.pyplot`` (about 1 s). None of that can be cached or skipped from
outside the package. Three of the four schemes zzgeo offers are a few lines of arithmetic, written
here step for step as mapclassify 2.10 computes them (``tests/test_map_classes.py`` checks the
bounds are the same floats as mapclassify's); ``natural_breaks`` (k-means from random starts) is
still asked of mapclassify, imported only then.

Examples
--------
>>> import numpy as np
>>> from zzgeo.maps.classes import class_bounds
>>> class_bounds(np.arange(1.0, 11.0), "quantiles", 2).tolist()
[5.5, 10.0]
>>> class_bounds(np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0]), "fisher_jenks", 2).tolist()
[3.0, 12.0]
>>> class_bounds(np.array([0.0, 1.0, 4.0]), "equal_interval", 2).tolist()
[2.0, 4.0]

A policy target can be made a break (a value at the target falls in the class above it):

>>> bounds = class_bounds(np.array([1.2, 1.9, 2.0, 2.6, 3.4]), "quantiles", 2, include=[2.0, 3.0])
>>> bounds.round(6).tolist(), (bounds < 2.0).tolist()  # the median, 2.0, gives way to the target's break
([2.0, 3.0, 3.4], [True, False, False])
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from zzgeo.i18n import _

__all__ = ["SCHEMES", "class_bounds", "breaks_inside"]

#: The schemes of :func:`class_bounds` (mapclassify's names).
SCHEMES = ("quantiles", "natural_breaks", "fisher_jenks", "equal_interval")


def breaks_inside(values: np.ndarray, include: Sequence[float]) -> list[float]:
    """The values of *include* that can be a class break of *values*: above the minimum, at most the maximum.

    Examples
    --------
    >>> import numpy as np
    >>> breaks_inside(np.array([1.5, 2.8]), [2.0, 3.0, 1.5])
    [2.0]
    """
    y = np.asarray(values, dtype=float)
    if not len(y):
        return []
    return sorted({float(t) for t in include if y.min() < float(t) <= y.max()})


def class_bounds(values: np.ndarray, scheme: str, k: int, *, include: Sequence[float] = ()) -> np.ndarray:
    """Upper class bounds of *values*, exactly as ``mapclassify.classify(values, scheme=scheme, k=k).bins``.

    Parameters
    ----------
    values : numpy.ndarray
        Float values, no NaN.
    scheme : {"quantiles", "natural_breaks", "fisher_jenks", "equal_interval"}
    k : int
        Number of classes asked for (ties can make fewer; mapclassify then warns, and so does this).
    include : sequence of float
        Values that must be breaks, such as a policy target (2 m²/person):
        each one inside the values' range (:func:`breaks_inside`) adds the
        bound just below it (``numpy.nextafter``), so a value at the target
        falls in the class above, the class of those that meet it; a bound
        of the scheme equal to such a value gives way to it. The scheme's
        own *k* classes come first; ask for fewer to keep the count.

    Returns
    -------
    numpy.ndarray
        Upper bounds, float, ascending.

    Raises
    ------
    ValueError
        An unknown scheme, or (Fisher-Jenks) fewer distinct values than *k*, or
        (equal interval) all values equal: mapclassify's own errors.
    """
    y = np.asarray(values).flatten()
    bounds = _scheme_bounds(y, scheme, k)
    inside = breaks_inside(y, include)
    if not inside:
        return bounds
    # a bound of the scheme at a target gives way to the target's break (but the maximum stays the last bound)
    keep = bounds[~np.isin(bounds, inside) | (bounds == y.max())]
    return np.unique(np.concatenate([keep, [np.nextafter(t, -np.inf) for t in inside]]))


def _scheme_bounds(y: np.ndarray, scheme: str, k: int) -> np.ndarray:
    if scheme == "quantiles":
        return _quantiles(y, k)
    if scheme == "fisher_jenks":
        if len(np.unique(y)) < k:
            raise ValueError(_("Fewer unique values ({n}) than specified classes ({k}).").format(n=len(np.unique(y)), k=k))
        return _fisher_jenks(np.sort(y).astype("f8"), k)
    if scheme == "equal_interval":
        return _equal_interval(y, k)
    if scheme == "natural_breaks":
        import mapclassify  # k-means from random starts: only mapclassify's own code gives its classes

        return np.asarray(mapclassify.classify(y, scheme=scheme, k=k).bins)
    raise ValueError(_("scheme {scheme!r}: use one of {names}").format(scheme=scheme, names=", ".join(SCHEMES)))


def _score_at(sorted_: np.ndarray, per: float) -> float:
    """``scipy.stats.scoreatpercentile(a, per)`` (interpolation ``fraction``) on sorted values, the same float steps."""
    idx = per / 100.0 * (sorted_.shape[0] - 1)
    i = int(idx)
    if i == idx:
        return np.add.reduce(sorted_[i:i + 1] * np.array(1)) / 1.0
    j = i + 1
    weights = np.array([(j - idx), (idx - i)], float)
    return np.add.reduce(sorted_[i:i + 2] * weights) / weights.sum()


def _quantiles(y: np.ndarray, k: int) -> np.ndarray:
    """``mapclassify.classifiers.quantile``: scores at k even percentiles, ties collapsed."""
    w = 100.0 / k
    p = np.arange(w, 100 + w, w)
    if p[-1] > 100.0:
        p[-1] = 100.0
    sorted_ = np.sort(y)
    q = np.unique(np.array([_score_at(sorted_, pct) for pct in p]))
    if len(q) < k:
        warnings.warn(_("Not enough unique values in array to form {k} classes. Setting k to {n}.").format(k=k, n=len(q)), UserWarning,
                      stacklevel=3)
    return q


def _equal_interval(y: np.ndarray, k: int) -> np.ndarray:
    """``mapclassify.EqualInterval``: k steps of equal width from the minimum, the last at the maximum."""
    max_y, min_y = max(y), min(y)
    if min_y == max_y:
        raise ValueError(_("Not enough unique values in array to form {k} classes. All values in `y` are equal.").format(k=k))
    width = (max_y - min_y) * 1.0 / k
    cuts = np.arange(min_y + width, max_y + width, width)
    if len(cuts) > k:
        cuts = cuts[0:k]
    cuts[-1] = max_y
    return cuts.copy()


def _fisher_jenks(values: np.ndarray, classes: int) -> np.ndarray:
    """``mapclassify.classifiers._fisher_jenks_means`` on sorted float values, vectorised over the inner loop.

    The sums run in float32 in the same order (``np.cumsum`` adds one after the other, as the loop does),
    and of equal costs the one met last in the loop wins, as there.
    """
    n = len(values)
    mat1 = np.zeros((n + 1, classes + 1), dtype=np.int32)
    mat2 = np.zeros((n + 1, classes + 1), dtype=np.float32)
    mat1[1, 1:] = 1
    mat2[2:, 1:] = np.inf
    v32 = values.astype(np.float32)
    for last in range(2, n + 1):
        vals = v32[:last][::-1]  # values[last - 1], ..., values[0]
        s1 = np.cumsum(vals, dtype=np.float32)
        s2 = np.cumsum(vals * vals, dtype=np.float32)
        w = np.arange(1, last + 1, dtype=np.float32)
        v = s2 - (s1 * s1) / w  # v[m - 1] for m = 1 .. last
        i3 = last - np.arange(1, last + 1) + 1
        i4 = i3 - 1
        keep = i4 != 0  # m = 1 .. last - 1
        rows = i4[keep]
        for j in range(2, classes + 1):
            cost = v[keep] + mat2[rows, j - 1]
            best = cost.min()
            if mat2[last, j] >= best:
                at = len(cost) - 1 - int(np.argmin(cost[::-1]))  # the last of equal costs, as the loop keeps it
                mat1[last, j] = i3[keep][at]
                mat2[last, j] = cost[at]
        mat1[last, 1] = 1
        mat2[last, 1] = v[-1]
    kclass = np.zeros(classes + 1, dtype=values.dtype)
    kclass[classes] = values[n - 1]
    kclass[0] = values[0]
    k = n
    for count_num in range(classes, 1, -1):
        pivot = mat1[k, count_num]
        kclass[count_num - 1] = values[int(pivot - 2)]
        k = int(pivot - 1)
    return np.delete(kclass, 0)
