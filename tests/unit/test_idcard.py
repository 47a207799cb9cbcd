"""GB 11643-1999 ID numbers: what clerks type, what is refused and why."""

from datetime import date

import pytest

from workflow.platform.idcard import (
    REASON_BIRTH,
    REASON_CHARACTERS,
    REASON_EMPTY,
    REASON_FLOAT,
    REASON_LENGTH,
    InvalidIdNumber,
    birth_date,
    check_digit,
    is_male,
    make_id,
    normalize_id,
    validate_id,
)

# Worked by hand: digits 6 5 2 8 2 5 1 9 8 0 0 1 0 1 1 2 3 times weights
# 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 = 42+45+20+40+16+20+2+9+48+0+0+9+0+5+8+8+6 = 278;
# 278 mod 11 = 3, and "10X98765432"[3] = "9".
QIEMO_MAN = "652825198001011239"
# The standard's own example: the sum is 167, 167 mod 11 = 2, "10X98765432"[2] = "X".
STANDARD_EXAMPLE = "11010519491231002X"


@pytest.mark.parametrize("number", [QIEMO_MAN, STANDARD_EXAMPLE])
def test_check_digit_of_known_numbers(number):
    assert check_digit(number[:17]) == number[17]
    assert validate_id(number) == number


@pytest.mark.parametrize(
    "bad", ["6528251980010112", "6528251980010112a", "６５２８２５１９８００１０１１２３"]
)
def test_check_digit_wants_seventeen_ascii_digits(bad):
    with pytest.raises(ValueError):
        check_digit(bad)


def test_wrong_check_digit_names_the_right_one():
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id("652825198001011234")
    assert caught.value.reason == "校验码错误，应为9"
    assert str(caught.value) == "校验码错误，应为9"


def test_invalid_id_number_is_a_value_error():
    with pytest.raises(ValueError):
        validate_id("123")


@pytest.mark.parametrize(
    "typed",
    [
        "６５２８２５１９８００１０１１２３９",  # full-width digits
        "　652825 19800101 1239 ",  # ideographic space, ASCII spaces
        "652825\u00a0198001011239\t",  # non-breaking space, tab
        "'652825198001011239",  # Excel's text apostrophe
    ],
)
def test_typed_variants_normalize_to_the_same_number(typed):
    assert normalize_id(typed) == QIEMO_MAN
    assert validate_id(typed) == QIEMO_MAN


@pytest.mark.parametrize(
    "typed", ["11010519491231002x", "11010519491231002ｘ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_lower_case_and_full_width_x_become_upper_case_x(typed):
    assert validate_id(typed) == STANDARD_EXAMPLE


def test_integer_from_a_spreadsheet_is_accepted():
    assert validate_id(652825198001011239) == QIEMO_MAN


@pytest.mark.parametrize("value", [6.52825198001011e17, float(652825198001011239), 1.0])
def test_float_from_a_spreadsheet_is_refused_because_digits_were_lost(value):
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id(value)
    assert caught.value.reason == REASON_FLOAT
    assert "文本" in REASON_FLOAT


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        (None, REASON_EMPTY),
        ("  ", REASON_EMPTY),
        ("65282519800101123", REASON_LENGTH),
        ("652825800101123", REASON_LENGTH),  # first-generation 15-digit number
        ("6528251980010112399", REASON_LENGTH),
        ("65282519800101123A", REASON_CHARACTERS),
        ("6528251980O1011239", REASON_CHARACTERS),
        ("6528251980010112X9", REASON_CHARACTERS),
        ("-65282519800101123", REASON_CHARACTERS),
        ("652825198002301238", REASON_BIRTH),  # 30 February, check digit otherwise right
        ("652825198013011230", REASON_BIRTH),
        ("652825180001011230", REASON_BIRTH),
    ],
)
def test_refusals_say_why_in_chinese(typed, reason):
    with pytest.raises(InvalidIdNumber) as caught:
        validate_id(typed)
    assert caught.value.reason == reason


def test_reasons_are_the_agreed_sentences():
    assert REASON_LENGTH == "长度不是18位"
    assert REASON_CHARACTERS == "含有非法字符"
    assert REASON_BIRTH == "出生日期无效"


def test_boolean_is_not_an_id_number():
    with pytest.raises(InvalidIdNumber):
        validate_id(True)


def test_make_id_round_trips_birth_and_sex():
    number = make_id("652825", date(1980, 1, 1), 123)
    assert number == QIEMO_MAN
    assert birth_date(number) == date(1980, 1, 1)
    assert is_male(number)
    woman = make_id("652825", date(1999, 12, 31), 42, male=False)
    assert validate_id(woman) == woman
    assert not is_male(woman)


@pytest.mark.parametrize(
    ("region", "seq", "male"),
    [
        ("65282", 1, None),
        ("65282A", 1, None),
        ("652825", 1000, None),
        ("652825", -1, None),
        ("652825", 2, True),
        ("652825", 3, False),
    ],
)
def test_make_id_refuses_impossible_parts(region, seq, male):
    with pytest.raises(ValueError):
        make_id(region, date(1980, 1, 1), seq, male=male)
