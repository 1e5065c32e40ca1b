import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from backoffice.identity import mask_id_number, normalise_id_number, validate_id_number


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_r30_reference_vectors_are_valid(number):
    assert validate_id_number(number) == number


def test_r30_lower_case_x_is_normalised():
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


def test_r30_full_width_digits_are_normalised():
    assert normalise_id_number("４４０５２４１８８００１０１００１４") == "440524188001010014"
    assert validate_id_number(" ４４０５２４１８８００１０１００１４ ") == "440524188001010014"


@pytest.mark.parametrize("number,code", [
    ("110105194912310021", "id_check_digit"),
    ("11010519491231002", "id_length"),
    ("11010519491231002X1", "id_length"),
    ("1101051949123100AX", "id_format"),
    ("110105194902300028", "id_birth_date"),  # 30 February
])
def test_r30_invalid_numbers_are_refused_with_a_code(number, code):
    with pytest.raises(ValidationError) as err:
        validate_id_number(number)
    assert err.value.code == code


def test_r30_birth_date_in_the_future_is_refused():
    from backoffice.demo import make_id_number

    tomorrow = dt.date.today() + dt.timedelta(days=2)
    with pytest.raises(ValidationError) as err:
        validate_id_number(make_id_number("360121", tomorrow, 1))
    assert err.value.code == "id_birth_future"


def test_r30_masking_keeps_first_six_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("") == ""


@pytest.mark.parametrize("number", ["1101051949123100²X", "110105194912310٠2X", "11010519491231002²"])
def test_r30_digits_other_than_ascii_are_refused_not_crashing(number):
    with pytest.raises(ValidationError) as exc:
        validate_id_number(number)
    assert exc.value.code == "id_format"


def test_r30_check_character_by_base_13_equals_the_weighted_sum_of_gb11643():
    import random

    from backoffice.identity import CHECK_CHARS, WEIGHTS, check_char

    rng = random.Random(11643)
    for first17 in ["11010519491231002", "00000000000000000", "99999999999999999"] + [
            "".join(rng.choice("0123456789") for _ in range(17)) for _n in range(20_000)]:
        assert check_char(first17) == CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS)) % 11]
    assert check_char("11010519491231002") == "X"  # the standard's own example
