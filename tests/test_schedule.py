import datetime as dt

import pytest

from carthandout.policy import load_policy, with_overrides
from carthandout.schedule import compute_schedule

D = dt.date


@pytest.fixture(params=["source-document", "us-label-2025"])
def policy(request):
    return load_policy(request.param)


def test_conditioning_days_are_the_three_days_before_infusion(policy):
    schedule = compute_schedule(D(2027, 3, 2), policy)
    assert schedule.conditioning == (D(2027, 2, 25), D(2027, 2, 26), D(2027, 2, 27))
    assert schedule.named_dates()["conditioning_day_2"] == D(2027, 2, 26)


def test_source_document_periods():
    schedule = compute_schedule(D(2027, 1, 10), load_policy("source-document"))
    assert schedule.daily_monitoring_until == D(2027, 1, 17)  # 7 days
    assert schedule.stay_near_until == D(2027, 2, 7)  # 4 weeks
    assert schedule.no_driving_until == D(2027, 3, 7)  # 8 weeks
    assert schedule.caregiver_until == D(2027, 2, 9)  # 30 days


def test_label_2025_periods():
    schedule = compute_schedule(D(2027, 1, 10), load_policy("us-label-2025"))
    assert schedule.monitoring_until == D(2027, 1, 24)  # 2 weeks
    assert schedule.stay_near_until == D(2027, 1, 24)
    assert schedule.no_driving_until == D(2027, 1, 24)


@pytest.mark.parametrize("infusion, conditioning_start, no_driving", [
    (D(2027, 1, 2), D(2026, 12, 28), D(2027, 2, 27)),  # conditioning crosses the year end
    (D(2028, 3, 2), D(2028, 2, 26), D(2028, 4, 27)),  # leap year: Feb 29 counted
    (D(2027, 3, 2), D(2027, 2, 25), D(2027, 4, 27)),  # not a leap year
    (D(2028, 2, 29), D(2028, 2, 24), D(2028, 4, 25)),  # infusion on a leap day
    (D(2027, 12, 31), D(2027, 12, 26), D(2028, 2, 25)),  # monitoring crosses the year end
])
def test_dates_across_month_year_and_leap_day(infusion, conditioning_start, no_driving):
    schedule = compute_schedule(infusion, load_policy("source-document"))
    assert schedule.conditioning_start == conditioning_start
    assert schedule.no_driving_until == no_driving
    assert schedule.conditioning_end == infusion - dt.timedelta(days=3)


def test_clinic_override_changes_one_value():
    policy = with_overrides(load_policy("us-label-2025"), {"caregiver_days": 28})
    schedule = compute_schedule(D(2027, 1, 31), policy)
    assert schedule.caregiver_until == D(2027, 2, 28)
    assert schedule.no_driving_until == D(2027, 2, 14)
    assert "caregiver_days" in policy.title


@pytest.mark.parametrize("days, named", [([-4, -3], {2: D(2027, 1, 7)}), ([-5, -4, -3], {2: D(2027, 1, 6), 3: D(2027, 1, 7)}),
                                         ([-3], {})])
def test_every_chemo_day_after_the_first_has_a_name_the_last_one_too(days, named):
    """A two-day regimen's second day had no name (only days between the first and the last had),
    so a checklist item on dates.conditioning_day_2 was refused for a policy that has a day 2."""
    schedule = compute_schedule(D(2027, 1, 10), with_overrides(load_policy("source-document"), {"conditioning_days": days}))
    dates = schedule.named_dates()
    assert {int(name.rsplit("_", 1)[1]): day for name, day in dates.items() if name.startswith("conditioning_day_")} == named
    assert dates["conditioning_end"] == D(2027, 1, 7)
