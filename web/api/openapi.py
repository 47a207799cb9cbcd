"""The OpenAPI 3.1 document of /api/v1: every endpoint, its parameters, bodies and answers."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from web.api import bp, public

JSON = "application/json"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": _ref(schema)}}}


ERRORS = {
    "401": _answer("Not authenticated (no or a refused token, no session)", "Error"),
    "403": _answer("The caller's role or scope does not allow this", "Error"),
}
NOT_FOUND = {"404": _answer("No such record", "Error")}


def _path_int(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "integer"},
    }


def _query(name: str, description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        **{"schema": schema},
    }


PAGING = [
    _query("limit", "Page size (1–200, default 50)", {"type": "integer", "minimum": 1}),
    _query("after", "The `next_after` of the previous page", {"type": "integer"}),
]
YEAR = _path_int("year", "The round's year, e.g. 2018")


def _get(
    summary: str, schema: str, parameters: list[dict[str, Any]], extra: dict[str, Any]
) -> dict[str, Any]:
    return {
        "get": {
            "summary": summary,
            "parameters": parameters,
            "responses": {"200": _answer("OK", schema), **ERRORS, **extra},
        }
    }


STEP_BODY = {
    "description": (
        "The step's fields. plan_measure: measure, target_standard, responsible_person, "
        "planned_completion (YYYY-MM-DD). carry_out: action=progress with text and funds, or "
        "action=done with summary. verify_on_site: decision=verify or send_back (with reason). "
        "county_accept: decision=accept or send_back (with reason)."
    ),
    "type": "object",
    "properties": {
        name: {"type": "string"}
        for name in (
            "measure",
            "target_standard",
            "responsible_person",
            "planned_completion",
            "action",
            "text",
            "summary",
            "decision",
            "reason",
        )
    }
    | {"funds": {"type": ["string", "number"]}},
}

PATHS: dict[str, Any] = {
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "security": [],
            "responses": {"200": {"description": "OpenAPI 3.1", "content": {JSON: {}}}},
        }
    },
    "/api/v1/tasks": _get(
        "The caller's inbox (READY tasks she may work, soonest due first)",
        "TaskPage",
        PAGING,
        {"422": _answer("A bad paging cursor", "ValidationError")},
    ),
    "/api/v1/tasks/{task_id}": _get(
        "One of the caller's tasks", "Task", [_path_int("task_id", "Task id")], NOT_FOUND
    ),
    "/api/v1/tasks/{task_id}/complete": {
        "post": {
            "summary": "Work a case step (plan, progress or done, verify, accept)",
            "description": (
                "Supported for plan_measure, carry_out, verify_on_site and county_accept; other "
                "tasks answer 422 with the web page to use. With the session, send X-CSRFToken."
            ),
            "parameters": [_path_int("task_id", "Task id")],
            "requestBody": {"required": True, "content": {JSON: {"schema": _ref("StepFields")}}},
            "responses": {
                "200": _answer("Done; the task and the case as they now stand", "Completed"),
                "400": _answer("A session POST without its CSRF header", "Error"),
                **ERRORS,
                **NOT_FOUND,
                "409": _answer("The task was already done (nothing applied twice)", "Error"),
                "422": _answer("Fields refused, or a task worked on its page", "ValidationError"),
            },
        }
    },
    "/api/v1/cases": _get(
        "The cases the caller may see, soonest deadline first",
        "CasePage",
        [
            _query("status", "Comma-separated case states", {"type": "string"}),
            _query("overdue", "Only open cases past their deadline", {"type": "boolean"}),
            _query("department", "Department code, e.g. SLJ", {"type": "string"}),
            _query("township", "Township division code", {"type": "string"}),
            *PAGING,
        ],
        {"422": _answer("A filter or cursor refused", "ValidationError")},
    ),
    "/api/v1/cases/{case_id}": _get(
        "A case with its history and current task",
        "Case",
        [_path_int("case_id", "Case id")],
        NOT_FOUND,
    ),
    "/api/v1/rounds": _get("Every round, newest first", "RoundList", [], {}),
    "/api/v1/rounds/{year}": _get(
        "A round with its townships' surveys and gap counts", "RoundDetail", [YEAR], NOT_FOUND
    ),
    "/api/v1/rounds/{year}/reports/accountability": _get(
        "The accountability report's figures (county office, leading group, administrator)",
        "AccountabilityReport",
        [
            YEAR,
            _query("as_of", "Measure overdue to the end of this day", {"type": "string"}),
        ],
        {**NOT_FOUND, "422": _answer("as_of is not a date", "ValidationError")},
    ),
    "/api/v1/archive/documents/{document_id}": {
        "delete": {
            "summary": "Delete an original from the archive (never a filed one in retention)",
            "parameters": [_path_int("document_id", "Archive document id")],
            "responses": {
                "204": {"description": "Deleted"},
                **ERRORS,
                **NOT_FOUND,
                "409": _answer("Filed and within retention: refused, and recorded", "Error"),
            },
        }
    },
    "/api/v1/rounds/{year}/reports/gaps": _get(
        "The make-up list lines the caller may see",
        "GapList",
        [YEAR, _query("township", "Township division code", {"type": "string"})],
        {**NOT_FOUND, "422": _answer("No such township", "ValidationError")},
    ),
}

MOMENT = {"type": ["string", "null"], "format": "date-time"}
DAY = {"type": ["string", "null"], "format": "date"}
UNIT = {
    "type": ["object", "null"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "name": {"type": "string"},
    },
}


def _page_of(item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["items", "limit", "next_after"],
        "properties": {
            "items": {"type": "array", "items": _ref(item)},
            "limit": {"type": "integer"},
            "next_after": {"type": ["integer", "null"]},
        },
    }


SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["message"],
        "properties": {"message": {"type": "string", "description": "In Chinese"}},
    },
    "ValidationError": {
        "type": "object",
        "required": ["message", "errors"],
        "properties": {
            "message": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "string"}},
            "page": {"type": "string"},
        },
    },
    "Task": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "step": {"type": "string"},
            "title": {"type": "string"},
            "state": {"enum": ["ready", "completed", "cancelled"]},
            "role": {"type": "string"},
            "subject": {"type": "string"},
            "case_id": {"type": ["integer", "null"]},
            "due": DAY,
            "due_at": MOMENT,
            "created_at": MOMENT,
            "completed_at": MOMENT,
            "can_work": {"type": "boolean"},
        },
    },
    "TaskPage": _page_of("Task"),
    "StepFields": STEP_BODY,
    "CaseSummary": {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "status": {"type": "string"},
            "subject": {"type": "string"},
            "township": UNIT,
            "village": UNIT,
            "department": UNIT,
            "township_leads": {
                "type": "boolean",
                "description": "The subject's township leads the case (department is null)",
            },
            "co_departments": {
                "type": "array",
                "items": UNIT,
                "description": "Co-responsible departments: they see the case and record "
                "progress and evidence; only the lead plans it and reports it done",
            },
            "due": DAY,
            "due_at": MOMENT,
            "overdue": {"type": "boolean"},
        },
    },
    "CasePage": _page_of("CaseSummary"),
    "Case": {
        "allOf": [
            _ref("CaseSummary"),
            {
                "type": "object",
                "properties": {
                    "plan": {"type": "object"},
                    "history": {"type": "array", "items": {"type": "object"}},
                    "story": {"type": "array", "items": {"type": "object"}},
                    "current_task": {"oneOf": [_ref("Task"), {"type": "null"}]},
                },
            },
        ]
    },
    "Completed": {
        "type": "object",
        "properties": {"task": _ref("Task"), "case": _ref("Case")},
    },
    "Round": {
        "type": "object",
        "properties": {
            "year": {"type": "integer"},
            "status": {"enum": ["planned", "open", "closed"]},
            "survey": {"type": "object"},
            "results": {"type": "object"},
            "done_by": {"type": "object"},
        },
    },
    "RoundList": {
        "type": "object",
        "properties": {"items": {"type": "array", "items": _ref("Round")}},
    },
    "RoundDetail": {
        "allOf": [
            _ref("Round"),
            {
                "type": "object",
                "properties": {
                    "townships": {"type": "array", "items": {"type": "object"}},
                    "gap_counts": {"type": "object"},
                },
            },
        ]
    },
    "AccountabilityReport": {
        "type": "object",
        "properties": {
            "year": {"type": "integer"},
            "as_of": MOMENT,
            "metrics": {"type": "array", "items": {"type": "string"}},
            "by_township": {"type": "array", "items": {"type": "object"}},
            "by_department": {"type": "array", "items": {"type": "object"}},
            "items": {"type": "array", "items": {"type": "object"}},
        },
    },
    "GapList": {
        "type": "object",
        "properties": {
            "year": {"type": "integer"},
            "township": UNIT,
            "items": {"type": "array", "items": {"type": "object"}},
        },
    },
}

DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "huitou API",
        "version": "1",
        "description": (
            "A county's look-back and help-back work over JSON. Moments are ISO 8601 with "
            "the Beijing offset; a deadline is its date (due) and the moment it falls due "
            "(due_at, 23:59:59 Beijing time). Errors carry a Chinese message."
        ),
    },
    "paths": PATHS,
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearerToken": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token the administrator issued (/admin/tokens)",
            },
            "browserSession": {
                "type": "apiKey",
                "in": "cookie",
                "name": "session",
                "description": "The logged-in browser session; a POST also sends X-CSRFToken",
            },
        },
    },
    "security": [{"bearerToken": []}, {"browserSession": []}],
}


@bp.get("/openapi.json")
@public
def openapi_document() -> Response:
    """The OpenAPI document (public)."""
    return jsonify(DOCUMENT)
