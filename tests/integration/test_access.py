"""Who may open and do what: every route of the app, for anonymous and one user of every role.

The world, on 2018-07-01: the county office has launched the 2018 round, so every village has
its survey forms to file and the county office its triage; a 水利局 case for a household of
布古纳村 (奥依亚依拉克镇) waits for 水利局 to plan it, and a 交通局 road case for the same
village waits for 交通局. Insiders of the water case are its department, its township, its
village and the county; outsiders are another department, another township and another village.

A route added to the app without a row in MATRIX fails this file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from tests.access_matrix import (
    ANONYMOUS,
    EVERYONE,
    INSIDERS,
    OUTSIDERS,
    PLAN,
    USERS,
    Snapshot,
    ready_task,
    sweep,
    water_and_road,
    who,
)
from tests.conftest import DEMO_PASSWORD, Browser, IsolatedClient
from tests.evidence_files import png_bytes
from tests.factories import at, failed_message
from workflow.cases.accountability_items import open_item
from workflow.cases.evidence import add_evidence
from workflow.inbox import assignment
from workflow.inbox import filters as inbox_filters
from workflow.models import ArchiveDocument, CaseStatus, HelpCase, HumanTask, ProcessInstance
from workflow.operations.incidents import record_tick_failure
from workflow.oversight import inspections
from workflow.platform import clock
from workflow.platform.db import db
from workflow.programme import rounds


@dataclass(frozen=True)
class Expect:
    """A response: its status and, for a redirect, the path it goes to."""

    status: int
    to: str | None = None

    def __str__(self) -> str:
        return f"{self.status}" + (f" → {self.to}" if self.to else "")


OK = Expect(200)
LOGIN_FIRST = Expect(401)  # the login form in place of the page, then back to it
FORBIDDEN = Expect(403)
REFUSED_INPUT = Expect(422)  # allowed in, but the (empty) input is refused: nothing changes


def verdicts(anonymous: Expect, default: Expect, **named: Expect) -> dict[str | None, Expect]:
    """Anonymous gets one answer, the named users their own, every other user the default."""
    table: dict[str | None, Expect] = {ANONYMOUS: anonymous}
    table.update({name: named.get(name, default) for name in USERS})
    return table


def only_insiders() -> dict[str | None, Expect]:
    return verdicts(LOGIN_FIRST, OK, **dict.fromkeys(OUTSIDERS, FORBIDDEN))


@dataclass(frozen=True)
class Route:
    """How to probe a route (a request with {placeholders} for the world's ids), and who gets
    which answer. A POST answered 303 is the one that does something."""

    methods: frozenset[str]
    probe: str
    verdicts: dict[str | None, Expect]
    data: dict[str, str] = field(default_factory=dict)

    @property
    def method(self) -> str:
        return self.probe.split()[0]

    def url(self, world: World) -> str:
        return self.probe.split()[1].format(**vars(world))

    def changes_for(self, name: str | None) -> bool:
        return self.method == "POST" and self.verdicts[name].status == 303


GET, POST = frozenset({"GET"}), frozenset({"POST"})
COUNTY_READERS = dict.fromkeys(("fpb", "ldxz", "admin"), OK)
RECONCILE = dict.fromkeys(("fpb", "ldxz", "admin", "aoyi_zg", "aoyi_fzr", "qmz_zg"), OK)
OPERATORS = dict.fromkeys(("fpb", "admin"), OK)
SURVEY = "/survey/tasks/{village_task}"

PNG = png_bytes()  # a real PNG: evidence is decoded in full

MATRIX: dict[str, Route] = {
    "auth.login": Route(GET | POST, "GET /login", verdicts(OK, OK)),
    "auth.logout": Route(POST, "POST /logout", verdicts(LOGIN_FIRST, Expect(302, "/login"))),
    "inbox.home": Route(GET, "GET /", verdicts(Expect(302, "/inbox"), Expect(302, "/inbox"))),
    "inbox.inbox": Route(GET, "GET /inbox", verdicts(LOGIN_FIRST, OK)),
    "inbox.open_task": Route(
        GET,
        "GET /tasks/{plan_task}",
        verdicts(LOGIN_FIRST, FORBIDDEN, dept_slj=Expect(302, "/cases/{case}")),
    ),
    "notices.index": Route(GET, "GET /notices", verdicts(LOGIN_FIRST, OK)),
    "cases.index": Route(GET, "GET /cases", verdicts(LOGIN_FIRST, OK)),
    "cases.show": Route(GET, "GET /cases/{case}", only_insiders()),
    "cases.act": Route(
        POST,
        "POST /cases/{case}/plan",
        verdicts(LOGIN_FIRST, FORBIDDEN, dept_slj=Expect(303, "/cases/{case}")),
        data=PLAN,
    ),
    "rounds.index": Route(GET, "GET /rounds", verdicts(LOGIN_FIRST, OK)),
    "rounds.show": Route(GET, "GET /rounds/2018", verdicts(LOGIN_FIRST, OK)),
    "rounds.gap_page": Route(GET, "GET /rounds/2018/gaps", verdicts(LOGIN_FIRST, OK)),
    "rounds.gap_download": Route(GET, "GET /rounds/2018/gaps.xlsx", verdicts(LOGIN_FIRST, OK)),
    "rounds.gap_file": Route(
        POST,
        "POST /rounds/2018/gaps/file",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=Expect(409)),  # no gap is triaged yet
        data={"confirm": "yes"},
    ),
    "rounds.launch": Route(
        POST,
        "POST /rounds/launch",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            fpb=Expect(303, "/rounds/2019-mid"),
            admin=Expect(303, "/rounds/2019-mid"),
        ),
        data={"year": "2019"},
    ),
    "rounds.triage": Route(
        GET, "GET /rounds/2018/triage", verdicts(LOGIN_FIRST, FORBIDDEN, fpb=OK)
    ),
    "rounds.triage_decide": Route(
        POST,
        "POST /rounds/2018/triage",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT),  # no gap selected
        data={"action": "confirm"},
    ),
    "rounds.triage_problems": Route(
        POST,
        "POST /rounds/2018/triage/problems",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT),  # no problem selected
        data={"action": "close", "problem_reason": "r"},
    ),
    "rounds.release": Route(
        POST,
        "POST /rounds/2018/townships/{aoyi}/release",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=Expect(303, "/rounds/2018/triage")),
    ),
    # -- calendar: the year-end acceptance of planned exits, a household across the rounds --
    # (the world's round is a mid-year one: allowed in, the acceptance is refused as input)
    "planned_exits.index": Route(
        GET,
        "GET /rounds/2018/planned-exits",
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_zg=OK, aoyi_fzr=OK, qmz_zg=OK, **COUNTY_READERS),
    ),
    "planned_exits.propose": Route(
        POST,
        "POST /rounds/2018/planned-exits/propose",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            aoyi_zg=REFUSED_INPUT,
            aoyi_fzr=REFUSED_INPUT,
            qmz_zg=REFUSED_INPUT,
        ),
    ),
    "planned_exits.decide": Route(
        POST,
        "POST /rounds/2018/planned-exits/decide",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT),
    ),
    "households.show": Route(GET, "GET /households/{household}", only_insiders()),
    "oversight.acceptance_page": Route(
        GET, "GET /rounds/2018/acceptance", verdicts(LOGIN_FIRST, FORBIDDEN, fpb=OK)
    ),
    "oversight.acceptance_action": Route(
        POST,
        "POST /rounds/2018/acceptance/finish",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT),  # acceptance is not open in July
        data={"confirm": "yes"},
    ),
    "oversight.accountability_page": Route(
        GET, "GET /rounds/2018/accountability", verdicts(LOGIN_FIRST, FORBIDDEN, **COUNTY_READERS)
    ),
    "oversight.accountability_download": Route(
        GET,
        "GET /rounds/2018/accountability.xlsx",
        verdicts(LOGIN_FIRST, FORBIDDEN, **COUNTY_READERS),
    ),
    "oversight.decide": Route(
        POST,
        "POST /rounds/2018/accountability/{road_item}",
        verdicts(LOGIN_FIRST, FORBIDDEN, ldxz=Expect(303, "/rounds/2018/accountability")),
        data={"decision": "约谈县交通局分管负责人，限期整改"},
    ),
    "oversight.decide_many": Route(
        POST,
        "POST /rounds/2018/accountability/decide",
        verdicts(LOGIN_FIRST, FORBIDDEN, ldxz=Expect(303, "/rounds/2018/accountability")),
        data={"items": "{road_item}", "decision": "通报批评", "reason": "逾期未完成"},
    ),
    "results.index": Route(GET, "GET /rounds/2018/results", verdicts(LOGIN_FIRST, OK)),
    "results.download": Route(
        GET,
        "GET /rounds/2018/results/6.xlsx?township={aoyi}",
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_zg=OK, aoyi_fzr=OK, **COUNTY_READERS),
    ),
    "results.plan_download": Route(
        GET,
        "GET /rounds/2018/plan.xlsx?department=SLJ",
        verdicts(LOGIN_FIRST, FORBIDDEN, dept_slj=OK, dept_slj_fzr=OK, **COUNTY_READERS),
    ),
    "results.plan_sign": Route(
        POST,
        "POST /rounds/2018/plan/sign",
        verdicts(LOGIN_FIRST, FORBIDDEN, dept_slj_fzr=Expect(409)),  # its case has no measure yet
        data={"confirm": "yes"},
    ),
    "reconcile.index": Route(GET, "GET /reconcile", verdicts(LOGIN_FIRST, FORBIDDEN, **RECONCILE)),
    "reconcile.police_upload": Route(
        POST,
        "POST /reconcile/police",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT, admin=REFUSED_INPUT),  # no file
    ),
    "reconcile.run": Route(
        POST,
        "POST /reconcile/run",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            fpb=Expect(303, "/reconcile/2018-mid"),
            admin=Expect(303, "/reconcile/2018-mid"),
        ),
        data={"round": "2018"},
    ),
    "reconcile.differences": Route(
        GET, "GET /reconcile/2018", verdicts(LOGIN_FIRST, FORBIDDEN, **RECONCILE)
    ),
    "reconcile.download": Route(
        GET, "GET /reconcile/2018/differences.xlsx", verdicts(LOGIN_FIRST, FORBIDDEN, **RECONCILE)
    ),
    "reconcile.report": Route(
        GET, "GET /reconcile/2018/report", verdicts(LOGIN_FIRST, FORBIDDEN, **RECONCILE)
    ),
    "reconcile.report_download": Route(
        GET, "GET /reconcile/2018/report.xlsx", verdicts(LOGIN_FIRST, FORBIDDEN, **RECONCILE)
    ),
    "reconcile.household": Route(
        GET,
        "GET /reconcile/2018/households/{household}",
        verdicts(LOGIN_FIRST, FORBIDDEN, **{**RECONCILE, "qmz_zg": FORBIDDEN}),
    ),
    "reconcile.resolve": Route(
        POST,
        "POST /reconcile/2018/differences/999999/resolve",
        verdicts(
            LOGIN_FIRST, FORBIDDEN, **dict.fromkeys(("aoyi_zg", "aoyi_fzr", "qmz_zg"), Expect(404))
        ),
    ),
    "admin.catalogue": Route(
        GET, "GET /admin/catalogue/2018", verdicts(LOGIN_FIRST, FORBIDDEN, fpb=OK, admin=OK)
    ),
    "admin.catalogue_upload": Route(
        POST,
        "POST /admin/catalogue/2018",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT, admin=REFUSED_INPUT),  # no file chosen
    ),
    "register.page": Route(
        GET, "GET /admin/register", verdicts(LOGIN_FIRST, FORBIDDEN, fpb=OK, admin=OK)
    ),
    "register.template": Route(
        GET, "GET /admin/register/template", verdicts(LOGIN_FIRST, FORBIDDEN, fpb=OK, admin=OK)
    ),
    "register.upload": Route(
        POST,
        "POST /admin/register",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT, admin=REFUSED_INPUT),  # no file chosen
    ),
    "results.task_page": Route(
        GET,
        "GET /rounds/results/tasks/{results_task}",
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_zg=OK),
    ),
    "results.task_submit": Route(
        POST,
        "POST /rounds/results/tasks/{results_task}",
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_zg=Expect(303, "/inbox")),
        data={"confirm": "yes"},
    ),
    # The 核定 page answers only for a certify task; the world's survey is not submitted yet,
    # so every user is shown that another step's task has no 核定 page (the page itself, for
    # 县农经局 and the other roles, is tested in test_certification_page).
    "certification.task_page": Route(
        GET, "GET /survey/certify/{results_task}", verdicts(LOGIN_FIRST, Expect(404))
    ),
    "certification.task_submit": Route(
        POST, "POST /survey/certify/{results_task}", verdicts(LOGIN_FIRST, Expect(404))
    ),
    "cases.add_evidence": Route(
        POST,
        "POST /cases/{case}/evidence",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            dept_slj=REFUSED_INPUT,
            dept_slj_fzr=REFUSED_INPUT,
        ),  # no file chosen; the township adds evidence only while it verifies
    ),
    "cases.evidence_file": Route(GET, "GET /cases/{case}/evidence/{photo}", only_insiders()),
    "archive.export": Route(GET, "GET /rounds/2018/archive.zip", verdicts(LOGIN_FIRST, OK)),
    "archive.original": Route(GET, "GET /archive/documents/{document}", only_insiders()),
    # the photo is filed with its case: every try to delete it is refused and recorded (303)
    "archive.delete": Route(
        POST,
        "POST /archive/documents/{document}/delete",
        verdicts(LOGIN_FIRST, Expect(303, "/inbox"), **dict.fromkeys(OUTSIDERS, FORBIDDEN)),
    ),
    "archive.page": Route(GET, "GET /rounds/2018/archive", verdicts(LOGIN_FIRST, OK)),
    "archive.name_custodian": Route(
        POST,
        "POST /rounds/2018/archive/custodian",
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_fzr=Expect(303, "/rounds/2018/archive")),
        data={"village": "", "custodian": "aoyi_zg"},
    ),
    # -- 定期督查: the county schedules and records; a township or department reads its own --
    "inspections.index": Route(
        GET,
        "GET /rounds/2018/inspections",
        verdicts(LOGIN_FIRST, OK, buguna_cun=FORBIDDEN, katelesh_cun=FORBIDDEN),
    ),
    "inspections.schedule": Route(
        POST,
        "POST /rounds/2018/inspections",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT, ldxz=REFUSED_INPUT),  # no unit chosen
    ),
    "inspections.show": Route(
        GET,
        "GET /rounds/2018/inspections/{inspection}",  # of 奥依亚依拉克镇
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_zg=OK, aoyi_fzr=OK, **COUNTY_READERS),
    ),
    "inspections.record": Route(
        POST,
        "POST /rounds/2018/inspections/{inspection}",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT, ldxz=REFUSED_INPUT),  # no conclusion
    ),
    "admin.users": Route(GET, "GET /admin/users", verdicts(LOGIN_FIRST, FORBIDDEN, admin=OK)),
    "admin.user_create": Route(
        POST, "POST /admin/users", verdicts(LOGIN_FIRST, FORBIDDEN, admin=REFUSED_INPUT)
    ),
    "admin.user_active": Route(
        POST,
        "POST /admin/users/{road_clerk}/active",
        verdicts(LOGIN_FIRST, FORBIDDEN, admin=Expect(303, "/admin/users")),
        data={"active": "0"},
    ),
    "admin.user_password": Route(
        POST,
        "POST /admin/users/{road_clerk}/password",
        verdicts(LOGIN_FIRST, FORBIDDEN, admin=Expect(303, "/admin/users")),
        data={"password": "Road-2018-new"},
    ),
    "admin.index": Route(
        GET, "GET /admin", verdicts(LOGIN_FIRST, FORBIDDEN, admin=OK, fpb=OK, ldxz=OK)
    ),
    "county.setup": Route(GET, "GET /admin/county", verdicts(LOGIN_FIRST, FORBIDDEN, admin=OK)),
    "county.template": Route(
        GET, "GET /admin/county/template.xlsx", verdicts(LOGIN_FIRST, FORBIDDEN, admin=OK)
    ),
    "county.load": Route(
        POST, "POST /admin/county", verdicts(LOGIN_FIRST, FORBIDDEN, admin=REFUSED_INPUT)
    ),  # no file chosen
    "account.me": Route(GET, "GET /me", verdicts(LOGIN_FIRST, OK)),
    "account.save": Route(
        POST,
        "POST /me",
        verdicts(LOGIN_FIRST, REFUSED_INPUT),  # no digest choice sent: refused, nothing changes
    ),
    "account.end_sessions": Route(
        POST, "POST /me/sessions/end", verdicts(LOGIN_FIRST, Expect(302, "/login"))
    ),
    # The language switch (login page and /me): anyone; nothing sent keeps the language.
    "account.language": Route(POST, "POST /language", verdicts(Expect(302, "/"), Expect(302, "/"))),
    "account.change_password": Route(
        POST,
        "POST /me/password",
        verdicts(LOGIN_FIRST, REFUSED_INPUT),  # no current password sent: refused, nothing changes
    ),
    "survey.task_page": Route(
        GET, f"GET {SURVEY}", verdicts(LOGIN_FIRST, FORBIDDEN, buguna_cun=OK)
    ),
    "survey.download": Route(
        GET, f"GET {SURVEY}/form/1.xlsx", verdicts(LOGIN_FIRST, FORBIDDEN, buguna_cun=OK)
    ),
    "survey.upload": Route(
        POST,
        f"POST {SURVEY}/upload",
        verdicts(LOGIN_FIRST, FORBIDDEN, buguna_cun=REFUSED_INPUT),  # no file chosen
    ),
    "survey.submit": Route(
        POST,
        f"POST {SURVEY}/submit",
        verdicts(LOGIN_FIRST, FORBIDDEN, buguna_cun=REFUSED_INPUT),  # nothing filed yet
        data={"confirm": "yes"},
    ),
    # -- inbox: claim, release, reassign, substitutes, saved filters, export --
    "inbox.export": Route(GET, "GET /inbox.xlsx", verdicts(LOGIN_FIRST, OK)),
    "inbox.claim": Route(
        POST,
        "POST /tasks/{plan_task}/claim",
        verdicts(LOGIN_FIRST, FORBIDDEN, dept_slj=Expect(303, "/inbox")),
    ),
    "inbox.release": Route(
        POST,
        "POST /tasks/{triage_task}/release",  # the county office holds its triage
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=Expect(303, "/inbox")),
    ),
    "inbox.reassign": Route(
        GET | POST,
        "POST /inbox/reassign?task={plan_task}",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            fpb=Expect(303, "/inbox/reassign"),
            dept_slj_fzr=Expect(303, "/inbox/reassign"),
        ),
        data={"assignee": "dept_slj", "reason": "熟悉该户情况"},
    ),
    "inbox.substitutes": Route(
        GET | POST,
        "POST /inbox/substitutes",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            aoyi_zg=Expect(303, "/inbox/substitutes"),
            aoyi_fzr=Expect(303, "/inbox/substitutes"),
            fpb=Expect(303, "/inbox/substitutes"),
        ),
        data={
            "user": "aoyi_zg",
            "substitute": "aoyi_zg2",
            "starts_on": "2018-07-20",
            "ends_on": "2018-07-25",
            "reason": "参加培训",
        },
    ),
    "inbox.substitute_end": Route(
        POST,
        "POST /inbox/substitutes/{substitution}/end",
        verdicts(
            LOGIN_FIRST,
            FORBIDDEN,
            aoyi_zg=Expect(303, "/inbox/substitutes"),
            aoyi_fzr=Expect(303, "/inbox/substitutes"),
            fpb=Expect(303, "/inbox/substitutes"),
        ),
    ),
    "inbox.save_filter": Route(
        POST, "POST /inbox/filters", verdicts(LOGIN_FIRST, REFUSED_INPUT), data={"overdue": "1"}
    ),  # no name given: refused, nothing saved
    "inbox.delete_filter": Route(
        POST,
        "POST /inbox/filters/{saved_filter}/delete",  # 水利局's clerk's own filter
        verdicts(LOGIN_FIRST, Expect(404), dept_slj=Expect(303, "/inbox")),
    ),
    # -- case page: diagram, history --
    "cases.diagram": Route(GET, "GET /cases/{case}/diagram", only_insiders()),
    # -- boards, progress, administration --
    "board.index": Route(
        GET,
        "GET /board",
        verdicts(LOGIN_FIRST, FORBIDDEN, aoyi_fzr=OK, dept_slj_fzr=OK, **COUNTY_READERS),
    ),
    "board.remind": Route(
        POST,
        "POST /board/cases/{case}/remind",
        verdicts(  # supervisors of the case remind its holders; leading group and admin read
            LOGIN_FIRST,
            FORBIDDEN,
            **dict.fromkeys(("fpb", "aoyi_fzr", "dept_slj_fzr"), Expect(303, "/board")),
        ),
    ),
    "progress.index": Route(
        GET,
        "GET /rounds/2018/progress",  # townships and departments see their own rows
        verdicts(LOGIN_FIRST, OK, buguna_cun=FORBIDDEN, katelesh_cun=FORBIDDEN),
    ),
    "round_admin.deadlines": Route(
        GET, "GET /admin/rounds/2018/deadlines", verdicts(LOGIN_FIRST, FORBIDDEN, fpb=OK, admin=OK)
    ),
    "round_admin.save_deadlines": Route(
        POST,
        "POST /admin/rounds/2018/deadlines",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT, admin=REFUSED_INPUT),  # no date chosen
    ),
    "round_admin.routing": Route(
        GET, "GET /admin/routing", verdicts(LOGIN_FIRST, FORBIDDEN, **COUNTY_READERS)
    ),
    "round_admin.routing_change": Route(
        POST,
        "POST /admin/routing",
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT),  # no indicator chosen
        data={"lead": "SLJ", "reason": "r"},
    ),
    # -- API token pages --
    "api_tokens.index": Route(GET, "GET /admin/tokens", verdicts(LOGIN_FIRST, FORBIDDEN, admin=OK)),
    "api_tokens.issue": Route(
        POST, "POST /admin/tokens", verdicts(LOGIN_FIRST, FORBIDDEN, admin=REFUSED_INPUT)
    ),  # no user chosen
    "api_tokens.revoke": Route(
        POST,
        "POST /admin/tokens/999999/revoke",
        verdicts(
            LOGIN_FIRST, FORBIDDEN, admin=Expect(404)
        ),  # revoking is tested in test_api_tokens
    ),
    # -- operations rows: the administrator and the county office only --
    **{
        endpoint: Route(GET, f"GET {path}", verdicts(LOGIN_FIRST, FORBIDDEN, **OPERATORS))
        for endpoint, path in (
            ("operations.index", "/operations"),
            ("operations.instance", "/operations/instances/{road_instance}"),
            ("operations.instance_diagram", "/operations/instances/{road_instance}/diagram"),
            ("processes.index", "/operations/processes"),
            ("processes.version", "/operations/versions/{road_version}"),
            ("processes.version_diagram", "/operations/versions/{road_version}/diagram"),
            ("processes.migrate_page", "/operations/processes/gap_case/migrate"),
        )
    },
    "operations.retry": Route(
        POST,
        "POST /operations/incidents/{incident}/retry",
        verdicts(LOGIN_FIRST, FORBIDDEN, **dict.fromkeys(OPERATORS, Expect(303, "/operations"))),
    ),
    "operations.resend": Route(
        POST,
        "POST /operations/mail/{failed_mail}/resend",
        verdicts(LOGIN_FIRST, FORBIDDEN, **dict.fromkeys(OPERATORS, Expect(303, "/operations"))),
    ),
    "operations.move_back": Route(
        POST,
        "POST /operations/instances/{road_instance}/move-back",
        # the county office's own: with no step chosen (the road case has done none) and no
        # reason, the form comes back; the administrator operates but does not move cases
        verdicts(LOGIN_FIRST, FORBIDDEN, fpb=REFUSED_INPUT),
    ),
    "processes.migrate": Route(
        POST,
        "POST /operations/processes/gap_case/migrate",
        # every instance is on the newest version: nothing can move, nothing changes
        verdicts(LOGIN_FIRST, FORBIDDEN, **dict.fromkeys(OPERATORS, REFUSED_INPUT)),
    ),
}


@dataclass
class World:
    case: int
    plan_task: int
    road_case: int
    road_task: int
    road_item: int
    village_task: int
    triage_task: int
    results_task: int
    photo: int
    document: int
    road_clerk: int
    aoyi: int
    # -- inbox fields (with defaults) --
    substitution: int = 0
    saved_filter: int = 0
    inspection: int = 0
    # -- case page fields (with defaults) --
    # -- boards fields (with defaults) --
    # -- calendar and 四统一 fields (with defaults) --
    household: int = 0  # the water case's household
    # -- operations fields (with defaults) --
    road_instance: int = 0
    road_version: int = 0
    incident: int = 0
    failed_mail: int = 0


@pytest.fixture
def world(county, user) -> World:
    clock.set_now(at("2018-07-01T10:00"))
    round_ = rounds.launch_round(2018, user("fpb"))
    water, road, village = water_and_road(round_)
    item = open_item(road)  # as if the road case were three levels overdue
    photo = add_evidence(water, user("dept_slj"), "水表.png", PNG)
    db.session.commit()
    world = World(
        case=water.id,
        plan_task=ready_task("plan_measure", instance_id=water.instance_id),
        road_case=road.id,
        road_task=ready_task("plan_measure", instance_id=road.instance_id),
        road_item=item.id,
        village_task=ready_task("village_forms", village_id=village.id),
        triage_task=ready_task("county_triage"),
        results_task=ready_task("results_review", township_id=village.township_id),
        photo=photo.id,
        document=db.session.scalar(
            sa.select(ArchiveDocument.id).where(ArchiveDocument.object_id == str(photo.id))
        ),
        road_clerk=user("dept_jtj").id,
        aoyi=village.township_id,
    )
    # -- inbox world set-up --

    assignment.claim_task(db.session.get(HumanTask, world.triage_task), user("fpb"))
    world.substitution = assignment.set_substitute(
        user("aoyi_zg"), user("aoyi_zg2"), clock.today(), clock.today(), "下村", user("aoyi_fzr")
    ).id
    overdue = inbox_filters.parse_filter({"overdue": "1"})
    world.saved_filter = inbox_filters.save_filter(user("dept_slj"), "逾期", overdue).id
    world.inspection = inspections.schedule_inspection(
        round_, user("ldxz"), township=village.township, on=clock.today(), inspectors="督查组"
    ).id
    # -- case page world set-up --
    # -- boards world set-up --
    # -- calendar world set-up --
    world.household = water.household_id
    # -- operations world set-up: the road case's process failed in the tick; a mail gave up --
    world.road_instance = road.instance_id
    world.road_version = db.session.get(ProcessInstance, road.instance_id).spec_id
    world.incident = record_tick_failure(
        road.instance_id, "RuntimeError: 邮件服务器无响应", clock.now()
    ).id
    world.failed_mail = failed_message(user("dept_jtj")).id
    db.session.commit()
    return world


def visitor(app, username: str | None = None) -> Browser:
    """A client, logged in through the form as the user (or anonymous)."""
    client = Browser(IsolatedClient(app, app.response_class, use_cookies=True))
    if username:
        response = client.login(username, DEMO_PASSWORD)
        assert response.status_code == 302, f"login failed for {username}"
    return client


@pytest.fixture
def people(app, world):
    """One client per user (and an anonymous one), each logging in once."""
    clients: dict[str | None, Browser] = {}

    def get(name: str | None) -> Browser:
        if name not in clients:
            clients[name] = visitor(app, name)
        return clients[name]

    return get


SESSION_TABLES = {"audit_head", "login_attempt"}  # what logging in writes (besides its audit event)


PAGES = Snapshot(frozenset(SESSION_TABLES), login_events=False)
world_state = PAGES.take
changed_tables = PAGES.changed


def answer(response) -> Expect:
    """What a response amounts to, in the terms of the matrix."""
    if 300 <= response.status_code < 400:
        return Expect(response.status_code, urlsplit(response.headers["Location"]).path)
    return Expect(response.status_code)


def expected(verdict: Expect, world: World) -> Expect:
    return Expect(verdict.status, verdict.to.format(**vars(world)) if verdict.to else None)


def send(client: Browser, route: Route, world: World):
    if route.method == "GET":
        return client.get(route.url(world))
    return client.post(
        route.url(world), {k: v.format(**vars(world)) for k, v in route.data.items()}
    )


# The JSON API has its own matrix, with the same users: tests/integration/test_api_access.py.
COVERED_ELSEWHERE = ("api.",)


def test_every_route_is_in_the_matrix(app):
    routes = {
        rule.endpoint: frozenset(rule.methods - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.startswith(COVERED_ELSEWHERE)
    }
    declared = {endpoint: route.methods for endpoint, route in MATRIX.items()}
    missing = sorted(set(routes) - set(declared))
    stale = sorted(set(declared) - set(routes))
    methods = sorted(e for e in routes if e in declared and routes[e] != declared[e])
    assert routes == declared, (
        "every route needs a row in MATRIX (tests/integration/test_access.py) saying who may use "
        f"it: missing {missing}, no longer in the app {stale}, methods differ {methods}"
    )
    for endpoint, route in MATRIX.items():
        assert set(route.verdicts) == set(EVERYONE), f"{endpoint}: a verdict for everyone"


@pytest.mark.parametrize("endpoint", sorted(MATRIX))
def test_route_answers_everyone_as_the_matrix_says(endpoint, world, people):
    """Everyone but the route's worker: the matrix's answer, and nothing changed by a POST."""
    route = MATRIX[endpoint]

    def answer_of(name: str | None) -> tuple[Expect, Expect]:
        return answer(send(people(name), route, world)), expected(route.verdicts[name], world)

    wrong = sweep(route, PAGES, answer_of)
    assert not wrong, f"{route.probe}:\n" + "\n".join(wrong)


WORKERS = [
    (endpoint, name)
    for endpoint, route in sorted(MATRIX.items())
    for name in EVERYONE
    if route.changes_for(name)
]


@pytest.mark.parametrize("endpoint, name", WORKERS)
def test_route_lets_its_worker_act(endpoint, name, world, people):
    route = MATRIX[endpoint]
    before = world_state()
    got = answer(send(people(name), route, world))
    assert got == expected(route.verdicts[name], world)
    assert changed_tables(before), f"{who(name)}'s {route.probe} did nothing"


def test_only_insiders_find_the_case_in_their_list(world, people):
    link = f'href="/cases/{world.case}"'
    for name in USERS:
        page = people(name).get("/cases").get_data(as_text=True)
        assert (link in page) == (name in INSIDERS), f"{name} and the case list"


# Who works each action on a case, and in which state of the case.
ANY_OPEN = "any open state"
WORK = {
    "plan": (CaseStatus.PLANNING, {"dept_slj"}, PLAN),
    "progress": (
        CaseStatus.IN_PROGRESS,
        {"dept_slj", "dept_slj_fzr"},
        {"text": "管道已采购", "funds": "12000"},
    ),
    "submit": (CaseStatus.IN_PROGRESS, {"dept_slj"}, {"summary": "管道已铺设入户"}),
    "verify": (CaseStatus.VERIFYING, {"aoyi_zg"}, {"decision": "ok"}),
    "accept": (CaseStatus.ACCEPTING, {"fpb"}, {"decision": "ok"}),
    "reassign": (ANY_OPEN, {"fpb"}, {"department": "JTJ", "reason": "道路入户管网由交通局实施"}),
}
ALONG_THE_WAY = [
    (CaseStatus.PLANNING, [("plan", "dept_slj")]),
    (
        CaseStatus.IN_PROGRESS,
        [("progress", "dept_slj_fzr"), ("progress", "dept_slj"), ("submit", "dept_slj")],
    ),
    (CaseStatus.VERIFYING, [("verify", "aoyi_zg")]),
    (CaseStatus.ACCEPTING, [("accept", "fpb")]),
]


def _status(case_id: int) -> CaseStatus:
    db.session.rollback()
    db.session.expire_all()
    return db.session.get(HelpCase, case_id).status


def test_only_the_right_worker_moves_the_case_at_every_step(world, people):
    """At each step everyone else is refused (403) and changes nothing; actions out of turn and
    unknown actions change nothing either; then the right worker does the step."""
    url = f"/cases/{world.case}/{{}}"
    for status, steps in ALONG_THE_WAY:
        assert _status(world.case) == status
        before = world_state()
        for action, (when, workers, data) in WORK.items():
            for name in EVERYONE:
                in_turn = when in (status, ANY_OPEN)
                if in_turn and name in workers:
                    continue
                got = answer(people(name).post(url.format(action), data))
                what = f"{who(name)} {action} while {status.value}"
                if name is ANONYMOUS:
                    assert got == LOGIN_FIRST, what
                elif in_turn or name in OUTSIDERS:
                    assert got == FORBIDDEN, f"{what}: {got}"
                else:  # out of turn: refused, or sent back to the case with a conflict message
                    assert got.status in (303, 403), f"{what}: {got}"
                assert not changed_tables(before), f"{what} changed things"
        for name in EVERYONE:
            response = people(name).post(url.format("frobnicate"), {})
            assert response.status_code in (400, 401, 403), who(name)
            assert not changed_tables(before), f"{who(name)} frobnicated the case"
        for action, name in steps:
            got = answer(people(name).post(url.format(action), WORK[action][2]))
            assert got == Expect(303, f"/cases/{world.case}"), (action, name)
    assert _status(world.case) == CaseStatus.CLOSED


def test_a_reassigned_case_moves_to_its_new_department(world, people):
    got = answer(people("fpb").post(f"/cases/{world.case}/reassign", WORK["reassign"][2]))
    assert got == Expect(303, f"/cases/{world.case}")
    assert people("dept_slj").get(f"/cases/{world.case}").status_code == 403
    assert people("dept_slj").get(f"/tasks/{world.plan_task}").status_code == 403
    assert people("dept_jtj").get(f"/cases/{world.case}").status_code == 200
    assert answer(people("dept_jtj").get(f"/tasks/{world.plan_task}")) == Expect(
        302, f"/cases/{world.case}"
    )
    assert people("buguna_cun").get(f"/cases/{world.case}").status_code == 200


def _poster(endpoint: str) -> str | None:
    """Someone whom the route lets in, so that only the missing token can refuse them."""
    if endpoint == "auth.login":
        return ANONYMOUS
    if endpoint == "auth.logout":
        return "dept_slj"
    route = MATRIX[endpoint]
    return next(name for name in USERS if route.verdicts[name] not in (FORBIDDEN, LOGIN_FIRST))


@pytest.mark.parametrize("endpoint", sorted(e for e, r in MATRIX.items() if "POST" in r.methods))
def test_a_post_without_csrf_token_is_refused_and_changes_nothing(endpoint, world, people):
    route = MATRIX[endpoint]
    name = _poster(endpoint)
    client = people(name)
    if endpoint == "auth.login":
        url, data = "/login", {"username": "dept_slj", "password": DEMO_PASSWORD}
    else:
        url, data = route.url(world), route.data
    before = world_state()
    response = client.client.post(url, data=data)  # straight past the page: no csrf_token
    assert response.status_code == 400
    assert "表单已失效" in response.get_data(as_text=True)
    assert not changed_tables(before)
    logged_in = client.get("/inbox").status_code == 200
    assert logged_in == (name is not ANONYMOUS), "the session is as it was before"


def test_someone_elses_task_is_refused(world, people):
    assert people("dept_slj").get(f"/tasks/{world.road_task}").status_code == 403
    assert answer(people("dept_jtj").get(f"/tasks/{world.road_task}")) == Expect(
        302, f"/cases/{world.road_case}"
    )
    assert people("dept_jtj").get(f"/tasks/{world.plan_task}").status_code == 403
    for name in ("aoyi_zg", "katelesh_cun", "fpb"):
        assert people(name).get(f"/tasks/{world.village_task}").status_code == 403, name
    assert answer(people("buguna_cun").get(f"/tasks/{world.village_task}")) == Expect(
        302, f"/survey/tasks/{world.village_task}"
    )
    for name in ("admin", "ldxz", "dept_slj"):
        assert people(name).get(f"/tasks/{world.triage_task}").status_code == 403, name
    assert answer(people("fpb").get(f"/tasks/{world.triage_task}")) == Expect(
        302, "/rounds/2018-mid/triage"
    )


def test_missing_things_are_not_found(world, people):
    for url in ("/tasks/999999", "/cases/999999", "/rounds/2031", "/survey/tasks/999999"):
        assert people("fpb").get(url).status_code == 404, url
        assert answer(people(ANONYMOUS).get(url)) == LOGIN_FIRST, url


def test_a_deactivated_user_is_logged_out_and_cannot_log_in(world, people, user):
    clerk = people("dept_slj")
    user("dept_slj").is_active = False
    db.session.commit()
    assert answer(clerk.get(f"/cases/{world.case}")) == LOGIN_FIRST
    assert clerk.login("dept_slj", DEMO_PASSWORD).status_code == 401
    before = world_state()
    assert answer(clerk.post(f"/cases/{world.case}/plan", PLAN)) == LOGIN_FIRST
    assert not changed_tables(before)


def test_a_second_client_does_not_act_as_the_first(app, world):
    """The harness itself: clients in one test keep to their own sessions."""
    visitor(app, "dept_slj")
    assert answer(visitor(app).get("/inbox")) == LOGIN_FIRST
    assert visitor(app, "fpb").get("/rounds/2018/triage").status_code == 200


@pytest.mark.parametrize(
    "target, lands",
    [
        ("/cases", "/cases"),
        ("//evil.example/x", "/inbox"),
        ("https://evil.example/", "/inbox"),
        ("/%5Cevil.example/x", "/inbox"),  # a browser reads /\ as //
    ],
)
def test_login_only_returns_to_pages_of_huitou(app, county, target, lands):
    client = visitor(app)
    client.get("/login")
    response = client.post(f"/login?next={target}", {"username": "fpb", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    location = response.headers["Location"]
    assert urlsplit(location).netloc in ("", "localhost"), location
    assert urlsplit(location).path == lands, location
