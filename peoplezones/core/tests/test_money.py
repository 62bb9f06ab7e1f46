from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peoplezones.core.money import (
    GBP_MAX,
    GBP_ZERO,
    MoneyError,
    format_gbp,
    parse_gbp,
    plain_pounds,
)

two_place_amounts = st.decimals(
    min_value=Decimal("0.00"),
    max_value=Decimal("999999999.99"),
    places=2,
    allow_nan=False,
    allow_infinity=False,
)


def _message(error: MoneyError) -> str:
    return error.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("£9,740.98.", "9740.98"),
        ("£9,135", "9135.00"),
        ("9135", "9135.00"),
        ("9135.00", "9135.00"),
        ("£ 4,889.08", "4889.08"),
        (" 5,150.00 ", "5150.00"),
        ("GBP 100", "100.00"),
        ("gbp100", "100.00"),
        ("100 GBP", "100.00"),
        ("100.5", "100.50"),
        ("£0", "0.00"),
        ("£.50", "0.50"),
        ("£1,000,000,000.00", "1000000000.00"),
        ("\u00a3\u00a01,250.00\u00a0", "1250.00"),
        (Decimal("9740.98"), "9740.98"),
        (Decimal("100.5"), "100.50"),
        (Decimal("9.990"), "9.99"),
        (Decimal("-0.00"), "0.00"),
        (9135, "9135.00"),
        (0, "0.00"),
    ],
)
def test_parse_gbp_accepts_messy_real_world_amounts(value: str | int | Decimal, expected: str):
    result = parse_gbp(value)
    assert result == Decimal(expected)
    assert result.as_tuple().exponent == -2
    assert str(result) == expected


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("", "empty", "No amount was given"),
        ("   ", "empty", "No amount was given"),
        (".", "not_a_number", "not an amount of money"),
        ("£", "not_a_number", "not an amount of money"),
        ("nine pounds", "not_a_number", "“nine pounds” is not an amount of money"),
        ("£5k", "not_a_number", "write it in figures"),
        ("-5", "negative", "“-5” is a negative amount"),
        ("£-5", "negative", "“£-5” is a negative amount"),
        ("-£5", "negative", "negative amount"),
        ("\u22125", "negative", "negative amount"),
        ("(5.00)", "negative", "“(5.00)” is a negative amount"),
        ("9.999", "too_many_decimal_places", "“9.999” has more than two decimal places (pence)."),
        ("9,13,5", "misplaced_thousands_separator", "“9,13,5” has misplaced commas"),
        ("91,35", "misplaced_thousands_separator", "“91,35” has misplaced commas"),
        ("9,50", "misplaced_thousands_separator", "pence follow a full stop"),
        ("1.2.3", "multiple_decimal_points", "“1.2.3” has more than one decimal point."),
        ("9..", "multiple_decimal_points", "more than one decimal point"),
        ("NaN", "not_a_number", "“NaN” is not an amount of money"),
        ("Infinity", "not_a_number", "“Infinity” is not an amount of money"),
        ("1e5", "not_a_number", "not an amount of money"),
        ("$100", "wrong_currency", "not in pounds sterling"),
        ("9 135", "not_a_number", "not an amount of money"),
        ("1,000,000,000.01", "too_large", "cannot be over £1,000,000,000.00"),
        ("99999999999999999999999999999999999", "too_large", "too large"),
        ("\u0663", "not_a_number", "not an amount of money"),
        (Decimal("9.999"), "too_many_decimal_places", "more than two decimal places"),
        (Decimal("-5"), "negative", "negative amount"),
        (Decimal("NaN"), "not_a_number", "“NaN” is not an amount of money"),
        (Decimal("Infinity"), "not_a_number", "“Infinity” is not an amount of money"),
        (Decimal("1E+100"), "too_large", "too large"),
        (-5, "negative", "negative amount"),
        (10**12, "too_large", "too large"),
    ],
)
def test_parse_gbp_rejects_bad_amounts_with_clear_message(
    value: str | int | Decimal, code: str, fragment: str
):
    with pytest.raises(MoneyError) as excinfo:
        parse_gbp(value)
    assert excinfo.value.code == code
    assert fragment in _message(excinfo.value)


def test_parse_gbp_rejects_floats():
    with pytest.raises(TypeError, match="must not be a float"):
        parse_gbp(9.99)  # type: ignore[arg-type]


def test_parse_gbp_rejects_bools():
    with pytest.raises(TypeError, match="bool"):
        parse_gbp(True)


def test_parse_gbp_rejects_none_as_empty():
    with pytest.raises(MoneyError) as excinfo:
        parse_gbp(None)  # type: ignore[arg-type]
    assert excinfo.value.code == "empty"


def test_parse_gbp_error_is_a_django_validation_error():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        parse_gbp("nine pounds")


def test_parse_gbp_shortens_huge_input_in_message():
    with pytest.raises(MoneyError) as excinfo:
        parse_gbp("x" * 10_000)
    assert len(_message(excinfo.value)) < 200


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("9740.98"), "£9,740.98"),
        (Decimal("0"), "£0.00"),
        (Decimal("0.00"), "£0.00"),
        (Decimal("-0.00"), "£0.00"),
        (Decimal("1000000"), "£1,000,000.00"),
        (Decimal("100.5"), "£100.50"),
        (Decimal("0.005"), "£0.01"),
        (Decimal("-5"), "-£5.00"),
        (Decimal("1E+30"), "£1,000,000,000,000,000,000,000,000,000,000.00"),
    ],
)
def test_format_gbp_shows_pounds_and_pence(amount: Decimal, expected: str):
    assert format_gbp(amount) == expected


@pytest.mark.parametrize("amount", [9.99, 5, "5.00"])
def test_format_gbp_accepts_only_decimal(amount: object):
    with pytest.raises(TypeError, match="Decimal"):
        format_gbp(amount)  # type: ignore[arg-type]


def test_format_gbp_rejects_nan():
    with pytest.raises(ValueError, match="cannot show"):
        format_gbp(Decimal("NaN"))


def test_gbp_zero_has_two_places():
    assert str(GBP_ZERO) == "0.00"


@given(two_place_amounts)
def test_parse_gbp_round_trips_format_gbp(amount: Decimal):
    assert parse_gbp(format_gbp(amount)) == amount


@given(two_place_amounts)
def test_parse_gbp_reads_plain_and_grouped_strings(amount: Decimal):
    assert parse_gbp(str(amount)) == amount
    assert parse_gbp(f"£{amount:,}") == amount
    assert parse_gbp(f"£{amount:,}.") == amount


@given(two_place_amounts)
def test_parse_gbp_accepts_decimals_unchanged(amount: Decimal):
    assert parse_gbp(amount) == amount


def _parse_or_money_error(text: str) -> None:
    try:
        result = parse_gbp(text)
    except MoneyError as error:
        messages = error.messages
    else:
        assert result.as_tuple().exponent == -2
        assert GBP_ZERO <= result <= GBP_MAX
        return
    # Formatting the message must not fail either, whatever the input was.
    assert messages[0]


@given(st.text())
def test_parse_gbp_only_raises_money_error_on_any_text(text: str):
    _parse_or_money_error(text)


@given(st.text(alphabet="0123456789,.£-\u2212() GBPgbp$\u00a0", max_size=20))
def test_parse_gbp_only_raises_money_error_on_money_like_text(text: str):
    _parse_or_money_error(text)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("38277.06"), "38277.06"),
        (Decimal("16"), "16.00"),
        (Decimal("-16.00"), "-16.00"),
        (Decimal("-0.00"), "0.00"),
        (Decimal("0.005"), "0.01"),
        (None, None),
    ],
)
def test_plain_pounds_for_files_and_json(amount, expected):
    assert plain_pounds(amount) == expected


@given(st.decimals(min_value=0, max_value=GBP_MAX, places=2))
def test_plain_pounds_reads_back_exactly(amount: Decimal):
    assert parse_gbp(plain_pounds(amount)) == amount
