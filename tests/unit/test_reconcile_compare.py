"""The comparison alone: names written two ways agree, the police's words for a relation agree,
a changed head is one line, and every difference carries both values and both sources."""

from __future__ import annotations

from datetime import date

from workflow.reconcile.compare import (
    ABSENT,
    FAMILY_SIZE,
    GONE,
    HEAD,
    NAME,
    POLICE,
    REGISTER,
    PaperRecord,
    PolicePerson,
    RegisterHousehold,
    RegisterMember,
    norm_name,
    reconcile,
)

HEAD_ID, WIFE_ID, SON_ID = "652825198001010017", "652825198203050025", "652825200809010116"


def household(*members: RegisterMember, size: int = 3) -> RegisterHousehold:
    return RegisterHousehold(1, HEAD_ID, "阿布都拉·买买提", size, 2016, members)


MEMBERS = (
    RegisterMember(HEAD_ID, "阿布都拉·买买提", "户主", "normal"),
    RegisterMember(WIFE_ID, "阿依古丽·吐尔逊", "配偶", "normal"),
    RegisterMember(SON_ID, "买买提·阿布都拉", "之子", "normal"),
)


def police(**changes: dict) -> dict[str, PolicePerson]:
    people = {m.id_number: PolicePerson("H1", m.name, m.relation, "normal", None) for m in MEMBERS}
    for id_number, change in changes.items():
        people[id_number] = people[id_number]._replace(**change)
    return people


def test_the_uyghur_middle_dot_and_full_width_letters_are_one_name():
    for variant in (
        "阿依古丽•吐尔逊",
        "阿依古丽・吐尔逊",
        "阿依古丽‧吐尔逊",
        "阿依古丽 · 吐尔逊",
        "阿依古丽．吐尔逊",
    ):
        assert norm_name(variant) == norm_name("阿依古丽·吐尔逊"), variant
    assert norm_name("ＡＢＣ１") == "ABC1"
    people = police(**{WIFE_ID: {"name": "阿依古丽•吐尔逊"}, SON_ID: {"relation": "子"}})
    assert reconcile([household(*MEMBERS)], people, {}) == []


def test_each_difference_names_both_values_and_sources():
    people = police(
        **{
            WIFE_ID: {"status": "deceased", "changed_on": date(2018, 3, 2)},
            SON_ID: {"name": "买买提"},
        }
    )
    lines = reconcile([household(*MEMBERS)], people, {1: PaperRecord("", 3, 2016)})
    assert {(d.kind, d.person_id) for d in lines} == {
        (GONE, WIFE_ID),
        (NAME, SON_ID),
        (FAMILY_SIZE, ""),
    }
    gone = next(d for d in lines if d.kind == GONE)
    assert (gone.source_a, gone.value_a, gone.source_b, gone.value_b) == (
        REGISTER,
        "正常",
        POLICE,
        "死亡 2018-03-02",
    )


def test_a_new_head_is_one_line_and_a_newborn_is_absent_from_the_register():
    people = police(**{HEAD_ID: {"relation": "配偶"}, WIFE_ID: {"relation": "户主"}})
    baby = "652825201801010011"
    people[baby] = PolicePerson("H1", "小买买提", "之子", "normal", None)
    lines = reconcile([household(*MEMBERS)], people, {})
    assert [(d.kind, d.person_id, d.value_a) for d in lines if d.kind != FAMILY_SIZE] == [
        (HEAD, "", f"阿布都拉·买买提 {HEAD_ID}"),
        (ABSENT, baby, "—"),
    ]


def test_without_a_police_extract_only_the_paper_is_compared():
    lines = reconcile([household(*MEMBERS)], None, {1: PaperRecord("阿布都拉·买买提", 4, 2015)})
    assert {d.kind for d in lines} == {FAMILY_SIZE, "exit_year"}
