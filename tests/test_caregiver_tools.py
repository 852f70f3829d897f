"""The caregiver's tools: temperature log, caregiver guide and calendar, read back from the PDFs."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pypdf
import pytest
import yaml
from babel.dates import format_date

from carthandout.content import load_pack, parse_pack
from carthandout.documents import DEFAULT_DOCUMENTS, DOCUMENTS
from carthandout.inputs import EXAMPLE_CLINIC, EXAMPLE_PATIENT, example_path
from carthandout.policy import load_policy
from conftest import page_texts, pdf_text, run_cli

INFUSION = dt.date(2027, 3, 5)  # the example patient's infusion date
TOOLS = ("temperature-log", "caregiver-guide", "calendar")
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# A table row's date cell: the date, then its weekday on the next line.
DATE_CELL = re.compile(rf"([A-Z][a-z]+ \d{{1,2}}, \d{{4}})\n({WEEKDAYS})")
# (policy profile, clinic overrides): both profiles, and a clinic's own caregiver period and threshold.
PROFILES = [
    ("source-document", {}),
    ("us-label-2025", {}),
    ("us-label-2025", {"caregiver_days": 21, "fever_threshold_f": 100.0, "fever_threshold_c": 37.8}),
]


def long_date(day: dt.date) -> str:
    return format_date(day, "long", locale="en_US")


def clinic_file(tmp_path: Path, policy: str, overrides: dict) -> Path:
    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.update(policy=policy, overrides=overrides, logo=str(example_path(EXAMPLE_CLINIC).parent / raw["logo"]))
    path = tmp_path / f"clinic-{policy}-{len(overrides)}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def policy_value(policy: str, overrides: dict, name: str):
    return overrides.get(name, getattr(load_policy(policy), name))


@pytest.fixture(scope="module", params=PROFILES, ids=["source-document", "us-label-2025", "clinic-override"])
def rendered(request, tmp_path_factory) -> tuple[Path, str, dict]:
    policy, overrides = request.param
    tmp_path = tmp_path_factory.mktemp("tools")
    out = tmp_path / "out"
    args = ["generate", "--patient", example_path(EXAMPLE_PATIENT), "--clinic", clinic_file(tmp_path, policy, overrides),
            "-o", out]
    for doc in TOOLS:
        args += ["--doc", doc]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    return out, policy, overrides


def table_dates(path: Path) -> list[dt.date]:
    """The dates of the table rows (date cells: a date with its weekday below), checking each weekday."""
    found = []
    for text in page_texts(path):
        for date_text, weekday in DATE_CELL.findall(text):
            day = dt.datetime.strptime(date_text, "%B %d, %Y").date()
            assert weekday == format_date(day, "EEEE", locale="en_US")
            found.append(day)
    return found


def caregiver_period(policy: str, overrides: dict) -> list[dt.date]:
    days = policy_value(policy, overrides, "caregiver_days")
    return [INFUSION + dt.timedelta(days=offset) for offset in range(days + 1)]


def test_log_rows_cover_exactly_the_caregiver_period(rendered):
    out, policy, overrides = rendered
    rows = table_dates(out / "temperature-log.pdf")
    expected = caregiver_period(policy, overrides)
    assert rows[0] == INFUSION
    assert rows[-1] == INFUSION + dt.timedelta(days=policy_value(policy, overrides, "caregiver_days"))
    assert rows == expected  # one row a day, none missing, none repeated


def test_log_prints_the_threshold_in_f_and_c_with_the_24_hour_number(rendered):
    out, policy, overrides = rendered
    fahrenheit = f"{policy_value(policy, overrides, 'fever_threshold_f'):g} °F"
    celsius = f"{policy_value(policy, overrides, 'fever_threshold_c'):g} °C"
    pages = [" ".join(text.split()) for text in page_texts(out / "temperature-log.pdf")]
    assert f"Call right away for a fever of {fahrenheit} ({celsius}) or higher" in pages[0]
    assert "(217) 555-0199" in pages[0]
    # The threshold repeats in the table header on every page.
    assert all(fahrenheit in text and celsius in text for text in pages)


def test_log_header_repeats_on_every_page(rendered):
    out, _, _ = rendered
    texts = page_texts(out / "temperature-log.pdf")
    assert len(texts) > 1
    for text in texts:
        for label in ("Date", "Temperature", "Morning", "Evening", "Symptoms", "Who was"):
            assert label in text


def test_guide_has_warning_signs_what_to_do_and_a_handwriting_box_a_day(rendered):
    out, policy, overrides = rendered
    path = out / "caregiver-guide.pdf"
    text = pdf_text(path)
    pack = load_pack("caregiver-guide", "en")
    signs = next(s for s in pack.data["sections"] if s["id"] == "brain-and-nerve-signs")["blocks"][1]["bullets"]
    for sign in signs:
        assert sign in text
    assert "Call (217) 555-0199 right away, day or night" in text
    assert "Say that Rosa María Delgado had CAR T-cell therapy." in text
    assert table_dates(path) == caregiver_period(policy, overrides)
    sentence = pack.labels["handwriting_sentence"]
    pages_with_boxes = [t for t in page_texts(path) if DATE_CELL.search(t)]
    assert all(sentence in " ".join(t.split()) for t in pages_with_boxes)


def calendar_marks(path: Path) -> dict[dt.date, str]:
    """Each grid day's words: the text after the day number until the next number, per month grid."""
    month_title = re.compile(r"^([A-Z][a-z]+) (\d{4})$")
    marks: dict[dt.date, str] = {}
    for text in page_texts(path):
        month = day = None
        for line in text.splitlines():
            line = line.strip()
            if month_title.match(line):
                month = dt.datetime.strptime(line, "%B %Y").date()
                day = None
            elif month and line.isdigit():
                day = month.replace(day=int(line))
            elif month and day and not line.startswith("Your dates"):
                marks[day] = f"{marks.get(day, '')} {line}".strip()
            elif line.startswith("Your dates"):
                month = day = None
    return marks


def test_calendar_marks_each_milestone_on_its_day(rendered):
    out, policy, overrides = rendered
    value = lambda name: policy_value(policy, overrides, name)  # noqa: E731
    expected_days = {
        "conditioning": [INFUSION + dt.timedelta(days=offset) for offset in value("conditioning_days")],
        "infusion": [INFUSION],
        "daily_monitoring_until": [INFUSION + dt.timedelta(days=value("daily_monitoring_days"))],
        "monitoring_until": [INFUSION + dt.timedelta(days=value("monitoring_days"))],
        "stay_near_until": [INFUSION + dt.timedelta(days=value("stay_near_days"))],
        "no_driving_until": [INFUSION + dt.timedelta(days=value("no_driving_days"))],
        "caregiver_until": [INFUSION + dt.timedelta(days=value("caregiver_days"))],
    }
    marks = calendar_marks(out / "calendar.pdf")
    pack_marks = load_pack("calendar", "en").data["milestones"]["marks"]
    assert {mark["date"] for mark in pack_marks} == set(expected_days)
    # the daily checks and the close watch ending together are one mark
    apart = value("monitoring_days") > value("daily_monitoring_days")
    condition = "policy.close_watch_after_daily_checks"
    pack_marks = [mark for mark in pack_marks
                  if (mark.get("when") != condition or apart) and (mark.get("unless") != condition or not apart)]
    expected_words: dict[dt.date, list[str]] = {}
    for mark in pack_marks:
        for day in expected_days[mark["date"]]:
            expected_words.setdefault(day, []).append(mark["short"])
    for day, words in expected_words.items():
        for word in words:
            assert word in marks.get(day, ""), f"{word!r} is not marked on {day}"
    # Every other day of every month shown carries no words.
    assert {day for day, words in marks.items() if words} == set(expected_words)
    # Each marked day is listed in full under its month.
    text = pdf_text(out / "calendar.pdf")
    for day in expected_words:
        assert long_date(day) in text


def test_several_marks_on_one_day_stand_apart_in_its_cell(tmp_path):
    """Two milestones on March 12 read as one phrase, "Daily checks end Close watch ends": each
    now has a bullet in the cell; a day with one mark has none."""
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--doc", "calendar", "--clinic",
                     clinic_file(tmp_path, "us-label-2025", {}), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    marks = calendar_marks(tmp_path / "out/calendar.pdf")
    assert marks[dt.date(2027, 3, 19)].replace("\xa0", " ") == (
        "• Close watch ends • Still stay near • Still no driving • Still with caregiver")
    assert marks[dt.date(2027, 3, 12)] == "Daily checks end" and marks[dt.date(2027, 3, 5)] == "Infusion"


def test_the_daily_checks_and_close_watch_ending_together_are_one_milestone(tmp_path):
    """The source document's 7 and 7 days gave March 12 two marks and the timeline two rows, "Daily
    checks end" and "Close watch ends": read as two events."""
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--doc", "calendar",
                     "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert calendar_marks(tmp_path / "calendar.pdf")[dt.date(2027, 3, 12)] == "Checks end"
    handout = " ".join(pdf_text(tmp_path / "handout.pdf").split())
    assert ("March 12, 2027 Friday Daily checks and close watch end Daily checks and close watch go on at least "
            "through this date.") in handout
    assert "Daily checks end" not in handout and "Close watch ends" not in handout


def test_each_month_keeps_its_list_of_dates_on_its_page_in_spanish(tmp_path):
    """Spanish words are longer: March's list broke after two dates ("(continuación)" on the next
    page, beside April's grid) and April's list stood alone on a fourth page. The weeks now give
    up to 40% of their room to write (was 25%) to keep a month's list on its page."""
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--lang", "es", "--doc", "calendar",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "calendar.pdf")]
    assert len(pages) == 3 and not any("continuación" in page for page in pages)
    for page, month in zip(pages, ("febrero", "marzo", "abril")):
        assert f"{month.capitalize()} de 2027" in page and f"Sus fechas en {month} de 2027" in page


def test_calendar_covers_every_month_from_chemo_to_the_last_milestone(rendered):
    out, policy, overrides = rendered
    first = INFUSION + dt.timedelta(days=policy_value(policy, overrides, "conditioning_days")[0])
    last = INFUSION + dt.timedelta(days=max(policy_value(policy, overrides, name) for name in (
        "monitoring_days", "stay_near_days", "no_driving_days", "caregiver_days")))
    text = pdf_text(out / "calendar.pdf")
    month = first.replace(day=1)
    while month <= last:
        assert format_date(month, "MMMM y", locale="en_US") in text
        month = (month + dt.timedelta(days=32)).replace(day=1)
    assert format_date(month, "MMMM y", locale="en_US") not in text


def test_calendar_weeks_start_on_the_locales_first_day(rendered):
    out, _, _ = rendered
    lines = page_texts(out / "calendar.pdf")[0].splitlines()
    title = next(i for i, line in enumerate(lines) if re.fullmatch(r"[A-Z][a-z]+ \d{4}", line.strip()))
    header = [line.strip() for line in lines[title + 1:title + 8]]
    sunday_first = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
    assert header in (sunday_first, [name[:3] for name in sunday_first])  # en_US weeks start on Sunday


def test_tools_are_default_documents_listed_by_docs_and_written_by_generate(tmp_path):
    for doc_id in TOOLS:
        assert doc_id in DEFAULT_DOCUMENTS
    listing = run_cli("docs")
    assert listing.exit_code == 0
    for doc_id in TOOLS:
        assert re.search(rf"^{doc_id}\s+en", listing.output, re.M)
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for doc_id in TOOLS:
        reader = pypdf.PdfReader(tmp_path / f"{doc_id}.pdf")
        assert reader.metadata.title == load_pack(doc_id, "en").title
        assert doc_id in (tmp_path / "manifest.csv").read_text(encoding="utf-8")


@pytest.mark.parametrize("doc_id, edit, problem", [
    ("temperature-log", ('  temperature_call: "Call at {policy.fever_threshold} or higher"\n', ""),
     "labels.temperature_call is missing"),
    ("caregiver-guide", ('  handwriting_sentence: "Today is a good day to take a walk in the sun."\n', ""),
     "labels.handwriting_sentence is missing"),
    ("calendar", ("{date: infusion,", "{date: infusion_day,"), "date must be one of"),
])
def test_validate_names_a_broken_pack(doc_id, edit, problem):
    from carthandout.resources import package_dir
    text = (package_dir("handouts") / "en" / f"{doc_id}.yaml").read_text(encoding="utf-8")
    assert edit[0] in text
    pack = parse_pack(text.replace(edit[0], edit[1]), f"handouts/en/{doc_id}.yaml", doc_id, "en")
    problems = DOCUMENTS[doc_id].validate(pack)
    assert any(problem in line for line in problems), problems
    assert DOCUMENTS[doc_id].validate(load_pack(doc_id, "en")) == []


@pytest.mark.parametrize("fitting, total, kept", [
    (5, 5, 5), (9, 5, 5),  # all fit
    (0, 5, 0), (1, 5, 0),  # one row alone under the header at the page's foot: all move on
    (4, 5, 3),  # one row alone at the top of the next page: one more goes with it
    (3, 5, 3), (2, 5, 2),
    (2, 3, 0),  # no way to keep two on each side: the table moves whole
])
def test_a_table_breaks_with_at_least_two_rows_on_each_side(fitting, total, kept):
    from carthandout.documents.blocks import balanced_break

    assert balanced_break(fitting, total) == kept
    # at the top of a page moving on cannot help: as many rows as fit stay
    assert balanced_break(fitting, total, at_top=True) == (kept or min(fitting, total))


def test_a_data_table_split_keeps_two_rows_on_each_side():
    from reportlab.platypus import Paragraph

    from carthandout.documents.blocks import data_table
    from carthandout.theme import build_theme
    from carthandout.inputs import load_clinic
    from carthandout.pipeline import check_clinic

    theme = build_theme(check_clinic(load_clinic(None)))
    style = theme.style("cell")
    table = data_table([[Paragraph(f"row {n}", style), ""] for n in range(6)], theme, (0.5, 0.5), header=True)
    table.wrap(theme.frame_width, 10_000)
    heights = table._rowHeights  # the header, then five rows

    def rows_after_split(rows_that_fit: int) -> list[int]:
        parts = table.split(theme.frame_width, sum(heights[:1 + rows_that_fit]) + 0.01)
        return [len(part._cellvalues) - 1 for part in parts]

    assert rows_after_split(1) == []  # the whole table moves on
    assert rows_after_split(4) == [3, 2]  # one more row goes with the last
    assert rows_after_split(3) == [3, 2]


@pytest.mark.parametrize("last_lines, kept", [(1, [3, 2]), (30, [4, 1])])
def test_a_tall_last_row_may_stand_alone_at_the_top_of_a_page(last_lines, kept):
    """Large print: a date with four steps, a fifth of a page and more, kept the row before it
    company on the next page, and left the page before them three fifths blank."""
    from types import SimpleNamespace

    from reportlab.platypus import Paragraph

    from carthandout.documents.blocks import data_table
    from carthandout.theme import build_theme
    from carthandout.inputs import load_clinic
    from carthandout.pipeline import check_clinic

    theme = build_theme(check_clinic(load_clinic(None)))
    style = theme.style("cell")
    rows = [[Paragraph(f"row {n}", style), ""] for n in range(5)]
    rows.append([Paragraph("<br/>".join(["step"] * last_lines), style), ""])
    table = data_table(rows, theme, (0.5, 0.5), header=True)
    table.wrap(theme.frame_width, 10_000)
    table._frame = SimpleNamespace(_height=theme.page_size[1] - 2 * theme.margin, _atTop=False)  # as a frame sets it
    heights = table._rowHeights  # the header, then six rows
    parts = table.split(theme.frame_width, sum(heights[:5]) + 0.01)  # the header and four rows fit
    assert [len(part._cellvalues) - 1 for part in parts] == kept


def large_print_us_label_calendar(tmp_path: Path, language: str) -> list[str]:
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--lang", language, "--large-print",
                     "--clinic", clinic_file(tmp_path, "us-label-2025", {}), "--doc", "calendar", "-o", tmp_path / language)
    assert result.exit_code == 0, result.output
    return page_texts(tmp_path / language / "calendar.pdf")


def test_a_large_print_month_with_four_marks_on_one_day_stays_on_one_page(tmp_path):
    """Under the US label four milestones fall on day 14: their words made that week so tall that
    March broke over two pages, its title repeated (read as two calendars). Where it makes the
    month fit, the day's cell keeps its first mark and says how many more (the list under the month
    has them all); in normal print every mark stays."""
    pages = large_print_us_label_calendar(tmp_path, "es")
    grids = [text for text in pages if "\nMarzo de 2027\n" in text]
    assert len(grids) == 1 and "y 3 más" in grids[0] and not any("Marzo de 2027 (continuación)" in text for text in pages)
    normal = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--lang", "es",
                     "--clinic", clinic_file(tmp_path, "us-label-2025", {}), "--doc", "calendar", "-o", tmp_path / "n")
    assert normal.exit_code == 0 and "y 3 más" not in pdf_text(tmp_path / "n" / "calendar.pdf")


def test_a_large_print_month_with_a_crowded_day_fits_one_page_in_english_too(tmp_path):
    """In English the words are longer: even with each day's first mark alone March was taller than
    a page and went on under "March 2027 (continued)". Its cells' padding in large print is now a
    quarter of the type size: the month is whole on one page."""
    pages = large_print_us_label_calendar(tmp_path, "en")
    grids = [text for text in pages if "\nMarch 2027\n" in text]
    assert len(grids) == 1 and "and 3 more" in " ".join(grids[0].split())
    assert not any("\nMarch 2027 (continued)\n" in text for text in pages)


def test_a_six_week_month_with_a_crowded_day_takes_two_pages_not_three(tmp_path):
    """May 2027 (six weeks, four marks on the 12th): its rest after the first page was drawn at
    full height and broke again, "May 2027 (continued)" twice."""
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-04-28", "--large-print",
                     "--clinic", clinic_file(tmp_path, "us-label-2025", {}), "--doc", "calendar", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "out" / "calendar.pdf")
    assert sum("\nMay 2027\n" in text for text in pages) == 1
    assert sum("\nMay 2027 (continued)\n" in text for text in pages) == 1


@pytest.mark.parametrize("date_format, written", [("full", "Wednesday, September 1, 2027"),
                                                  ("EEE d MMM y", "Wed 1 Sep 2027")])  # "Friday" under "Fri 5 Mar 2027"
def test_a_date_format_that_names_the_weekday_is_not_followed_by_it_again(tmp_path, date_format, written):
    """With date_format: full the log's rows read "Wednesday, September 1, 2027" and "Wednesday"."""
    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.update(date_format=date_format, logo=str(example_path(EXAMPLE_CLINIC).parent / raw["logo"]))
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-09-01", "--clinic", clinic,
                     "--doc", "temperature-log", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    lines = "\n".join(page_texts(tmp_path / "out" / "temperature-log.pdf")).splitlines()
    assert written in pdf_text(tmp_path / "out" / "temperature-log.pdf") and "Wednesday" not in lines  # never alone


def test_a_months_short_list_of_dates_stays_on_its_page(tmp_path):
    """Infusion on 2028-02-29: page 4 held "Your dates in April 2028" and one row. April's weeks
    now give up some of their room to write to keep it under the grid."""
    result = run_cli("generate", "--name", "Ana Ruiz", "--infusion-date", "2028-02-29", "--doc", "calendar",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "calendar.pdf")]
    assert len(pages) == 3
    assert "April 2028 Sun Mon" in pages[2] and "Your dates in April 2028 April 25, 2028" in pages[2]


def test_a_six_week_large_print_month_is_whole_on_a_page(tmp_path):
    """Large print, infusion 2027-01-20: January (six weeks, two marks on the 27th) was taller than
    any page and broke over two; with its cells' padding a quarter of the type size it fits one.
    (A month still taller than a page starts under the text before it: May 2027, below.)"""
    result = run_cli("generate", "--name", "Ana Ruiz", "--infusion-date", "2027-01-20", "--large-print",
                     "--doc", "calendar", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "calendar.pdf")]
    january = [text for text in pages if "January 2027 Sun Mon" in text]
    assert len(january) == 1 and "31" in january[0].split("January 2027 Sun Mon", 1)[1]
    assert not any("January 2027 (continued)" in text for text in pages)
    assert len(pages) == 6


@pytest.mark.parametrize("document, language, infusion", [
    ("temperature-log", "en", "2027-12-05"), ("temperature-log", "es", "2027-09-10"),
    ("caregiver-guide", "en", "2027-12-05"), ("caregiver-guide", "es", "2027-03-05"),
])
def test_every_date_of_a_write_in_grid_stands_on_one_line(tmp_path, document, language, infusion):
    """"December 10, 2027" wrapped its year onto a line of its own in the log, and those rows
    stood taller than the others (five pages where four do); "5 de marzo de 2027" did the same
    beside the caregiver guide's handwriting boxes."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", infusion, "--lang", language,
                     "--doc", document, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = {line.strip() for text in page_texts(tmp_path / f"{document}.pdf") for line in text.splitlines()}
    first = dt.date.fromisoformat(infusion)
    for offset in range(30):
        day = first + dt.timedelta(days=offset)
        assert format_date(day, "long", locale="en_US" if language == "en" else "es") in lines


def test_a_months_list_of_dates_split_over_two_pages_says_continued(tmp_path):
    """December's list broke after two of its four dates, and page 2 opened with "Sus fechas en
    diciembre de 2026" again: two lists, each incomplete, the infusion day on the second."""
    clinic = clinic_file(tmp_path, "us-label-2025", {})
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2026-12-31", "--lang", "es", "--clinic", clinic,
                     "--doc", "calendar", "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "o" / "calendar.pdf")]
    first = [number for number, text in enumerate(pages) if "Sus fechas en diciembre de 2026" in text]
    assert len(first) == 2 and "Sus fechas en diciembre de 2026 (continuación)" in pages[first[1]]
    assert "(continuación)" not in pages[first[0]]


def test_a_short_list_is_never_broken_leaving_one_item_alone(tmp_path):
    """Large print on A4: the handwriting check's last instruction ("If the writing looks
    different... call") stood alone at the top of page 3, read as a note of its own."""
    result = run_cli("generate", "--name", "Li Wei", "--infusion-date", "2027-07-15", "--paper", "a4", "--large-print",
                     "--clinic", clinic_file(tmp_path, "us-label-2025", {}), "--doc", "caregiver-guide",
                     "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "out" / "caregiver-guide.pdf")]
    last = next(text for text in pages if "If the writing looks different" in text)
    assert "Each day, ask Li Wei to copy" in last and "Look at it next to the day before" in last


@pytest.mark.parametrize("language, signed, last_item", [("en", "Checked by", "Close watch after"),
                                                          ("es", "Revisado por", "Vigilancia de cerca")])
def test_the_checklists_sign_off_never_stands_alone_on_its_last_page(tmp_path, language, signed, last_item):
    """Large print, no weight (no dose box): "Checked by" stood alone on the last page, a sixth of
    it, cut off from the items it signs for. The last item now moves on with it."""
    result = run_cli("generate", "--name", "Tom Baker", "--infusion-date", "2027-10-29", "--large-print",
                     "--lang", language, "--clinic", clinic_file(tmp_path, "us-label-2025", {}), "--doc", "checklist",
                     "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "out" / "checklist.pdf")]
    assert signed in pages[-1] and last_item in pages[-1]
    assert all(text.count("(continued)") + text.count("(continuación)") <= 1 for text in pages)  # one caption a page


@pytest.mark.parametrize("weight, added", [(None, 5), ("72", 2)])
def test_the_staff_part_goes_with_a_last_table_of_one_row(tmp_path, weight, added):
    """A clinic's checklist whose last group kept one item: "Checked by" stood alone on page 3 (a
    row cannot move on without its heading). With the weight known, the dose box and the sign-off
    stood alone there too, whatever the last table's length."""
    reader = checklist_with(tmp_path, {
        "remove": ["leukapheresis", "manufacturing", "conditioning", "infusion"],
        "add": [{"id": f"extra-{number}", "group": "tests", "text": f"Extra test {number}"} for number in range(added)]},
        *(["--weight-kg", weight] if weight else []))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) == 3
    assert "Checked by" in pages[-1] and "Close watch after" in pages[-1] and "Treatment steps" in pages[-1]
    assert "Extra test" in pages[1]
    if weight:
        assert "For staff only: target dose" in pages[-1]


def checklist_with(tmp_path: Path, checklist: dict, *args: str) -> pypdf.PdfReader:
    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.update(logo=str(example_path(EXAMPLE_CLINIC).parent / raw["logo"]), checklist=checklist)
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--clinic", clinic, *args,
                     "--doc", "checklist", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    return pypdf.PdfReader(tmp_path / "out" / "checklist.pdf")


def test_a_short_last_group_moves_on_whole_with_the_staff_part(tmp_path):
    """A last group of three items gave its last row to the dose box and sign-off: the group was cut
    in two under "Treatment steps (continued)". It now goes on whole, under its heading."""
    reader = checklist_with(tmp_path, {"remove": ["leukapheresis", "conditioning"],
                                       "add": [{"id": "extra", "group": "tests", "text": "Extra test"}]},
                            "--weight-kg", "72")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    last = pages[-1]
    assert all(words in last for words in ("Treatment steps", "Manufacturing", "YESCARTA infusion", "Close watch after",
                                           "For staff only", "Checked by"))
    assert not any("Treatment steps (continued)" in text for text in pages)


def test_a_short_last_group_does_not_move_on_leaving_a_page_mostly_blank(tmp_path):
    """A clinic's checklist of three steps only: moved on whole with the staff part, they left page 1
    two thirds blank, holding the title and instructions alone."""
    tests = ["pet-ct", "echocardiogram", "lung-function", "hiv", "hepatitis-b", "hepatitis-c", "pregnancy",
             "infection-check", "vaccination-history"]
    reader = checklist_with(tmp_path, {"remove": [*tests, "leukapheresis", "conditioning"]}, "--weight-kg", "72")
    first = reader.pages[0]
    assert [a for a in first.get("/Annots", []) if a.get_object().get("/FT") == "/Btn"]
    assert "Checked by" in reader.pages[-1].extract_text()


def test_rows_broken_before_the_staff_part_never_leave_one_row_alone_on_a_page(tmp_path):
    """Large print, six long steps added: the rows after a break could not all share the last page
    with the dose box and sign-off, broke again, and one stood alone on a page (4 | 1 | 1 + staff)."""
    text = "Extra step number {}: " + " ".join(["word"] * 17)
    reader = checklist_with(tmp_path, {"add": [{"id": f"x-{n}", "group": "steps", "text": text.format(n)}
                                                for n in range(6)]}, "--large-print", "--weight-kg", "72")
    for page in reader.pages[1:]:
        tick_boxes = [a for a in page.get("/Annots", []) if a.get_object().get("/FT") == "/Btn"]
        assert len(tick_boxes) != 1 or "Checked by" in page.extract_text()


def test_a_last_item_too_tall_to_share_a_page_with_the_staff_part_leaves_that_part_whole(tmp_path):
    """Spanish large print: the last group's heading, its one item, the dose box and the sign-off
    are taller than a page. Flowing from where they were split the dose box from the sign-off."""
    reader = checklist_with(tmp_path, {"remove": ["leukapheresis", "manufacturing", "conditioning", "infusion"]},
                            "--lang", "es", "--large-print", "--weight-kg", "72")
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert "Solo para el personal" in pages[-1] and "Revisado por" in pages[-1]
    assert "Vigilancia de cerca" in pages[-2] and "Pasos del tratamiento" in pages[-2]


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_no_row_stands_alone_on_a_page_when_none_can_go_with_the_staff_part(tmp_path, paper):
    """Spanish large print with the weight known, on letter: a row and the staff part are taller
    than a page, and the last break left one row ("Vigilancia de cerca") alone on a page three
    quarters blank, the staff part alone on the next."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--large-print",
                     "--lang", "es", "--weight-kg", "72", "--paper", paper,
                     "--clinic", clinic_file(tmp_path, "source-document", {}), "--doc", "checklist", "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    for page in pypdf.PdfReader(tmp_path / "o" / "checklist.pdf").pages[1:]:
        tick_boxes = [a for a in page.get("/Annots", []) if a.get_object().get("/FT") == "/Btn"]
        assert len(tick_boxes) != 1 or "Revisado por" in page.extract_text()


def test_rows_move_on_with_the_staff_part_only_when_they_fit_on_a_page_with_it(tmp_path):
    """Spanish large print on A4 with the weight known: the last item moved on for the dose box and
    the sign-off, which then did not fit under it: the item stood alone on a page of its own."""
    result = run_cli("generate", "--name", "Rosa María Delgado", "--infusion-date", "2027-09-22", "--large-print",
                     "--lang", "es", "--weight-kg", "70", "--paper", "a4", "--date-of-birth", "1961-08-19",
                     "--mrn", "RCC-1", "--clinic", clinic_file(tmp_path, "source-document", {}), "--doc", "checklist",
                     "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for page in pypdf.PdfReader(tmp_path / "out" / "checklist.pdf").pages:
        tick_boxes = [a for a in page.get("/Annots", []) if a.get_object().get("/FT") == "/Btn"]
        assert len(tick_boxes) != 1 or "Revisado por" in page.extract_text(), page.extract_text()


def test_the_sign_off_goes_with_a_short_last_table(tmp_path):
    """A clinic's checklist whose last group kept two items: "Checked by" stood alone on page 3
    (moving rows waited for tables of five)."""
    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.update(logo=str(example_path(EXAMPLE_CLINIC).parent / raw["logo"]), checklist={
        "remove": ["leukapheresis", "manufacturing", "conditioning"],
        "add": [{"id": "dental-check", "group": "tests", "text": "Dental check"}]})
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    result = run_cli("generate", "--name", "Rosa Delgado", "--mrn", "RCC-004417", "--date-of-birth", "1961-08-19",
                     "--infusion-date", "2027-03-05", "--physician", "Dr. Maria Okafor", "--clinic", clinic,
                     "--doc", "checklist", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "out" / "checklist.pdf")]
    assert "Checked by" in pages[-1] and "Close watch after" in pages[-1]


@pytest.mark.parametrize("language, at_least", [("en", "at least"), ("es", "por lo menos")])
def test_every_no_driving_date_says_at_least_not_when_driving_may_start(tmp_path, language, at_least):
    """The sources say "for at least": a date printed bare read as "you may drive the next day"."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", language, "-o", tmp_path,
                     "--doc", "handout", "--doc", "caregiver-guide", "--doc", "calendar")
    assert result.exit_code == 0, result.output
    texts = {document: pdf_text(tmp_path / f"{document}.pdf") for document in ("handout", "caregiver-guide", "calendar")}
    drive = {"en": ("drive", "driving"), "es": ("maneje", "manejar")}[language]
    for document, text in texts.items():
        sentences = [sentence for sentence in re.split(r"(?<=[.:])\s", text)
                     if any(word in sentence for word in drive) and re.search(r"\b20\d\d\b(?!-\d)|this date|esta fecha|este día",
                                                                           sentence)]
        assert sentences, document
        assert all(at_least in sentence for sentence in sentences), (document, sentences)


@pytest.mark.parametrize("name, language, paper, heading, first_step", [
    ("María Guadalupe Hernández-Villanueva de la Concepción", "es", "letter", "Prueba diaria de escritura", "Cada día"),
    ("Rosa María Delgado", "en", "a4", "A daily handwriting check", "Each day"),
])
def test_the_handwriting_checks_opening_is_never_parted_from_its_steps(tmp_path, name, language, paper, heading,
                                                                      first_step):
    """Large print: the heading and "The boxes below help you check it" ended a page (a third of it
    blank), the steps and the boxes on the next."""
    result = run_cli("generate", "--name", name, "--infusion-date", "2027-12-31", "--lang", language, "--paper", paper,
                     "--large-print", "--doc", "caregiver-guide", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "caregiver-guide.pdf")]
    page = next(text for text in pages if heading in text)
    assert first_step in page


def _heavy_border_bottoms(page: pypdf.PageObject, width: float) -> list[float]:
    """The heights of the horizontal lines drawn ``width`` wide on ``page`` (a marked day's frame)."""
    content = pypdf.generic.ContentStream(page.get_contents(), page.pdf)
    line_width, start, shifts, heights = None, None, [0.0], []  # our pages only translate
    for operands, operator in content.operations:
        if operator == b"w":
            line_width = float(operands[0])
        elif operator == b"q":
            shifts.append(shifts[-1])
        elif operator == b"Q":
            shifts.pop()
        elif operator == b"cm":
            shifts[-1] += float(operands[5])
        elif operator == b"m":
            start = float(operands[1])
        elif operator == b"l" and line_width == width and start == float(operands[1]):
            heights.append(shifts[-1] + start)
    return heights


def test_a_marked_days_last_word_clears_its_heavy_border(tmp_path):
    """Four marks on one day: "caregiver", the cell's last word, sat half a millimetre above the
    frame's heavy line."""
    from carthandout.documents.milestone_calendar import MARK_BORDER_WIDTH
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--doc", "calendar", "--clinic",
                     clinic_file(tmp_path, "us-label-2025", {}), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    page = next(page for page in pypdf.PdfReader(tmp_path / "out/calendar.pdf").pages
                if "Still with caregiver" in " ".join(page.extract_text().split()))
    baselines: list[tuple[float, float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: baselines.append((tm[5] * cm[3] + cm[5], size))
                      if text.strip() == "caregiver" else None)
    (baseline, size), = baselines
    frame_line = max(y for y in _heavy_border_bottoms(page, MARK_BORDER_WIDTH) if y < baseline)
    descent = 0.25 * size  # of a "g", at most
    assert baseline - descent - (frame_line + MARK_BORDER_WIDTH / 2) >= 3.0


def test_the_last_months_list_of_dates_stays_on_its_page_with_its_weeks_shrunk_further(tmp_path):
    """Nothing follows the last month's list: its last rows alone made a last page four fifths blank.
    The last month's weeks give up more of their room to write to keep the list on their page."""
    result = run_cli("generate", "--name", "Rosa María Delgado", "--infusion-date", "2027-02-26", "--doc", "calendar",
                     "--clinic", clinic_file(tmp_path, "us-label-2025", {}), "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "out" / "calendar.pdf")]
    assert len(pages) == 2
    assert "March 2027" in pages[1] and "Your dates in March 2027" in pages[1] and "Caregiver with you" in pages[1]
