import datetime as dt

import pytest

from carthandout.errors import InputError
from carthandout.models import parse_patient


def patient(**fields):
    return parse_patient({"name": "Ana Silva", "infusion_date": "2027-03-05", **fields})


def error_line(**fields) -> str:
    with pytest.raises(InputError) as caught:
        patient(**fields)
    return caught.value.line(show_values=True)


def test_valid_patient_is_normalised():
    p = patient(name="  Ana   Silva ", caregiver="Luis", weight_kg="72.5")
    assert p.name == "Ana Silva"
    assert p.infusion_date == dt.date(2027, 3, 5)
    assert p.weight_kg == 72.5


def test_yaml_date_object_is_accepted():
    assert patient(infusion_date=dt.date(2027, 3, 5)).infusion_date == dt.date(2027, 3, 5)


@pytest.mark.parametrize("fields, expected", [
    ({"infusion_date": "2027-02-30"}, "infusion_date: 2027-02-30 is not a real date"),
    ({"infusion_date": "03/05/2027"}, "infusion_date: 03/05/2027 is not a date in the form YYYY-MM-DD (day and month"),
    ({"infusion_date": "5.3.27"}, "infusion_date: 5.3.27 is not a date in the form YYYY-MM-DD (day and month"),
    ({"infusion_date": "March 5"}, "infusion_date: March 5 is not a date in the form YYYY-MM-DD"),
    ({"infusion_date": ""}, "infusion_date: is required"),
    ({"name": ""}, "name: is required"),
    ({"name": False}, "name: must be text, got true/false"),  # YAML 1.1: `no` -> False
    ({"mrn": 83}, "mrn: must be text, got int"),  # YAML 1.1: 0123 -> 83
    ({"weight_kg": "heavy"}, "weight_kg: heavy is not a number"),
    ({"date_of_birth": "1960-13-01"}, "date_of_birth: 1960-13-01 is not a real date"),
    ({"favourite_color": "blue"}, "favourite_color: unknown patient field"),
    ({"caregiver_phone": 2175550123}, "caregiver_phone: must be quoted text"),
])
def test_bad_fields_name_the_field(fields, expected):
    assert error_line(**fields).startswith(expected)


def test_values_hidden_unless_asked():
    with pytest.raises(InputError) as caught:
        patient(infusion_date="2027-02-30")
    assert "2027-02-30" not in caught.value.line()
    assert caught.value.line().startswith("infusion_date:")
