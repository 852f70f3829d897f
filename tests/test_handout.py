"""The handout PDF read back: fields, dates, footer, size, metadata, determinism."""
import io
import re

import pypdf
import pytest
import yaml

from carthandout.content import load_pack
from carthandout.inputs import EXAMPLE_PATIENT, example_path, load_clinic
from conftest import own_numbers, page_texts, pdf_text, run_cli

LETTER = (612, 792)
A4 = (595.28, 841.89)


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    out = tmp_path_factory.mktemp("handout")
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", "2028-02-27", "--caregiver", "Luis Quiñones",
                     "--caregiver-phone", "555-0100", "--mrn", "MRN-77", "--doc", "handout", "-o", out)
    assert result.exit_code == 0, result.output
    return out / "handout.pdf"


def test_text_holds_patient_fields_and_computed_dates(handout):
    text = pdf_text(handout)
    for expected in ["Ana Quiñones", "Luis Quiñones", "MRN-77", "Riverside Cancer Center", "(217) 555-0199",
                     "February 27, 2028",  # infusion
                     "February 22, 2028",  # conditioning day -5
                     "February 24, 2028",  # conditioning day -3
                     "March 5, 2028",  # 7 days later, across Feb 29
                     "April 23, 2028"]:  # no driving, 8 weeks (source-document profile)
        assert expected in text, expected


def test_every_page_has_the_footer(handout):
    pages = page_texts(handout)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text
        assert "Ana Quiñones" in text and "MRN MRN-77" in text
        assert f"Content {load_pack('handout', 'en').version}" in text


def test_call_box_with_24h_number_is_on_page_one(handout):
    first = page_texts(handout)[0]
    assert "Call right away" in first
    assert "Day or night, call (217) 555-0199" in first


def test_page_size_and_metadata(handout):
    reader = pypdf.PdfReader(handout)
    assert all((float(p.mediabox.width), float(p.mediabox.height)) == LETTER for p in reader.pages)
    meta = reader.metadata
    assert meta.title.startswith("Your CAR T-cell therapy")
    assert "Ana" not in meta.title  # no patient name unless the clinic opts in
    assert meta.author == "Riverside Cancer Center"
    assert "axicabtagene ciloleucel" in meta.subject
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_no_document_claims_a_creation_date(tmp_path):
    """reportlab's invariant mode dated every PDF 1 January 2000, shown by a health record as the
    document's date; same input, same bytes, so no date at all."""
    result = run_cli("generate", "--name", "Ana Ruiz", "--infusion-date", "2028-02-27", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for path in tmp_path.glob("*.pdf"):
        metadata = pypdf.PdfReader(path).metadata
        assert metadata.title and "/CreationDate" not in metadata and "/ModDate" not in metadata, path.name
        assert b"D:2000" not in path.read_bytes()


def test_all_fonts_are_embedded_and_bundled(handout):
    reader = pypdf.PdfReader(handout)
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            assert "Helvetica" not in font["/BaseFont"]
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_a4_paper(tmp_path):
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-01-01", "--paper", "a4", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0
    page = pypdf.PdfReader(tmp_path / "handout.pdf").pages[0]
    assert (round(float(page.mediabox.width), 2), round(float(page.mediabox.height), 2)) == A4


def test_same_input_same_bytes(tmp_path):
    args = ["--name", "Same", "--infusion-date", "2027-06-01", "--doc", "handout"]
    run_cli("generate", *args, "-o", tmp_path / "a")
    run_cli("generate", *args, "-o", tmp_path / "b")
    assert (tmp_path / "a/handout.pdf").read_bytes() == (tmp_path / "b/handout.pdf").read_bytes()


@pytest.mark.parametrize("policy, sentences", [
    ("source-document", ["Your team will check on you every day and watch you closely for at least 7 days, "
                         "through January 17, 2027."]),
    ("us-label-2025", ["Your team will check on you every day for at least 7 days, through January 17, 2027.",
                       "They will watch you closely for at least 2 weeks, through January 24, 2027."]),
])
def test_the_close_watch_is_said_once_when_it_ends_with_the_daily_checks(tmp_path, write_yaml, example_clinic,
                                                                         policy, sentences):
    """The source document's periods printed "every day for at least 7 days, through March 12. They
    will watch you closely for at least 7 days, through March 12": readers looked for the difference."""
    clinic = example_clinic.read_text().replace("policy: source-document", f"policy: {policy}")
    clinic = clinic.replace('logo: "logo.png"', f'logo: "{example_clinic.parent / "logo.png"}"')
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-01-10", "--clinic",
                     write_yaml("clinic.yaml", clinic), "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(tmp_path / "handout.pdf").split())
    assert [sentence in text for sentence in sentences] == [True] * len(sentences)
    assert text.count("watch you closely") == 1


def test_the_steps_of_one_day_share_its_row_of_the_timeline(tmp_path, write_yaml, example_clinic):
    """Under the label's profile four periods end on day 14: the timeline printed "March 19, 2027 /
    Friday" four times in a row."""
    clinic = example_clinic.read_text().replace("policy: source-document", "policy: us-label-2025")
    clinic = clinic.replace('logo: "logo.png"', f'logo: "{example_clinic.parent / "logo.png"}"')
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-03-05", "--clinic",
                     write_yaml("clinic.yaml", clinic), "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(tmp_path / "handout.pdf").split())
    assert text.count("March 19, 2027 Friday") == 1
    assert ("March 19, 2027 Friday Close watch ends Close watch goes on at least through this date. Stay near the "
            "center") in text


def test_hostile_name_prints_literally(tmp_path):
    name = "Robert <b>Bold</b> & Sons {clinic.phone}"
    result = run_cli("generate", "--name", name, "--infusion-date", "2027-06-01", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "handout.pdf")
    assert name in text


def test_label_policy_changes_prose_and_dates(tmp_path, write_yaml, example_clinic):
    clinic = example_clinic.read_text().replace("policy: source-document", "policy: us-label-2025")
    clinic = clinic.replace('logo: "logo.png"', f'logo: "{example_clinic.parent / "logo.png"}"')
    path = write_yaml("clinic.yaml", clinic)
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-01-10", "--clinic", path, "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "handout.pdf")
    assert "2 weeks" in text and "8 weeks" not in text
    assert "January 24, 2027" in text


@pytest.mark.parametrize("name", ["Ana Quiñones", "Maximiliana Gertrudis Wolfeschlegelsteinhausenbergerdorff-Ó'Connell "
                                  "y de la Santísima Trinidad Xochiquetzal Papadopoulou"])
@pytest.mark.parametrize("large_print", [False, True])
def test_footer_keeps_name_page_and_version_apart_and_inside_the_page(tmp_path, name, large_print):
    """The page number at the right of the version line for every name (it followed a short name on
    the first line); a long name wraps upward. Every word there, no two on one spot."""
    result = run_cli("generate", "--name", name, "--mrn", "MRN-7777777777777777777777777", "--infusion-date",
                     "2027-06-01", "--doc", "handout", "-o", tmp_path, *(["--large-print"] if large_print else []))
    assert result.exit_code == 0, result.output
    reader = pypdf.PdfReader(tmp_path / "handout.pdf")
    for number, page in enumerate(reader.pages, start=1):
        spans: list[tuple[str, float, float]] = []
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and spans.append(
            (text, cm[4] + tm[4], round(cm[5] + tm[5], 1))))
        footer = [span for span in spans if span[2] < 60]
        words = " ".join(" ".join(text for text, _, _ in footer).split())
        assert f"Page {number} of {len(reader.pages)}" in words and "MRN-7777777777777777777777777" in words
        assert name.split()[-1] in words and all(x < float(page.mediabox.width) for _, x, _ in footer)
        version_y = {y for text, _, y in footer if text.startswith("Content")}
        name_y = {y for text, _, y in footer if name.split()[0] in text or name.split()[-1] in text}
        page_y = {y for text, _, y in footer if text.startswith("Page")}
        assert len(version_y) == 1 and not version_y & name_y and page_y == version_y


@pytest.mark.parametrize("language, label", [("en", "MRN"), ("es", "Expediente")])
def test_a_wrapped_patient_line_keeps_the_mrn_label_with_its_number(tmp_path, language, label):
    """"... de la Torre-Montenegro · Expediente" ended the footer's first line, the number alone on the next."""
    name = "Maria de los Angeles Guadalupe Fernandez-Villanueva y Castellanos de la Torre-Montenegro Santisteban"
    result = run_cli("generate", "--name", name, "--mrn", "12345678901234567890", "--infusion-date", "2027-12-31",
                     "--lang", language, "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    spans: list[tuple[str, float]] = []
    pypdf.PdfReader(tmp_path / "handout.pdf").pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: text.strip() and spans.append((text, round(cm[5] + tm[5], 1))))
    footer_lines: dict[float, str] = {}
    for text, y in spans:
        if y < 60 and not text.startswith(("Day or night", "Llame de día o de noche")):  # the 24-hour line beside it
            footer_lines[y] = footer_lines.get(y, "") + text
    number_line = [" ".join(text.split()) for text in footer_lines.values() if "12345678901234567890" in text]
    assert len(footer_lines) >= 3 and number_line == [f"{label} 12345678901234567890"]  # the name wrapped


def test_a_long_patient_line_shrinks_to_stay_on_one_line_before_it_wraps(tmp_path):
    """Two lines pushed the footer's rule up against the page's last row. (The checklist's footer:
    the handout's gives part of the line to the 24-hour line.)"""
    name = "Maximiliano Alejandro Fernández de la Cruz y Montenegro-Villalobos Santisteban Ortega Ruiz"
    result = run_cli("generate", "--name", name, "--mrn", "1234567890123", "--infusion-date", "2027-12-28",
                     "--doc", "checklist", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    spans: list[tuple[str, float, float]] = []
    pypdf.PdfReader(tmp_path / "checklist.pdf").pages[0].extract_text(
        visitor_text=lambda text, cm, tm, font, size: text.strip() and spans.append((text, round(cm[5] + tm[5], 1), size)))
    owner = [(y, size) for text, y, size in spans if y < 60 and ("Maximiliano" in text or "1234567890123" in text)]
    assert len({y for y, _ in owner}) == 1 and 9 <= min(size for _, size in owner) < 12


def test_contacts_stay_whole_with_their_heading(tmp_path):
    """A contact list that would have broken over a page moves whole, heading included: a phone
    number alone at the top of the next page is easily missed."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-01-04", "--mrn", "BM-000001",
                     "--caregiver", "Tomás Delgado", "--caregiver-phone", "(217) 555-0000", "--date-of-birth",
                     "1950-01-01", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    first = next(n for n, text in enumerate(pages) if "How to reach us" in text)
    assert all(word in pages[first] for word in ("24-hour line", "Tomás Delgado\n(217) 555-0000", "Sam Patel, PharmD\n(217) 555-0151"))


def test_phone_numbers_are_never_broken_over_two_lines(tmp_path):
    """In large print the caregiver's number used to end one line with "+1 (217)" and start the
    next with "555-0199": a number read off two lines is easily dialled wrong."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--caregiver",
                     "Maria Gonzalez-Ramirez", "--caregiver-phone", "+1 (217) 555-0199 ext. 4421", "--large-print",
                     "--doc", "handout", "--doc", "caregiver-guide", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    handout = "\n".join(page_texts(tmp_path / "handout.pdf")).splitlines()
    assert "+1 (217) 555-0199 ext. 4421" in handout  # a line of its own, below the name, spaces as spaces
    guide = "\n".join(page_texts(tmp_path / "caregiver-guide.pdf")).splitlines()
    numbered = [line for line in guide if "555-0199" in line]
    assert len(numbered) >= 3 and all("(217) 555-0199" in line for line in numbered)  # the 24-hour line, whole


def test_a_caregiver_phone_without_a_name_is_still_listed(tmp_path):
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--caregiver-phone",
                     "(555) 111-2222", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    last = page_texts(tmp_path / "handout.pdf")[-1]
    assert "Caregiver\n(555) 111-2222" in last


def test_only_the_spaces_inside_a_number_are_no_break():
    """Words in a phone field still wrap: a long field never has to break in the middle of a number."""
    from carthandout.context import unbroken

    assert unbroken("+1 (217) 555-0199 ext. 4421") == "+1\u00a0(217)\u00a0555-0199\u00a0ext.\u00a04421"
    assert unbroken("(217) 555-0199 x 12") == "(217)\u00a0555-0199\u00a0x\u00a012"
    assert unbroken("(217) 555-0199 or 4422 after 5 pm") == "(217)\u00a0555-0199 or 4422 after 5\u00a0pm"
    assert unbroken("(217) 555-0199 (days) 555-0200") == "(217)\u00a0555-0199 (days) 555-0200"
    assert unbroken("+44 (0) 20 7946 0958 - +44 20 7946 0959") == (
        "+44\u00a0(0)\u00a020\u00a07946\u00a00958 - +44\u00a020\u00a07946\u00a00959")
    assert unbroken("٠١٢ ٣٤٥") == "٠١٢\u00a0٣٤٥"  # digits of any script


def test_each_address_line_is_a_line_and_a_postal_code_never_starts_one(tmp_path, write_yaml):
    """A ZIP code alone at the start of a line reads as a street number."""
    clinic = write_yaml("clinic.yaml", (
        'name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\naddress:\n'
        '  - "1200 Riverside Drive, Building C"\n'
        '  - "Springfield Medical District Campus East, Springfield, IL 62701"\n'))
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--clinic", clinic,
                     "--large-print", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = page_texts(tmp_path / "handout.pdf")[-1].splitlines()
    address = lines.index("Address") + 1
    assert lines[address] == "1200 Riverside Drive, Building C"
    assert any(line.endswith("Springfield, IL 62701") for line in lines[address + 1:address + 4])
    assert not any(line.startswith("62701") for line in lines)


def test_a_postal_code_is_kept_with_the_word_before_it():
    from carthandout.context import postcode_kept

    assert postcode_kept("Springfield, IL 62701") == "Springfield,\u00a0IL\u00a062701"
    assert postcode_kept("Toronto, ON M5G 2C4") == "Toronto,\u00a0ON\u00a0M5G\u00a02C4"
    assert postcode_kept("Campus East, San Francisco, CA 94110") == "Campus East, San\u00a0Francisco,\u00a0CA\u00a094110"
    assert postcode_kept("Llanfairpwllgwyngyllgogerychwyrndrobwll, LL61 5UJ") == (
        "Llanfairpwllgwyngyllgogerychwyrndrobwll, LL61\u00a05UJ")  # too long to keep with its town
    assert postcode_kept("1200 Riverside Drive, Building C") == "1200 Riverside Drive, Building C"
    assert postcode_kept("28001 Madrid") == "28001 Madrid"
    assert postcode_kept("62701") == "62701"


@pytest.mark.parametrize("days, expected, absent", [
    ("[-6, -5, -4, -3]", ["February 27, 2027 Saturday Chemo, day 1 of 4", "March 1, 2027 Monday Chemo, day 3 of 4",
                          "March 2, 2027 Tuesday Chemo, day 4 of 4", "for 4 days.", "within 1 hour for"], []),
    ("[-3]", ["March 2, 2027 Tuesday Chemo, day 1 of 1", "for 1 day.", "within 1 hour for"],
     ["1 days", "1 hours", "day 2"]),
])
def test_the_timeline_has_a_row_for_every_chemo_day_of_the_policy(tmp_path, write_yaml, days, expected, absent):
    """A clinic's four-day regimen lost its third day from the timeline; a one-day one printed
    "Chemo, day 1" and "Chemo, last day" on the same date, and "for 1 days"."""
    clinic = write_yaml("clinic.yaml", 'name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\n'
                                       f"overrides: {{conditioning_days: {days}, stay_near_travel_hours: 1}}\n")
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--clinic", clinic,
                     "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(page.split()) for page in page_texts(tmp_path / "handout.pdf"))
    for phrase in expected:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text


def test_a_kept_group_inside_a_kept_group_does_not_force_a_new_page(tmp_path):
    """reportlab's KeepTogether reports itself infinitely tall to its parent, so nesting one
    always started a new page (the handout's contacts used to leave half a page empty)."""
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate

    from carthandout.documents.blocks import keep_together

    style = getSampleStyleSheet()["Normal"]

    def pages(group_of):
        path = tmp_path / f"{group_of.__name__}.pdf"
        story = [Paragraph("Section before", style),
                 group_of([Paragraph("Heading", style), KeepTogether([Paragraph("Opening", style), Paragraph("Table", style)])])]
        SimpleDocTemplate(str(path)).build(story)
        return len(pypdf.PdfReader(path).pages)

    assert pages(KeepTogether) == 2  # the reportlab behaviour worked around
    assert pages(keep_together) == 1


def test_contacts_share_a_page_with_the_sections_before_when_they_fit(tmp_path, write_yaml, example_clinic):
    """Without team members or a caregiver the contact list is short enough to follow the note on the same page."""
    clinic = example_clinic.read_text()
    clinic = clinic[:clinic.index("team:")] + clinic[clinic.index("logo:"):]
    clinic = clinic.replace('logo: "logo.png"', f'logo: "{example_clinic.parent / "logo.png"}"')
    patient = (example_clinic.parent / "patient.yaml").read_text()
    patient = "\n".join(line for line in patient.splitlines() if not line.startswith("caregiver"))
    result = run_cli("generate", "--patient", write_yaml("patient.yaml", patient), "--clinic",
                     write_yaml("clinic.yaml", clinic), "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    contacts = next(n for n, text in enumerate(pages) if "How to reach us" in text)
    assert "In the months and years after" in pages[contacts] and "Please note" in pages[contacts]


@pytest.mark.parametrize("options", [(), ("--large-print",), ("--lang", "es"), ("--lang", "es", "--large-print"),
                                     ("--paper", "a4")])
def test_the_last_page_holds_the_contacts(tmp_path, example_patient, example_clinic, options):
    """The handout ends with how to reach the team: never a page holding only the note."""
    result = run_cli("generate", "--patient", example_patient, "--clinic", example_clinic, "--doc", "handout",
                     "-o", tmp_path, *options)
    assert result.exit_code == 0, result.output
    last = page_texts(tmp_path / "handout.pdf")[-1]
    assert "(217) 555-0150" in last and "(217) 555-0199" in last


@pytest.mark.parametrize("mrn, second", [(None, "Born January 2, 1970"), ("RCC-1", "MRN RCC-1")])
def test_every_page_names_its_patient_twice(tmp_path, mrn, second):
    """A patient with a birth date and no MRN had only the name in every footer, so a page parted
    from its document could not be tied to one patient (a records pass)."""
    args = ["--mrn", mrn] if mrn else []
    result = run_cli("generate", "--name", "Ana Li", "--infusion-date", "2027-03-05", "--date-of-birth", "1970-01-02",
                     *args, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for document in ("handout", "temperature-log", "caregiver-guide", "calendar", "checklist"):
        reader = pypdf.PdfReader(tmp_path / f"{document}.pdf")
        assert all(f"Ana Li · {second}" in " ".join(page.extract_text().split()) for page in reader.pages), document
        # the document's patient key is made from what it prints (edits.patient_key)
        assert str(reader.metadata["/CarthandoutPatient"]).startswith("n" if mrn and document != "checklist" else "b")


@pytest.mark.parametrize("language, says, row", [("en", "For other questions, call the clinic phone.", "Clinic phone"),
                                                  ("es", "Si tiene otras preguntas, llame al teléfono de la clínica.",
                                                   "Teléfono de la clínica")])
def test_the_contacts_say_which_number_is_for_other_questions(tmp_path, language, says, row):
    """"Call us with any other question" above two numbers left the patient to guess which (a nurse educator's review)."""
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--lang", language,
                     "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "handout.pdf")
    assert says in text and row in text

@pytest.mark.parametrize("language, caption", [("en", "How to reach us (continued)"),
                                               ("es", "Cómo comunicarse con nosotros (continuación)")])
def test_contacts_broken_over_a_page_say_whose_they_are_on_the_next(tmp_path, write_yaml, example_clinic, language,
                                                                     caption):
    """A team too long for one page: the next page opens with the section's heading, "continued",
    never with bare rows of phone numbers."""
    clinic = yaml.safe_load(own_numbers(example_clinic.read_text()))
    clinic["logo"] = str(example_clinic.parent / "logo.png")
    clinic["team"] = [{"role": f"Role {n}", "name": f"Person {n}, RN", "phone": f"(217) 555-01{n:02d}"} for n in range(14)]
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--lang", language,
                     "--clinic", write_yaml("clinic.yaml", yaml.safe_dump(clinic)), "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    heading = caption[:caption.rindex(" (")]
    start = [n for n, text in enumerate(pages) if heading in text and caption not in text]
    assert len(start) == 1
    continued = pages[start[0] + 1:]
    assert continued and "(217) 555-0113" in continued[-1]
    for text in continued:  # the caption heads the page's rows: only the page's header line is above it
        assert text.splitlines().index(caption) == 1, text.splitlines()[:3]


def test_a_continued_caption_never_stands_alone_on_a_page(tmp_path, write_yaml, example_clinic):
    """Rows so tall that two do not fit under the caption moved on and left it alone on a page."""
    clinic = yaml.safe_load(own_numbers(example_clinic.read_text()))
    clinic["logo"] = str(example_clinic.parent / "logo.png")
    words = "Coordinator of the cellular therapy and transplant program outpatient nursing team for weekends and nights "
    clinic["team"] = [{"role": (f"Role {n} " + words * 2)[:199], "name": (f"Name {n} " + words * 2)[:199],
                       "phone": f"555-01{n:02d}"} for n in range(3)]
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--large-print",
                     "--clinic", write_yaml("clinic.yaml", yaml.safe_dump(clinic)), "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    continued = [text for text in pages if "How to reach us (continued)" in text]
    assert len(continued) >= 2 and all(text.splitlines()[2:] for text in continued)
    assert all("(continued)" in text for text in pages if text.splitlines()[1].startswith("Role "))
    assert sum(text.count("Role ") for text in pages) == 3


def test_a_word_longer_than_its_cell_is_broken_inside_the_patient_box(tmp_path):
    """A one-word surname too long for its column ran out of the box and off the page."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from carthandout.typefaces import text_font

    surname = "Wolfeschlegelsteinhausenbergerdorff"
    result = run_cli("generate", "--name", f"Hubert {surname}", "--infusion-date", "2027-09-30",
                     "--caregiver", f"Anna-Katharina {surname}", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    page = pypdf.PdfReader(tmp_path / "handout.pdf").pages[0]
    right_edges = []

    def visit(text, cm, tm, font, size):
        if font and any(piece in text for piece in ("schlegel", "dorff")):
            face = text_font(bold="Bold" in font["/BaseFont"])
            right_edges.append(cm[4] + tm[4] * cm[0] + stringWidth(text.strip(), face, size * cm[0]))

    page.extract_text(visitor_text=visit)
    assert len(right_edges) >= 3  # both names (a value column of its own, the surname may break)
    assert max(right_edges) <= float(page.mediabox.width) - 36  # inside the box, inside the margin


def test_a_hyphenated_name_too_long_for_a_half_width_column_gets_a_row_of_its_own(tmp_path):
    """Two pairs a row, "Christopher-Alexander" broke as "Christopher-Alexande" and "r", and
    "MRN-2027-000123456" as "MRN-2027-00012345" and "6": then each pair takes a row of its own."""
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--caregiver",
                     "Christopher-Alexander Montgomery-Worthington", "--mrn", "MRN-2027-000123456",
                     "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    first = page_texts(tmp_path / "handout.pdf")[0].splitlines()
    assert "Christopher-Alexander Montgomery-Worthington" in first and "MRN-2027-000123456" in first
    assert "Treatment center" in first  # its label, too, on one line in the wider label column
    short = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--caregiver", "Bo Lee",
                    "--doc", "handout", "-o", tmp_path / "short")
    assert short.exit_code == 0
    assert "Treatment center" not in page_texts(tmp_path / "short" / "handout.pdf")[0].splitlines()  # two pairs a row


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_call_box_stays_on_page_one_above_a_patient_block_too_tall_to_share_it(tmp_path, language):
    """Long names (each within its limit) made the patient block so tall that the call box and its
    24-hour number moved to page 2. The box now goes first; the block follows on page 2."""
    name = "Maximiliana Alexandrina " * 4 + "Maximiliana Alexandri"
    result = run_cli("generate", "--name", name, "--caregiver", name, "--physician", name, "--mrn", "RCC-004417",
                     "--center", "University of Southern Northwestern Regional Comprehensive Cancer and Cellular "
                     "Immunotherapy Center of Greater Area", "--infusion-date", "2027-03-05", "--lang", language,
                     "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = page_texts(tmp_path / "handout.pdf")
    labels = load_pack("handout", language).labels
    assert labels["call_24h"].split("{")[0].strip() in pages[0]
    patient_label = f"{labels['patient_name']}\n"
    assert patient_label not in pages[0] and patient_label in pages[1]  # the details, whole, on page 2


@pytest.mark.parametrize("low, high, expected, absent", [
    (10, 21, "about 10 to 21 days", "10 to 3 weeks"),
    (1, 14, "about 1 to 14 days", "1 to 2 weeks"),
    (14, 21, "about 2 to 3 weeks", "14 to"),
])
def test_a_manufacturing_range_is_in_one_unit(tmp_path, write_yaml, low, high, expected, absent):
    """10 to 21 days printed as "about 10 to 3 weeks": the upper end turned to weeks, the lower did not."""
    clinic = write_yaml("clinic.yaml", 'name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\n'
                                       f"overrides: {{manufacturing_days_min: {low}, manufacturing_days_max: {high}}}\n")
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--clinic", clinic,
                     "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "handout.pdf")
    assert expected in text
    assert absent not in text


def lowest_text(page: pypdf.PageObject) -> float:
    """The lowest line of text above the footer, as a share of the page's height."""
    heights: list[float] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and heights.append(cm[5] + tm[5]))
    return min(y for y in heights if y > 60) / float(page.mediabox.height)


def test_the_dates_break_under_their_header_rather_than_leave_most_of_a_page_empty(tmp_path, write_yaml):
    """A long center name made the Spanish dates a little too tall for the page they started on:
    kept whole, they moved on and left that page holding two bullets."""
    clinic = write_yaml("clinic.yaml", 'name: "The University of Texas MD Anderson Cancer Center – Stem Cell '
                                       'Transplantation and Cellular Therapy"\nphone_24h: "(713) 792-2121"\n')
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", "es",
                     "--clinic", clinic, "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(tmp_path / "handout.pdf").pages
    dates_page = next(n for n, page in enumerate(pages) if "Estas son sus fechas" in page.extract_text())
    assert all(lowest_text(page) < 0.5 for page in pages[:dates_page + 1])
    assert "Cuidador con usted" in " ".join(page.extract_text() for page in pages[dates_page:dates_page + 2])


def drawn_streams(page: pypdf.PageObject) -> bytes:
    """The page's content stream and those of the forms it draws, forms in forms too (the wallet card's faces)."""
    return page.get_contents().get_data() + _form_streams(page.get("/Resources", {}))


def _form_streams(resources) -> bytes:
    forms = [form.get_object() for form in resources.get_object().get("/XObject", {}).values()]
    return b"".join(form.get_data() + _form_streams(form.get("/Resources", {}))
                    for form in forms if form.get("/Subtype") == "/Form")


def test_a_shaped_name_says_what_it_reads_as_for_text_extraction(tmp_path):
    """A Devanagari name's conjuncts extracted as private-use characters (प्रिया as U+E000 U+E001 या):
    no search of the health record found the patient. Right-to-left names get no replacement text
    (poppler reads it back to front)."""
    from carthandout.pdfjoin import text_string
    result = run_cli("generate", "--name", "प्रिया शर्मा", "--caregiver", "שרה כהן", "--infusion-date", "2027-03-05",
                     "--doc", "handout", "--doc", "wallet-card", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for document in ("handout", "wallet-card", "record_packet"):
        streams = b"".join(drawn_streams(page) for page in pypdf.PdfReader(tmp_path / f"{document}.pdf").pages)
        replacement = re.search(rb"/ActualText <FEFF([0-9A-F]*)>", streams)  # the card's says "Name: प्रिया शर्मा"
        assert replacement and text_string("प्रिया शर्मा")[5:-1] in replacement.group(1), document
        assert text_string("שרה כהן")[5:-1] not in streams.upper()
        assert streams.count(b" BDC") == streams.count(b"EMC")


def test_a_wrapped_patient_line_keeps_the_footer_rule_clear_of_the_body():
    """Large print, a name on two lines at 12 pt: the footer's rule rose to 4 pt under the body's
    frame, and a table ending there read as one double line."""
    from reportlab.pdfgen.canvas import Canvas

    from carthandout.documents.base import FOOTER_HEIGHT, FOOTER_RULE_CLEARANCE, _FooterLines
    from carthandout.theme import build_theme
    from carthandout.typefaces import literal

    theme = build_theme(load_clinic(None), None, large_print=True)
    bottom = theme.margin * 0.5
    lines = _FooterLines(theme.margin, bottom, theme.frame_width, theme.style("footer"))
    rules: list[float] = []

    class Recording(Canvas):
        def line(self, x1, y1, x2, y2):
            rules.append(y1)
            super().line(x1, y1, x2, y2)

    owner = literal("Maximiliana Gertrudis Wolfeschlegelsteinhausenbergerdorff-Ó'Connell y de la Santísima "
                    "Trinidad Xochiquetzal Papadopoulou · MRN 7777777777777")
    lines.draw(Recording(io.BytesIO()), owner, literal("Page 1 of 9"), literal("Content 1.2.3"), theme.primary)
    assert rules and rules[0] <= bottom + FOOTER_HEIGHT - FOOTER_RULE_CLEARANCE


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_capital_letter_standing_as_a_word_never_ends_or_starts_a_line(tmp_path, language):
    """Large print ended a line with "cancers of B" and began the next with "cells"; "CAR" ending
    a line and "T-cell" starting the next read as two words."""
    from carthandout.content import _kept_together
    assert _kept_together("cancers of B cells") == "cancers of\u00a0B\u00a0cells"
    assert _kept_together("A fever, I said, O Y E U") == "A fever, I said, O Y E U"  # words of their own
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--large-print", "--lang", language,
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    ends_with_lone = re.compile(r"\s[B-DF-HJ-NP-TV-XZ]$")
    starts_with_lone = re.compile(r"^[B-DF-HJ-NP-TV-XZ]([-.,;:)]|$)")
    lines = [line.strip() for pdf in sorted(tmp_path.glob("*.pdf")) if pdf.name != "record_packet.pdf"
             for text in page_texts(pdf) for line in text.splitlines()]
    broken = [(line, after) for line, after in zip(lines, lines[1:])
              if (ends_with_lone.search(line) and after[:1].islower()) or starts_with_lone.search(after)]
    assert len(lines) > 500 and not broken


@pytest.mark.parametrize("language, call, told", [("en", "Call right away for any fever, even a low one", "Tell"),
                                                  ("es", "Llame de inmediato", "Avise")])
def test_any_fever_is_a_reason_to_call_in_every_document_that_names_it(tmp_path, language, call, told):
    """"Tell your team right away about any fever" read to a caregiver as "mention it at the next
    visit" beside "Call at 100.4 °F or higher"; the call box named confusion alone of the brain
    and nerve signs, which the caregiver guide lists."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", language, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for name in ("handout", "temperature-log", "caregiver-guide"):
        text = " ".join(" ".join(page_texts(tmp_path / f"{name}.pdf")).split())
        assert not re.search(told + r"[^.]{0,40}fiebre|" + told + r"[^.]{0,40}fever", text), name
        assert call in text if name != "caregiver-guide" else re.search(r"Any fever, even one below|Cualquier fiebre, aunque no llegue a", text)
    first_page = " ".join(page_texts(tmp_path / "handout.pdf")[0].split())
    assert ("trouble speaking" in first_page and "seizures" in first_page) if language == "en" else \
        ("dificultad para hablar" in first_page and "convulsiones" in first_page)


@pytest.mark.parametrize("large_print", [False, True])
def test_every_page_a_caregiver_keeps_at_hand_gives_the_24_hour_line_in_its_footer(tmp_path, large_print):
    """The number was on the first page of the log and the guide and nowhere on the calendar: at
    night the log is open at page 3, and the calendar is on the fridge. At the right of the
    patient's line, clear of it; not on the staff's checklist."""
    name = "María Guadalupe Hernández-Villanueva de la Concepción"
    result = run_cli("generate", "--name", name, "--mrn", "NLHI-0098765432", "--infusion-date", "2027-12-31",
                     "-o", tmp_path, *(["--large-print"] if large_print else []))
    assert result.exit_code == 0, result.output
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from carthandout.typefaces import text_font
    call = "Day or night, call (217) 555-0199"
    for document in ("handout", "temperature-log", "caregiver-guide", "calendar", "checklist"):
        for page in pypdf.PdfReader(tmp_path / f"{document}.pdf").pages:
            spans: list[tuple[str, float, float, float]] = []
            page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and spans.append(
                (text.strip(), cm[4] + tm[4], round(cm[5] + tm[5], 1), size * tm[0])))
            footer = [span for span in spans if span[2] < 60]
            calls = [span for span in footer if span[0] == call]
            if document == "checklist":
                assert not calls
                continue
            (_, call_x, call_y, call_size), = calls
            call_end = call_x + stringWidth(call, text_font(bold=True), call_size)
            beside = [span for span in footer if span[2] == call_y and span is not calls[0]]
            assert all(x + stringWidth(text, text_font(), size) < call_x or x > call_end  # clear of it
                       for text, x, y, size in beside)
            assert any(name.split()[0] in text for text, *_ in footer)


@pytest.mark.parametrize("language, common, call, next_heading", [
    ("en", "Other common side effects", "Call right away for a fever", "How your team treats side effects"),
    ("es", "Otros efectos secundarios comunes", "Llame de inmediato si tiene fiebre", "Cómo trata su equipo")])
def test_common_side_effects_are_not_read_as_safe_to_wait_for(tmp_path, language, common, call, next_heading):
    """A caregiver read "Other common side effects: fever and chills ... fast heartbeat" as "normal,
    no need to call", though page 1 says to call for each; and "Both go on at least through this
    date" did not say what goes on."""
    result = run_cli("generate", "--patient", example_path(EXAMPLE_PATIENT), "--lang", language, "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = " ".join(" ".join(page_texts(tmp_path / "handout.pdf")).split())
    section = text[text.index(common):text.index(next_heading)]
    assert call in section
    assert "Both go on" not in text


@pytest.mark.parametrize("large_print", [False, True])
def test_a_long_number_beside_a_long_name_is_still_on_every_page(tmp_path, write_yaml, large_print):
    """A 39-character number beside a 103-character name fitted nowhere, even at 6 pt, and the
    footer dropped it: the calendar gave it on no page (a review). The patient's line is made one
    smaller line, and the number goes above it."""
    clinic = write_yaml("clinic.yaml", 'name: "Riverside Cancer Center"\nphone_24h: "+44 20 7946 0958 / +44 20 7946 0000 x99"\n')
    name = "María Guadalupe Hernández-Villanueva de la Concepción y Rodríguez-Santamaría Echeverría López de Arriba"
    result = run_cli("generate", "--clinic", clinic, "--name", name, "--mrn", "123456789012", "--infusion-date",
                     "2027-03-05", "--lang", "es", "--paper", "a4", "--doc", "calendar", "-o", tmp_path,
                     *(["--large-print"] if large_print else []))
    assert result.exit_code == 0, result.output
    assert all("+44 20 7946 0000 x99" in text for text in page_texts(tmp_path / "calendar.pdf"))


@pytest.mark.parametrize("paper", ["a4", "letter"])
def test_a_name_of_two_footer_lines_still_leaves_room_for_the_24_hour_line(tmp_path, paper):
    """With a 91-character name on A4, the patient's line took two lines and the number found no place
    in the footer: the calendar, whose body never gives it, had it on no page (a review)."""
    name = "María Guadalupe Hernández-Villanueva de la Concepción y Rodríguez-Santamaría Echeverría Lóp"
    result = run_cli("generate", "--name", name, "--mrn", "RCC-004417", "--infusion-date", "2027-03-05", "--lang", "es",
                     "--paper", paper, "--doc", "calendar", "--doc", "temperature-log", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for document in ("calendar", "temperature-log"):
        pages = page_texts(tmp_path / f"{document}.pdf")
        assert all("(217) 555-0199" in text for text in pages), document


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("document", ["handout", "calendar"])
def test_a_long_24_hour_number_leaves_the_patients_line_whole(tmp_path, write_yaml, document, large_print):
    """Beside "+1 (217) 555-0199 ext. 12345, option 22" the patient's line shrank to 6 pt over four
    lines and split "Ex / pediente" and the MRN (a review). The patient's line comes first; the
    24-hour line goes before the page number, or above the patient's line."""
    clinic = write_yaml("clinic.yaml", 'name: "Riverside Cancer Center"\nphone_24h: "+1 (217) 555-0199 ext. 12345, option 22"\n')
    owner = "María Guadalupe Hernández-Villanueva de la Concepción · Expediente RCC-0044171234567890"
    result = run_cli("generate", "--name", owner.split(" · ")[0], "--mrn", "RCC-0044171234567890", "--infusion-date",
                     "2027-03-05", "--clinic", clinic, "--lang", "es", "--doc", document, "-o", tmp_path,
                     *(["--large-print"] if large_print else []))
    assert result.exit_code == 0, result.output
    for page in pypdf.PdfReader(tmp_path / f"{document}.pdf").pages:
        lines: dict[float, str] = {}
        page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and lines.update(
            {round(cm[5] + tm[5], 1): lines.get(round(cm[5] + tm[5], 1), "") + text}))
        footer = [" ".join(text.split()) for y, text in lines.items() if y < 70]
        assert owner in footer  # one line of its own, whole
        assert any("Llame de día o de noche al +1 (217) 555-0199 ext. 12345, option 22" in line for line in footer)


@pytest.mark.parametrize("name", ["Rosa María Delgado", "Maximiliano Fernández-Villalobos Ortega"])
@pytest.mark.parametrize("language, large_print", [("es", True), ("es", False), ("en", False)])
def test_the_patients_line_keeps_its_size_beside_the_24_hour_line(tmp_path, name, language, large_print):
    """A patient's line a little too long to share its line with the 24-hour line shrank to fit
    beside it, smaller than the page number under it (the number now goes elsewhere)."""
    result = run_cli("generate", "--name", name, "--mrn", "RCC-004417", "--infusion-date", "2027-03-05",
                     "--lang", language, "--doc", "handout", "-o", tmp_path, *(["--large-print"] if large_print else []))
    assert result.exit_code == 0, result.output
    page = pypdf.PdfReader(tmp_path / "handout.pdf").pages[1]
    spans: list[tuple[str, float, float]] = []
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: text.strip() and spans.append(
        (text.strip(), round(cm[5] + tm[5], 1), size * tm[0])))
    footer = [span for span in spans if span[1] < 70]
    sizes = {size for text, _, size in footer if name.split()[0] in text or text.startswith(("Página", "Page"))}
    assert len(sizes) == 1, footer
