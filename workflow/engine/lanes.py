"""Which role works a user task, from the name of the lane it is drawn in."""

from __future__ import annotations

from workflow.models import Role

LANE_ROLES: dict[str, Role] = {
    "村级填报员": Role.VILLAGE_CLERK,
    "乡镇扶贫专干": Role.TOWNSHIP_CLERK,
    "乡镇负责人": Role.TOWNSHIP_LEADER,
    "县扶贫办": Role.COUNTY_OFFICE,
    "行业部门": Role.DEPARTMENT_CLERK,
    "部门负责人": Role.DEPARTMENT_LEADER,
    "领导小组": Role.LEADING_GROUP,
}


# A case its township leads: the department lane's steps are worked by the township clerk.
TOWNSHIP_LEADS = {"行业部门": "乡镇扶贫专干"}


def role_for_lane(lane: str | None) -> Role:
    """The role that works tasks in a lane; a task outside every known lane is a diagram bug."""
    try:
        return LANE_ROLES[lane or ""]
    except KeyError:
        raise ValueError(f"user task in unknown lane {lane!r}: add it to LANE_ROLES") from None
