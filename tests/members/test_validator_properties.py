"""Properties of the check characters: any single changed character is caught."""

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from members.demo import demo_credit_code
from members.masking import mask_id_number
from members.validators import (
    CREDIT_CODE_ALPHABET,
    id_number_check_character,
    validate_credit_code,
    validate_id_number,
)

births = st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31))


@st.composite
def id_numbers(draw) -> str:
    region = draw(st.sampled_from(["110105", "330521", "440305", "510107"]))
    born = draw(births).strftime("%Y%m%d")
    serial = draw(st.integers(min_value=0, max_value=999))
    first17 = f"{region}{born}{serial:03d}"
    return first17 + id_number_check_character(first17)


@settings(max_examples=200, deadline=None)
@given(id_numbers(), st.integers(min_value=0, max_value=17), st.sampled_from("0123456789X"))
def test_any_single_changed_character_is_caught(number, position, replacement):
    validate_id_number(number)
    if number[position] == replacement:
        return
    changed = number[:position] + replacement + number[position + 1 :]
    try:
        validate_id_number(changed)
    except ValidationError:  # any refusal is the expected outcome
        return
    raise AssertionError(f"{changed} passed although one character changed")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=9_999_999),
    st.integers(min_value=0, max_value=17),
    st.sampled_from(CREDIT_CODE_ALPHABET),
)
def test_a_changed_credit_code_character_is_caught(index, position, replacement):
    code = demo_credit_code(index)
    validate_credit_code(code)
    if code[position] == replacement:
        return
    changed = code[:position] + replacement + code[position + 1 :]
    try:
        validate_credit_code(changed)
    except ValidationError:
        return
    raise AssertionError(f"{changed} passed although one character changed")


@given(id_numbers())
def test_the_id_mask_keeps_only_three_and_four(number):
    masked = mask_id_number(number)
    assert masked[:3] == number[:3] and masked[-4:] == number[-4:]
    assert set(masked[3:-4]) == {"*"} and len(masked) == 18
