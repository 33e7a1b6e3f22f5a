"""The generator: every stage in the order the sink needs (parents before the rows that refer to
them).
"""

from __future__ import annotations

from openmash.synthetic.generator._parts import (
    GenerationResult,
    ProgressFn,
)
from openmash.synthetic.generator.truth import TruthStage
from openmash.synthetic.sinks import RowSink


class BoroughGenerator(TruthStage):
    # ------------------------------------------------------------------ the run

    def run(self, sink: RowSink, progress: ProgressFn | None = None) -> GenerationResult:
        self._sink = sink
        if progress is not None:
            self._progress = progress
        # Parents are written before the rows that refer to them (the sink checks foreign keys
        # as it goes): agencies, hub records, families, the truth, then the other agencies' records.
        self._agencies()
        self._geography()
        self._population()
        self._statuses()
        self._exploitation()
        self._children_in_need(self._rng("contacts"))
        self._hub_records()
        self._hub_families()
        self._truth()
        self._agency_records()
        sink.close()
        rows = dict(getattr(sink, "counts", {}))
        return GenerationResult(counts=dict(self.counts), rows=rows)
