"""The survey's floor: what the same work costs with no database and no huitou around it.

openpyxl's read-only parse of the very bytes the clerks upload, and bare SpiffWorkflow creating a
`gap_case`, running it to its first user task and serializing it, once per case the run started.
"""

from __future__ import annotations

import functools
import json
import time
import warnings
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from workflow.platform.settings import PROJECT_ROOT

GAP_CASE = PROJECT_ROOT / "bpmn" / "gap_case.bpmn"


def parse_seconds(workbooks: Iterable[bytes]) -> tuple[float, int]:
    """Seconds to open every workbook read-only and read every value of every row; rows read."""
    rows = 0
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for data in workbooks:
            book = load_workbook(BytesIO(data), read_only=True, data_only=True)
            for ws in book.worksheets:
                for row in ws.iter_rows(values_only=True):
                    rows += 1
                    del row
            book.close()
    return time.perf_counter() - start, rows


@functools.cache
def _gap_case() -> tuple[Any, dict[str, Any]]:
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(GAP_CASE))
    return parser.get_spec("gap_case"), parser.get_subprocess_specs("gap_case")


def case_start_seconds(cases: int) -> float:
    """Seconds for bare SpiffWorkflow to start `cases` gap_case instances and serialize each
    (the diagram is parsed once, outside the measurement, as huitou caches it too)."""
    spec, subprocesses = _gap_case()
    serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
    due = datetime.now(UTC) + timedelta(days=160)  # every timer still ahead, whatever the clock
    moments = {
        "reminder_at": (due - timedelta(days=7)).isoformat(),
        "due_at": due.isoformat(),
        "level2_at": (due + timedelta(days=14)).isoformat(),
        "level3_at": (due + timedelta(days=44)).isoformat(),
    }
    start = time.perf_counter()
    for case_id in range(1, cases + 1):
        wf = BpmnWorkflow(spec, subprocesses)
        data = {"case_id": case_id, **moments}
        wf.data.update(data)
        wf.get_tasks(state=TaskState.READY)[0].data.update(data)
        wf.do_engine_steps()
        assert wf.get_tasks(state=TaskState.READY, manual=True), "no first user task"
        json.dumps(serializer.to_dict(wf))
    return time.perf_counter() - start
