"""Validate all submissions of a run with Great Expectations in one batch, and add T* findings to them in place.

    validate_submissions(subs, registry)            # adds Findings via Submission.add()
    build_data_docs(out_dir)                        # HTML site in <out_dir>/data-docs/

Cost model (shared/notes/stack-facts.md): importing GX takes seconds and ~260 MB, a validation run costs the same
for 60 or 60,000 rows. So: GX is imported on first use, never at module import (the CLI and the Airflow DAG parse
this module); one ephemeral context with its suites is built once per process; each run validates one frame per suite
holding every submission, and maps each failing frame row back through its ``sub`` index and key column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from expectations.frames import KEYS, build_frames
from transforms.format import FORMATS, SECTIONS
from transforms.model import Finding, Submission
from transforms.rules import REPORT_RULES, RULES

REPORT_RULE_IDS = frozenset(r.id for r in REPORT_RULES)


@dataclass
class _Runtime:
    context: Any
    definitions: dict[str, Any]  # suite name → ValidationDefinition
    sites: dict[Path, str]  # data docs folder → site name


_runtime: _Runtime | None = None


def _get_runtime() -> _Runtime:
    """The process's GX context, suites and validation definitions (built on first use only)."""
    global _runtime
    if _runtime is None:
        from expectations.gx_import import import_great_expectations

        gx = import_great_expectations()
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        from expectations.suites import build_suites

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
            # progress bars would print to stderr on every run (CLI output, Airflow logs)
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
            analytics_enabled=False,
        )
        context = gx.get_context(mode="ephemeral", project_config=config)
        source = context.data_sources.add_pandas("countystats")
        definitions = {}
        for name, suite in build_suites().items():
            batch = source.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe(name)
            definitions[name] = context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=context.suites.add(suite))
            )
        _runtime = _Runtime(context, definitions, {})
    return _runtime


def run_suites(frames: dict, failing_only: bool = False) -> dict[str, Any]:
    """One GX validation per frame; suite name → ExpectationSuiteValidationResult.

    ``failing_only``: first ask only whether each suite passes (GX's BOOLEAN_ONLY result, a fraction of the work),
    and validate with every failing row only the suites that fail — what one report at a time gains by (the
    portal: most reports pass every table); a batch of many reports fails somewhere anyway."""
    runtime = _get_runtime()
    results = {}
    for name, frame in frames.items():
        if failing_only:
            quick = runtime.definitions[name].run(batch_parameters={"dataframe": frame},
                                                  result_format={"result_format": "BOOLEAN_ONLY"})
            if quick.success:
                results[name] = quick
                continue
        results[name] = runtime.definitions[name].run(
            batch_parameters={"dataframe": frame},
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": list(KEYS[name])},
        )
    return results


def _key(record: dict[str, Any], names: Sequence[str]) -> tuple:
    # GX returns index values as numpy scalars or as strings, depending on the expectation
    return tuple(int(record["sub"]) if n == "sub" else str(record[n]) for n in names)


def _findings(subs: Sequence[Submission], frames: dict, results: dict) -> list[tuple[int, Finding]]:
    """(submission index, finding) for every failure; one finding per rule and cell."""
    out: list[tuple[int, int, Finding]] = []
    for name, result in results.items():
        keys = KEYS[name]
        lookup: dict[tuple, dict] | None = None
        for er in result.results:
            if er.exception_info and er.exception_info.get("raised_exception"):
                # a broken suite must not pass silently as "no findings"
                raise RuntimeError(f"{name}: {er.expectation_config.type}: {er.exception_info['exception_message']}")
            if er.success:
                continue
            if lookup is None:
                frame = frames[name]
                lookup = {_key(r, keys): r for r in frame.to_dict("records")}
            meta = er.expectation_config.meta
            rule, kind, rank = RULES[meta["rule"]], meta["message"], meta.get("rank", 0)
            records = [lookup[_key(ix, keys)] for ix in er.result.get("unexpected_index_list") or []]
            if meta.get("per_submission"):  # one finding for all failing rows of a submission
                by_sub: dict[int, list[dict]] = {}
                for rec in records:
                    by_sub.setdefault(int(rec["sub"]), []).append(rec)
                for i, recs in by_sub.items():
                    out.append((rank, i, rule.explain(kind, meta, subs[i], recs)))
            else:
                for rec in records:
                    i = int(rec["sub"])
                    out.append((rank, i, rule.explain(kind, meta, subs[i], [rec])))
    seen: set[tuple] = set()
    kept = []
    for _, i, f in sorted(out, key=lambda t: t[0]):
        key = (i, f.rule, f.section, f.row, f.column)
        if key not in seen:
            seen.add(key)
            kept.append((i, f))
    return kept


def _order(sub: Submission):
    """Findings in reading order of the workbook: table, row, column (then rule)."""

    def key(f: Finding):
        fmt = FORMATS[sub.format_version]
        sec = fmt.section(f.section) if f.section in SECTIONS else None
        rows = [r.code for r in sec.rows] if sec else []
        cols = [m.code for m in sec.measures_of(f.row)] if f.row in rows else []
        return (
            # the tables in their order, then the narrative's findings (N-PROBLEMS names a part, not a table)
            SECTIONS.index(f.section) if f.section in SECTIONS else len(SECTIONS),
            rows.index(f.row) if f.row in rows else -1,
            cols.index(f.column) if f.column in cols else -1,
            f.rule,
        )

    return key


def validate_submissions(subs: list[Submission], registry=None, *, data_docs: Path | None = None,
                         failing_only: bool = False) -> None:
    """Run the report's arithmetic and definition rules (T*) on every submission in ONE GX batch per suite and add
    the findings to each submission via ``Submission.add`` (which attaches the unit's 说明 to warnings).

    Unreadable submissions, those without a recognised format and tables not reported are skipped. ``registry``
    supplies the unit type when a submission lacks it. ``data_docs``: also write the HTML site there.
    ``failing_only``: see :func:`run_suites` (for one report at a time).
    """
    for sub in subs:
        # validating again (a re-run, a corrected cell) replaces this stage's findings instead of doubling them
        sub.findings = [f for f in sub.findings if f.rule not in REPORT_RULE_IDS]
    frames = build_frames(subs, registry)
    if frames:
        found = _findings(subs, frames, run_suites(frames, failing_only=failing_only))
        per_sub: dict[int, list[Finding]] = {}
        for i, finding in found:
            per_sub.setdefault(i, []).append(finding)
        for i, findings in per_sub.items():
            for finding in sorted(findings, key=_order(subs[i])):
                subs[i].add(finding)
    if data_docs is not None:
        build_data_docs(data_docs)


def forget_results() -> int:
    """Drop the validation results this process's GX context has kept (each run stores its results, for Data Docs):
    a long-lived process that validates one report at a time (the portal) must not grow with every check."""
    store = _get_runtime().context.validation_results_store
    keys = store.list_keys()
    for key in keys:
        store.remove_key(key)
    return len(keys)


def build_data_docs(out_dir: Path) -> Path:
    """Write GX Data Docs (suites and this process's validation results) to ``<out_dir>/data-docs/``; returns the
    site's index.html."""
    runtime = _get_runtime()
    site_dir = (Path(out_dir) / "data-docs").resolve()
    if site_dir not in runtime.sites:
        name = f"countystats_{len(runtime.sites)}"
        runtime.context.add_data_docs_site(
            site_name=name,
            site_config={
                "class_name": "SiteBuilder",
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
                "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(site_dir)},
            },
        )
        runtime.sites[site_dir] = name
    runtime.context.build_data_docs(site_names=[runtime.sites[site_dir]])
    return site_dir / "index.html"
