"""One way to turn the ``rng=`` argument into a NumPy random generator.

Every function or class in ``course`` that draws random numbers takes ``rng=``, which may be

* an ``np.random.Generator`` (used as it is, so several objects can share one stream),
* an ``int`` seed (a fresh generator seeded with it: the same seed gives the same numbers), or
* ``None`` (a fresh generator seeded from the operating system: not reproducible).
"""

from __future__ import annotations

import numpy as np

RngLike = np.random.Generator | int | None


def make_rng(rng: RngLike = None) -> np.random.Generator:
    """Return a ``np.random.Generator`` for ``rng`` (a Generator, an int seed, or None)."""
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(rng)
    raise TypeError(
        f"rng must be a numpy.random.Generator, an int seed or None, got {type(rng).__name__}"
    )
