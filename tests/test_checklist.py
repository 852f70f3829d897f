"""The pre-treatment checklist: form fields, per-patient names, clinic items, the staff dose line."""
from __future__ import annotations

import io
import re
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest
import yaml

from carthandout.resources import package_dir
from carthandout.content import load_common, load_pack, parse_pack
from carthandout.context import build_context
from carthandout.documents import checklist
from carthandout.documents.forms import TextField, form_can_encode
from carthandout.dose import scientific, target_dose
from carthandout.errors import InputError
from carthandout.inputs import EXAMPLE_CLINIC, example_path
from carthandout.models import parse_clinic, parse_patient
from carthandout.options import RenderOptions
from carthandout.theme import build_theme
from conftest import page_texts, run_cli

OPTIONS = RenderOptions(("checklist",))
PACK_ITEM_IDS = [
    "pet-ct", "echocardiogram", "lung-function", "hiv", "hepatitis-b", "hepatitis-c", "pregnancy",
    "infection-check", "vaccination-history", "leukapheresis", "manufacturing", "conditioning-1",
    "conditioning-2", "conditioning-3", "infusion", "monitoring",
]


def _patient(**fields):
    raw = {"name": "Rosa María Delgado", "infusion_date": "2027-03-05", "mrn": "RCC-004417", "weight_kg": "72"}
    raw.update(fields)
    return parse_patient({k: v for k, v in raw.items() if v is not None})


def _clinic(**extra):
    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.pop("logo", None)
    raw.update(extra)
    return parse_clinic(raw, Path("."))


def _render(patient=None, clinic=None) -> pypdf.PdfReader:
    ctx = build_context(patient or _patient(), clinic or _clinic())
    theme = build_theme(ctx.clinic)
    return pypdf.PdfReader(io.BytesIO(checklist.render(ctx, theme, OPTIONS).data))


def _text(reader: pypdf.PdfReader) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture(scope="module")
def example() -> pypdf.PdfReader:
    return _render()


def _item_ids(fields: dict, suffix: str) -> list[str]:
    """Item ids of the fields ending in ``_<suffix>``, in the file's order."""
    return [name.split("_", 1)[1].rsplit("_", 1)[0] for name in fields if name.endswith("_" + suffix)]


def test_every_item_has_a_checkbox_and_date_and_initials_fields(example):
    fields = example.get_fields()
    assert _item_ids(fields, "done") == PACK_ITEM_IDS
    assert _item_ids(fields, "date") == PACK_ITEM_IDS
    assert _item_ids(fields, "initials") == PACK_ITEM_IDS
    prefixes = {name.split("_", 1)[0] for name in fields}
    assert len(prefixes) == 1 and prefixes.pop().startswith("ck")
    assert all(fields[n]["/FT"] == "/Btn" for n in fields if n.endswith("_done"))
    assert all(fields[n]["/FT"] == "/Tx" for n in fields if n.endswith(("_date", "_initials")))
    assert any(n.endswith("_staff_name") for n in fields) and any(n.endswith("_signed_on") for n in fields)


def test_field_names_are_unique_widgets(example):
    names = [annot.get_object()["/T"] for page in example.pages for annot in page.get("/Annots", [])]
    assert len(names) == len(set(names)) == len(example.get_fields())


def test_due_and_planned_dates_are_prefilled_fields(example):
    fields = example.get_fields()
    when = {name.split("_", 1)[1].rsplit("_", 1)[0]: field.get("/V") for name, field in fields.items()
            if name.endswith("_when")}
    assert when["infusion"] == "March 5, 2027"
    assert when["conditioning-1"] == "February 28, 2027"  # day -5
    assert when["conditioning-3"] == "March 2, 2027"  # day -3
    assert when["pet-ct"] == "February 28, 2027"  # due by the start of chemotherapy
    assert when["monitoring"] == "March 12, 2027"  # source-document policy: 7 days
    assert "leukapheresis" not in when and "vaccination-history" not in when
    text = _text(example)
    assert "Due by" in text and "Planned through" in text  # "until" read as ending the day before
    assert "no live vaccines in the 6 weeks before chemotherapy" in text  # policy value filled


def test_a_date_too_long_for_its_field_is_printed_on_the_page_whole(tmp_path):
    """In large print a full date ("Wednesday, September 22, 2027") was cut off by its field's
    edge: "Wednesday, September 22, 20". It is printed on the page, where it wraps."""
    ctx = build_context(_patient(infusion_date="2027-09-27"), _clinic(date_format="full"))
    reader = pypdf.PdfReader(io.BytesIO(checklist.render(ctx, build_theme(ctx.clinic, large_print=True), OPTIONS).data))
    when = {name.split("_", 1)[1].rsplit("_", 1)[0]: field.get("/V") for name, field in reader.get_fields().items()
            if name.endswith("_when")}
    assert "pet-ct" not in when  # its field could not hold it
    assert when == {"monitoring": "Monday, October 4, 2027"}  # a shorter one still fits one
    assert "Due by Wednesday, September 22, 2027" in _text(reader)
    normal = _render(_patient(infusion_date="2027-09-27"), _clinic(date_format="full"))
    assert any(name.endswith("_when") for name in normal.get_fields())  # they fit at normal size


def test_a_prefilled_date_shows_in_an_embedded_font_and_each_field_has_its_own_appearance(example):
    """Helvetica is never embedded: where no font has its widths, "January" printed as "J anuary"."""
    shown = {}
    for page in example.pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            if widget.get("/FT") != "/Tx" or not widget.get("/V"):
                continue
            appearance = widget["/AP"].raw_get("/N")
            form = appearance.get_object()
            font_name = form.get_data().split(b" Tf")[0].split(b"/")[-1].split()[0].decode()
            font = form["/Resources"]["/Font"][f"/{font_name}"]
            assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
            shown[appearance.idnum] = widget["/V"]
    dates = [name for name in example.get_fields() if name.endswith("_when")]
    assert len(shown) == len(dates)  # one appearance object per field: filling one rewrites only its own
    assert len(set(shown.values())) < len(shown)  # though several show the same date


def test_a_prefilled_date_is_the_size_of_its_label(example):
    """'Due by' and its date read as one line: one size, as a date printed on the page would be."""
    sizes = set()
    page = example.pages[0]
    page.extract_text(visitor_text=lambda text, cm, tm, font, size: "Due by" in text and sizes.add(size))
    appearance = next(annotation.get_object()["/AP"]["/N"].get_object() for annotation in page["/Annots"]
                      if annotation.get_object().get("/FT") == "/Tx" and annotation.get_object().get("/V"))
    date_size = float(appearance.get_data().split(b" Tf")[0].split()[-1])
    assert sizes == {date_size}


def test_a_prefilled_date_is_also_the_fields_default(example):
    """A viewer's Reset Form puts /DV back: an empty default erased the due dates."""
    widgets = [annotation.get_object() for page in example.pages for annotation in page.get("/Annots", [])]
    prefilled = [widget for widget in widgets if widget.get("/FT") == "/Tx" and widget.get("/V")]
    assert prefilled and all(widget["/DV"] == widget["/V"] for widget in prefilled)


def test_field_prefix_is_per_patient_and_hides_the_name():
    first = _render(_patient()).get_fields()
    second = _render(_patient(name="Ana Ruiz", mrn="RCC-000001")).get_fields()
    assert set(first).isdisjoint(second)
    assert all("Rosa" not in name and "RCC" not in name for name in first)
    assert set(_render(_patient()).get_fields()) == set(first)  # stable for the same patient


def test_two_patients_merged_keep_every_field():
    writer = pypdf.PdfWriter()
    for patient in (_patient(), _patient(name="Ana Ruiz", mrn="RCC-000001")):
        ctx = build_context(patient, _clinic())
        writer.append(io.BytesIO(checklist.render(ctx, build_theme(ctx.clinic), OPTIONS).data))
    buffer = io.BytesIO()
    writer.write(buffer)
    merged = pypdf.PdfReader(buffer).get_fields()
    assert len(merged) == 2 * len(_render().get_fields())


def test_a_date_the_form_font_cannot_encode_is_printed_instead():
    reader = _render(clinic=_clinic(date_format="d MMM y 'ł'"))
    fields = reader.get_fields()
    assert not [name for name in fields if name.endswith("_when")]
    assert "5 Mar 2027 ł" in _text(reader)


def test_form_can_encode_matches_reportlab():
    assert form_can_encode("March 5, 2027") and form_can_encode("5 févr. 2027")
    assert not form_can_encode("5 mar 2027 ł") and not form_can_encode("€")
    with pytest.raises(ValueError):
        TextField(100, 20, "x", "tip", value="ł")


# --- clinic customisation -------------------------------------------------------------------

CUSTOM = {
    "add": [
        {"id": "dental-check", "group": "tests", "text": "Dental check <b>before</b> {patient.name}",
         "date": "dates.conditioning_start", "date_label": "due_by"},
        {"id": "wallet-card-given", "group": "steps", "text": "Wallet card given to the patient"},
    ],
    "remove": ["pregnancy", "conditioning"],
    "rename": {"echocardiogram": "Echocardiogram or MUGA scan"},
}


def test_clinic_adds_removes_and_renames_items():
    reader = _render(clinic=_clinic(checklist=CUSTOM))
    fields, text = reader.get_fields(), _text(reader)
    ids = _item_ids(fields, "done")
    assert "pregnancy" not in ids and not [i for i in ids if i.startswith("conditioning")]
    assert ids.index("dental-check") == ids.index("vaccination-history") + 1  # last of its group
    assert ids[-1] == "wallet-card-given"
    assert "Pregnancy test" not in text and "Conditioning chemotherapy" not in text
    assert "Echocardiogram or MUGA scan" in text and "Echocardiogram (heart test)" not in text
    # clinic text is literal: no markup, no template
    assert "Dental check <b>before</b> {patient.name}" in text
    assert "Wallet card given to the patient" in text
    when = [n for n in fields if n.endswith("dental-check_when")]
    assert when and fields[when[0]]["/V"] == "February 28, 2027"


def test_clinic_texts_given_by_language_print_in_the_documents_language():
    """A clinic's renamed and added items printed in English on Spanish checklists."""
    settings = {"rename": {"echocardiogram": {"en": "Echocardiogram or MUGA scan", "es": "Ecocardiograma o MUGA"}},
                "add": [{"id": "dental-check", "group": "tests", "text": {"en": "Dental check", "es": "Revisión dental"}},
                        {"id": "parking", "group": "steps", "text": "Parking permit"}]}
    spanish = _text(_render(_patient(language="es"), _clinic(checklist=settings)))
    english = _text(_render(clinic=_clinic(checklist=settings)))
    assert "Ecocardiograma o MUGA" in spanish and "Revisión dental" in spanish and "Dental check" not in spanish
    assert "Echocardiogram or MUGA scan" in english and "Dental check" in english and "Revisión dental" not in english
    assert "Parking permit" in spanish and "Parking permit" in english  # one wording: every language


@pytest.mark.parametrize("settings, field", [
    ({"add": [{"id": "x", "group": "tests", "text": {"es": "Hola"}}]}, "clinic.checklist.add[1].text"),  # no en
    ({"rename": {"hiv": {"en": "HIV", "es": "VIH \U00013000"}}}, "clinic.checklist.rename.hiv.es"),  # no font
    ({"rename": {"hiv": {"en": "HIV", "es": ""}}}, "clinic.checklist.rename.hiv.es"),
    ("not a mapping", "clinic.checklist"),
    ({"hide": ["hiv"]}, "clinic.checklist.hide"),
    ({"remove": ["no-such-item"]}, "clinic.checklist.remove[1]"),
    ({"remove": "hiv"}, "clinic.checklist.remove"),
    ({"rename": {"nope": "x"}}, "clinic.checklist.rename.nope"),
    ({"rename": {"hiv": 5}}, "clinic.checklist.rename.hiv"),
    ({"add": [{"id": "hiv", "group": "tests", "text": "x"}]}, "clinic.checklist.add[1].id"),
    ({"add": [{"id": "Bad Id", "group": "tests", "text": "x"}]}, "clinic.checklist.add[1].id"),
    ({"add": [{"id": "x", "group": "other", "text": "x"}]}, "clinic.checklist.add[1].group"),
    ({"add": [{"id": "x", "group": "tests"}]}, "clinic.checklist.add[1].text"),
    ({"add": [{"id": "x", "group": "tests", "text": "x", "date": "tomorrow"}]}, "clinic.checklist.add[1].date"),
    ({"add": [{"id": "x", "group": "tests", "text": "x", "date": "dates.infusion", "date_label": "soon"}]},
     "clinic.checklist.add[1].date_label"),
    ({"add": [{"id": "x", "group": "tests", "text": "x", "colour": "red"}]}, "clinic.checklist.add[1].colour"),
])
def test_bad_clinic_settings_name_the_setting(settings, field):
    ctx = build_context(_patient(), _clinic(checklist=settings))
    pack = load_pack("checklist", "en")
    with pytest.raises(InputError) as caught:
        checklist.checklist_items(ctx, pack)
    assert caught.value.field == field


def test_bad_clinic_setting_is_a_one_line_cli_error(tmp_path, example_patient):
    from conftest import run_cli
    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.pop("logo")
    raw["checklist"] = {"remove": ["nope"]}
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = run_cli("generate", "--patient", example_patient, "--clinic", clinic, "--doc", "checklist",
                     "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: clinic.checklist.remove[1]: nope is not a checklist item (items: pet-ct,")
    assert result.stderr.count("\n") == 1


def test_shipped_pack_is_valid_and_broken_packs_are_reported():
    pack = load_pack("checklist", "en")
    assert checklist.validate(pack) == []
    text = package_dir("handouts").joinpath("en", "checklist.yaml").read_text(encoding="utf-8")  # installed or not
    broken = text.replace("date: dates.infusion", "date: dates.someday").replace("- id: hiv", "- id: pet-ct")
    problems = checklist.validate(parse_pack(broken, "broken.yaml", "checklist", "en"))
    assert any("item infusion: date must be one of" in p for p in problems)
    assert any("item pet-ct: duplicate id" in p for p in problems)


# --- the staff dose line --------------------------------------------------------------------

LABEL = {"cells_per_kg": 2_000_000, "max_cells": 200_000_000}


@pytest.mark.parametrize("weight, cells, capped", [
    (72, 144_000_000, False),
    (99.99, 199_980_000, False),
    (100, 200_000_000, False),  # exactly at the maximum: the weight-based dose, not capped
    (100.0, 200_000_000, False),
    (100.01, 200_000_000, True),
    (150, 200_000_000, True),
    (70.3, 140_600_000, False),  # float arithmetic would give 140599999.99999997
    ("0.5", 1_000_000, False),
])
def test_target_dose_is_exact_at_and_above_the_cap(weight, cells, capped):
    dose = target_dose(weight, **LABEL)
    assert dose.cells == cells and dose.capped is capped
    assert isinstance(dose.cells, int)
    assert dose.weight_based_cells == (Decimal(str(weight)) * 2_000_000).to_integral_value()


def test_scientific_never_rounds_up():
    assert scientific(200_000_000) == (Decimal("2"), 8)
    assert scientific(199_980_000) == (Decimal("1.99"), 8)
    assert scientific(2_000_000) == (Decimal("2"), 6)


def test_dose_policy_values_are_the_labels_in_both_profiles():
    from carthandout.policy import available_policies, load_policy
    for name in available_policies():
        policy = load_policy(name)
        assert (policy.dose_cells_per_kg, policy.dose_max_cells) == (2_000_000, 200_000_000)


@pytest.mark.parametrize("weight, expected, absent", [
    ("72", ["2 × 10⁶ CAR-positive viable T cells per kg × 72 kg = 1.44 × 10⁸ (144,000,000) CAR-positive viable T cells"], ["maximum"]),
    ("100", ["× 100 kg = 2 × 10⁸ (200,000,000) CAR-positive viable T cells"], ["maximum"]),
    ("150", ["× 150 kg would be 3 × 10⁸ (300,000,000), above the maximum",
             "Target dose: 2 × 10⁸ (200,000,000) CAR-positive viable T cells (the maximum)"], []),
    # the weight printed is the weight multiplied: 72.556 beside 145,111,100 did not add up
    ("72.55555", ["× 72.55555 kg = 1.45 × 10⁸ (145,111,100) CAR-positive viable T cells"], ["72.556"]),
    ("72.123456789012345678", ["× 72.123456789012345678 kg ="], []),  # beyond a float's digits
    # just above the cap: "would be 2 × 10⁸" read as the maximum itself
    ("100.01", ["× 100.01 kg would be 2.0002 × 10⁸ (200,020,000), above the maximum"], []),
])
def test_dose_line_is_staff_only_and_exact(weight, expected, absent):
    text = _text(_render(_patient(weight_kg=weight)))
    assert "For staff only: target dose" in text
    assert "Per label; verify against the product's certificate of analysis." in text
    for phrase in expected:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text


def test_the_powers_of_ten_keep_the_text_fonts_digits():
    """Only the superscript exponent comes from the fallback font (the text font has none)."""
    reader = _render(_patient(weight_kg="130"))
    fonts = []
    reader.pages[-1].extract_text(visitor_text=lambda text, cm, tm, font, size: (
        font and any(ch in text for ch in "10⁶⁸") and fonts.append((text, font["/BaseFont"]))))
    exponents = {font for text, font in fonts if text.strip() in ("⁶", "⁸")}
    tens = {font for text, font in fonts if text.strip().endswith("10")}
    assert exponents and all("NotoSans" in font for font in exponents)
    assert tens and all("Atkinson" in font for font in tens)


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_dose_never_breaks_inside_its_number(language):
    """In large print "= 1.22" ended one line and "× 10⁸" began the next: read alone, a dose of 1.22."""
    for weight in range(40, 121, 3):
        ctx = build_context(_patient(weight_kg=float(weight), language=language), _clinic())
        data = checklist.render(ctx, build_theme(ctx.clinic, large_print=True), OPTIONS).data
        lines = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).splitlines()
        with_power = [line for line in lines if "10⁸" in line or "10⁶" in line]
        assert with_power and all(re.search(r"\d × 10[⁶⁸]", line) for line in with_power), (weight, with_power)
        assert any(f"× {weight} kg" in line for line in lines), weight  # nor "× 61" / "kg"


def test_a_pair_alone_on_the_last_row_of_the_patient_box_spans_the_row():
    """A long doctor's name broke mid-word ("Fern" / "ández-Villanueva") beside an empty half row."""
    doctor = "Dra. María José Fernández-Villanueva"
    patient = _patient(date_of_birth="1958-02-28", physician=doctor, language="es")
    ctx = build_context(patient, _clinic(paper="a4"))
    data = checklist.render(ctx, build_theme(ctx.clinic, "a4"), OPTIONS).data
    assert doctor in pypdf.PdfReader(io.BytesIO(data)).pages[0].extract_text().splitlines()


def test_terms_and_temperatures_are_never_broken_over_two_lines():
    from carthandout.content import fill

    assert "CAR\u00a0T-cell" in fill("Your CAR T-cell therapy", {}).markup
    ctx = build_context(_patient(language="es"), _clinic())
    assert ctx.values["policy.fever_threshold"] == "100.4\u00a0°F (38\u00a0°C)"
    data = checklist.render(ctx, build_theme(ctx.clinic, "a4", large_print=True), OPTIONS).data
    lines = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages).splitlines()
    assert any("CAR T" in line for line in lines)
    assert not [(line, after) for line, after in zip(lines, lines[1:])
                if line.rstrip().endswith("CAR") and after.startswith("T")]


def test_no_dose_line_without_a_weight():
    text = _text(_render(_patient(weight_kg=None)))
    assert "For staff only" not in text and "CAR-positive viable T cells per kg" not in text


def test_same_input_same_bytes():
    ctx = build_context(_patient(), _clinic())
    theme = build_theme(ctx.clinic)
    assert checklist.render(ctx, theme, OPTIONS).data == checklist.render(ctx, theme, OPTIONS).data


def test_large_print_keeps_every_item(tmp_path):
    ctx = build_context(_patient(), _clinic())
    reader = pypdf.PdfReader(io.BytesIO(checklist.render(ctx, build_theme(ctx.clinic, large_print=True), OPTIONS).data))
    assert _item_ids(reader.get_fields(), "done") == PACK_ITEM_IDS


def test_check_reports_a_bad_clinic_checklist(tmp_path):
    from carthandout.checks import run_checks
    good = tmp_path / "good.yaml"
    good.write_text('name: "X"\nphone_24h: "555-0199"\nchecklist: {remove: [hiv]}\n', encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text('name: "X"\nphone_24h: "555-0199"\nchecklist: {remove: [nope]}\n', encoding="utf-8")
    assert not [p for p in run_checks(good).problems if "clinic.checklist" in p]
    assert [p for p in run_checks(bad).problems if p.startswith("clinic.checklist.remove[1]: nope is not a checklist item")]


@pytest.mark.parametrize("language", ["en", "es"])
def test_in_large_print_a_group_heading_stays_with_its_first_items(tmp_path, language):
    result = run_cli("generate", "--name", "Ana Ruiz", "--infusion-date", "2027-03-05", "--large-print", "--lang",
                     language, "--weight-kg", "130", "--doc", "checklist", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = [" ".join(text.split()) for text in page_texts(tmp_path / "checklist.pdf")]
    pack = load_pack("checklist", language)
    for group in pack.data["groups"]:
        page = next(text for text in pages if group["heading"] in text)
        after = page[page.index(group["heading"]) + len(group["heading"]):page.rindex("Ana Ruiz")]  # to the footer
        header = pack.labels["column_initials"]
        assert header in after, group["heading"]  # the table's header follows,
        assert len(after[after.index(header) + len(header):]) > 40, group["heading"]  # and at least one item


def test_long_clinic_items_in_large_print_still_lay_out(tmp_path, write_yaml):
    """Rows too tall for two to share a page: the break rule gives way instead of failing the layout."""
    text = ("Extended cardiac evaluation including a resting electrocardiogram, a transthoracic echocardiogram "
            "and a cardiology consultation, with results filed before the conditioning chemotherapy begins")[:200]
    items = "".join(f"    - {{id: extra-{n}, group: tests, text: \"{text}\"}}\n" for n in range(6))
    clinic = write_yaml("c.yaml", f"name: T\nphone_24h: '(217) 555-0199'\nchecklist:\n  add:\n{items}")
    result = run_cli("generate", "--clinic", clinic, "--name", "A", "--infusion-date", "2027-03-05", "--large-print",
                     "--doc", "checklist", "-o", tmp_path)
    assert result.exit_code == 0, result.output


def test_the_dose_line_under_a_clinic_dose_override_does_not_say_per_label():
    """A center's dose override printed "Per label" under a dose that was not the label's."""
    own = _text(_render(clinic=_clinic(overrides={"dose_cells_per_kg": 2500000})))
    label = _text(_render())
    assert "Per this center's dose policy, not the label's" in own and "Per label" not in own
    assert "Per label" in label and "center's dose policy" not in label


def test_a_clinics_dose_per_kg_is_printed_with_every_digit():
    """2,345,678 a kg was cut to "2.34 × 10⁶" beside "× 120 kg would be 2.8148136 × 10⁸": the line did not multiply out."""
    text = " ".join(_text(_render(clinic=_clinic(overrides={"dose_cells_per_kg": 2345678}))).split())
    assert "2.345678 × 10⁶" in text
    assert "2 × 10⁶" in " ".join(_text(_render()).split())  # the label's, as before


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_group_continued_on_the_next_page_opens_it_with_its_name(language):
    """A page of items opened with bare column heads: whose tests were they?"""
    pack = load_pack("checklist", language)
    headings = [group["heading"] for group in pack.data["groups"]]
    caption = load_common(language).labels["continued"]
    captions = {caption.replace("{heading}", heading): heading for heading in headings}
    pages = [page.extract_text().splitlines() for page in _render(_patient(language=language)).pages]
    last_heading, continued = None, []
    for number, lines in enumerate(pages):
        heads = [index for index, line in enumerate(lines) if line.strip() == pack.labels["column_done"]]
        if heads and number > 0:
            above = lines[heads[0] - 1]
            assert above in headings or captions.get(above) == last_heading, (number, above)
            continued += [above] if above in captions else []
        last_heading = next((line for line in reversed(lines) if line in headings), last_heading)
    assert len(continued) == 2, continued  # both groups run over a page in the example


def test_a_due_date_printed_on_the_page_stays_on_one_line(tmp_path):
    """Large print, Spanish, A4: a date too wide for the form field is printed, and it broke
    "A más tardar el 25 de / noviembre de 2027"."""
    from conftest import run_cli
    result = run_cli("generate", "--name", "Test Person", "--infusion-date", "2027-11-30", "--lang", "es",
                     "--large-print", "--paper", "a4", "--doc", "checklist", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for page in pypdf.PdfReader(tmp_path / "checklist.pdf").pages
             for line in page.extract_text().splitlines()]
    assert "25 de noviembre de 2027" in lines
    assert not [line for line in lines if line.endswith("el 25 de") or line.startswith("noviembre de 2027")]


def test_a_date_too_wide_for_its_column_breaks_only_before_its_year():
    from carthandout.documents.text_line import kept_date
    from reportlab.lib.styles import ParagraphStyle
    from carthandout.typefaces import text_font
    style = ParagraphStyle("t", fontName=text_font(), fontSize=18)
    assert kept_date("25 de noviembre de 2027", style, 1000) == "25\u00a0de\u00a0noviembre\u00a0de\u00a02027"
    assert kept_date("25 de noviembre de 2027", style, 150) == "25\u00a0de\u00a0noviembre de\u00a02027"


def test_no_widget_names_another_page_as_its_own():
    """Every widget's /P named page 1 (reportlab numbers pages held for "page x of y" at the end):
    a tool that trusts /P would flatten pages 2 and 3's values onto page 1."""
    reader = _render(_patient(weight_kg="72"))
    assert len(reader.pages) > 1
    for page in reader.pages:
        for annotation in page.get("/Annots", []):
            widget = annotation.get_object()
            assert "/P" not in widget or widget["/P"].get_object() == page


def test_a_spanish_tooltip_reads_its_label_once():
    """The label "Fecha prevista:" ends in a colon: the field's tooltip read "Previsto:: Quimioterapia previa"."""
    reader = _render(_patient(language="es"))
    tooltips = [annotation.get_object().get("/TU", "") for page in reader.pages for annotation in page.get("/Annots", [])]
    assert any(tip.startswith("Fecha prevista: ") for tip in tooltips) and not any("::" in tip for tip in tooltips)


@pytest.mark.parametrize("language, expected", [
    ("en", ["Checked by: Printed name", "Checked by: Date"]),
    ("es", ["Revisado por: Nombre en letra de molde", "Revisado por: Fecha"]),
])
def test_the_sign_off_fields_tooltips_say_whose_name_and_which_date(language, expected):
    """A screen reader read the staff's fields as "Printed name" and "Date": which date?"""
    reader = _render(_patient(language=language))
    fields = {name.rsplit("_", 1)[-1]: str(field.get("/TU")) for name, field in reader.get_fields().items()
              if name.endswith(("_staff_name", "_signed_on"))}
    assert [fields["name"], fields["on"]] == expected


def test_a_chemotherapy_day_s_count_never_stands_alone_on_a_line():
    """"Quimioterapia de acondicionamiento, día 1 de" broke before its "3", a digit alone on the
    next line: "day 1 of 3" is one unit in both languages."""
    for language in ("en", "es"):
        lines = [line.strip() for page in _render(_patient(language=language)).pages
                 for line in page.extract_text().splitlines()]
        chemo = [line for line in lines if re.search(r"(day|día)\s1\s(of|de)\s3$", line)]
        assert chemo, language
        assert not [(a, b) for a, b in zip(lines, lines[1:]) if re.search(r"\b(of|de)$", a) and re.match(r"\d+$", b)]


def test_the_staff_dose_box_is_not_dressed_as_the_patients_alarm():
    """The staff-only dose box had the red border and tint of the "call right away" box, the one
    thing patients are taught to act on at once."""
    from reportlab.lib.rl_accel import fp_str
    from carthandout.theme import tint
    clinic = _clinic()
    theme = build_theme(clinic)
    reader = _render(_patient(weight_kg="72"), clinic)
    fills = {match for page in reader.pages
             for match in re.findall(rb"([\d.]+ [\d.]+ [\d.]+) rg", page.get_contents().get_data())}
    fill_of = lambda color: fp_str(*color.rgb()).encode("ascii")  # noqa: E731
    assert "For staff only" in _text(reader)
    assert fill_of(tint(theme.primary, 0.05)) in fills and fill_of(tint(theme.accent, 0.05)) not in fills


@pytest.mark.parametrize("given, shown, write_in", [
    ({"mrn": None}, ["MRN"], True),
    ({"mrn": None, "date_of_birth": "1958-02-28"}, ["Date of birth"], False),
    ({"date_of_birth": None}, ["MRN"], False),
    ({"date_of_birth": "1958-02-28"}, ["MRN", "Date of birth"], False),
])
def test_without_a_second_identifier_the_record_number_is_a_field_to_write_in(given, shown, write_in):
    """Staff check the name and a second identifier before they sign: with neither a record number
    nor a birth date, the patient box had no place to write one."""
    reader = _render(_patient(**given))
    fields = reader.get_fields()
    written_in = [name for name in fields if name.endswith("_mrn")]
    assert len(written_in) == write_in
    assert all(fields[name]["/FT"] == "/Tx" and not fields[name].get("/V") for name in written_in)
    # a screen reader says "M R N": the field's tooltip spells it out (an accessibility pass)
    assert all(fields[name]["/TU"] == "Medical record number (MRN)" for name in written_in)
    first_page = reader.pages[0].extract_text()
    assert [label for label in ("MRN", "Date of birth") if label in first_page] == shown


def test_tooltips_are_written_with_plain_spaces():
    """The no-break spaces that keep "6 weeks" and "day 1 of 3" on one line of the page went into
    the items' tooltips, each then written in UTF-16, twice its size (the example's checklist
    was 111 KB, 109 KB without)."""
    reader = _render(_patient())
    tooltips = [str(annotation.get_object().get("/TU", "")) for page in reader.pages
                for annotation in page.get("/Annots", [])]
    assert any("6 weeks before" in tip for tip in tooltips)
    assert not any("\u00a0" in tip for tip in tooltips)


@pytest.mark.parametrize("language, longest", [("en", "September 28, 2027"), ("es", "28 de septiembre de 2027")])
def test_a_date_typed_in_full_fits_its_box(language, longest):
    """"February 28, 2027" typed into a "Date done" box ran out of it (97 pt wide at 12 pt; 18 in
    large print) and printed cut off: a date box's typed size fits the widest date written as the
    checklist writes its dates (an accessibility pass). A size, not the form's "auto": one viewer
    sized auto text to the box's height, another not at all (a review)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth
    widgets = [a.get_object() for page in _render(_patient(language=language)).pages for a in page.get("/Annots", [])]
    dates = [widget for widget in widgets if str(widget.get("/T", "")).endswith("_date")]
    assert dates
    for widget in dates:
        size = float(str(widget["/DA"]).split(" Tf")[0].split()[-1])
        left, _, right, _ = (float(value) for value in widget["/Rect"])
        assert 6 <= size and stringWidth(longest, "Helvetica", size) <= right - left - 4
