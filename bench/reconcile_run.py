"""Scenario: 四统一 — a prefecture's households (100,000 at full size, about 370,000 members)
reconciled across the register, the police extract and the paper archive (附件1); 300 at smoke
size (HUITOU_BENCH_RECONCILE_HOUSEHOLDS changes the full size).

The sources are the synthetic prefecture's register as `reconcile/sources.py` hands them to the
comparison, a police extract of the same people and a paper record per household, with about
one household in a hundred given each kind of difference. The figure is
`reconcile.compare.reconcile` over them (every person by ID number, names and relations
normalised where they differ, the police household and its head found, every difference made a
line); the floor is the bare comparison of the same fields in plain dicts and loops, nothing
normalised, differences only counted. Targets: ≤ 3× the floor, peak memory (RSS of the whole
process, sources included) under 400 MB. Reading the sources from the database and storing the
lines is not in the figure: it is bounded by the database, as the register load's scenario
shows.
"""

from __future__ import annotations

import gc
import os
import random
import resource
import time
from collections import defaultdict
from dataclasses import replace

from bench.common import Backend, Measurement, Size
from bench.synthetic import synthetic_county
from workflow.demo.members import register_rows
from workflow.reconcile.compare import (
    PaperRecord,
    PolicePerson,
    RegisterHousehold,
    RegisterMember,
    police_households,
    reconcile,
)

HOUSEHOLDS = {
    "smoke": 300,
    "full": int(os.environ.get("HUITOU_BENCH_RECONCILE_HOUSEHOLDS", "100000")),
}
MAX_RATIO = 3.0
PEAK_MB = 400
SCENARIO = "reconcile_run"
NORMAL = "normal"
_SLICE = 5000


def sources(households: int, seed: int = 16):
    """The register, the police extract and the paper records, with differences planted."""
    rng = random.Random(seed)
    county = synthetic_county(households)
    rows: list[tuple] = []
    by_household: dict[str, list[RegisterMember]] = defaultdict(list)
    police: dict[str, PolicePerson] = {}
    # The register's rows are written a slice of households at a time: a prefecture's member
    # rows in full (fifteen fields each) would weigh more than the sources compared.
    for start in range(0, len(county.households), _SLICE):
        part = replace(county, households=county.households[start : start + _SLICE])
        household_rows, member_rows = register_rows(part)
        rows += [row[:9] for row in household_rows]
        for row in member_rows:
            _number, head_id, name, id_number, relation = row[:5]
            if id_number in police:
                continue  # made twice by two slices: the first keeps it
            by_household[head_id].append(RegisterMember(id_number, name, relation, NORMAL))
            police[id_number] = PolicePerson("P" + head_id, name, relation, NORMAL, None)
        del household_rows, member_rows
    del county
    register, paper = [], {}
    for key, row in enumerate(rows):
        _number, _t, _v, head_name, head_id, size, *_rest = row
        exit_year = row[8]
        members = tuple(by_household.pop(head_id, ()))
        register.append(RegisterHousehold(key, head_id, head_name, size, exit_year, members))
        record = PaperRecord(head_name, size, exit_year)
        roll = rng.random() if members else 1.0
        other = members[-1] if members else None
        if roll < 0.01:
            police[other.id_number] = police[other.id_number]._replace(name=other.name + "汗")
        elif roll < 0.02:
            police[other.id_number] = police[other.id_number]._replace(relation="之孙子")
        elif roll < 0.03 and len(members) > 1:
            del police[other.id_number]
        elif roll < 0.04 and len(members) > 1:
            police[other.id_number] = police[other.id_number]._replace(status="deceased")
        elif roll < 0.05:
            record = record._replace(family_size=size + 1)
        elif roll < 0.06:
            record = record._replace(exit_year=exit_year - 1)
        paper[key] = record
    return register, police, paper


def floor_count(register, police, paper) -> int:
    """The bare comparison: the same fields, plain dicts and loops, differences counted."""
    found = 0
    households: dict[str, list[str]] = {}
    for id_number, person in police.items():
        households.setdefault(person[0], []).append(id_number)
    for key, head_id, _head_name, size, exit_year, members in register:
        head = police.get(head_id)
        number = head[0] if head else ""
        for id_number, name, relation, status in members:
            p = police.get(id_number)
            if p is None:
                found += 1
                continue
            found += (p[3] != NORMAL and status == NORMAL) + (p[1] != name) + (p[2] != relation)
        present = sum(1 for i in households.get(number, ()) if police[i][3] == NORMAL)
        found += present != size
        record = paper.get(key)
        if record is not None:
            found += (record[1] != size) + (record[2] != exit_year)
    return found


def run(backend: Backend, size: Size) -> list[Measurement]:
    """Reconcile once in memory; the comparison's time and the process's peak memory."""
    register, police, paper = sources(HOUSEHOLDS[size])
    gc.collect()
    start = time.perf_counter()
    counted = floor_count(register, police, paper)
    floor = time.perf_counter() - start
    gc.collect()
    start = time.perf_counter()
    lines = reconcile(register, police, paper, police_households(police))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    people = sum(len(h.members) for h in register)
    note = (
        f"{len(register):,} households, {people:,} register members, {len(police):,} police "
        f"people; {len(lines):,} difference lines (the floor counted {counted:,})"
    )
    return [
        Measurement(
            SCENARIO,
            "comparison time",
            backend.name,
            round(seconds, 3),
            "s",
            floor=round(floor, 3),
            target=f"≤ {MAX_RATIO:g}× the bare dict comparison",
            max_ratio=MAX_RATIO,
            note=note,
        ).judge(),
        Measurement(
            SCENARIO,
            "peak memory (RSS)",
            backend.name,
            round(peak, 1),
            "MB",
            target=f"< {PEAK_MB} MB",
            met=peak < PEAK_MB,
            note="whole process, the three sources held in memory",
        ),
    ]
