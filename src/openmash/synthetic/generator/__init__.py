"""The synthetic borough of Wrenford: a deterministic function of a seed, a size and a date.

The generator builds the true population in memory (households, children, adults,
statuses, exploitation groups), then writes three things to a sink:

1. the agencies and teams of the borough (accounts tables);
2. what each agency holds: its own noisy identity for each child it knows (people
   tables), hub records for the children known to children's services, their families;
3. the truth (this app's tables) that the noisy records are scored against.

Every random draw comes from a named stream (`random.Random("openmash-synthetic:<seed>:<name>")`),
so one part changing does not reshuffle the others, and every id is a UUID5 of the seed and
the row's place in the borough. Same seed, size, date and noise: the same rows, byte for byte.
"""

from openmash.synthetic.generator._parts import (
    BOROUGH_AGENCIES,
    BOROUGH_NAME,
    BOUNDING_BOX,
    DEFAULT_AS_OF,
    GENERATOR_VERSION,
    PROCESS,
    PROFILES,
    GenerationResult,
    ProgressFn,
)
from openmash.synthetic.generator.borough import BoroughGenerator

__all__ = [
    "BOROUGH_AGENCIES",
    "BOROUGH_NAME",
    "BOUNDING_BOX",
    "DEFAULT_AS_OF",
    "GENERATOR_VERSION",
    "PROCESS",
    "PROFILES",
    "BoroughGenerator",
    "GenerationResult",
    "ProgressFn",
]
