"""Given identifiers as people type them: good ones pass, bad ones say why."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from members.validators import (
    normalize_id_number,
    validate_credit_code,
    validate_id_number,
    validate_mobile,
)

# Published codes of real companies (GB 32100 check characters as registered).
VALID_CREDIT_CODES = ["91350100M000100Y43", "91440300708461136T", "91350100m000100y43"]
INVALID_CREDIT_CODES = [
    ("91350100M000100Y44", "credit_code_check"),  # check character off by one
    ("91350100M000100Y4", "credit_code_length"),  # 17 characters
    ("91350100M000100Y433", "credit_code_length"),  # 19 characters
    ("91350100M0001O0Y43", "credit_code_characters"),  # letter O is never used
    ("9135A100M000100Y43", "credit_code_characters"),  # area code must be digits
    ("", "credit_code_length"),
]

VALID_ID_NUMBERS = ["11010519491231002X", "11010519491231002x", "330521198807150010"]
INVALID_ID_NUMBERS = [
    ("110105194912310021", "id_number_check"),  # wrong check character
    ("11010519491231002", "id_number_length"),  # 17 characters
    ("1101051949123100211", "id_number_length"),
    ("11010519491331002X", "id_number_birth_date"),  # month 13
    ("11010518991231002X", "id_number_birth_date"),  # born 1899
    ("11010530991231002X", "id_number_birth_date"),  # born in the future
    ("91010519491231002X", "id_number_characters"),  # no region starts with 9
    ("1101051949123A002X", "id_number_characters"),
]


@pytest.mark.parametrize("code", VALID_CREDIT_CODES)
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


@pytest.mark.parametrize(("code", "error_code"), INVALID_CREDIT_CODES)
def test_invalid_credit_codes_are_refused_with_a_reason(code, error_code):
    with pytest.raises(ValidationError) as caught:
        validate_credit_code(code)
    assert caught.value.code == error_code


@pytest.mark.parametrize("number", VALID_ID_NUMBERS)
def test_valid_id_numbers_pass(number):
    validate_id_number(number)


@pytest.mark.parametrize(("number", "error_code"), INVALID_ID_NUMBERS)
def test_invalid_id_numbers_are_refused_with_a_reason(number, error_code):
    with pytest.raises(ValidationError) as caught:
        validate_id_number(number)
    assert caught.value.code == error_code


def test_full_width_id_number_is_normalised():
    assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X"
    validate_id_number("１１０１０５１９４９１２３１００２ｘ")


@pytest.mark.parametrize("mobile", ["13812345678", "１３８１２３４５６７８", "+86 138-1234-5678"])
def test_valid_mobiles_pass(mobile):
    validate_mobile(mobile)


@pytest.mark.parametrize("mobile", ["1381234567a", "12812345678", "1381234567", "abc"])
def test_invalid_mobiles_are_refused(mobile):
    with pytest.raises(ValidationError):
        validate_mobile(mobile)


def test_messages_are_in_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_id_number("11010519491231002")
    assert caught.value.messages == ["身份证号应为 18 位，此号码为 17 位。"]
