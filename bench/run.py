"""Run the benchmark's scenarios on SQLite and PostgreSQL and write bench/results.md and .json.

    python -m bench.run [--size smoke|full] [--only NAME ...] [--backend sqlite|postgresql]

Each scenario runs in a subprocess of its own (clean memory, its own peak RSS). Every figure is
measured beside its floor in the same run, because the machine is shared and noisy; the tables
report ratios with the absolute figures beside them. A smoke run (tiny sizes) writes
bench/smoke-results.* (git-ignored) and fails only if a scenario crashed, never if it was slow.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from bench.common import PG_SERVER, Backend, Measurement, postgresql_reachable
from bench.survey_run import FORMS_CACHE

SCENARIOS = [
    "survey_county",
    "survey_prefecture",
    "inbox_scale",
    "tick_scale",
    "web_load",
    "register_load",
    "reconcile_run",
]
BACKENDS = ("sqlite", "postgresql")
BENCH_DIR = Path(__file__).resolve().parent
# What is written by hand below this line of results.md (where the time goes, what bounds it)
# is kept when the tables above it are written again.
NOTES_MARK = "<!-- notes: written by hand, kept across runs -->"


def _worker(scenario: str, backend: str, size: str, out: str) -> int:
    """Inside the subprocess: run one scenario on one backend, write its figures as JSON."""
    module = importlib.import_module(f"bench.{scenario}")
    figures = module.run(Backend(backend), size)
    Path(out).write_text(json.dumps([f.as_dict() for f in figures], ensure_ascii=False))
    return 0


def _available(scenario: str) -> bool:
    return (BENCH_DIR / f"{scenario}.py").exists()


def _run_one(scenario: str, backend: str, size: str) -> dict:
    """One scenario in a subprocess: its figures, wall time, peak RSS and whether it crashed."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    command = [sys.executable, "-m", "bench.run", "--worker", scenario, backend, size, out]
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=BENCH_DIR.parent)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    outcome = {
        "scenario": scenario,
        "backend": backend,
        "seconds": round(time.perf_counter() - start, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux reports kilobytes
        "status": "ok" if process.returncode == 0 else f"crashed (exit {process.returncode})",
        "measurements": [],
    }
    if process.returncode == 0:
        outcome["measurements"] = json.loads(Path(out).read_text())
    Path(out).unlink(missing_ok=True)
    return outcome


def resolve_floors(runs: list[dict]) -> None:
    """Fill in floors taken from another scenario's figure of the same run and backend."""
    by_key = {
        (m["backend"], f"{m['scenario']}:{m['measure']}"): m
        for run in runs
        for m in run["measurements"]
    }
    for run in runs:
        for m in run["measurements"]:
            if not m.get("floor_of"):
                continue
            ref = by_key.get((m["backend"], m["floor_of"]))
            figure = Measurement(**{k: v for k, v in m.items() if k != "ratio"})
            if ref is None:
                figure.note = (figure.note + "; " if figure.note else "") + (
                    f"{m['floor_of']} not run: no growth ratio"
                )
            else:
                figure.floor = ref["value"]
                figure.judge()
            m.update(figure.as_dict())


def machine() -> dict:
    """What the figures were measured on."""
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 2**20, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": _postgresql_version(),
        "os": platform.platform(),
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _postgresql_version() -> str:
    try:
        engine = sa.create_engine(PG_SERVER)
        with engine.connect() as conn:
            version = conn.execute(sa.text("SHOW server_version")).scalar()
        engine.dispose()
        return str(version)
    except sa.exc.OperationalError:
        return "unreachable"


def _number(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def _verdict(met: bool | None) -> str:
    return {True: "met", False: "**missed**", None: ""}[met]


def write_results(
    stem: Path, host: dict, size: str, runs: list[dict], missing: list[str], skipped: list[str]
) -> None:
    """bench/results.json (everything) and bench/results.md (a table per scenario)."""
    document = {"machine": host, "size": size, "runs": runs, "missing": missing, "skipped": skipped}
    stem.with_suffix(".json").write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    lines = [
        f"# Benchmark results ({size} run)",
        "",
        "Written by `python -m bench.run`. The ratio is the figure over its floor measured in the "
        "same run (for rates, floor over figure): how many times the floor's cost.",
        *(
            [
                "**A smoke run**: tiny sizes, to check that the benchmark works; its figures say "
                "nothing about speed, and its targets are not meant to hold.",
                "",
            ]
            if size == "smoke"
            else []
        ),
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in host.items()),
        "",
    ]
    lines += [f"- **{b} SKIPPED**: no server answered." for b in skipped]
    lines += [f"- **{s} MISSING**: bench/{s}.py does not exist." for s in missing]
    scenarios = list(dict.fromkeys(r["scenario"] for r in runs))
    for scenario in scenarios:
        lines += ["", f"## {scenario}", ""]
        for run in (r for r in runs if r["scenario"] == scenario):
            lines.append(
                f"- {run['backend']}: {run['status']}, {run['seconds']} s wall, "
                f"peak RSS {run['peak_rss_mb']} MB"
            )
        lines += [
            "",
            "| measure | backend | value | floor | ratio | target | met | note |",
            "| --- | --- | --- | --- | --- | --- | --- | --- |",
        ]
        for run in (r for r in runs if r["scenario"] == scenario):
            for m in run["measurements"]:
                floor = f"{_number(m['floor'])} {m['unit']}" if m["floor"] is not None else ""
                ratio = f"{m['ratio']:.2f}×" if m["ratio"] is not None else ""
                lines.append(
                    f"| {m['measure']} | {m['backend']} | {_number(m['value'])} {m['unit']} | "
                    f"{floor} | {ratio} | {m['target']} | {_verdict(m['met'])} | {m['note']} |"
                )
    markdown = stem.with_suffix(".md")
    kept = markdown.read_text().partition(NOTES_MARK)[2] if markdown.exists() else ""
    markdown.write_text("\n".join(lines) + "\n\n" + NOTES_MARK + (kept or "\n"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--size", choices=("smoke", "full"), default="full")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these scenarios")
    parser.add_argument("--backend", choices=BACKENDS, action="append")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(*args.worker)

    scenarios = args.only or SCENARIOS
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)} (known: {', '.join(SCENARIOS)})")
    backends = list(args.backend or BACKENDS)
    skipped = []
    if "postgresql" in backends and not postgresql_reachable():
        backends.remove("postgresql")
        skipped.append("postgresql")
        print("!! PostgreSQL SKIPPED: no server answered; only SQLite was measured.", flush=True)
    runs, missing = [], [s for s in scenarios if not _available(s)]
    cache = tempfile.TemporaryDirectory(prefix="huitou-bench-cache-")
    os.environ[FORMS_CACHE] = cache.name  # the survey's workbooks, made once for both backends
    for scenario in scenarios:
        if scenario in missing:
            print(f"!! {scenario}: MISSING (bench/{scenario}.py does not exist yet)", flush=True)
            continue
        for backend in backends:
            print(f"== {scenario} on {backend} ({args.size}) ==", flush=True)
            outcome = _run_one(scenario, backend, args.size)
            print(f"   {outcome['status']}, {outcome['seconds']} s", flush=True)
            runs.append(outcome)
    cache.cleanup()
    resolve_floors(runs)
    stem = BENCH_DIR / ("smoke-results" if args.size == "smoke" else "results")
    write_results(stem, machine(), args.size, runs, missing, skipped)
    print(f"wrote {stem}.md and {stem}.json")
    crashed = [f"{r['scenario']} on {r['backend']}" for r in runs if r["status"] != "ok"]
    if crashed:
        print(f"!! crashed: {', '.join(crashed)}", flush=True)
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
