"""The placeholder names content packs may use, and the tokens the layout fills in labels."""
from __future__ import annotations

from carthandout.schedule import SCHEDULE_DATE_NAMES

PATIENT_PLACEHOLDERS = ("name", "caregiver", "caregiver_phone", "mrn", "physician", "date_of_birth", "infusion_date")
CLINIC_PLACEHOLDERS = ("name", "phone", "phone_24h", "address")
POLICY_PLACEHOLDERS = (
    "daily_monitoring_period", "monitoring_period", "close_watch_after_daily_checks", "stay_near_period",
    "no_driving_period", "caregiver_period", "manufacturing_period", "stay_near_travel_hours", "fever_threshold", "fever_threshold_f", "fever_threshold_c",
    "live_vaccine_period", "conditioning_day_count", "conditioning_period", "stay_near_travel_time",
)
KNOWN_PLACEHOLDERS: frozenset[str] = frozenset(
    [f"patient.{n}" for n in PATIENT_PLACEHOLDERS]
    + [f"clinic.{n}" for n in CLINIC_PLACEHOLDERS]
    + [f"dates.{n}" for n in SCHEDULE_DATE_NAMES]
    + [f"policy.{n}" for n in POLICY_PLACEHOLDERS]
)
# Values a patient's papers may leave empty: text using one is printed only under ``when:`` it is
# filled (optional patient fields, the clinic's address; the close watch's extra time, empty when
# it ends with the daily checks; the travel time, which a profile's sources may not give).
MAY_BE_EMPTY: frozenset[str] = frozenset(
    [f"patient.{n}" for n in ("caregiver", "caregiver_phone", "mrn", "physician", "date_of_birth")] + ["clinic.address"]
    + [f"policy.{n}" for n in ("close_watch_after_daily_checks", "stay_near_travel_hours", "stay_near_travel_time")]
)
# Values empty together: a text guarded by one may use the other (the travel time in hours and in words).
EMPTY_TOGETHER: tuple[frozenset[str], ...] = (frozenset({"policy.stay_near_travel_hours", "policy.stay_near_travel_time"}),)
# Tokens without a namespace are filled by the layout itself (page numbers, versions, units).
LAYOUT_TOKENS = frozenset({"page", "pages", "version", "reviewed", "mrn", "low", "high", "fahrenheit", "celsius"}
                          # the checklist: chemotherapy day number, the staff dose line
                          | {"day", "weight", "dose", "dose_per_kg", "weight_dose"}
                          # the calendar: a month's name, the marks a day's cell leaves to the list
                          | {"month", "count"})
