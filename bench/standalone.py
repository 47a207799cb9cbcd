"""Run one scale scenario by itself: `python -m bench.<scenario> [smoke|full] [backend ...]`."""

from __future__ import annotations

from collections.abc import Callable

from bench.common import Backend, Measurement, postgresql_reachable


def main(run: Callable[[Backend, str], list[Measurement]], argv: list[str]) -> None:
    """Run the scenario on each backend asked for (both by default) and print its figures."""
    size = argv[0] if argv else "smoke"
    for name in argv[1:] or ["sqlite", "postgresql"]:
        if name == "postgresql" and not postgresql_reachable():
            print("PostgreSQL not reachable: skipped")
            continue
        for m in run(Backend(name), size):
            ratio = f"{m.ratio:.2f}x" if m.ratio else "-"
            floor = f"{m.floor:.2f}" if m.floor is not None else "-"
            print(
                f"{m.backend:<10} {m.measure:<58} {m.value:10.2f} {m.unit:<3} floor {floor:>8}"
                f" {ratio:>8} {m.target} {m.met} | {m.note}"
            )
