"""The demo county has Qiemo's shape, valid synthetic people, and is the same for the same seed."""

from collections import Counter
from dataclasses import FrozenInstanceError, fields
from datetime import date

import pytest

from workflow.demo import names as demo_names
from workflow.demo.data import EXIT_YEARS, PLANNED_EXIT_YEARS, DemoUser, build_demo_county
from workflow.demo.members import register_rows
from workflow.forms.register_book import read_register
from workflow.forms.register_writer import write_register
from workflow.platform.idcard import birth_date, is_male, validate_id

TOWNSHIPS = [
    ("且末镇", "652825100"),
    ("奥依亚依拉克镇", "652825101"),
    ("塔提让镇", "652825102"),
    ("塔中镇", "652825103"),
    ("阿羌乡", "652825200"),
    ("阿热勒乡", "652825201"),
    ("琼库勒乡", "652825202"),
    ("托格拉克勒克乡", "652825203"),
    ("巴格艾日克乡", "652825204"),
    ("英吾斯塘乡", "652825205"),
    ("阿克提坎墩乡", "652825206"),
    ("阔什萨特玛乡", "652825207"),
    ("库拉木勒克乡", "652825208"),
]
DEPARTMENT_CODES = [
    "NYJ",
    "RSJ",
    "MZJ",
    "NJJ",
    "TJJ",
    "JCB",
    "JKJ",
    "WJW",
    "ZJJ",
    "SLJ",
    "GW",
    "WGJ",
    "JTJ",
    "ZFB",
    "ZZB",
    "GXS",
    "ZFW",
    "FPB",
]
ROLES = {
    "village_clerk",
    "township_clerk",
    "township_leader",
    "county_office",
    "department_clerk",
    "department_leader",
    "leading_group",
    "admin",
}


@pytest.fixture(scope="module")
def county():
    return build_demo_county()


def test_county_is_qiemo(county):
    assert (county.name, county.code) == ("且末县", "652825")


def test_thirteen_townships_in_official_order_with_codes(county):
    assert [(t.name, t.code) for t in county.townships] == TOWNSHIPS


def test_about_sixty_villages_four_to_six_per_township(county):
    assert 55 <= len(county.villages) <= 65
    for township in county.townships:
        villages = county.villages_of(township.code)
        assert 4 <= len(villages) <= 6, township.name
        for village in villages:
            assert len(village.code) == 12 and village.code.isdigit()
            assert village.code.startswith(township.code)
            assert village.name.endswith("村")
    assert len({v.code for v in county.villages}) == len(county.villages)
    assert len({v.name for v in county.villages}) == len(county.villages)


@pytest.mark.parametrize(
    ("village", "township"),
    [
        ("奥依亚依拉克村", "奥依亚依拉克镇"),
        ("布古纳村", "奥依亚依拉克镇"),
        ("阿尔帕村", "奥依亚依拉克镇"),
        ("色日克阔勒村", "奥依亚依拉克镇"),
        ("苏塘村", "奥依亚依拉克镇"),
        ("喀特勒什村", "且末镇"),
    ],
)
def test_real_villages_are_in_their_township(county, village, township):
    assert county.village_named(village).township_code == county.township_named(township).code


def test_fifteen_exited_poor_villages_exited_2016_to_2017(county):
    """§四: the poor villages exited in 2016 and 2017."""
    exited = [v for v in county.villages if v.is_exited_poor]
    assert len(exited) == 15
    assert {v.exit_year for v in exited} == {2016, 2017}
    assert all(v.exit_year is None for v in county.villages if not v.is_exited_poor)


def test_demo_villages_have_village_forms_to_fill(county):
    assert county.village_named("布古纳村").is_exited_poor
    assert county.village_named("喀特勒什村").is_exited_poor


@pytest.mark.parametrize("count", [0, 1, 200, 3500])
def test_household_count_is_exact(count):
    assert len(build_demo_county(households=count).households) == count


def test_negative_household_count_is_refused():
    with pytest.raises(ValueError):
        build_demo_county(households=-1)


def test_id_numbers_are_valid_unique_and_from_qiemo(county):
    ids = [h.id_number for h in county.households]
    assert len(set(ids)) == len(ids)
    for number in ids:
        assert validate_id(number) == number
        assert number.startswith("652825")
        assert date(1940, 1, 1) <= birth_date(number) <= date(2000, 12, 31)


def test_sex_digit_agrees_with_the_name(county):
    for h in county.households:
        assert is_male(h.id_number) == demo_names.is_male_name(h.head_name) == (h.head_sex == "男")


def test_household_exit_year_not_after_its_village(county):
    villages = {v.code: v for v in county.villages}
    for h in county.households:
        village = villages[h.village_code]
        assert h.township_code == village.township_code
        if h.exit_year is None:
            assert h.planned_exit_year in PLANNED_EXIT_YEARS
            continue
        assert h.exit_year in EXIT_YEARS and h.planned_exit_year is None
        if village.is_exited_poor:
            assert h.exit_year <= village.exit_year


def test_households_exited_2014_to_2017_and_some_are_planned_for_2018_and_2019(county):
    exits = Counter(h.exit_year for h in county.households if h.exit_year is not None)
    assert set(exits) == set(EXIT_YEARS)
    planned = Counter(h.planned_exit_year for h in county.households if h.exit_year is None)
    assert set(planned) == set(PLANNED_EXIT_YEARS)
    assert sum(planned.values()) < sum(exits.values()) / 4, "most households are out already"
    households, members = register_rows(county)
    book = read_register(write_register(households, members))
    read = {h.head_id: (h.exit_year, h.planned_exit_year) for h in book.households}
    assert read == {h.id_number: (h.exit_year, h.planned_exit_year) for h in county.households}


def test_exited_villages_hold_more_households(county):
    def mean(villages):
        return sum(len(county.households_of(v.code)) for v in villages) / len(villages)

    exited = [v for v in county.villages if v.is_exited_poor]
    others = [v for v in county.villages if not v.is_exited_poor]
    assert mean(exited) > 2 * mean(others)
    assert all(county.households_of(v.code) for v in county.villages)


def test_family_size_one_to_eight_mode_four(county):
    sizes = Counter(h.family_size for h in county.households)
    assert set(sizes) <= set(range(1, 9))
    assert sizes.most_common(1)[0][0] == 4


def test_phones_and_helpers(county):
    phones = [h.phone for h in county.households]
    assert len(set(phones)) == len(phones)
    assert all(len(p) == 11 and p.isdigit() and p[:2] in {"13", "15", "18", "19"} for p in phones)
    assert all(h.helper_name for h in county.households)
    seen: set[str] = set()
    for village in county.villages:
        helpers = {h.helper_name for h in county.households_of(village.code)}
        assert len(helpers) >= 2, village.name
        assert not helpers & seen, "a cadre helps in one village only"
        seen |= helpers


def test_names_are_about_four_fifths_uyghur(county):
    uyghur = sum(demo_names.is_uyghur_name(h.head_name) for h in county.households)
    assert 0.75 <= uyghur / len(county.households) <= 0.85
    for h in county.households:
        if demo_names.is_uyghur_name(h.head_name):
            _, father = h.head_name.split("·")
            assert father in demo_names.UYGHUR_MALE


def test_name_pools_are_realistic_and_gender_disjoint():
    assert len(demo_names.UYGHUR_MALE) >= 55 and len(demo_names.UYGHUR_FEMALE) >= 55
    assert not set(demo_names.UYGHUR_MALE) & set(demo_names.UYGHUR_FEMALE)
    assert not set(demo_names.HAN_MALE) & set(demo_names.HAN_FEMALE)
    for pool in (
        demo_names.UYGHUR_MALE,
        demo_names.UYGHUR_FEMALE,
        demo_names.HAN_MALE,
        demo_names.HAN_FEMALE,
        demo_names.HAN_SURNAMES,
    ):
        assert len(set(pool)) == len(pool)


def test_same_seed_same_county_other_seed_other_people(county):
    assert build_demo_county(2018) == county
    other = build_demo_county(seed=7)
    assert other.villages == county.villages
    assert other.households != county.households


def test_county_is_frozen(county):
    with pytest.raises(FrozenInstanceError):
        county.households[0].head_name = "改名"  # type: ignore[misc]


def test_eighteen_departments_from_the_contract(county):
    assert [d.code for d in county.departments] == DEPARTMENT_CODES
    assert county.departments[0].name == "县农业局"
    assert {d.code: d.clause for d in county.departments}["RSJ"] == "六.1, 六.2"
    assert {d.code: d.clause for d in county.departments}["FPB"] == ""


def test_demo_users_cover_every_role_and_scope(county):
    users = {u.username: u for u in county.users}
    assert len(users) == len(county.users)
    assert {u.role for u in county.users} == ROLES
    assert users["admin"].role == "admin" and users["admin"].scope is None
    assert users["fpb"].role == "county_office"
    assert users["ldxz"].role == "leading_group"
    aoyi = county.township_named("奥依亚依拉克镇").code
    qmz = county.township_named("且末镇").code
    assert (users["aoyi_zg"].role, users["aoyi_zg"].scope) == ("township_clerk", aoyi)
    assert (users["aoyi_fzr"].role, users["aoyi_fzr"].scope) == ("township_leader", aoyi)
    assert (users["qmz_zg"].scope, users["qmz_fzr"].scope) == (qmz, qmz)
    assert users["buguna_cun"].scope == county.village_named("布古纳村").code
    assert users["katelesh_cun"].scope == county.village_named("喀特勒什村").code
    for code in DEPARTMENT_CODES:
        clerk, leader = users[f"dept_{code.lower()}"], users[f"dept_{code.lower()}_fzr"]
        assert (clerk.role, clerk.scope) == ("department_clerk", code)
        assert (leader.role, leader.scope) == ("department_leader", code)


def test_demo_users_have_names_mail_and_no_password(county):
    scopes = {
        "township": {t.code for t in county.townships},
        "village": {v.code for v in county.villages},
        "department": {d.code for d in county.departments},
        None: {None},
    }
    for user in county.users:
        assert user.email == f"{user.username}@huitou.example"
        assert user.display_name and user.unit
        assert user.scope in scopes[user.scope_kind]
    assert len({u.display_name for u in county.users}) == len(county.users)
    assert not any("password" in f.name for f in fields(DemoUser))
    assert build_demo_county(seed=1).users == county.users


def test_the_demo_register_has_members_whose_ages_agree_with_their_id_numbers():
    households, members = register_rows(build_demo_county(households=300))
    ids = [m[3] for m in members]
    assert len(ids) == len(set(ids)) and all(validate_id(n) == n for n in ids)
    assert all(m[6] == birth_date(m[3]) for m in members), "birth dates are the ID numbers'"
    assert all((m[5] == "男") == is_male(m[3]) for m in members)
    sizes = Counter(m[0] for m in members)
    assert all(sizes[h[0]] == h[5] for h in households), "家庭人口数 is the member count"
    at_school = [m for m in members if m[7] in ("小学", "初中")]
    assert at_school and all(6 <= 2018 - m[6].year <= 15 for m in at_school)
    assert any(2018 - m[6].year >= 65 for m in members), "elderly members"
    assert any(m[12] == "是" for m in members), "some on 低保"
    book = read_register(write_register(households, members))
    assert not book.errors and len(book.members) == len(members)
