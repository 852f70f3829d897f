"""Policy profiles: every duration and threshold the documents state, with its source."""
from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from typing import Any, Collection, Mapping

from carthandout.errors import CarthandoutError, ContentError, raise_together
from carthandout.models import Clinic, closest_name, number_as_text, unknown_keys
from carthandout.resources import package_dir, read_yaml_text


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    source: str
    date: str
    conditioning_days: tuple[int, ...]
    manufacturing_days_min: int
    manufacturing_days_max: int
    daily_monitoring_days: int
    monitoring_days: int
    stay_near_days: int
    stay_near_travel_hours: int | None  # None: the profile's sources give no travel time (``OPTIONAL_VALUES``)
    no_driving_days: int
    caregiver_days: int
    fever_threshold_f: float
    fever_threshold_c: float
    live_vaccine_weeks: int
    dose_cells_per_kg: int  # the label's target dose: CAR-positive viable T cells per kg body weight
    dose_max_cells: int  # the label's maximum dose in CAR-positive viable T cells


_META = ("name", "title", "source", "date")
VALUE_NAMES = tuple(f.name for f in fields(Policy) if f.name not in _META)
# Values a profile may leave unset (null) where its sources do not give them: the papers then say
# nothing of them (the June 2025 label's "close to a healthcare facility", with no hours of travel).
OPTIONAL_VALUES = ("stay_near_travel_hours",)
_CELL_COUNTS = {"dose_cells_per_kg", "dose_max_cells"}


CURRENT_LABEL_POLICY = "us-label-2025"  # the profile of the US label as it stands now
# the periods the label sets as a minimum ("at least 2 weeks"): one shorter tells a patient less than it
LABEL_MINIMUM_PERIODS = ("daily_monitoring_days", "monitoring_days", "stay_near_days", "no_driving_days")

# a threshold for fever, not any body temperature: 104 °F or 95 °F was printed as the one to call at
FEVER_RANGES = {"fever_threshold_f": (99.0, 102.2), "fever_threshold_c": (37.2, 39.0)}
MAX_PERIOD = {"stay_near_travel_hours": 24, "live_vaccine_weeks": 52}


def _celsius(fahrenheit: float) -> float:
    return round((fahrenheit - 32) * 5 / 9, 1)


def _fahrenheit(celsius: float) -> float:
    return round(celsius * 9 / 5 + 32, 1)


# Days before the infusion. The chemotherapy makes room for the cells in the days just before
# them (days -5 to -3); an earlier day is a typo: [-5, -4, -30] moved day 1 and every test's due
# date four weeks early, and [-365 ... -1] printed a 39-page checklist.
MAX_CONDITIONING_LEAD = 14


def _check_value(name: str, value: Any, where: str) -> Any:
    if value is None and name in OPTIONAL_VALUES:
        return None
    if name != "conditioning_days" and isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        # the docs tell clinics to quote what looks like a number
        raise ContentError(f"{where}: {name} {number_as_text(value)}")
    if name == "conditioning_days":
        ok = isinstance(value, (list, tuple)) and value and all(
            isinstance(d, int) and not isinstance(d, bool) and -MAX_CONDITIONING_LEAD <= d < 0 for d in value)
        if not ok:
            raise ContentError(f"{where}: conditioning_days must be a list of negative day numbers from "
                               f"-{MAX_CONDITIONING_LEAD} to -1, such as [-5, -4, -3]")
        if len(set(value)) != len(value):  # [-5, -5, -3] printed "day 1" and "day 2" on one date
            raise ContentError(f"{where}: conditioning_days names a day twice")
        return tuple(sorted(value))
    if name.startswith("fever_threshold"):
        low, high = FEVER_RANGES[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
            raise ContentError(f"{where}: {name} must be a fever threshold from {low} to {high}")
        if round(value, 1) != value:  # 38.05 °C printed as such: no home thermometer shows it
            raise ContentError(f"{where}: {name} must have at most one decimal, as a thermometer shows it")
        return float(value)
    if name in _CELL_COUNTS:
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ContentError(f"{where}: {name} must be a whole, positive number of cells (such as 2000000)")
        return value
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PERIOD.get(name, 365):
        unit = "hours" if "hours" in name else "weeks" if "weeks" in name else "days"
        raise ContentError(f"{where}: {name} must be a whole number of {unit} from 1 to {MAX_PERIOD.get(name, 365)}")
    return value


_NUMBER = re.compile(r"[-+]?[0-9]+(\.[0-9]+)?")  # as typed on a keyboard: other digits stay text


def policy_from_mapping(raw: Any, where: str) -> Policy:
    if not isinstance(raw, Mapping):
        raise ContentError(f"{where}: must be a mapping")
    for key in _META:
        if not isinstance(raw.get(key), str) or not raw[key]:
            raise ContentError(f"{where}: {key} is required (quoted text)")
    values = raw.get("values")
    if not isinstance(values, Mapping):
        raise ContentError(f"{where}: values is required")
    missing = [n for n in VALUE_NAMES if n not in values]
    unknown = unknown_keys(values, VALUE_NAMES)
    if missing or unknown:
        raise ContentError(f"{where}: " + (f"missing value {missing[0]}" if missing else f"unknown value {unknown[0]}"))
    checked = {n: _check_value(n, values[n], where) for n in VALUE_NAMES}
    policy = Policy(**{k: raw[k] for k in _META}, **checked)
    return _check_consistency(policy, where)


# Celsius rounded to one decimal, and no further: 100.4 °F printed beside 38.1 °C (100.6 °F) passed.
SAME_TEMPERATURE_WITHIN = 0.051


def _check_consistency(policy: Policy, where: str) -> Policy:
    raise_together(_consistency_problems(policy, where))
    return policy


def _consistency_problems(policy: Policy, where: str, unread: Collection[str] = ()) -> list[CarthandoutError]:
    """Values that contradict each other; none about a value in ``unread`` (an override that did
    not read, compared as the profile's value, is not what the clinic meant)."""
    rules = (
        (("manufacturing_days_min", "manufacturing_days_max"),
         policy.manufacturing_days_min > policy.manufacturing_days_max,
         "manufacturing_days_min is above manufacturing_days_max"),
        (("fever_threshold_f", "fever_threshold_c"),
         abs(_celsius(policy.fever_threshold_f) - policy.fever_threshold_c) > SAME_TEMPERATURE_WITHIN,
         f"fever_threshold_f and fever_threshold_c are not the same temperature "
         f"({policy.fever_threshold_f:g} °F is {_celsius(policy.fever_threshold_f):.1f} °C)"),
        (("daily_monitoring_days", "monitoring_days"), policy.daily_monitoring_days > policy.monitoring_days,
         "daily_monitoring_days is above monitoring_days"),
        # "stay near until the 8th", "watched closely until the 19th"
        (("stay_near_days", "monitoring_days"), policy.stay_near_days < policy.monitoring_days,
         "stay_near_days is below monitoring_days (the team watches the patient closely until then, so the "
         "patient stays near the center at least as long)"),
    )
    return [ContentError(f"{where}: {message}") for names, broken, message in rules
            if broken and not set(names) & set(unread)]


def policy_record(clinic: Clinic) -> str:
    """The policy the clinic's papers are made under, for the manifest (the record of the education
    given): "us-label-2025", or "us-label-2025; caregiver_days=28" with the clinic's overrides."""
    overrides = sorted(clinic.policy_overrides)
    return "; ".join([clinic.policy, *(f"{key}={_recorded(value)}" for key, value in overrides)])


def _recorded(value: Any) -> str:
    return " ".join(str(item) for item in value) if isinstance(value, (list, tuple)) else str(value)


def shorter_than_label(policy: Policy) -> list[tuple[str, int, int]]:
    """The label's minimum periods that ``policy`` sets shorter: (name, its value, the label's)."""
    label = load_policy(CURRENT_LABEL_POLICY)
    return [(name, getattr(policy, name), getattr(label, name)) for name in LABEL_MINIMUM_PERIODS
            if getattr(policy, name) < getattr(label, name)]


def available_policies() -> list[str]:
    return sorted(p.name[:-5] for p in package_dir("policies").iterdir() if p.name.endswith(".yaml"))


@lru_cache(maxsize=None)
def load_policy(name: str) -> Policy:
    if name not in available_policies():
        meant = closest_name(name, available_policies())
        raise ContentError(f"clinic.policy: unknown policy profile {name!r} ({f'did you mean {meant}? ' if meant else ''}"
                           f"available: {', '.join(available_policies())})")
    where = f"policies/{name}.yaml"
    raw = read_yaml_text((package_dir("policies") / f"{name}.yaml").read_text(encoding="utf-8"), where)
    policy = policy_from_mapping(raw, where)
    if policy.name != name:
        raise ContentError(f"{where}: name must be {name!r}")
    return policy


DOSE_OVERRIDE_FACTOR = 10  # a dose override within this factor of the profile's: a guard against a typo


def _check_near_profile(name: str, value: int, profile_value: int) -> None:
    """A clinic's dose differs from the label's by at most an order of magnitude: ``1`` printed
    "Target dose: 1 × 10⁰", and a digit too many or too few is ten times the dose."""
    low, high = profile_value // DOSE_OVERRIDE_FACTOR, profile_value * DOSE_OVERRIDE_FACTOR
    if not low <= value <= high:
        raise ContentError(f"clinic.overrides.{name}: {value} is more than {DOSE_OVERRIDE_FACTOR} times away from "
                           f"the profile's {profile_value} (from {low} to {high}); check the digits")


def _value_meant(key: str) -> str:
    """"did you mean monitoring_days?" for a misspelt policy value, else every name it could be."""
    meant = closest_name(key.lower(), VALUE_NAMES)
    return f"did you mean {meant}?" if meant else f"known: {', '.join(VALUE_NAMES)}"


def with_overrides(policy: Policy, overrides: Mapping[str, Any]) -> Policy:
    """Apply a clinic's single-value overrides; the result names both sources."""
    if not overrides:
        return policy
    problems: list[CarthandoutError] = [
        ContentError(f"clinic.overrides.{key}: unknown policy value ({_value_meant(key)})")
        for key in overrides if key not in VALUE_NAMES]
    checked = {}
    for key, value in overrides.items():
        if key in VALUE_NAMES:
            try:
                checked[key] = _check_value(key, value, f"clinic.overrides.{key}")
            except ContentError as error:  # every override's problem at once, not one a run
                problems.append(error)
    for name in sorted(_CELL_COUNTS & set(checked)):
        try:
            _check_near_profile(name, checked[name], getattr(policy, name))
        except ContentError as error:
            problems.append(error)
    # One scale overridden: the other follows, so the papers never print two different thresholds.
    if "fever_threshold_f" in checked and "fever_threshold_c" not in checked:
        checked["fever_threshold_c"] = _celsius(checked["fever_threshold_f"])
    if "fever_threshold_c" in checked and "fever_threshold_f" not in checked:
        checked["fever_threshold_f"] = _fahrenheit(checked["fever_threshold_c"])
    changed = ", ".join(sorted(checked))
    updated = replace(policy, **checked, title=f"{policy.title}, with clinic overrides ({changed})")
    # beside the others' problems, not after they are mended; a misspelt name counts as the one meant
    unread = {closest_name(key.lower(), VALUE_NAMES) or key for key in overrides} - set(checked)
    raise_together(problems + _consistency_problems(updated, "clinic.overrides", unread))
    return updated
