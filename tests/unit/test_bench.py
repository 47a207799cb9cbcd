"""The benchmark's own parts: synthetic counties, its figures, the engine shortcut it led to."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

from bench import run
from bench.common import Measurement
from bench.synthetic import COUNTY_HOUSEHOLDS, GAP_SPREAD, gap_count, synthetic_county
from workflow.engine import instances, specs
from workflow.engine.spiff import BpmnWorkflow, SpiffTaskState, serializer
from workflow.platform.idcard import validate_id


def test_synthetic_county_has_the_demo_geography_and_valid_unique_ids():
    county = synthetic_county(COUNTY_HOUSEHOLDS)
    assert (len(county.townships), len(county.villages)) == (13, 60)
    assert sum(v.is_exited_poor for v in county.villages) == 15
    ids = [h.id_number for h in county.households]
    assert len(ids) == len(set(ids)) == COUNTY_HOUSEHOLDS
    assert all(validate_id(n) == n for n in ids)
    assert {h.exit_year for h in county.households} <= {2014, 2015, 2016, 2017}


def test_a_prefecture_repeats_the_geography_and_keeps_villages_at_their_size():
    prefecture = synthetic_county(3 * COUNTY_HOUSEHOLDS)
    assert len(prefecture.townships) == 3 * 13 and len(prefecture.villages) == 3 * 60
    assert len({t.name for t in prefecture.townships}) == len(prefecture.townships)
    assert len({v.code for v in prefecture.villages}) == len(prefecture.villages)
    ids = {h.id_number for h in prefecture.households}
    assert len(ids) == 3 * COUNTY_HOUSEHOLDS
    assert len({n[:6] for n in ids}) == 3, "households carry the prefecture's county codes"
    per_village = Counter(h.village_code for h in prefecture.households)
    assert max(per_village.values()) < 250
    clerks = {u.scope for u in prefecture.users if u.role == "township_clerk"}
    assert clerks == {t.code for t in prefecture.townships}


def test_a_smoke_county_keeps_only_a_few_townships():
    small = synthetic_county(100)
    assert len(small.households) == 100 and len(small.townships) == 1


def test_most_subjects_meet_every_indicator_and_a_few_miss_one_or_two():
    rng = random.Random(1)
    counts = Counter(gap_count(rng) for _ in range(20_000))
    assert 0.9 < counts[0] / 20_000 < 0.95
    assert set(counts) <= {c for c, _share in GAP_SPREAD}


def test_a_rate_is_compared_to_its_floor_the_other_way_round():
    cost = Measurement("s", "end to end", "sqlite", 6.0, "s", floor=3.0, max_ratio=2.0)
    assert cost.ratio == 2.0 and cost.judge().met is True
    rate = Measurement("s", "cases/s", "sqlite", 100.0, "cases/s", floor=400.0)
    rate.higher_is_better = True
    assert rate.ratio == 4.0, "four times the floor's cost"


def test_saved_state_is_the_librarys_serialization_without_the_spec():
    loaded = specs.parse_process("gap_case")
    wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
    due = datetime.now(UTC) + timedelta(days=30)
    data = {"case_id": 1, "reminder_at": due.isoformat(), "due_at": due.isoformat()}
    data |= {"level2_at": due.isoformat(), "level3_at": due.isoformat()}
    wf.data.update(data)
    wf.get_tasks(state=SpiffTaskState.READY)[0].data.update(data)
    wf.do_engine_steps()
    full = serializer.to_dict(wf)
    del full["spec"], full["subprocess_specs"]
    assert instances.state_dict(wf) == full


def test_a_saved_state_loads_around_the_shared_spec_as_the_library_would_load_it():
    loaded = specs.parse_process("gap_case")
    wf = BpmnWorkflow(loaded.spec, loaded.subprocess_specs)
    due = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    data = {"case_id": 7, "reminder_at": due, "due_at": due, "level2_at": due, "level3_at": due}
    wf.data.update(data)
    wf.get_tasks(state=SpiffTaskState.READY)[0].data.update(data)
    wf.do_engine_steps()
    saved = json.loads(json.dumps(instances.state_dict(wf)))
    restored = instances.restore_state(saved, loaded.spec, loaded.subprocess_specs)
    assert restored.spec is loaded.spec
    assert instances.state_dict(restored) == instances.state_dict(wf)
    assert [t.task_spec.name for t in restored.get_tasks(state=SpiffTaskState.READY)] == [
        "plan_measure"
    ]


def _figure(scenario: str, measure: str, value: float, **kw: object) -> dict:
    return Measurement(scenario, measure, "sqlite", value, "ms", **kw).as_dict()


def test_the_prefecture_is_judged_against_the_county_of_the_same_run():
    county = {"measurements": [_figure("survey_county", "time per household", 2.0)]}
    prefecture = _figure(
        "survey_prefecture",
        "time per household",
        2.3,
        floor_of="survey_county:time per household",
        max_ratio=1.2,
    )
    run.resolve_floors([county, {"measurements": [prefecture]}])
    assert prefecture["floor"] == 2.0 and prefecture["met"] is True
    assert round(prefecture["ratio"], 2) == 1.15


def test_results_name_what_is_missing_and_keep_the_notes_written_by_hand(tmp_path):
    stem = tmp_path / "results"
    runs = [
        {
            "scenario": "survey_county",
            "backend": "sqlite",
            "seconds": 1.0,
            "peak_rss_mb": 100.0,
            "status": "ok",
            "measurements": [_figure("survey_county", "end to end", 6.0, floor=3.0, target="≤ 2×")],
        }
    ]
    run.write_results(stem, {"cpu": "x"}, "full", runs, ["web_load"], ["postgresql"])
    first = stem.with_suffix(".md").read_text()
    assert "web_load MISSING" in first and "postgresql SKIPPED" in first
    assert "| end to end | sqlite | 6.00 ms | 3.00 ms | 2.00× | ≤ 2× |" in first
    stem.with_suffix(".md").write_text(first + "\nThe import is bound by the reader.\n")
    run.write_results(stem, {"cpu": "y"}, "full", runs, [], [])
    again = stem.with_suffix(".md").read_text()
    assert "cpu: y" in again and again.endswith("The import is bound by the reader.\n")
    assert "MISSING" not in again
    assert json.loads(stem.with_suffix(".json").read_text())["machine"] == {"cpu": "y"}
