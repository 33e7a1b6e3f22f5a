"""Configuration: the thresholds used when no trained model says otherwise.

The defaults were chosen from the precision/recall curve on the synthetic borough (seed 1,
49,000 children; see docs/matching.md and docs/benchmarks.md, "Record matching"): the
upper threshold is where automatic links reach a precision of 0.999 with a safety margin,
the lower where links and reviews together keep recall at 0.996. Each saved model carries
its own thresholds; these environment variables override the defaults for a new model.
"""

from __future__ import annotations

import os

from .evaluation import Thresholds

DEFAULT_UPPER = 8.0
DEFAULT_LOWER = 2.0


def thresholds_default() -> Thresholds:
    return Thresholds(
        upper=float(os.environ.get("OPENMASH_MATCH_UPPER", DEFAULT_UPPER)),
        lower=float(os.environ.get("OPENMASH_MATCH_LOWER", DEFAULT_LOWER)),
    )
