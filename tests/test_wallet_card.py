"""The wallet card read back: card size, sheet positions, duplex backs, text fitting, QR, calibration."""
from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pypdf
import pytest
from reportlab.lib.pagesizes import A4, LETTER

from conftest import run_cli
from carthandout.calibration import calibration_sheet
from carthandout.context import build_context
from carthandout.documents import wallet_card
from carthandout.errors import InputError
from carthandout.imposition import (
    ID1_CARD, BUSINESS_CARD, CARD_LAYOUTS, Rect, back_positions, crop_marks, layout_for, parse_back_offset,
)
from carthandout.inputs import load_clinic
from carthandout.models import parse_patient
from carthandout.options import RenderOptions
from carthandout.theme import build_theme

MM = 72 / 25.4
PATIENT = {"name": "Ana Quiñones", "infusion_date": "2028-02-27", "caregiver": "Luis Quiñones",
           "caregiver_phone": "555-0100", "physician": "Dr. Lee"}


def make_ctx(clinic_extras: dict | None = None, **fields: str):
    clinic = load_clinic(None)
    if clinic_extras is not None:
        clinic = dataclasses.replace(clinic, extras=tuple(sorted(clinic_extras.items())))
    return build_context(parse_patient({**PATIENT, **fields}), clinic)


def render(ctx=None, contexts=None, **options):
    ctx = ctx or make_ctx()
    opts = RenderOptions(("wallet-card",), **options)
    theme = build_theme(ctx.clinic)
    if contexts is not None:
        return wallet_card.render_sheets(contexts, theme, opts)
    return wallet_card.render(ctx, theme, opts)


def reader(doc) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(doc.data))


def box(page, name: str = "/TrimBox") -> tuple[float, ...]:
    return tuple(round(float(v), 2) for v in page[name])


# ---------------------------------------------------------------- geometry (pure)

def test_id1_card_pages_measure_85_60_by_53_98_mm():
    pages = reader(render()).pages
    assert len(pages) == 2  # front, back
    for page in pages:
        assert float(page.mediabox.width) / MM == pytest.approx(85.60, abs=0.05)
        assert float(page.mediabox.height) / MM == pytest.approx(53.98, abs=0.05)
        assert box(page) == box(page, "/MediaBox")


def test_avery_5371_cells_are_the_stock_positions():
    layout = layout_for("avery-5371")
    assert layout.page_size == LETTER and layout.card_size == BUSINESS_CARD
    for index, rect in enumerate(layout.fronts):
        row, column = divmod(index, 2)
        assert rect.x == pytest.approx(0.75 * 72 + column * 3.5 * 72)
        assert LETTER[1] - rect.top == pytest.approx(0.5 * 72 + row * 2 * 72)
        assert (rect.width, rect.height) == pytest.approx((3.5 * 72, 2 * 72))


def test_a4_10up_holds_ten_id1_cards_centered():
    layout = layout_for("a4-10up")
    block = layout.trim_box
    assert layout.capacity == 10 and layout.card_size == ID1_CARD
    assert block.x == pytest.approx(A4[0] - block.right)
    assert block.y == pytest.approx(A4[1] - block.top)
    assert (block.width / MM, block.height / MM) == pytest.approx((2 * 85.60, 5 * 53.98))


def test_foldover_backs_sit_right_of_their_fronts():
    layout = layout_for("foldover", A4)
    for front, back in zip(layout.fronts, layout.fold_backs):
        assert back.x == pytest.approx(front.right) and back.y == front.y


def _physical(rect: Rect, page: tuple[float, float], flip: str) -> Rect:
    """Where a rectangle on the back page ends up, in front-page coordinates, after the printer's flip."""
    if flip == "long":  # turned over the vertical axis: x is mirrored
        return Rect(page[0] - rect.right, rect.y, rect.width, rect.height)
    return Rect(rect.x, page[1] - rect.top, rect.width, rect.height)


@pytest.mark.parametrize("layout_name", ["avery-5371", "a4-10up"])
@pytest.mark.parametrize("flip", ["long", "short"])
def test_each_back_lands_behind_its_own_front(layout_name, flip):
    layout = layout_for(layout_name)
    backs = back_positions(layout, flip)
    for front, back in zip(layout.fronts, backs):
        landed = _physical(back, layout.page_size, flip)
        assert (landed.x, landed.y) == pytest.approx((front.x, front.y))
    # The flip really moves cards: long swaps columns, short swaps rows.
    swapped = layout.fronts[1] if flip == "long" else layout.fronts[-2]
    assert (backs[0].x, backs[0].y) == pytest.approx((swapped.x, swapped.y))


@pytest.mark.parametrize("layout_name", ["avery-5371", "a4-10up", "foldover", "single"])
@pytest.mark.parametrize("flip", ["long", "short"])
def test_a_cut_cards_back_reads_upright_turned_over_sideways_whatever_the_flip(layout_name, flip):
    """A short-edge sheet turned over puts an upright back upside down behind its front: the same
    clinic's cards read one way after a long-edge flip and the other after a short-edge one. A
    short-edge back is drawn turned, so every card's back reads as after a sideways turn."""
    pages = reader(render(card_layout=layout_name, duplex=flip, copies=2)).pages
    back = pages[1] if layout_name != "foldover" else pages[0]
    upright = " ".join(back.extract_text(orientations=(0,)).split())
    turned = " ".join(back.extract_text(orientations=(180,)).split())
    drawn_turned = flip == "short" and layout_name not in ("foldover", "single")  # single: a card-size page of its own
    assert ("To doctors and emergency staff" in turned) == drawn_turned
    assert ("To doctors and emergency staff" in upright) != drawn_turned


def test_back_offset_shifts_every_back_by_millimetres():
    layout = layout_for("a4-10up")
    plain, shifted = back_positions(layout, "long"), back_positions(layout, "long", (1.5, -0.5))
    for a, b in zip(plain, shifted):
        assert ((b.x - a.x) / MM, (b.y - a.y) / MM) == pytest.approx((1.5, -0.5))


def test_crop_marks_stay_outside_every_card():
    layout = layout_for("avery-5371")
    cards = layout.fronts
    for x1, y1, x2, y2 in crop_marks(cards, layout.page_size):
        for card in cards:
            inside_x = card.x < (x1 + x2) / 2 < card.right
            inside_y = card.y < (y1 + y2) / 2 < card.top
            assert not (inside_x and inside_y)


def stroked_segments(page: pypdf.PageObject) -> list[tuple[float, float, float, float]]:
    """The page's own straight lines (``x1 y1 m x2 y2 l``) in page space, not those inside its
    form XObjects."""
    segments, start, matrix, saved = [], None, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0), []

    def on_page(x: float, y: float) -> tuple[float, float]:
        a, b, c, d, e, f = matrix
        return a * x + c * y + e, b * x + d * y + f

    for operands, operator in pypdf.generic.ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"q":
            saved.append(matrix)
        elif operator == b"Q":
            matrix = saved.pop()
        elif operator == b"cm":
            matrix = pypdf.mult([float(v) for v in operands], list(matrix))
        elif operator == b"m":
            start = on_page(*(float(v) for v in operands))
        elif operator == b"l" and start is not None:
            segments.append((*start, *on_page(*(float(v) for v in operands))))
            start = None
    return segments


def front_sheet(tmp_path: Path, layout_name: str, copies: int) -> pypdf.PageObject:
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", "2028-02-27", "--doc", "wallet-card",
                     "--card-layout", layout_name, "--copies", str(copies), "-o", tmp_path)
    assert result.exit_code == 0, result.output
    return pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages[0]


PRINTER_MARGIN = 0.25 * 72  # office printers print nothing nearer the edge


def _inside_the_printable_area(page: pypdf.PageObject, x: float, y: float) -> bool:
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    return PRINTER_MARGIN - 0.01 <= x <= width - PRINTER_MARGIN + 0.01 and \
        PRINTER_MARGIN - 0.01 <= y <= height - PRINTER_MARGIN + 0.01


@pytest.mark.parametrize("layout_name", ["avery-5371", "a4-10up", "foldover"])
def test_crop_marks_end_inside_what_an_office_printer_prints(tmp_path, layout_name):
    """Avery 5371's top and bottom marks ran to 5.7 mm from the edge: the printer cut their ends."""
    for page in (front_sheet(tmp_path, layout_name, 10), front_sheet(tmp_path / "one", layout_name, 1)):
        segments = stroked_segments(page)
        assert segments
        for x1, y1, x2, y2 in segments:
            assert _inside_the_printable_area(page, x1, y1) and _inside_the_printable_area(page, x2, y2)


@pytest.mark.parametrize("layout_name", ["avery-5371", "a4-10up"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("offset", [(0.0, 0.0), (-10.0, 10.0), (10.0, -10.0), (5.0, 5.0)])
def test_the_calibration_sheet_words_are_inside_what_an_office_printer_prints(layout_name, language, offset):
    """Its first line, "Print both sides at 100%", was 5 mm from the top edge: a printer cut it.
    An offset moves the back's cards, as the printer moves them back: the words stay on the sheet
    (they ran off it) and off the moved cards (a first mend printed them over the cards' numbers)."""
    reader = pypdf.PdfReader(io.BytesIO(calibration_sheet(layout_name, "short", offset, language)))
    layout = layout_for(layout_name)
    for page, cards in zip(reader.pages, (layout.fronts, back_positions(layout, "short", offset))):
        top = max(card.top for card in cards)
        bottom = min(card.y for card in cards)
        words: list[tuple[float, float]] = []

        def visit_words(text, cm, tm, font, size):
            if len(text.strip()) > 20:
                words.append((tm[5] * cm[3] + cm[5], size * tm[3] * cm[3]))

        page.extract_text(visitor_text=visit_words)
        assert words and all(baseline - 0.25 * size > top or baseline + 0.8 * size < bottom
                             for baseline, size in words)
        lines: list[tuple[float, float, float]] = []

        def visit(text, cm, tm, font, size):
            if len(text.strip()) > 20 or (text.strip() and not any(offset)):  # with an offset: the words alone
                lines.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], size * tm[3] * cm[3]))

        page.extract_text(visitor_text=visit)
        assert len(lines) >= 2
        for x, baseline, size in lines:
            assert _inside_the_printable_area(page, x, baseline - 0.25 * size)  # descenders
            assert _inside_the_printable_area(page, x, baseline + 0.8 * size)  # capitals and accents
            assert size >= 5.5


def test_a_foldover_sheet_marks_only_the_cards_it_prints(tmp_path):
    """Plain paper: marks for the rows not printed were cut lines through nothing."""
    front = front_sheet(tmp_path, "foldover", 1)
    layout = layout_for("foldover", (float(front.mediabox.width), float(front.mediabox.height)))
    printed = layout.pieces[0]
    horizontal_marks = {round(y1, 1) for x1, y1, x2, y2 in stroked_segments(front)
                        if y1 == y2 and not printed.x - 0.5 <= (x1 + x2) / 2 <= printed.right + 0.5}
    assert horizontal_marks == {round(printed.y, 1), round(printed.top, 1)}


@pytest.mark.parametrize("layout_name", ["avery-5371", "a4-10up"])
@pytest.mark.parametrize("copies", [1, 3])
def test_a_sheet_of_fewer_cards_has_its_crop_marks_outside_the_whole_sheet(tmp_path, layout_name, copies):
    """Marks drawn around only the cards printed fell among the sheet's unused cards."""
    front = front_sheet(tmp_path, layout_name, copies)
    layout = layout_for(layout_name, (float(front.mediabox.width), float(front.mediabox.height)))
    block = layout.trim_box  # every card of a full sheet
    used = [*layout.fronts[:copies], *layout.fold_backs[:copies]]
    near = 0.5  # a card's outline is drawn on its edge

    def on_a_used_card(x: float, y: float) -> bool:
        return any(r.x - near <= x <= r.right + near and r.y - near <= y <= r.top + near for r in used)

    marks = [s for s in stroked_segments(front) if not on_a_used_card((s[0] + s[2]) / 2, (s[1] + s[3]) / 2)]
    assert len(marks) >= 8
    for x1, y1, x2, y2 in marks:
        middle_x, middle_y = (x1 + x2) / 2, (y1 + y2) / 2
        assert not (block.x < middle_x < block.right and block.y < middle_y < block.top), (x1, y1, x2, y2)


@pytest.mark.parametrize("text", ["1,2,3", "1;2", "a,b", "", "20,0"])
def test_back_offset_format_is_checked(text):
    if text == "":
        assert parse_back_offset(text) == (0.0, 0.0)
        return
    with pytest.raises(InputError) as error:
        parse_back_offset(text)
    assert error.value.field == "--back-offset"


def test_back_offset_reads_signed_decimals():
    assert parse_back_offset(" -1.5 , +0.25 ") == (-1.5, 0.25)


# ---------------------------------------------------------------- rendered sheets

@pytest.mark.parametrize("flip", ["long", "short"])
def test_sheet_pdf_places_cards_and_backs_for_the_flip(flip):
    contexts = [make_ctx(name=f"Patient {n}") for n in range(12)]
    pages = reader(render(contexts=contexts, card_layout="a4-10up", duplex=flip, back_offset_mm=(1.0, 0.5))).pages
    assert len(pages) == 4  # 10 cards, then 2: each sheet with its back
    layout = layout_for("a4-10up")
    for page in pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == pytest.approx(A4, abs=0.01)
    assert box(pages[0]) == pytest.approx(_edges(layout.trim_box), abs=0.01)
    backs = back_positions(layout, flip, (1.0, 0.5))
    from carthandout.imposition import bounding_box
    assert box(pages[1]) == pytest.approx(_edges(bounding_box(backs)), abs=0.01)
    assert box(pages[3]) == pytest.approx(_edges(bounding_box(backs[:2])), abs=0.01)
    # Patient 10 and 11 are on the second sheet, front and back.
    assert "Patient 10" in pages[2].extract_text() and "Patient 11" in pages[2].extract_text()
    assert "Patient 10" not in pages[0].extract_text()


def _edges(rect: Rect) -> tuple[float, ...]:
    return tuple(round(v, 2) for v in (rect.x, rect.y, rect.right, rect.top))


def test_card_faces_are_drawn_where_the_layout_says(tmp_path):
    """The headline of card i is drawn inside front position i; the clinician note inside back position i."""
    contexts = [make_ctx(name=f"Patient {n}") for n in range(3)]
    doc = render(contexts=contexts, card_layout="avery-5371", duplex="long")
    layout = layout_for("avery-5371")
    pages = reader(doc).pages
    fronts = _text_positions(pages[0], "Patient ")
    backs = _text_positions(pages[1], "To doctors")
    for index, (x, y) in enumerate(fronts):
        assert _inside(layout.fronts[index], x, y)
    back_rects = back_positions(layout, "long")
    for x, y in backs:
        assert any(_inside(back_rects[i], x, y) for i in range(3))
    assert len(backs) == 3 and not any(_inside(back_rects[i], x, y) for i in range(3, 10) for x, y in backs)


def _text_positions(page, prefix: str) -> list[tuple[float, float]]:
    found: list[tuple[float, float]] = []

    def visit(text, cm, tm, font, size):
        if text.startswith(prefix):
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found


def _inside(rect: Rect, x: float, y: float) -> bool:
    return rect.x <= x <= rect.right and rect.y <= y <= rect.top


def test_copies_fill_a_sheet_with_one_patients_card():
    doc = render(card_layout="avery-5371", copies=3)
    pages = reader(doc).pages
    assert doc.pages == len(pages) == 2
    assert pages[0].extract_text().count("Ana Quiñones") == 3


def test_text_holds_name_date_and_number():
    pages = reader(render()).pages
    front = " ".join(pages[0].extract_text().split())
    back = " ".join(pages[1].extract_text().split())
    for expected in ["I received CAR T-cell therapy", "YESCARTA (axicabtagene ciloleucel)", "Ana Quiñones",
                     "February 27, 2028", "(217) 555-0199", "Any fever, even a low one"]:
        assert expected in front, expected
    for expected in ["cytokine release syndrome", "neurologic toxicity", "start late", "risk of infection", "before treating",
                     "Riverside Cancer Center", "Dr. Lee", "Luis Quiñones", "555-0100"]:
        assert expected in back, expected


def test_empty_caregiver_leaves_a_line_to_write_on():
    ctx = make_ctx(caregiver="", caregiver_phone="")
    back = reader(render(ctx)).pages[1].extract_text()
    assert "Caregiver:" in back and "Luis" not in back


def test_long_name_shrinks_but_stays_whole():
    name = "Maria Fernanda de los Santos Quiñones-Villalobos"
    text = " ".join(reader(render(make_ctx(name=name))).pages[0].extract_text().split())
    assert name in text


def test_too_long_name_is_an_error_naming_the_field():
    with pytest.raises(InputError) as error:
        render(make_ctx(name="Bartholomew " * 10))
    assert error.value.field == "name"
    assert "wallet card" in error.value.line()
    assert "Bartholomew" not in error.value.line()  # patient values only with --show-values


def test_too_long_center_is_an_error_naming_center():
    with pytest.raises(InputError) as error:
        render(make_ctx(center="COMPREHENSIVE CANCER AND CELLULAR IMMUNOTHERAPY CENTER OF THE GREATER "
                                "METROPOLITAN AREA AT THE UNIVERSITY MEDICAL CAMPUS"))
    assert error.value.field == "center" and "more than 2 line(s)" in error.value.line()


def test_word_wider_than_the_card_is_an_error_not_clipped():
    with pytest.raises(InputError) as error:
        render(make_ctx(physician="Dr." + "X" * 70))
    assert error.value.field == "physician" and "word wider than the card" in error.value.line()


def test_no_text_under_7_pt_and_warning_lines_at_least_9_pt_bold():
    doc = render(make_ctx(name="Maria Fernanda de los Santos Quiñones-Villalobos", center="A" + " long name" * 9))
    sizes: dict[str, float] = {}

    def visit(text, cm, tm, font, size):
        if text.strip():
            sizes[text.strip()] = size * tm[0]

    for page in reader(doc).pages:
        page.extract_text(visitor_text=visit)
    assert min(sizes.values()) >= 7 - 0.01
    headline = next(v for k, v in sizes.items() if k.startswith("I received"))
    call = next(v for k, v in sizes.items() if k.startswith("24-hour line"))
    assert headline >= 12 and call >= 9


def test_qr_code_from_the_clinic_profile_and_number_still_printed():
    plain = render()
    with_qr = render(make_ctx({"wallet_card": {"qr": True}}))
    assert len(with_qr.data) > len(plain.data)
    assert "(217) 555-0199" in reader(with_qr).pages[0].extract_text()
    assert wallet_card.tel_uri("(217) 555-0199") == "tel:2175550199"
    assert wallet_card.tel_uri("+1 217 555 0199") == "tel:+12175550199"
    assert wallet_card.tel_uri("２１７ ５５５ ０１９９") == "tel:2175550199"  # full-width digits: a phone dials ASCII
    assert wallet_card.tel_uri("٢١٧٥٥٥٠١٩٩") == "tel:2175550199"  # Arabic-Indic
    assert wallet_card.tel_uri("+44 (0)20 7946 0958") == "tel:+442079460958"  # no trunk zero after +44
    assert wallet_card.tel_uri("030/1234567") == "tel:0301234567"
    for two_numbers in ("555-0199 / 555-0100", "555-0199/555-0100", "555-0199 555-0100",
                        "(217) 555-0199 (217) 555-0100",  # once dialled run together
                        "(217) 444-2000/01", "555-0199 / 0100", "(217) 444-2000 (12)", "(217) 444-2000 - 12",
                        "+1 217 444 2000 / 12"):  # an extension or a second ending: tel:217444200001
        with pytest.raises(InputError, match="QR code dials one"):
            wallet_card.tel_uri(two_numbers)
    for nothing_to_dial in ("+49 (0)", "1/2"):
        with pytest.raises(InputError, match="too few digits"):
            wallet_card.tel_uri(nothing_to_dial)


def test_qr_symbol_is_built_once_per_number():
    wallet_card.qr_runs.cache_clear()
    ctx = make_ctx({"wallet_card": {"qr": True}})
    render(contexts=[ctx, make_ctx({"wallet_card": {"qr": True}}, name="B")], card_layout="a4-10up")
    assert wallet_card.qr_runs.cache_info().misses == 1


@pytest.mark.parametrize("setting, field", [({"qr": "yes"}, "clinic.wallet_card.qr"),
                                            ({"colour": 1}, "clinic.wallet_card.colour"),
                                            (["qr"], "clinic.wallet_card")])
def test_wallet_card_clinic_settings_are_checked(setting, field):
    with pytest.raises(InputError) as error:
        render(make_ctx({"wallet_card": setting}))
    assert error.value.field == field


def test_back_offset_without_a_duplex_sheet_is_refused():
    with pytest.raises(InputError) as error:
        render(back_offset_mm=(1.0, 0.0))
    assert error.value.field == "--back-offset"


@pytest.mark.parametrize("layout_name", CARD_LAYOUTS)
def test_same_input_same_bytes(layout_name):
    assert render(card_layout=layout_name).data == render(card_layout=layout_name).data


# ---------------------------------------------------------------- command line

def test_generate_with_sheet_layout_and_bad_offset(tmp_path):
    ok = run_cli("generate", "--name", "Ana", "--infusion-date", "2028-01-02", "--doc", "wallet-card",
                 "--card-layout", "avery-5371", "--duplex", "short", "--back-offset", "0.5,-1", "-o", tmp_path)
    assert ok.exit_code == 0, ok.output
    pages = pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages
    assert (float(pages[0].mediabox.width), float(pages[0].mediabox.height)) == LETTER
    bad = run_cli("generate", "--name", "Ana", "--infusion-date", "2028-01-02", "--doc", "wallet-card",
                  "--card-layout", "avery-5371", "--back-offset", "half a mm", "-o", tmp_path)
    assert bad.exit_code == 2 and "--back-offset" in bad.stderr and "Traceback" not in bad.output


def test_calibrate_writes_front_targets_and_back_scales(tmp_path):
    result = run_cli("calibrate", "--card-layout", "a4-10up", "--duplex", "long", "-o", tmp_path / "cal.pdf")
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(tmp_path / "cal.pdf").pages
    assert len(pages) == 2
    assert "front" in pages[0].extract_text() and "--back-offset" in pages[1].extract_text()
    assert re.search(r"X mm", pages[1].extract_text())
    assert calibration_sheet("a4-10up") == calibration_sheet("a4-10up")
    with pytest.raises(InputError):
        calibration_sheet("single")


@pytest.mark.parametrize("layout_name", ["avery-5371", "a4-10up"])
def test_the_calibration_scales_read_every_offset_back_offset_takes(layout_name):
    """The scales read +-6 mm while --back-offset takes +-10: a printer 8 mm off could not be read.
    The front's crosshair arms reach across both scales at the largest offset, inside the card."""
    from carthandout.imposition import MAX_BACK_OFFSET_MM

    reader = pypdf.PdfReader(io.BytesIO(calibration_sheet(layout_name)))
    limit = int(MAX_BACK_OFFSET_MM)
    assert {f"+{limit}", f"\u2212{limit}"} <= set(reader.pages[1].extract_text().split())
    layout = layout_for(layout_name)
    card = layout.fronts[0]
    arms = [s for s in stroked_segments(reader.pages[0]) if card.x < s[0] < card.right and card.y < s[1] < card.top
            and (s[0] == s[2] or s[1] == s[3])]
    horizontal = max(abs(s[2] - s[0]) for s in arms) / 2 / MM
    vertical = max(abs(s[3] - s[1]) for s in arms) / 2 / MM
    # the scales stand 2 mm beyond the largest offset from the target; the arm crosses them at that offset
    assert min(horizontal, vertical) > 2 * limit + 2 - 0.01
    assert horizontal * MM < card.width / 2 and vertical * MM < card.height / 2


def test_face_too_full_names_the_longest_filled_in_value():
    ctx = make_ctx(name="Maria Fernanda de los Santos Quiñones-Villalobos y Echeverría")
    rich = ctx.rich
    texts = [wallet_card.CardText(rich["patient.name"], 10, 7, 3, "name"),
             wallet_card.CardText(rich["clinic.name"], 10, 7, 3, "clinic.name")]
    wallet_card.fit_face(texts, [], (100.0, 100.0), height=200)  # roomy: fits
    with pytest.raises(InputError) as error:
        wallet_card.fit_face(texts, [], (100.0, 100.0), height=30)
    assert error.value.field == "name"


def test_large_print_pages_share_the_sheets_paper(tmp_path):
    """Avery 5371 is Letter stock: an A4 clinic's large-print pages after it were A4, two paper
    sizes in one print job."""
    result = run_cli("generate", "--name", "Ana Ruiz", "--infusion-date", "2027-03-05", "--paper", "a4",
                     "--large-print", "--doc", "wallet-card", "--card-layout", "avery-5371", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages
    assert len(pages) > 2  # the sheet's front and back, then the large-print pages
    assert {tuple(round(float(value)) for value in page.mediabox[2:]) for page in pages} == {(612, 792)}


@pytest.mark.parametrize("language, shown", [("en", "Mar 5, 2027"), ("es", "5 mar 2027")])
@pytest.mark.parametrize("date_format", ["short", "d/M/y", "MM/dd/yyyy"])
def test_every_document_names_the_month_when_the_clinics_date_format_is_all_numbers(
        tmp_path, write_yaml, language, shown, date_format):
    """With date_format: short the English papers said 3/5/27 and the same patient's Spanish ones
    5/3/2027: a US emergency room reads the second as May 3, a Spanish doctor the first."""
    clinic = write_yaml("clinic.yaml", f'name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\n'
                                       f'date_format: "{date_format}"\n')
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--date-of-birth",
                     "1961-08-19", "--lang", language, "--clinic", clinic, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for path in sorted(tmp_path.glob("*.pdf")):
        pdf = pypdf.PdfReader(path)
        texts = [page.extract_text() for page in pdf.pages]
        texts += [str(field.get("/V", "")) for field in (pdf.get_fields() or {}).values()]
        assert not [text for text in texts if re.search(r"\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b", text)], path.name
    assert shown in " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages)


@pytest.mark.parametrize("date_format, numeric", [
    ("short", True), ("d/M/y", True), ("MM/dd/yyyy", True), ("dd.LL.yyyy", True),
    ("iso", False), ("yyyy-MM-dd", False), ("medium", False), ("d MMM y", False), ("MMMM d, y", False),
    # year first, but not year, month, day with the whole year: "2027/05/03" for March 5, "27/03/05"
    ("yyyy/dd/MM", True), ("y d M", True), ("yy/MM/dd", True), ("EEE yy-MM-dd", True), ("y-M-d", False),
])
def test_which_date_formats_print_the_month_as_a_number(date_format, numeric):
    from carthandout.formatting import month_is_a_number
    assert month_is_a_number(date_format) is numeric


@pytest.mark.parametrize("clinic_language, back_heading", [("en", "To doctors and emergency staff"),
                                                           ("es", "Para médicos y personal de emergencias")])
def test_the_back_for_clinicians_is_in_the_clinics_language(tmp_path, write_yaml, clinic_language, back_heading):
    """A Spanish-speaking patient of a US center showed an emergency room a back in Spanish."""
    clinic = write_yaml("clinic.yaml", f'name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\n'
                                       f"language: {clinic_language}\n")
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--caregiver", "Luis",
                     "--lang", "es", "--clinic", clinic, "--doc", "wallet-card", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    front, back = (" ".join(page.extract_text().split()) for page in pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages)
    assert "Llame de inmediato si tiene:" in front and "Nombre:" in front  # the patient's side: the patient's language
    assert back_heading in back
    assert ("Caregiver: Luis" if clinic_language == "en" else "Cuidador(a): Luis") in back
    # the large-print companion pages repeat each side in its card's language
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--caregiver", "Luis",
                     "--lang", "es", "--clinic", clinic, "--doc", "wallet-card", "--large-print", "-o", tmp_path / "lp")
    assert result.exit_code == 0, result.output
    companion = [" ".join(page.extract_text().split()) for page in pypdf.PdfReader(tmp_path / "lp/wallet-card.pdf").pages[2:]]
    assert "Llame de inmediato si tiene:" in companion[0] and back_heading in companion[-1]


def test_the_example_stamp_on_each_side_is_in_that_sides_language(tmp_path):
    """The back of a Spanish patient's card is in English for the clinic's doctors, but its stamp
    said "EJEMPLO"; on the large-print companion pages, "Clínica de ejemplo" over English words."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--lang", "es",
                     "--doc", "wallet-card", "--large-print", "-o", tmp_path)  # the bundled example clinic
    assert result.exit_code == 0, result.output
    pages = [page.extract_text() for page in pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages]
    assert ["EJEMPLO" in pages[0], "EXAMPLE" in pages[1]] == [True, True]
    assert ["EXAMPLE" in pages[0], "EJEMPLO" in pages[1]] == [False, False]
    assert "Clínica de ejemplo" in pages[2] and "Example clinic" in pages[3] and "Clínica de ejemplo" not in pages[3]


def _stroke_colors_and_render_modes(page) -> tuple[list[tuple[float, ...]], list[int]]:
    from pypdf.generic import ContentStream
    operations = ContentStream(page.get_contents(), page.pdf).operations
    return ([tuple(float(value) for value in operands) for operands, operator in operations if operator == b"RG"],
            [int(operands[0]) for operands, operator in operations if operator == b"Tr"])


def test_the_example_stamp_and_the_guide_lines_survive_a_black_and_white_copy(tmp_path):
    """The stamp was a light tint (about 84% grey) and the fold line and outline #9A9A9A: a
    black-and-white copy lost all three, and the example's card with its made-up number passed
    for a real one, with nothing to show where to fold it (a print-room pass)."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                     "--card-layout", "foldover", "-o", tmp_path)  # the bundled example clinic
    assert result.exit_code == 0, result.output
    strokes, modes = _stroke_colors_and_render_modes(pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages[0])
    assert modes.count(2) == 2  # both faces' stamps: filled, then outlined
    assert strokes and all(0.299 * r + 0.587 * g + 0.114 * b < 0.5 for r, g, b in strokes), strokes


def test_each_side_is_marked_with_the_language_of_its_words(tmp_path):
    """The file's /Lang is the patient's Spanish, and a screen reader read the English back for
    the clinic's doctors with a Spanish voice: each side's content says its own language."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--lang", "es",
                     "--doc", "wallet-card", "--large-print", "-o", tmp_path)  # an English clinic
    assert result.exit_code == 0, result.output
    for name in ("wallet-card.pdf", "record_packet.pdf"):
        pdf = pypdf.PdfReader(tmp_path / name)
        assert pdf.trailer["/Root"]["/Lang"] == "es"
        marked = [re.findall(rb"/Span <</Lang \((\w+)\)>> BDC", page.get_contents().get_data()) for page in pdf.pages]
        assert marked == [[b"es"], [b"en"], [b"es"], [b"en"]], name  # the card, then its large-print pages


def test_the_calibration_sheet_says_what_it_was_printed_with():
    """A sheet printed again with --back-offset 1.5,-0.5 could not be told from the first once
    printed, and a reading of 0.5,0 on it was likely typed in as the new offset."""
    plain = pypdf.PdfReader(io.BytesIO(calibration_sheet("avery-5371", "short")))
    checked = pypdf.PdfReader(io.BytesIO(calibration_sheet("avery-5371", "long", (1.5, -0.5))))
    for page in plain.pages:
        text = " ".join(page.extract_text().split())
        assert "--card-layout avery-5371 --duplex short --back-offset 0,0." in text and "added to" not in text
    for page in checked.pages:
        text = " ".join(page.extract_text().split())
        assert "--duplex long --back-offset 1.5,-0.5." in text and "is added to that offset" in text
        assert "reading 0.5,0 on this sheet means --back-offset 2,-0.5." in text  # its own offset's sum
    other = " ".join(pypdf.PdfReader(io.BytesIO(calibration_sheet("a4-10up", "long", (-2.0, 3.0)))).pages[1]
                     .extract_text().split())
    assert "means --back-offset -1.5,3." in other


@pytest.mark.parametrize("layout, flip, offset", [("a4-10up", "short", (2.0, -1.5)), ("avery-5371", "long", (1.5, -0.5)),
                                                  ("a4-10up", "long", (-2.0, 3.0))])
def test_the_calibration_sheets_options_never_break_from_their_values(layout, flip, offset):
    """The A4 sheet's last line broke between --back-offset and "2.5,-1.5"."""
    for page in pypdf.PdfReader(io.BytesIO(calibration_sheet(layout, flip, offset))).pages:
        lines = [line.strip() for line in page.extract_text().splitlines()]
        assert not [line for line in lines if line.endswith(("--back-offset", "--duplex", "--card-layout"))]


@pytest.mark.parametrize("layout, noted", [("single", True), ("foldover", True), ("avery-5371", False)])
def test_duplex_for_cards_without_a_back_sheet_is_noted(tmp_path, layout, noted):
    """--duplex short with the card-size or fold-over layout was taken without a word: the
    printer's setting asked for changes nothing there."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                     "--card-layout", layout, "--duplex", "short", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert ("note: --duplex applies to the card sheets printed on both sides (avery-5371, a4-10up)" in result.stderr) \
        is noted
    default = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                      "--card-layout", layout, "-o", tmp_path / "default")
    assert "--duplex" not in default.stderr
    no_card = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--doc", "handout",
                      "--duplex", "short", "-o", tmp_path / "no-card")
    assert "--duplex" not in no_card.stderr  # no card made: nothing to say of one (a review)


def test_a_large_print_card_names_its_patient_by_the_birth_date_it_prints(tmp_path):
    """Its paper pages' footer prints the birth date of a patient without an MRN, but its patient
    key left it out: a re-run for another patient of that name kept the first one's annotated card
    as this patient's edited copy (a review)."""
    def key(*options):
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        result = run_cli("generate", "--name", "Rosa Delgado", "--date-of-birth", "1970-01-02", "--infusion-date",
                         "2027-03-05", "--doc", "wallet-card", *options, "-o", out)
        assert result.exit_code == 0, result.output
        return str(pypdf.PdfReader(out / "wallet-card.pdf").metadata["/CarthandoutPatient"])[0]
    assert key("--large-print") == "b"
    assert key() == "n"  # card faces only: no birth date printed
    assert key("--large-print", "--mrn", "RCC-1") == "n"


def test_a_card_sheets_authored_lines_are_drawn_once_and_replayed_on_the_other_cards(monkeypatch):
    """The authored lines are one cached paragraph for every patient; on a cohort's sheets they
    are drawn anew at most once (a document's first drawing of a text whose characters it has
    not coded yet), and replayed on the other cards."""
    from carthandout.documents.shared_layout import SharedLayoutParagraph
    contexts = [make_ctx(name=name) for name in ("Ana Quiñones", "Rosa Delgado", "Chen Wei", "Olga Kowalski")]
    render(contexts=contexts[:1], card_layout="avery-5371")  # the authored lines laid out
    drawn_anew = []
    draw = SharedLayoutParagraph.draw
    monkeypatch.setattr(SharedLayoutParagraph, "draw", lambda self: drawn_anew.append(self.getPlainText()) or draw(self))
    sheets = render(contexts=contexts, card_layout="avery-5371")
    headline = "I received CAR\xa0T-cell therapy"
    assert reader(sheets).pages[0].extract_text().count("I received CAR") == len(contexts)
    assert drawn_anew.count(headline) <= 1 and drawn_anew.count("Name: Chen Wei") == 1
