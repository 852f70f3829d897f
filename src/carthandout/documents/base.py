"""What every document shares: the rendered result, paragraphs, page furniture, PDF metadata."""
from __future__ import annotations

import copy
import io
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

from reportlab.lib.pagesizes import landscape
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Paragraph
from reportlab.platypus.doctemplate import LayoutError
from reportlab.lib.styles import ParagraphStyle

from carthandout import __version__
from carthandout.content import ContentPack, fill, load_common
from carthandout.context import DocumentContext
from carthandout.documents.bookmarks import Bookmark, add_to_outline, noted
from carthandout.documents.shared_layout import SharedLayoutParagraph, marked_span
from carthandout.edits import patient_key
from carthandout.errors import ContentError
from carthandout.reportlab_reuse import draw_prepared_image, prepared_image, set_patient_key
from carthandout.typefaces import Rich, bold, has_right_to_left, text_font, with_inherited_weight
from carthandout.theme import Theme

DRUG_SUBJECT = "Patient education: axicabtagene ciloleucel (YESCARTA) CAR T-cell therapy"  # without a pdf_subject label
HEADER_HEIGHT = 0.95 * inch  # the header band, unless the center's name needs more
HEADER_RULE_GAP = 0.2 * inch + 8  # from the center's name's last line to the page's body, the rule between
HEADER_SMALLEST_SIZE = 9.0  # in normal print
# In large print the center's name, repeated at body size in the patient box, may go down to this
# in the header rather than grow it: a 111-character name took five lines at 18 pt and pushed the
# handout's call box off page 1.
LARGE_PRINT_HEADER_SMALLEST_SIZE = 14.0
FOOTER_HEIGHT = 48.0
LOGO_BOX = (2.2 * inch, 0.6 * inch)  # the logo is drawn as large as fits: at most this wide and tall


@dataclass(frozen=True)
class RenderedDocument:
    """One finished PDF in memory, with what the manifest records about it."""

    document: str
    data: bytes
    pages: int
    version: str
    reviewed: str
    language: str
    bookmarks: tuple[Bookmark, ...] = ()  # its headings, for the record packet's outline


def joined(values: Iterable[str]) -> str:
    """What the manifest records for a file made from several sources: one value when they
    agree, else each distinct value once, in order (``es;en``)."""
    return ";".join(dict.fromkeys(values))


def document_versions(sources: Iterable[Any]) -> str:
    """The content version of a file made from several documents, each named ("handout 1.2.2;
    checklist 1.1.1"), once: ``sources`` have ``document`` and ``version``."""
    return "; ".join(dict.fromkeys(f"{source.document} {source.version}" for source in sources))


@dataclass(frozen=True)
class Metadata:
    title: str
    author: str
    subject: str
    language: str
    patient: str = ""  # edits.patient_key of the one patient the document is for


def subject_in(language: str) -> str:
    """The PDF's subject in the document's language (``common.yaml``'s ``pdf_subject``)."""
    return load_common(language).labels.get("pdf_subject", DRUG_SUBJECT)


def metadata_for(ctx: DocumentContext, pack: ContentPack, prints_birth_date: bool = False) -> Metadata:
    return metadata_titled(ctx, pack.title, prints_birth_date)


def metadata_titled(ctx: DocumentContext, title: str, prints_birth_date: bool = False) -> Metadata:
    """Title without the patient's name unless the clinic opted in (PHI travels with metadata);
    the patient's key from what the document prints (``edits.patient_key``)."""
    if ctx.clinic.name_in_metadata:
        title = f"{title}: {ctx.patient.name}"
    return Metadata(title=title, author=ctx.center_name, subject=subject_in(ctx.language), language=ctx.language,
                    patient=patient_key(ctx.patient, prints_birth_date))


@contextmanager
def in_language(canvas: Canvas, language: str) -> Iterator[None]:
    """What is drawn inside marked as written in ``language`` (a /Span with /Lang): the back of a
    Spanish-speaking patient's wallet card is in the clinic's English, and a screen reader read it
    with the Spanish voice of the document's /Lang."""
    with marked_span(canvas, "Lang", language):
        yield


def paragraph(rich: Rich, style: ParagraphStyle, **kwargs: object) -> Paragraph:
    """A Paragraph from safe markup; shaping only when the text needs it (it costs time)."""
    if rich.shaping and not style.shaping:
        style = _shaped(style)
    made = SharedLayoutParagraph(with_inherited_weight(rich.markup, style.fontName), style, **kwargs)
    if rich.shaping and not has_right_to_left(rich.text):
        # Shaped glyphs (a Devanagari conjunct) extract as private-use characters: say what they
        # read as. Not for right-to-left text: poppler turns such a replacement around as if it
        # were in drawing order, and a name came out letter by letter backwards.
        made.actual_text = rich.text
    return made


def heading_paragraph(rich: Rich, style: ParagraphStyle) -> Paragraph:
    """A heading: a paragraph that is also a bookmark in the document's outline, and under the
    document's own in the record packet's."""
    made = paragraph(rich, style)
    made.bookmark = " ".join(rich.text.split())
    return made


@lru_cache(maxsize=64)
def _shaped(style: ParagraphStyle) -> ParagraphStyle:
    """The style with shaping on; one object per style, so shaped paragraphs share their layout too."""
    return ParagraphStyle(f"{style.name}-shaped", parent=style, shaping=1)


def filled(ctx: DocumentContext, template: str, style: ParagraphStyle, **tokens: str) -> Paragraph:
    return paragraph(fill(template, ctx.rich, tokens), style)


FooterPainter = Callable[[Canvas, int, int], None]


class _PageCounter:
    """Remembers how many pages the last build produced, and where its headings are."""

    pages = 0
    bookmarks: tuple[Bookmark, ...] = ()


class DocumentCanvas(Canvas):
    """A canvas whose paragraphs' text objects let go of it once drawn (``release``)."""

    def drawText(self, aTextObject: Any) -> None:  # noqa: N802,N803 (reportlab's names)
        super().drawText(aTextObject)
        # a paragraph's text object refers to itself through this method (a cycle), and to the document
        aTextObject.__dict__.pop("_do_line", None)


class NumberedCanvas(DocumentCanvas):
    """A canvas that holds its pages until the end so each footer can say "page x of y"."""

    def __init__(self, *args: object, paint_footer: FooterPainter, counter: _PageCounter, patient: str = "",
                 **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._paint_footer, self._counter = paint_footer, counter
        self._held_pages: list[dict] = []
        set_patient_key(self, patient)

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        page = dict(self.__dict__)
        del page["_held_pages"]  # each page's state held the list of them: a cycle (``release``)
        self._held_pages.append(page)
        self._startPage()

    def save(self) -> None:
        total, counter = len(self._held_pages), self._counter
        counter.pages, counter.bookmarks = total, noted(self)
        for number, state in enumerate(self._held_pages, start=1):
            self.__dict__.update(state)
            self._paint_footer(self, number, total)
            add_to_outline(self, [bookmark for bookmark in counter.bookmarks if bookmark.page == number - 1])
            Canvas.showPage(self)
        Canvas.save(self)


def numbered_canvas(paint_footer: FooterPainter, counter: _PageCounter, patient: str = "") -> Callable[..., Canvas]:
    """What reportlab calls to make the document's canvas: one class for every document (a class
    made per document cost more than the canvas, and lived until the cycle collector ran)."""
    return partial(NumberedCanvas, paint_footer=paint_footer, counter=counter, patient=patient)


class BodyFrame(Frame):
    """A Frame that deep-copies itself without walking its numbers.

    reportlab deep-copies the frame every time it measures a group kept together (each kept
    section, every table cell list): about 2% of a document's time, nearly all of it in
    ``copy.deepcopy`` visiting two dozen floats. Numbers and text need no copy; anything else
    is still deep-copied, so the result is the same.
    """

    def __deepcopy__(self, memo: dict) -> "BodyFrame":
        clone = object.__new__(type(self))  # what copy.copy makes of it, without the pickling protocol
        clone.__dict__.update({name: value if isinstance(value, _IMMUTABLE) else copy.deepcopy(value, memo)
                               for name, value in self.__dict__.items()})
        return clone


_IMMUTABLE = (str, int, float, bool, type(None))


def build_pdf(
    story: Sequence[Flowable],
    theme: Theme,
    meta: Metadata,
    paint_page: Callable[[Canvas, BaseDocTemplate], None],
    paint_footer: FooterPainter,
    top_margin: float,
    bottom_margin: float,
) -> tuple[bytes, int, tuple[Bookmark, ...]]:
    """Lay out ``story`` on the theme's pages; returns the PDF bytes, the page count and the headings' bookmarks."""
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer, pagesize=theme.page_size, leftMargin=theme.margin, rightMargin=theme.margin,
        topMargin=top_margin, bottomMargin=bottom_margin, title=meta.title, author=meta.author,
        subject=meta.subject, creator=f"carthandout {__version__}", producer=f"carthandout {__version__}",
        lang=meta.language, displayDocTitle=1, invariant=1, initialFontName=text_font(),
    )
    frame = BodyFrame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body",
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=paint_page)])
    counter = _PageCounter()
    doc.build(list(story), canvasmaker=numbered_canvas(paint_footer, counter, meta.patient))
    release(doc.canv, doc)
    return buffer.getvalue(), counter.pages, counter.bookmarks


def release(*finished: object) -> None:
    """Empty what is finished with (a saved canvas, its doc template), so that what it holds, the
    whole PDF's objects, is freed at once. reportlab's canvas and doc template refer to each other,
    and a paragraph's text object to itself and the canvas: cycles that only the cycle collector
    frees, and it traced every document of a patient again (``collector``, 2 ms a patient)."""
    for thing in finished:
        thing.__dict__.clear()


def saved_pdf(canvas: Canvas, buffer: io.BytesIO) -> bytes:
    """The PDF of a canvas drawn by hand (the wallet card's), saved and released."""
    canvas.save()
    release(canvas)
    return buffer.getvalue()


FOOTER_RULE = 30.0  # above the footer's bottom line; the body's frame ends FOOTER_HEIGHT above it
RULE_ABOVE_OWNER = 2.0  # between the patient's line, when it wraps, and the rule over it
FOOTER_MAX_OWNER_LINES = 2  # the patient's line, when it wraps, grows up to the rule's place
FOOTER_RULE_CLEARANCE = 6.0  # under the body's frame: a table's last rule and the footer's never read as one double line
FOOTER_ONE_LINE_SIZE = 9.0  # a long patient's line may shrink to this to stay on one line
FOOTER_SMALLEST_SIZE = 6.0


def footer_prints_birth_date(ctx: DocumentContext) -> bool:
    """Every page names its patient twice: by name and MRN, else by name and birth date (a page
    parted from its document, in a record or a printer's tray, named a patient without an MRN
    by name alone)."""
    return not ctx.patient.mrn and ctx.patient.date_of_birth is not None


FOOTER_CALL_LABEL = "footer_call"  # a content pack with it prints the 24-hour line on every page


def footer_painter(ctx: DocumentContext, pack: ContentPack, theme: Theme) -> FooterPainter:
    """Footer on every page: who the page belongs to, page x of y, the content version; and the
    24-hour line, when the pack words one (``FOOTER_CALL_LABEL``): the temperature log's third page,
    or the calendar on the fridge, is what is at hand when a fever is found at night."""
    common = load_common(ctx.language).labels
    style = theme.style("footer")
    call = bold(fill(pack.labels[FOOTER_CALL_LABEL], ctx.rich)) if FOOTER_CALL_LABEL in pack.labels else None
    owner = ctx.rich["patient.name"]
    if ctx.patient.mrn:
        owner = owner + Rich(" · ") + fill(common["footer_mrn"], {"mrn": ctx.rich["patient.mrn"]})
    elif footer_prints_birth_date(ctx):
        owner = owner + Rich(" · ") + fill(common["footer_birth"], {"birth": ctx.rich["patient.date_of_birth"]})
    version = fill(common["footer_content"], {}, {"version": pack.version, "reviewed": pack.reviewed})
    lines = _FooterLines(theme.margin, theme.margin * 0.5, theme.frame_width, style)

    @lru_cache(maxsize=None)  # one painter per document: "Page 7 of 7" is asked for on every page
    def page_number(page: int, pages: int) -> Rich:
        return bold(fill(common["footer_page"], {}, {"page": str(page), "pages": str(pages)}))

    def paint(canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        lines.draw(canvas, owner, page_number(page, pages), version, theme.primary, call,
                   page_number(pages, pages))  # the widest: the 24-hour line in the same place on every page
        canvas.restoreState()

    return paint


class _FooterLines:
    """Two lines under a rule: "name · MRN", then the content version with "Page x of y" at its right;
    the 24-hour line, when there is one, at the right of the patient's line, or, when the patient's
    line would not keep to one line beside it, before the page number, else above the patient's line.

    The page number stands in the same place for every patient: it followed a short name on the
    first line, and went to the second line after a long one, so a cohort's stack numbered its pages
    in two places. Each part repeats (the patient's line on every page, "Page 2 of 7" for every
    patient), so each is its own paragraph, laid out once and its drawing replayed. A patient's
    line too long for one line wraps upward (smaller, if it needs more than two lines), never into
    the version line. The patient's line comes first: beside a long 24-hour number ("ext. 12345,
    option 2") it shrank to 6 pt over four lines and split the MRN.
    """

    def __init__(self, left: float, bottom: float, width: float, style: ParagraphStyle) -> None:
        self.left, self.bottom, self.width, self.style = left, bottom, width, style
        self.space = stringWidth(" ", style.fontName, style.fontSize)
        self.gap = 4 * self.space  # between the 24-hour line and what shares its line: never read as one
        self.highest = FOOTER_HEIGHT - FOOTER_RULE_CLEARANCE - RULE_ABOVE_OWNER - style.leading
        self._placements: dict[tuple, tuple[Paragraph, str, Paragraph | None]] = {}
        self._widths: dict[str, float] = {}  # the widest page number's, per document
        self._version_lines: dict[str, Paragraph] = {}  # on one line: the same on every page

    def draw(self, canvas: Canvas, owner: Rich, number: Rich, version: Rich, rule_color: object,
             call: Rich | None = None, widest_number: Rich | None = None) -> None:
        """One page's footer; ``call``, the 24-hour line, in bold (``bold``)."""
        top_line = self.bottom + self.style.leading
        widest = self._widest(widest_number or number)
        alone, placement, call_line = self._placed_once(owner, call, version, widest)
        alone.drawOn(canvas, self.left, top_line)
        page_width = self._draw_at_right(canvas, paragraph(number, self.style), self.bottom)
        version_room = self.width - page_width - 2 * self.space
        top = top_line + alone.height  # of what the footer prints, under its rule
        if placement == "beside":
            self._draw_at_right(canvas, call_line, top_line)
        elif placement == "above":
            self._draw_at_right(canvas, call_line, top)
            top += self.style.leading
        elif placement == "before page number":
            version_room = self.width - widest - 2 * self.space - self._width_of(call_line) - self.gap
            call_line.drawOn(canvas, self.left + version_room + self.gap, self.bottom)
        canvas.setStrokeColor(rule_color)
        canvas.setLineWidth(0.75)
        rule_y = max(self.bottom + FOOTER_RULE, top + RULE_ABOVE_OWNER)
        canvas.line(self.left, rule_y, self.left + self.width, rule_y)
        version_line, drop = self._version_line(version, version_room)
        version_line.drawOn(canvas, self.left, self.bottom + drop)

    def _widest(self, number: Rich) -> float:
        if number.markup not in self._widths:
            self._widths[number.markup] = self._width_of(paragraph(number, self.style))
        return self._widths[number.markup]

    def _version_paragraph(self, version: Rich) -> Paragraph:
        """The content version's paragraph wrapped at the footer's width, kept for the document."""
        if version.markup not in self._version_lines:
            para = paragraph(version, self.style)
            para.wrap(self.width, 200)
            para.will_repeat()
            self._version_lines[version.markup] = para
        return self._version_lines[version.markup]

    def _version_line(self, version: Rich, room: float) -> tuple[Paragraph, float]:
        """The content version's line for ``room`` (what the page number leaves), and how far above
        the bottom it is drawn (its top where one line's would be, when it wraps). Where it fits on
        one line, as nearly always, one paragraph serves every page of the document."""
        one_line = self._version_paragraph(version)
        if len(one_line.blPara.lines) == 1 and max(one_line.getActualLineWidths0()) <= room:
            return one_line, 0.0
        para = paragraph(version, self.style)
        _, height = para.wrap(room, 200)
        return para, self.style.leading - height

    def _placed_once(self, owner: Rich, call: Rich | None, version: Rich,
                     widest: float) -> tuple[Paragraph, str, Paragraph | None]:
        """``_placed``, worked out for the document's first page and kept for the others: the same
        lines and the same widest page number on each."""
        key = (owner.markup, call.markup if call is not None else None, version.markup, widest)
        if key not in self._placements:
            # what the version line leaves before the page number
            version_width = self._width_of(self._version_paragraph(version))
            left_free = self.width - widest - 2 * self.space - version_width - self.gap
            self._placements[key] = self._placed(owner, call, left_free)
        return self._placements[key]

    def _placed(self, owner: Rich, call: Rich | None, left_free: float) -> tuple[Paragraph, str, Paragraph | None]:
        """The patient's line, where the 24-hour line goes, and the 24-hour line, in this order of
        preference: beside the patient's line, both at their own size; above the patient's line of
        one line; before the page number, at least FOOTER_ONE_LINE_SIZE; above the patient's line
        made one line, smaller (a name of 95 letters: the number is what a caregiver looks for);
        before the page number at any size down to FOOTER_SMALLEST_SIZE; nowhere (a number as long
        as a sentence beside a name as long as a paragraph)."""
        if call is None:
            return self._fitted(owner, self.highest, self.width), "", None
        call_line = paragraph(call, self.style)
        call_width = self._width_of(call_line)
        beside = self._largest_fitting(owner, 1, self.style.fontSize, self.highest, self.width - call_width - self.gap)
        if beside:
            return beside, "beside", call_line
        alone = self._fitted(owner, self.highest, self.width)
        one_line = alone.height <= self.style.leading
        if one_line and call_width > left_free:
            return alone, "above", call_line
        before = self._fitting_call(call, left_free, FOOTER_ONE_LINE_SIZE)
        if before is not None:
            return alone, "before page number", before
        made_one_line = self._largest_fitting(owner, 1, FOOTER_SMALLEST_SIZE, self.highest, self.width)
        if made_one_line:
            return made_one_line, "above", call_line
        before = self._fitting_call(call, left_free, FOOTER_SMALLEST_SIZE)
        return alone, "before page number" if before is not None else "", before

    def _fitting_call(self, call: Rich, room: float, smallest: float) -> Paragraph | None:
        """The 24-hour line at the largest size down to ``smallest`` that fits ``room``, or None."""
        style = self.style
        while True:
            para = paragraph(call, style)
            if self._width_of(para) <= room:
                return para
            if style.fontSize <= smallest:
                return None
            style = _smaller(style)

    def _width_of(self, para: Paragraph) -> float:
        para.wrap(self.width, 200)
        return max(para.getActualLineWidths0())

    def _draw_at_right(self, canvas: Canvas, para: Paragraph, y: float) -> float:
        """``para`` on one line ending at the right edge, at ``y``; returns its width."""
        width = self._width_of(para)
        para.drawOn(canvas, self.left + self.width - width, y)
        return width

    def _fitted(self, owner: Rich, highest: float, width: float) -> Paragraph:
        """The patient's line on one line, the font made smaller down to FOOTER_ONE_LINE_SIZE if it
        must (a second line pushed the rule up against the page's last row); else on two lines no
        taller than ``highest``, from the usual size, smaller only if it must."""
        return (self._largest_fitting(owner, 1, FOOTER_ONE_LINE_SIZE, highest, width)
                or self._largest_fitting(owner, FOOTER_MAX_OWNER_LINES, FOOTER_SMALLEST_SIZE, highest, width,
                                         last_resort=True))

    def _largest_fitting(self, owner: Rich, lines: int, smallest: float, highest: float, width: float,
                         last_resort: bool = False) -> Paragraph | None:
        style = self.style
        while True:
            para = paragraph(owner, style)
            _, height = para.wrap(width, 400)
            if height <= min(lines * style.leading, highest):
                return para
            if style.fontSize <= smallest:
                return para if last_resort else None
            style = _smaller(style)


@lru_cache(maxsize=64)
def _smaller(style: ParagraphStyle) -> ParagraphStyle:
    return ParagraphStyle(f"{style.name}-{style.fontSize - 1:g}", parent=style, fontSize=style.fontSize - 1,
                          leading=min(style.leading, (style.fontSize - 1) * 1.2))


def brand_header(ctx: DocumentContext, theme: Theme) -> tuple[Callable[[Canvas, BaseDocTemplate], None], float]:
    """Brand header on every page: logo and center name, with a rule in the brand color; and the
    band's height, the standard one unless the center's name needs more."""
    stamp_words = fill(load_common(ctx.language).labels["example_clinic"], {}) if ctx.clinic.example else None
    band = _header_band(ctx.rich["clinic.name"], stamp_words, theme)
    top = theme.page_size[1] - theme.margin * 0.5
    left, right = theme.margin, theme.page_size[0] - theme.margin

    def paint(canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        if theme.logo is not None:
            draw_w, draw_h = band.logo_size
            canvas.translate(left, top - draw_h)
            _draw_logo(canvas, theme.logo, draw_w, draw_h)
            canvas.translate(-left, draw_h - top)
        used = band.name_height
        band.name.drawOn(canvas, band.text_left, top - max(0.3 * inch, used / 2) - used / 2)  # beside the logo, or hung from the top
        rule_y = top - band.height + 0.2 * inch
        if band.stamp:
            band.stamp.draw(canvas, *((left, rule_y + EXAMPLE_STAMP_GAP / 2) if band.banner
                                      else (right - band.stamp.width, top - band.stamp.height)))
        canvas.setStrokeColor(theme.primary)
        canvas.setLineWidth(2)
        canvas.line(left, rule_y, right, rule_y)
        canvas.restoreState()

    return paint, band.height


@dataclass(frozen=True)
class _HeaderBand:
    """Where the header's parts go: the same for every page and patient of a center, language and theme."""

    name: Paragraph  # the center's name, wrapped
    name_height: float
    text_left: float
    logo_size: tuple[float, float]
    height: float
    stamp: "ExampleStamp | None"
    banner: bool  # the example stamp across the page above the rule, rather than boxed at the top right


@lru_cache(maxsize=16)
def _header_band(clinic_name: Rich, stamp_words: Rich | None, theme: Theme) -> _HeaderBand:
    """Laid out once per process for each center, language and theme (the calendar asks for the
    page's height once a month): its paragraphs are drawn on every page of every document, so
    their drawing is recorded and replayed."""
    band = _laid_out_band(clinic_name, stamp_words, theme)
    band.name.will_repeat()
    if band.stamp:
        band.stamp.para.will_repeat()
    return band


def _laid_out_band(clinic_name: Rich, stamp_words: Rich | None, theme: Theme) -> _HeaderBand:
    name_style = theme.style("header")
    left, right = theme.margin, theme.page_size[0] - theme.margin
    text_left, logo_size = left, (0.0, 0.0)
    if theme.logo is not None:
        logo = prepared_image(theme.logo, LOGO_BOX).image  # decoded once per process, for drawing too
        draw_w = min(LOGO_BOX[1] * logo.width / logo.height, LOGO_BOX[0])
        logo_size = (draw_w, draw_w * logo.height / logo.width)
        text_left = left + draw_w + 0.2 * inch
    smallest = LARGE_PRINT_HEADER_SMALLEST_SIZE if theme.large_print else HEADER_SMALLEST_SIZE
    name, used = _header_name(clinic_name, name_style, right - text_left, smallest)
    band = max(HEADER_HEIGHT, used + HEADER_RULE_GAP)
    if stamp_words is None:
        return _HeaderBand(name, used, text_left, logo_size, band, None, False)
    # A box at the top right, or a banner across the page above the rule: whichever leaves the band
    # lower (beside the box a long center's name in large print took nine lines).
    stamp = ExampleStamp(stamp_words, theme)
    beside = _header_name(clinic_name, name_style, right - stamp.width - EXAMPLE_STAMP_GAP - text_left, smallest)
    boxed_band = max(HEADER_HEIGHT, beside[1] + HEADER_RULE_GAP, stamp.height + HEADER_RULE_GAP)
    across = ExampleStamp(stamp_words, theme, width=right - left)
    if band + across.height + EXAMPLE_STAMP_GAP < boxed_band:
        return _HeaderBand(name, used, text_left, logo_size, band + across.height + EXAMPLE_STAMP_GAP, across, True)
    return _HeaderBand(beside[0], beside[1], text_left, logo_size, boxed_band, stamp, False)


EXAMPLE_STAMP_WIDTH = 2.2 * inch  # at the header's top right
EXAMPLE_STAMP_GAP = 0.15 * inch
EXAMPLE_STAMP_PAD = 3.0


class ExampleStamp:
    """"Example clinic: made-up ... Not for patients." boxed in the accent color at the header's
    top right, on every page printed with the bundled example clinic: a nurse who forgot
    ``--clinic`` would otherwise hand out papers with a made-up 24-hour number."""

    def __init__(self, text: Rich, theme: Theme, width: float = EXAMPLE_STAMP_WIDTH) -> None:
        footer = theme.style("footer")
        style = ParagraphStyle("example-stamp", parent=footer, fontName=text_font(bold=True), textColor=theme.accent,
                               leading=footer.fontSize * 1.2)
        self.color = theme.accent
        self.para = paragraph(text, style)
        _, text_height = self.para.wrap(width - 2 * EXAMPLE_STAMP_PAD, 1000)
        self.width = max(self.para.getActualLineWidths0()) + 2 * EXAMPLE_STAMP_PAD
        self.height = text_height + 2 * EXAMPLE_STAMP_PAD

    def draw(self, canvas: Canvas, x: float, y: float) -> None:
        canvas.setStrokeColor(self.color)
        canvas.setLineWidth(1.2)
        canvas.rect(x, y, self.width, self.height, stroke=1, fill=0)
        self.para.drawOn(canvas, x + EXAMPLE_STAMP_PAD, y + EXAMPLE_STAMP_PAD)


def _header_name(name: Rich, style: ParagraphStyle, width: float, smallest: float) -> tuple[Paragraph, float]:
    """The center's name wrapped to ``width`` at the largest size, down to ``smallest``, whose lines
    fit the standard header band: a long name in large print took four lines at heading size, ran
    off the top of the page and was struck through by the rule. Still too tall at ``smallest``
    (large print keeps its 18 pt), the band grows to hold it."""
    while True:
        para = paragraph(name, style)
        _, height = para.wrap(width, 1000)
        if height <= HEADER_HEIGHT - HEADER_RULE_GAP or style.fontSize - 1 < smallest:
            return para, height
        style = _smaller(style)


LOGO_FORM = "carthandout-logo"


def _draw_logo(canvas: Canvas, path: Path, width: float, height: float) -> None:
    """The logo at the origin, stored once per PDF as a form that every page shows.

    ``drawImage`` hashes the whole decoded image on every call to find it in the PDF (for a
    480x160 logo that is most of the header's time); a form is looked up by name, and the image
    objects are prepared once per process.
    """
    if not canvas.hasForm(LOGO_FORM):
        canvas.beginForm(LOGO_FORM)
        draw_prepared_image(canvas, prepared_image(path, LOGO_BOX), 0, 0, width, height)
        canvas.endForm()
    canvas.doForm(LOGO_FORM)


def build_branded_pdf(
    story: Sequence[Flowable], ctx: DocumentContext, pack: ContentPack, theme: Theme, prints_birth_date: bool = False,
) -> RenderedDocument:
    """A full-page document with the brand header and the standard footer on every page."""
    paint_header, header_height = brand_header(ctx, theme)
    top, bottom = branded_margins(theme, header_height)
    try:
        data, pages, bookmarks = build_pdf(
            story, theme, metadata_for(ctx, pack, prints_birth_date or footer_prints_birth_date(ctx)), paint_header,
            footer_painter(ctx, pack, theme),
            top_margin=top, bottom_margin=bottom,
        )
    except LayoutError:  # a box no page holds: the pack's words (a patient's values are bounded), not a bug
        size = " in large print" if theme.large_print else ""
        raise ContentError(f"{pack.origin}: a box or table is taller than a page{size}: shorten the paragraph or "
                           "list in it, or split it in two") from None
    return RenderedDocument(pack.id, data, pages, pack.version, pack.reviewed, ctx.language, bookmarks)


def page_body_height(ctx: DocumentContext, theme: Theme) -> float:
    """The height ``build_branded_pdf`` gives the story on each page, under this clinic's header band."""
    top, bottom = branded_margins(theme, brand_header(ctx, theme)[1])
    return theme.page_size[1] - top - bottom


def branded_margins(theme: Theme, header_height: float) -> tuple[float, float]:
    """The top and bottom margins of a branded page: the header band's, and the footer's."""
    return theme.margin * 0.5 + header_height, theme.margin * 0.5 + FOOTER_HEIGHT


def wide_for_large_print(theme: Theme) -> Theme:
    """Landscape pages for wide tables and grids in large print, so 18 pt text still fits a column."""
    if not theme.large_print:
        return theme
    return replace(theme, page_size=landscape(theme.page_size))
