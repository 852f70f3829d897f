"""Large print: 18 pt body and 22 pt headings measured in the PDFs, reflowed onto more pages."""
from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pypdf
import pytest
import yaml

from carthandout.content import load_pack
from carthandout.inputs import EXAMPLE_CLINIC, EXAMPLE_PATIENT, example_path
from carthandout.theme import LARGE_TYPE, NORMAL_TYPE
from conftest import own_numbers, page_texts, run_cli

FLOWING = ("handout", "checklist", "temperature-log", "caregiver-guide", "calendar")
# A heading from each pack that has sections (normal role, no placeholders).
HEADED = ("handout", "temperature-log", "caregiver-guide", "calendar")


def text_runs(path: Path) -> list[tuple[str, float, int]]:
    """(text, font size in points, page number) of every text run, from the text operators."""
    runs = []
    for number, page in enumerate(pypdf.PdfReader(path).pages, start=1):
        def visit(text, cm, tm, font, size, number=number):
            scale = (tm[0] ** 2 + tm[1] ** 2) ** 0.5 * (cm[0] ** 2 + cm[1] ** 2) ** 0.5
            if text.strip():
                runs.append((text.strip(), round(size * scale, 2), number))
        page.extract_text(visitor_text=visit)
    return runs


def body_size(path: Path) -> float:
    """The size most of the characters are set in."""
    counts: Counter[float] = Counter()
    for text, size, _ in text_runs(path):
        counts[size] += len(text)
    return counts.most_common(1)[0][0]


def sizes_of(path: Path, phrase: str) -> set[float]:
    return {size for text, size, _ in text_runs(path) if phrase in text}


def a_heading(doc_id: str) -> str:
    sections = load_pack(doc_id, "en").data["sections"]
    return next(s["heading"] for s in sections if s.get("role", "normal") == "normal" and "{" not in s["heading"])


@pytest.fixture(scope="module")
def outputs(tmp_path_factory, own_clinic) -> dict[str, Path]:
    folders = {}
    for mode in ("normal", "large"):
        out = tmp_path_factory.mktemp(mode)
        flags = ["--large-print"] if mode == "large" else []
        result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--clinic", own_clinic, *flags, "-o", out)
        assert result.exit_code == 0, result.output
        folders[mode] = out
    return folders


@pytest.mark.parametrize("doc_id", FLOWING)
def test_body_text_measures_18_pt_in_large_print(outputs, doc_id):
    assert LARGE_TYPE.body == 18 and NORMAL_TYPE.body == 13
    assert body_size(outputs["normal"] / f"{doc_id}.pdf") == NORMAL_TYPE.body
    assert body_size(outputs["large"] / f"{doc_id}.pdf") == 18


@pytest.mark.parametrize("doc_id", HEADED)
def test_headings_measure_22_pt_in_large_print(outputs, doc_id):
    heading = a_heading(doc_id)
    assert sizes_of(outputs["large"] / f"{doc_id}.pdf", heading) == {22}
    assert sizes_of(outputs["normal"] / f"{doc_id}.pdf", heading) == {NORMAL_TYPE.heading}


def test_no_patient_text_under_the_body_size_in_large_print(outputs):
    """Only the page footer (page x of y, content version, the patient's line and the 24-hour line
    beside it, which each document's body gives in large print) may be smaller than 18 pt."""
    for doc_id in FLOWING:
        for text, size, _ in text_runs(outputs["large"] / f"{doc_id}.pdf"):
            if size < 18:
                assert "Page " in text or text.startswith(("Content ", "Rosa María Delgado", "·", "MRN", "Day or night")), \
                    f"{doc_id}: {text!r} at {size} pt"


FOOTER_LINE = re.compile(r"(Page \d+ of \d+|Content \S+, reviewed \S+|· MRN \S+)$")  # the patient has an MRN
FOOTER_CALL = re.compile(r"^Day or night, call [-() 0-9]+$")  # once a page: the body's call box ends so too


def page_words(path: Path) -> Counter[str]:
    """The words of every page without the repeated page furniture (header line, footer lines)."""
    words: Counter[str] = Counter()
    for page in pypdf.PdfReader(path).pages:
        body = page.extract_text().splitlines()[1:]
        calls = 1
        while body and (FOOTER_LINE.search(body[-1]) or (calls and FOOTER_CALL.search(body[-1]))):
            calls -= bool(FOOTER_CALL.search(body.pop()))
        words.update(" ".join(body).split())
    return words


def test_large_print_reflows_the_same_words_onto_more_pages_of_the_same_paper(outputs):
    normal, large = outputs["normal"] / "handout.pdf", outputs["large"] / "handout.pdf"
    normal_reader, large_reader = pypdf.PdfReader(normal), pypdf.PdfReader(large)
    assert len(large_reader.pages) > len(normal_reader.pages)
    paper = {(round(p.mediabox.width), round(p.mediabox.height)) for p in normal_reader.pages}
    assert {(round(p.mediabox.width), round(p.mediabox.height)) for p in large_reader.pages} == paper
    large_words, normal_words = page_words(large), page_words(normal)
    assert not normal_words - large_words  # every word is still there
    # Only what repeats over a table broken onto the extra pages adds words: its header row, and
    # "<section heading> (continued)"; and the dot between the name and the infusion date on page 1.
    pack = load_pack("handout", "en")
    header_words = set(f"{pack.labels['timeline_date']} {pack.labels['timeline_step']}".split())
    caption_words = {"(continued)"} | {word for section in pack.data["sections"] for word in section["heading"].split()}
    assert "(continued)" in large_words
    assert set(large_words - normal_words) <= header_words | caption_words | {"·"}


def test_wide_tables_turn_landscape_in_large_print(outputs):
    for doc_id in ("temperature-log", "calendar"):
        for mode, landscape in (("normal", False), ("large", True)):
            for page in pypdf.PdfReader(outputs[mode] / f"{doc_id}.pdf").pages:
                assert (page.mediabox.width > page.mediabox.height) is landscape


def test_wallet_card_gains_large_print_pages_on_the_paper_size(outputs):
    normal = pypdf.PdfReader(outputs["normal"] / "wallet-card.pdf")
    large = pypdf.PdfReader(outputs["large"] / "wallet-card.pdf")
    assert len(large.pages) == len(normal.pages) + 2  # the card's front, then its back
    for card_page, same in zip(normal.pages, large.pages):
        assert card_page.mediabox == same.mediabox  # the card itself is unchanged
    companion = large.pages[len(normal.pages):]
    for page in companion:
        assert (round(page.mediabox.width), round(page.mediabox.height)) == (612, 792)  # the clinic's letter paper
    pack = load_pack("wallet-card", "en")
    path = outputs["large"] / "wallet-card.pdf"
    first_companion = len(normal.pages) + 1
    runs = [(text, size) for text, size, page in text_runs(path) if page >= first_companion]
    for sign in pack.data["front"]["signs"][1:]:
        assert (sign, 18) in runs
    assert any("Rosa María Delgado" in text and size == 18 for text, size in runs)
    assert any(text.startswith("This patient received CAR T-cell therapy") and size == 18 for text, size in runs)


def test_the_patient_field_turns_large_print_on_like_the_flag(outputs, tmp_path, own_clinic):
    raw = yaml.safe_load(example_path(EXAMPLE_PATIENT).read_text(encoding="utf-8"))
    patient = tmp_path / "patient.yaml"
    patient.write_text(yaml.safe_dump({**raw, "large_print": "yes"}, allow_unicode=True), encoding="utf-8")
    result = run_cli("generate", "--patient", patient, "--clinic", own_clinic, "--doc", "handout",
                     "--doc", "temperature-log", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    for doc_id in ("handout", "temperature-log"):
        assert (tmp_path / "out" / f"{doc_id}.pdf").read_bytes() == (outputs["large"] / f"{doc_id}.pdf").read_bytes()


@pytest.mark.parametrize("paper", ["letter", "a4"])
@pytest.mark.parametrize("caregiver", [[], ["--caregiver", "Luis Gonzalez"]])
def test_dates_taller_than_a_page_start_where_the_text_before_them_ends(tmp_path, paper, caregiver):
    """reportlab moved the whole dates table to a new page though no page could hold it: the page
    before it held three lines. Now it starts below them, its opening sentence with its first rows."""
    result = run_cli("generate", "--name", "Maria Gonzalez", "--infusion-date", "2027-03-10", *caregiver,
                     "--large-print", "--paper", paper, "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    first = next(n for n, text in enumerate(pages) if "Here are your dates" in text)
    assert "What happens" in pages[first] and "Chemo, day 1" in pages[first]  # never the sentence alone
    assert "What happens" in pages[first + 1]  # the table goes on, under its header


@pytest.mark.parametrize("large_print", [True, False])
def test_a_long_center_name_stays_inside_the_header_band(tmp_path, large_print):
    """A long name at heading size took four lines in large print: the first ran off the top of
    the page and the rule struck through the last. It is now set smaller (in large print not
    under 14 pt, the name being in the patient box at 18 pt: then the band grows), all above the
    page's body."""
    from carthandout.documents.base import HEADER_SMALLEST_SIZE, LARGE_PRINT_HEADER_SMALLEST_SIZE
    from carthandout.theme import build_theme
    from carthandout.inputs import load_clinic

    clinic = tmp_path / "clinic.yaml"
    name = "Hospital Universitario General de Valencia – Unidad de Terapia Celular y Trasplante Hematopoyético"
    clinic.write_text(own_numbers(example_path("clinic.yaml").read_text(encoding="utf-8")).replace(
        'name: "Riverside Cancer Center"', f'name: "{name}"', 1).replace('logo: "logo.png"', f'logo: "{example_path("logo.png")}"'),
        encoding="utf-8")
    assert name in clinic.read_text(encoding="utf-8")
    args = ["generate", "--name", "Ana Ruiz", "--infusion-date", "2027-03-05", "--clinic", clinic, "--paper", "a4",
            "--doc", "checklist", "-o", tmp_path / "out"] + (["--large-print"] if large_print else [])
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    theme = build_theme(load_clinic(clinic), "a4")
    top = theme.page_size[1] - theme.margin * 0.5
    spans = []
    pypdf.PdfReader(tmp_path / "out" / "checklist.pdf").pages[1].extract_text(
        visitor_text=lambda text, cm, tm, font, size: text.strip() and spans.append((text.strip(), cm[5] + tm[5], size * tm[0])))
    spans.sort(key=lambda span: -span[1])
    words, header = name.split(), []
    while " ".join(text for text, _, _ in header).split() != words:
        header.append(spans[len(header)])
    body = spans[len(header):]
    smallest = LARGE_PRINT_HEADER_SMALLEST_SIZE if large_print else HEADER_SMALLEST_SIZE
    assert all(y < top and size >= smallest for _, y, size in header)
    assert min(y for _, y, _ in header) - max(y for _, y, _ in body) > smallest  # clear of the body (the rule between)


def test_a_month_grid_is_never_split_over_two_pages_when_it_can_shrink_to_one(tmp_path, own_clinic):
    """Spanish large print on A4: April's tall milestone cells pushed its last two weeks onto a
    page of their own. Weeks without a milestone now give up their spare height first."""
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", "2027-03-05", "--lang", "es",
                     "--clinic", own_clinic,
                     "--large-print", "--paper", "a4", "--doc", "calendar", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "calendar.pdf")]
    grids = [text for text in pages if "domingo lunes martes" in text]
    assert len(grids) == 3  # February, March, April: each grid on one page
    no_driving = next(mark["short"] for mark in load_pack("calendar", "es").data["milestones"]["marks"]
                      if mark["date"] == "no_driving_until")
    assert all(f"30 {no_driving}" in text for text in grids if "Abril de 2027" in text)


def test_the_first_month_starts_under_the_calendars_opening_words_when_it_fits_there(tmp_path):
    """Large print: February's grid, a few points too tall, left page 1 to the title and two lines.
    In large print a week's room to write (under a line) gives way instead."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--large-print", "--doc", "calendar",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "calendar.pdf")]
    assert "How to read your calendar" in pages[0]
    assert "February 2027 Sun Mon Tue Wed Thu Fri Sat" in pages[0] and "28 Chemo" in pages[0]
    assert len(pages) == 5  # March's daily checks and close watch, ending together, one mark: March on a page


@pytest.mark.parametrize("language, dates_intro, first_row", [("en", "Here are your dates:", "Chemo, day 1 of 3"),
                                                              ("es", "Estas son sus fechas:", "Quimio, día 1 de 3")])
def test_large_print_pages_never_end_on_words_that_open_what_follows(tmp_path, language, dates_intro, first_row):
    """"Your caregiver:" ended a page with its list on the next; the dates' opening sentence and
    table went to a new page, leaving three quarters of the page before empty."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", language, "--large-print",
                     "--doc", "handout", "--doc", "caregiver-guide", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for document in ("handout", "caregiver-guide"):
        for text in page_texts(tmp_path / f"{document}.pdf"):
            body = [line for line in text.splitlines() if line.strip()][:-3]  # the footer's three lines
            assert not body[-1].rstrip().endswith(":"), (document, body[-1])
    dates_page = next(text for text in page_texts(tmp_path / "handout.pdf") if dates_intro in text)
    assert first_row in " ".join(dates_page.split())


def test_a_date_too_wide_for_its_cell_breaks_once_before_its_year(tmp_path):
    """Spanish large print: one row read "20 de / marzo de / 2027", the next "21 de marzo / de 2027"."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", "es", "--large-print",
                     "--infusion-date", "2027-09-10",  # "28 de septiembre de 2027": wider than the column may be
                     "--paper", "a4", "--doc", "caregiver-guide", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = "\n".join(page_texts(tmp_path / "caregiver-guide.pdf")).splitlines()
    dates = [(line, after) for line, after in zip(lines, lines[1:]) if re.fullmatch(r"\d+ de \w+", line)]
    whole = [line for line in lines if re.fullmatch(r"\d+ de \w+ de 2027", line)]  # the column fits some
    assert len(dates) + len(whole) >= 30 and dates and all(after == "de 2027" for _, after in dates)
    assert "2027" not in [line.strip() for line in lines]  # never the year alone


def test_only_a_date_is_broken_before_its_year():
    from carthandout.documents.text_line import year_on_its_own_line
    from carthandout.theme import build_theme
    from carthandout.inputs import load_clinic

    style = build_theme(load_clinic(None), large_print=True).style("cell_bold")
    assert year_on_its_own_line("20 de marzo de 2027", style, 120) == "20\u00a0de\u00a0marzo de\u00a02027"
    assert year_on_its_own_line("March 12, 2027", style, 100) == "March\u00a012, 2027"
    assert year_on_its_own_line("Wednesday afternoon", style, 100) == "Wednesday afternoon"  # not a date
    assert year_on_its_own_line("20 de septiembre de 2027", style, 40) == "20 de septiembre de 2027"  # no room


@pytest.mark.parametrize("language, call", [("en", "Call right away"), ("es", "Llame de inmediato")])
def test_a_very_long_center_name_leaves_the_call_box_on_page_one(tmp_path, own_clinic, language, call):
    """A 111-character center took five header lines at 18 pt and pushed the call box to page 2."""
    center = "SAINT BARTHOLOMEW MEMORIAL UNIVERSITY HOSPITAL COMPREHENSIVE CANCER CENTER AND CELLULAR IMMUNOTHERAPY INSTITUTE"
    result = run_cli("generate", "--name", "Ana Ruiz", "--infusion-date", "2027-03-05", "--clinic", own_clinic,
                     "--center", center, "--lang", language, "--large-print", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    first = " ".join(page_texts(tmp_path / "handout.pdf")[0].split())
    assert call in first and "(217) 545-7199" in first


@pytest.mark.parametrize("language, paper, lines, clinic", [
    ("en", "letter", ["Patient Rosa María Delgado · Infusion date March 5, 2027"], "own"),
    # too long for one line: a line each, not "Paciente Rosa María Delgado ·" with the dot left hanging
    ("es", "a4", ["Paciente Rosa María Delgado", "Fecha de infusión 5 de marzo de 2027"], "own"),
    # a line short on letter paper: the call box's list items move closer together to make room
    ("es", "letter", ["Paciente Rosa María Delgado", "Fecha de infusión 5 de marzo de 2027"], "own"),
    ("es", "letter", ["Paciente Rosa María Delgado", "Fecha de infusión 5 de marzo de 2027"], "example"),
])
def test_page_one_of_the_large_print_handout_says_whose_it_is(tmp_path, own_clinic, language, paper, lines, clinic):
    """In large print the call box goes first and the patient's block fell to page 2: page 1 named
    the patient only in its small footer. The name and infusion date now head the box, the rest of
    the block follows it."""
    clinic_file = own_clinic if clinic == "own" else example_path(EXAMPLE_CLINIC)
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--clinic", clinic_file, "--lang", language,
                     "--paper", paper, "--large-print", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    first_lines = [" ".join(line.split()) for line in pages[0].splitlines()]
    start = first_lines.index(lines[0])
    assert first_lines[start:start + len(lines)] == lines, first_lines
    first, second = (" ".join(text.split()) for text in pages[:2])
    assert first.index(lines[0]) < first.index("(217) 5")  # above the box and its 24-hour line
    assert "Luis Delgado" in second and second.count("Rosa María Delgado") == 1  # the footer's: not the block's again


def test_the_large_print_page_one_line_breaks_before_the_infusion_date_never_inside_it(tmp_path, own_clinic):
    """A longer name broke the line as "... · Infusion" / "date September 22, 2027"."""
    result = run_cli("generate", "--name", "Maria-Fernanda de los Santos", "--infusion-date",
                     "2027-09-22", "--clinic", own_clinic, "--paper", "a4", "--large-print", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for line in page_texts(tmp_path / "handout.pdf")[0].splitlines()]
    assert "Infusion date September 22, 2027" in lines, lines  # and the dot not at the start of a line
    assert not any(line.startswith("·") for line in lines)
    assert "Patient Maria-Fernanda de los Santos" in lines  # a line each: no dot left at a line's end


@pytest.mark.parametrize("language,paper", [("en", "letter"), ("es", "a4")])
def test_the_large_print_log_opens_with_its_call_box_and_how_to_side_by_side(tmp_path, own_clinic, language, paper):
    """Stacked, the call box and the how-to each stood on a page of their own before the table,
    and dates in three lines left three days a page: a month's log took up to thirteen pages."""
    result = run_cli("generate", "--name", "Ana María Quiñones-Delgado", "--infusion-date", "2027-03-05",
                     "--lang", language, "--paper", paper, "--large-print", "--clinic", own_clinic,
                     "--doc", "temperature-log", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pack = load_pack("temperature-log", language)
    how_to = next(s["heading"] for s in pack.data["sections"] if s.get("role", "normal") == "normal")
    calls = next(s["heading"] for s in pack.data["sections"] if s.get("role") == "call-box")
    pages = page_texts(tmp_path / "temperature-log.pdf")
    assert how_to in pages[0] and calls.split("{")[0].strip() in pages[0]
    assert pack.labels["date"] in pages[1] and "2027" in pages[1]  # the table starts on page 2
    assert len(pages) <= 9  # 31 days, four a page


def test_side_by_side_columns_that_do_not_fit_flow_one_after_the_other(tmp_path):
    """Below a tall block the two columns do not fit: the stacked content takes their place,
    its first part moved to the next page as a KeepTogether moves itself, nothing lost."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer
    from carthandout.documents.blocks import SideBySideIfItFits
    style = getSampleStyleSheet()["BodyText"]

    def column(name, lines):
        return lambda width: [Paragraph(f"{name} line {n}", style) for n in range(lines)]

    stacked = [KeepTogether(column("left", 12)(0)), *column("right", 12)(0)]
    story = [Spacer(1, 500), SideBySideIfItFits(column("left", 12), column("right", 12), 400, 20, stacked),
             Paragraph("after", style)]
    path = tmp_path / "columns.pdf"
    SimpleDocTemplate(str(path), pagesize=(500, 700)).build(story)
    pages = page_texts(path)
    assert len(pages) == 2 and "left line 0" not in pages[0]
    assert pages[1].index("left line 11") < pages[1].index("right line 0") < pages[1].index("after")

    side_by_side = [SideBySideIfItFits(column("left", 3), column("right", 3), 400, 20, stacked)]
    SimpleDocTemplate(str(path), pagesize=(500, 700)).build(side_by_side)
    assert page_texts(path)[0].count("line") == 6  # three a column, side by side


def test_no_page_of_the_large_print_log_names_a_font_it_does_not_embed(tmp_path):
    """The call box and how-to side by side are a table, whose cells set reportlab's default font
    before drawing: an unembedded Helvetica sat in every page's resources."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--large-print",
                     "--doc", "temperature-log", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for page in pypdf.PdfReader(tmp_path / "temperature-log.pdf").pages:
        fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
        assert all("/FontDescriptor" in font for font in fonts), [font["/BaseFont"] for font in fonts]


def test_the_logs_how_to_shares_its_page_with_the_first_day(tmp_path, own_clinic):
    """Spanish large print on letter: the call box and the how-to too tall to stand side by side,
    page 2 held the how-to alone and the log began on page 3. A large-print row is a quarter of a
    page: one may now stand under the header at a page's foot."""
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", "2027-03-05", "--lang", "es",
                     "--clinic", own_clinic, "--large-print", "--doc", "temperature-log", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "temperature-log.pdf")]
    how_to = next(index for index, text in enumerate(pages) if "Cómo usar este registro" in text)
    assert "5 de marzo de 2027" in pages[how_to]


def test_the_large_print_handwriting_boxes_keep_a_spanish_date_on_one_line(tmp_path, own_clinic):
    """"25 de marzo de 2027" at 18 pt needs 40% of the width: capped at 36%, every date of the
    caregiver guide's boxes broke before its year, three lines a row and a page more in Spanish."""
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--lang", "es", "--large-print",
                     "--paper", "a4", "--clinic", own_clinic, "--doc", "caregiver-guide", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for text in page_texts(tmp_path / "caregiver-guide.pdf") for line in text.splitlines()]
    assert "25 de marzo de 2027" in lines and "de 2027" not in lines


def test_a_paragraphs_short_last_word_never_stands_alone_on_its_line(tmp_path):
    """"Tell your team right away about any fever, even a low" ended a line of the call box, and
    "one." stood alone on the next (and "vein.", "kidneys.", "organs." elsewhere)."""
    from carthandout.content import last_word_kept
    assert last_word_kept("Through {dates.caregiver_until}.") == "Through {dates.caregiver_until}."  # a date: kept whole
    assert last_word_kept("Confusion") == "Confusion" and last_word_kept("Fever and chills") == "Fever and\u00a0chills"
    assert last_word_kept("if {patient.name} has:") == "if {patient.name} has:"  # a long name split inside "has:"
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--large-print", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for text in page_texts(tmp_path / "handout.pdf") for line in text.splitlines()]
    assert "low one." in " ".join(lines) and not [line for line in lines if re.fullmatch(r"\w+\.", line)]


def test_a_tables_date_fields_all_stand_below_their_labels_or_all_beside(tmp_path):
    """Large print: "Planned" stood above "February 28, 2027" (too long to share its line) and
    beside "March 1, 2027" in the next row."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--large-print", "--doc", "checklist",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lefts: dict[str, set[int]] = {}
    for page in pypdf.PdfReader(tmp_path / "checklist.pdf").pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            name = str(widget.get("/T", ""))
            if name.endswith("_when"):
                group = "steps" if re.search(r"_(conditioning-\d|infusion|monitoring)_when$", name) else "tests"
                lefts.setdefault(group, set()).add(round(float(widget["/Rect"][0])))
    assert len(lefts["steps"]) == 1 and len(lefts["tests"]) == 1


def test_the_dose_sum_never_starts_a_line_with_an_operator(tmp_path):
    """Spanish large print broke the staff dose line as "... por kg" / "× 72 kg = ...": a line that
    starts with an operator reads as a new sum."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", "es", "--large-print",
                     "--paper", "a4", "--weight-kg", "72", "--doc", "checklist", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = [" ".join(line.split()) for text in page_texts(tmp_path / "checklist.pdf") for line in text.splitlines()]
    assert any("por kg × 72 kg =" in line for line in lines)
    assert not [line for line in lines if line.startswith(("×", "="))]


@pytest.mark.parametrize("layout, note", [("single", True), ("avery-5371", False), ("foldover", False)])
def test_generate_says_which_wallet_card_pages_are_card_size(tmp_path, layout, note):
    """One card a page in large print: card-size pages, then paper pages, in one file; sent whole
    to one printer, one kind came out scaled (an outside print-production pass)."""
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--large-print",
                     "--doc", "wallet-card", "--card-layout", layout, "--copies", "2", "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    sizes = [(round(float(page.mediabox.width)), round(float(page.mediabox.height)))
             for page in pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages]
    if note:
        assert sizes == [(243, 153)] * 4 + [(612, 792)] * 2
        assert (f"note: {tmp_path / 'wallet-card.pdf'}: pages 1-4 are card size (a card printer), pages 5-6 the card "
                "in large print on paper (an office printer): print them apart\n") in result.stderr
    else:
        assert set(sizes) == {(612, 792)} and "print them apart" not in result.stderr


def test_each_large_print_card_page_says_whose_it_is_under_the_clinic_header(tmp_path):
    """The back's page ("To doctors and emergency staff") named no patient: printed on a sheet of
    its own, in a cohort's stack, it was nobody's. Each page has the header and footer every
    document has, each side in its own language (the back in the clinic's)."""
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", "2027-03-05", "--large-print",
                     "--lang", "es", "--mrn", "ES-7", "--doc", "wallet-card", "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    front, back = [" ".join(text.split()) for text in page_texts(tmp_path / "wallet-card.pdf")[2:]]
    for text in (front, back):
        assert text.startswith("Riverside Cancer Center")
    assert "Ana Quiñones · Expediente ES-7" in front and "Página 1 de 2" in front
    assert "Ana Quiñones · MRN ES-7" in back and "Page 2 of 2" in back and "To doctors and emergency staff" in back


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_large_print_logs_symptoms_column_has_the_most_room_to_write(language):
    """The symptoms column had a fifth of the width, no more than "Who was called", the date a third."""
    from carthandout.documents.blocks import BlockRenderer
    from carthandout.documents.temperature_log import DOCUMENT_ID, _column_fractions
    from carthandout.documents.temperature_log import caregiver_period_days
    from carthandout.context import build_context
    from carthandout.content import load_pack
    from carthandout.inputs import load_clinic
    from carthandout.models import parse_patient
    from carthandout.theme import build_theme

    ctx = build_context(parse_patient({"name": "Ana", "infusion_date": "2027-12-31", "language": language}),
                        load_clinic(None))
    blocks = BlockRenderer(ctx, load_pack(DOCUMENT_ID, language), build_theme(ctx.clinic, "letter", True))
    date, morning, evening, symptoms, called = _column_fractions(blocks, caregiver_period_days(ctx))
    assert symptoms == max(morning, evening, symptoms, called) and symptoms > 0.22  # two inches, landscape


UNIT_WORDS = re.compile(r"(days?|weeks?|hours?|días?|semanas?|horas?)\b")


@pytest.mark.parametrize("language, paper", [("en", "letter"), ("es", "a4")])
def test_a_number_and_its_unit_stay_on_one_line(tmp_path, language, paper):
    """Large print set "for 30" at a line's end and "days after your infusion" on the next, and
    "durante 8 / semanas": a duration read apart in eight places of the example's documents."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", language, "--paper", paper,
                     "--large-print", "-o", tmp_path, "--doc", "handout", "--doc", "checklist", "--doc", "caregiver-guide")
    assert result.exit_code == 0, result.output
    parted = []
    for document in ("handout", "checklist", "caregiver-guide"):
        for text in page_texts(tmp_path / f"{document}.pdf"):
            lines = [line.strip() for line in text.splitlines()]
            parted += [(document, line, after) for line, after in zip(lines, lines[1:])
                       if line[-1:].isdigit() and UNIT_WORDS.match(after)]
    assert not parted
