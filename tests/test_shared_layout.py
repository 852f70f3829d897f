"""Shared paragraph layout: a document comes out byte for byte the same whatever the process rendered before."""
from __future__ import annotations

import io

import pypdf
import pytest

from carthandout.documents import DOCUMENTS
from carthandout.documents.base import paragraph
from carthandout import reportlab_reuse
from carthandout.documents import shared_layout
from carthandout.documents.shared_layout import SharedLayoutParagraph, clear_caches
from carthandout.inputs import load_clinic
from carthandout.models import parse_patient
from carthandout.options import RenderOptions
from carthandout.pipeline import prepare
from carthandout.theme import build_theme
from carthandout.typefaces import bold, literal, rich_value

OPTIONS = RenderOptions(documents=("handout", "caregiver-guide", "checklist", "calendar"))
PATIENT = {"name": "محمد حداد", "infusion_date": "2027-02-01", "caregiver": "Layla Haddad", "mrn": "AR-77"}
OTHERS = (
    {"name": "Ana Quiñones", "infusion_date": "2027-06-30", "language": "es"},
    {"name": "Olga Kowalski", "infusion_date": "2027-12-28", "large_print": "yes"},
    {"name": "Noah Brown", "infusion_date": "2027-08-15", "caregiver": "王小明"},
)


def render(raw: dict) -> list[bytes]:
    ctx = prepare(parse_patient(raw), load_clinic(None), OPTIONS)
    theme = build_theme(ctx.clinic, None, ctx.patient.large_print)
    return [DOCUMENTS[name].render(ctx, theme, OPTIONS).data for name in OPTIONS.documents]


def test_same_bytes_cold_and_after_other_patients():
    clear_caches()
    reportlab_reuse.clear_caches()
    cold = render(PATIENT)
    for raw in OTHERS:
        render(raw)
    assert render(PATIENT) == cold


def test_same_markup_and_style_share_one_parse_and_one_line_breaking():
    """The parse is shared from the second paragraph on, the line breaks from the third: text
    met only once (a patient's name) never takes a line-break entry."""
    clear_caches()
    style = build_theme(load_clinic(None)).style("body")
    first, second, third = (paragraph(literal("Call the clinic right away if you have a fever."), style) for _ in range(3))
    assert first.frags is second.frags is third.frags
    for para in (first, second, third):
        para.wrap(120, 1000)
    assert third.blPara is second.blPara and len(second.blPara.lines) > 1
    assert first.blPara is not second.blPara and len(first.blPara.lines) == len(second.blPara.lines)
    other = paragraph(rich_value("Call the clinic right away if you have a fever!", "name"), style)
    assert other.frags is not first.frags


def test_a_mixed_font_paragraph_wrapped_again_at_its_width_keeps_its_shared_lines(monkeypatch):
    """reportlab turns a mixed-font paragraph's fragments into its word list when it wraps it, and
    that paragraph broke its lines again each time a table wrapped its cell again (0.2 ms each),
    and was drawn anew rather than replayed."""
    from reportlab.platypus import Paragraph

    clear_caches()
    style = build_theme(load_clinic(None)).style("body")
    words = bold(literal("Collection.")) + literal(" A machine collects T cells from your blood; it takes a few hours.")
    paragraphs = [paragraph(words, style) for _ in range(3)]
    for para in paragraphs:
        para.wrap(200, 1000)
    shared = paragraphs[-1]
    assert shared.frags is not shared._parsed_frags  # its word list
    broken = []
    real = Paragraph.breakLines
    monkeypatch.setattr(Paragraph, "breakLines", lambda self, widths: broken.append(widths) or real(self, widths))
    lines = shared.blPara
    assert shared.wrap(200, 1000) == (200, len(lines.lines) * style.leading) and not broken
    assert shared.blPara is lines and shared._may_replay()
    shared.wrap(150, 1000)  # another width: broken again, and not drawn from a recording
    assert broken and not shared._may_replay()


def test_a_paragraph_drawn_again_in_a_document_replays_its_operators(monkeypatch):
    """Lines met before are recorded when drawn, then replayed where the document has coded the
    characters the same way; the PDF is the same bytes as drawing every time."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import Paragraph

    style = build_theme(load_clinic(None)).style("body")
    drawn: list[int] = []
    real = Paragraph.drawPara
    monkeypatch.setattr(Paragraph, "drawPara", lambda self, debug=0: drawn.append(1) or real(self, debug))

    def pdf() -> bytes:
        canvas = Canvas(io.BytesIO(), invariant=1)
        for y in (700, 500, 300, 100):
            para = paragraph(literal("Fever of 38 °C – call us · día"), style)
            para.wrap(300, 100)
            para.drawOn(canvas, 72, y)
        return canvas.getpdfdata()

    clear_caches()
    replayed = pdf()
    assert len(drawn) == 3  # first met, lines shared, recorded, replayed
    monkeypatch.setattr(SharedLayoutParagraph, "_may_replay", lambda self: False)
    assert pdf() == replayed and len(drawn) == 7


def drawn_three_times(text: str) -> tuple[SharedLayoutParagraph, object]:
    """The last of three paragraphs of ``text`` drawn on one canvas (its lines recorded), and the canvas."""
    from reportlab.pdfgen.canvas import Canvas

    clear_caches()
    style = build_theme(load_clinic(None)).style("body")
    canvas = Canvas(io.BytesIO(), invariant=1)
    for y in (700, 500, 300):
        para = paragraph(literal(text), style)
        para.wrap(300, 100)
        para.drawOn(canvas, 72, y)
    return para, canvas


def test_a_recorded_drawing_goes_with_its_lines():
    """The recording hangs on the shared lines, so it lives as long as they do. Kept in a cache
    of its own, it held lines the line-break cache had let go: a worker grew with the cohort."""
    import gc
    import weakref

    para, canvas = drawn_three_times("Bring this card to every visit.")
    assert para._recorded_code(canvas._doc) is not None  # replayed on the third
    lines = weakref.ref(para.blPara)
    del para
    shared_layout._wrapped.clear()  # as when other lines push them out
    gc.collect()
    assert lines() is None


def test_a_copy_of_recorded_lines_is_not_replayed():
    """reportlab clones a line list to split a paragraph: the clone carries the recording's
    attribute, but not its lines, and must be drawn anew."""
    para, canvas = drawn_three_times("Keep the thermometer by your bed.")
    assert para._recorded_code(canvas._doc) is not None
    para.blPara = para.blPara.clone()
    assert "_replay" in para.blPara.__dict__ and para._recorded_code(canvas._doc) is None


def test_the_header_band_is_laid_out_once_per_center_language_and_theme(monkeypatch):
    """The calendar asked for the page's height once a month, each time wrapping the center's name
    and the example stamp again; every document did it once more for its pages."""
    from carthandout.documents import base
    layouts = []
    header_name = base._header_name
    monkeypatch.setattr(base, "_header_name", lambda *args: layouts.append(args[2]) or header_name(*args))
    base._header_band.cache_clear()
    render(PATIENT)
    first = len(layouts)
    render({**PATIENT, "name": "Rosa Delgado", "infusion_date": "2027-05-03"})
    assert first > 0 and len(layouts) == first
    render({**PATIENT, "large_print": "yes"})  # another theme: laid out for it
    assert len(layouts) > first


def test_the_header_is_drawn_once_a_document_and_replayed_on_its_other_pages(monkeypatch):
    """A document's first drawing of anything is new (its fonts code no character yet)."""
    render(PATIENT)  # the header band laid out, its drawing recorded
    clinic_name = load_clinic(None).name
    drawn_anew = []
    draw = SharedLayoutParagraph.draw
    monkeypatch.setattr(SharedLayoutParagraph, "draw", lambda self: drawn_anew.append(self.getPlainText()) or draw(self))
    pages = sum(len(pypdf.PdfReader(io.BytesIO(data)).pages) for data in render(PATIENT))
    assert pages > 2 * len(OPTIONS.documents)
    assert drawn_anew.count(clinic_name) == len(OPTIONS.documents)


def test_text_drawn_anew_is_coded_once_where_the_document_codes_it_the_same(monkeypatch):
    """A table's dates and day numbers are drawn anew in every document: their operators are made
    once per process and reused wherever the document has coded their characters the same way;
    a document that coded them otherwise gets its own (letters beyond those every document codes
    alike, ``reportlab_reuse.canonical_subsets``, coded in the order met). The same bytes as
    coding every time."""
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.pdfgen.textobject import PDFTextObject
    from carthandout.documents import shared_layout
    from carthandout.typefaces import text_font

    coded: list[str] = []
    split = shared_layout._split_string
    monkeypatch.setattr(shared_layout, "_split_string", lambda font, text, doc, *args: coded.append(text) or split(font, text, doc, *args))

    def pdf(first: str) -> bytes:
        canvas = Canvas(io.BytesIO(), invariant=1)
        for y, words in ((700, first), (600, "Łódź 3 °Ş"), (500, "Łódź 3 °Ş"), (400, "Tuesday")):
            text = canvas.beginText()
            text.setFont(text_font(), 10, 12)
            text.setTextOrigin(72, y)
            text.textLine(words)
            canvas.drawText(text)
        return canvas.getpdfdata()

    clear_caches()
    remembered = [pdf("Łódź 3 °Ş"), pdf("Ş Ł")]  # the second codes Ł and Ş the other way round
    assert coded == ["Łódź 3 °Ş", "Tuesday", "Ş Ł", "Łódź 3 °Ş"]
    monkeypatch.setattr(PDFTextObject, "_formatText", shared_layout._format_text)
    assert [pdf("Łódź 3 °Ş"), pdf("Ş Ł")] == remembered


PLAIN_TEXTS = ("Rosa María Delgado", "  Call (217)\u00a0555-0199\n right away ", "محمد حداد", "王小明", "BM-000017",
               "Stay within 2\u00a0hours for 4\u00a0weeks, through March\u00a05,\u00a02027.", "x", "Zoë Müller · MRN 42")


@pytest.mark.parametrize("style_name", ["body", "cell_bold", "footer", "title"])
def test_plain_text_gets_the_fragments_the_markup_parser_makes(style_name):
    """Text without tags or entities (a patient's own paragraphs) is not run through the markup
    parser: it gets a copy of the fragment the parser makes for plain text in that style."""
    from reportlab.platypus import Paragraph

    from carthandout.documents.base import _shaped

    base = build_theme(load_clinic(None)).style(style_name)
    for style in (base, _shaped(base)):
        for text in PLAIN_TEXTS:
            clear_caches()
            fast, parsed = SharedLayoutParagraph(text, style), Paragraph(text, style)
            assert fast.text == parsed.text and len(fast.frags) == len(parsed.frags) == 1
            assert fast.frags[0].__dict__ == parsed.frags[0].__dict__ and fast.style.__dict__ == parsed.style.__dict__


def test_markup_still_goes_through_the_parser(monkeypatch):
    from reportlab.platypus import paraparser

    parsed: list[str] = []
    parse = paraparser.ParaParser.parse
    monkeypatch.setattr(paraparser.ParaParser, "parse", lambda self, text, style: parsed.append(text) or parse(self, text, style))
    style = build_theme(load_clinic(None)).style("body")
    clear_caches()
    bold_name = SharedLayoutParagraph("Name: <b>Rosa</b> &amp; Luis", style)
    plain = [SharedLayoutParagraph(text, style) for text in ("Rosa Delgado", "Luis Okafor", "Zoë Müller")]
    assert parsed == ["plain", "Name: <b>Rosa</b> &amp; Luis"] or parsed == ["Name: <b>Rosa</b> &amp; Luis", "plain"]
    assert [p.frags[0].text for p in plain] == ["Rosa Delgado", "Luis Okafor", "Zoë Müller"]
    assert "".join(f.text for f in bold_name.frags) == "Name: Rosa & Luis" and len(bold_name.frags) > 2


def test_the_footers_version_line_and_widest_page_number_are_laid_out_once_a_document(monkeypatch):
    """Every page's footer made the content version's paragraph and measured "Page 7 of 7" anew."""
    from carthandout.documents import base

    made: list[str] = []
    make = base.paragraph
    monkeypatch.setattr(base, "paragraph", lambda rich, style, **kw: made.append(rich.text) or make(rich, style, **kw))
    ctx = prepare(parse_patient(OTHERS[2]), load_clinic(None), OPTIONS)
    handout = DOCUMENTS["handout"].render(ctx, build_theme(ctx.clinic), OPTIONS)
    versions = [text for text in made if text.startswith("Content ")]
    last_page = f"Page {handout.pages} of {handout.pages}"
    assert handout.pages > 3 and len(versions) == 1 and made.count(last_page) == 2  # measured once, drawn once
    assert pypdf.PdfReader(io.BytesIO(handout.data)).pages[1].extract_text().count("Content ") == 1


def test_a_body_frame_deep_copy_has_the_frames_state_and_its_own_lists():
    """reportlab deep-copies the frame to measure every group kept together; the copy is made
    without the pickling protocol, numbers and text shared, anything else copied."""
    import copy as copying

    from reportlab.platypus import Frame

    from carthandout.documents.base import BodyFrame

    frame = BodyFrame(72, 72, 468, 648, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    frame._generated_content = ["a flowable"]
    clone = copying.deepcopy(frame)
    plain = Frame(72, 72, 468, 648, id="body", leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    plain._generated_content = ["a flowable"]
    assert type(clone) is BodyFrame and clone.__dict__ == copying.deepcopy(plain).__dict__
    assert clone._generated_content == frame._generated_content and clone._generated_content is not frame._generated_content
