"""What a run of the generator holds, and its plumbing: named random streams, UUID5 ids, the sink
rows go to.
"""

from __future__ import annotations

import random
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from openmash.synthetic.calibration import BoroughSize
from openmash.synthetic.generator._parts import (
    DEFAULT_AS_OF,
    ProgressFn,
    _Address,
    _Adult,
    _Agency,
    _Child,
    _Group,
    _Household,
)
from openmash.synthetic.noise import NoiseConfig, shift_year
from openmash.synthetic.sinks import RowSink


class _BoroughState:
    def __init__(
        self,
        *,
        seed: int,
        children: int,
        as_of: date = DEFAULT_AS_OF,
        noise: NoiseConfig | None = None,
        now: datetime | None = None,
    ) -> None:
        self.seed = seed
        self.size = BoroughSize.for_children(children)
        self.as_of = as_of
        self.noise = noise or NoiseConfig()
        # Row timestamps say when the rows were written, so they are the one thing not seeded.
        self.now = now or timezone.now()
        self._namespace = uuid.uuid5(uuid.NAMESPACE_OID, f"openmash-synthetic:{seed}")
        self._progress: ProgressFn = lambda stage, done, total: None
        self._max_age_days = (as_of - shift_year(as_of, -18)).days - 1

        self.agencies: list[_Agency] = []
        self.by_service: dict[str, list[_Agency]] = defaultdict(list)
        self.teams: list[tuple[uuid.UUID, _Agency, str, str]] = []
        self.households: list[_Household] = []
        self.children: list[_Child] = []
        self.adults: list[_Adult] = []
        self.groups: list[_Group] = []
        self.counts: dict[str, int] = defaultdict(int)
        self._slots: list[_Address] = []
        self._slot_cursor = 0
        self._places: list[dict[str, Any]] = []
        self._sink: RowSink | None = None
        self._held: list[tuple[type, dict[str, Any]]] = []
        self._truth_written = False
        self._hub_by_nhs: dict[str, uuid.UUID] = {}
        self._hub_by_upn: dict[str, uuid.UUID] = {}

    # ----------------------------------------------------------------- plumbing

    def _rng(self, stream: str) -> random.Random:
        return random.Random(f"openmash-synthetic:{self.seed}:{stream}")

    def _id(self, kind: str, number: int | str) -> uuid.UUID:
        return uuid.uuid5(self._namespace, f"{kind}:{number}")

    def _emit(self, model: type, row: dict[str, Any]) -> None:
        assert self._sink is not None
        self._sink.add(model, row)

    def _hold(self, model: type, row: dict[str, Any]) -> None:
        """Keep a row until the truth rows it refers to have been written."""
        if self._truth_written:
            self._emit(model, row)
        else:
            self._held.append((model, row))

    def _stamped(self, row: dict[str, Any]) -> dict[str, Any]:
        row["created_at"] = self.now
        row["updated_at"] = self.now
        return row

    def _days_before(
        self, rng: random.Random, low: int, high: int, *, not_before: date | None = None
    ) -> date:
        day = self.as_of - timedelta(days=rng.randint(low, max(low, high)))
        if not_before is not None and day < not_before:
            day = min(not_before, self.as_of)
        return day

    def _between(self, rng: random.Random, start: date, end: date | None = None) -> date:
        end = end or self.as_of
        if start >= end:
            return end
        return start + timedelta(days=rng.randint(0, (end - start).days))
