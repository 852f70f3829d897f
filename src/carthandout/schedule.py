"""The patient's milestone dates, computed from the infusion date and the policy (pure)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from carthandout.policy import Policy


@dataclass(frozen=True)
class Schedule:
    conditioning: tuple[dt.date, ...]
    infusion: dt.date
    daily_monitoring_until: dt.date
    monitoring_until: dt.date
    stay_near_until: dt.date
    no_driving_until: dt.date
    caregiver_until: dt.date

    @property
    def conditioning_start(self) -> dt.date:
        return self.conditioning[0]

    @property
    def conditioning_end(self) -> dt.date:
        return self.conditioning[-1]

    def named_dates(self) -> dict[str, dt.date]:
        """Every milestone by its placeholder name (``dates.<name>``)."""
        named = {
            "conditioning_start": self.conditioning_start,
            "conditioning_end": self.conditioning_end,
            "infusion": self.infusion,
            "daily_monitoring_until": self.daily_monitoring_until,
            "monitoring_until": self.monitoring_until,
            "stay_near_until": self.stay_near_until,
            "no_driving_until": self.no_driving_until,
            "caregiver_until": self.caregiver_until,
        }
        for index, day in enumerate(self.conditioning[1:], start=2):  # the last day too: day 2 of 2 is day 2
            named[f"conditioning_day_{index}"] = day
        return named


def compute_schedule(infusion: dt.date, policy: Policy) -> Schedule:
    """Day 0 is the infusion; a period of N days ends N days later (day N)."""
    def day(offset: int) -> dt.date:
        return infusion + dt.timedelta(days=offset)

    return Schedule(
        conditioning=tuple(day(offset) for offset in policy.conditioning_days),
        infusion=infusion,
        daily_monitoring_until=day(policy.daily_monitoring_days),
        monitoring_until=day(policy.monitoring_days),
        stay_near_until=day(policy.stay_near_days),
        no_driving_until=day(policy.no_driving_days),
        caregiver_until=day(policy.caregiver_days),
    )


def today() -> dt.date:
    """The day of the run (a function: tests fix it)."""
    return dt.date.today()


def infusion_date_doubt(schedule: Schedule, on: dt.date | None = None) -> str | None:
    """Why the infusion date is worth a second look on day ``on`` (today), or None. Not an error:
    papers are reprinted after the fact, for a record; but 2026 typed for 2027 gives a whole set
    of plausible dates, every one of them wrong."""
    on = on or today()
    if max(schedule.named_dates().values()) < on:
        return "every date these papers give has passed; check the year"
    # An infusion is planned weeks ahead: one more than a year away is likely a year typed wrong.
    if schedule.infusion > _a_year_after(on):
        return "more than a year away; check the year"
    return None


def _a_year_after(day: dt.date) -> dt.date:
    """The same date next year (February 29 gives March 1)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return dt.date(day.year + 1, 3, 1)


# Content names every chemotherapy day at once with this (one row or mark a day, numbered {day}).
ALL_CONDITIONING_DAYS = "conditioning"

SCHEDULE_DATE_NAMES = (
    "conditioning_start", "conditioning_day_2", "conditioning_end", "infusion", "daily_monitoring_until",
    "monitoring_until", "stay_near_until", "no_driving_until", "caregiver_until",
)
