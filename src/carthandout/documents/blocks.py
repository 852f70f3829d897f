"""Content blocks (text, bullets, callouts, timelines, contacts) as flowables, for any document."""
from __future__ import annotations

import datetime as dt
import itertools
import operator
from functools import lru_cache
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus.doctemplate import NullActionFlowable

from carthandout.content import ContentPack, fill, last_word_kept, load_common
from carthandout.errors import ContentError
from carthandout.context import DocumentContext, rich_address, rich_team
from carthandout.typefaces import Rich, has_right_to_left, rich_value, text_font
from carthandout.schedule import ALL_CONDITIONING_DAYS
from carthandout.documents.base import heading_paragraph, paragraph
from carthandout.documents.text_line import date_cell, year_on_its_own_line
from carthandout.theme import Theme, tint

BLOCK_KINDS = ("text", "bullets", "subheading", "callout", "timeline", "contacts")
KEPT_LIST_ITEMS = 8  # a list this short stays whole with the words that open it
# A patient block's value: a template of fields, or what draws the value in the room it is given
# (a field to write in).
PairValue = str | Callable[[float], Flowable]
GRID_WIDTH = 0.75
ROW_RULE_WIDTH = 0.5
HEADER_RULE_WIDTH = 1.2  # under a table's header rows, in the brand color
ROW_RULE_COLOR = HexColor("#9A9A9A")
GRID_COLOR = HexColor("#6E6E6E")


def section_by_role(pack: ContentPack, role: str) -> list[Mapping[str, Any]]:
    return [s for s in pack.data["sections"] if s.get("role", "normal") == role]


def shown(block: Mapping[str, Any], ctx: DocumentContext) -> bool:
    """Whether a block (a timeline row, a calendar mark) is printed for this patient: ``when`` a
    value is filled (or each of a list), ``unless`` it is."""
    if "when" in block and not all(ctx.values.get(name) for name in condition_names(block["when"])):
        return False
    if "unless" in block and ctx.values.get(block["unless"]):
        return False
    return True


def condition_names(when: Any) -> list[str]:
    """The values a ``when:`` names: one, or a list."""
    names = when if isinstance(when, list) else [when]
    return [name for name in names if isinstance(name, str)]


class BlockRenderer:
    """Turns content blocks into flowables for one patient and one theme."""

    def __init__(self, ctx: DocumentContext, pack: ContentPack, theme: Theme):
        self.ctx, self.pack, self.theme = ctx, pack, theme
        self._kinds: dict[str, Callable[[Any], list[Flowable]]] = {
            "text": self._text, "bullets": self._bullets, "subheading": self._subheading,
            "callout": self._callout, "timeline": self._timeline, "contacts": self._contacts,
        }

    def rich(self, template: str, tokens: Mapping[str, str] | None = None) -> Rich:
        try:
            return fill(template, self.ctx.rich, tokens)
        except ContentError as error:  # a layout token ({day}) where the layout fills none: say where
            raise ContentError(f"{self.pack.origin}: {error}, in \"{template[:50]}\"") from None

    def para(self, template: str, style: str, tokens: Mapping[str, str] | None = None) -> Paragraph:
        return paragraph(self.rich(template, tokens), self.theme.style(style))

    def heading(self, template: str, style: str, tokens: Mapping[str, str] | None = None) -> Paragraph:
        """A heading, which is also a bookmark in the document's outline."""
        return heading_paragraph(self.rich(template, tokens), self.theme.style(style))

    def section(self, section: Mapping[str, Any], with_heading: bool = True) -> list[Flowable]:
        flowables: list[Flowable] = [self.heading(section["heading"], "heading")] if with_heading else []
        flowables.extend(self.blocks(section["blocks"]))
        self._caption_continuations(flowables, section["heading"])
        return flowables

    def _caption_continuations(self, flowables: list[Flowable], heading: str) -> None:
        """Each table of the section that breaks over a page opens the next one with "<heading>
        (continued)": a page that starts with bare rows of phone numbers does not say whose they are."""
        continued = self.continued_caption(heading)
        for flowable in unkept(flowables):
            if isinstance(flowable, BalancedTable):
                flowable.continued = continued

    def continued_caption(self, heading: str) -> Callable[[], Flowable]:
        """What opens the next page of a table under ``heading``: "<heading> (continued)"."""
        caption = fill(load_common(self.ctx.language).labels["continued"], {"heading": self.rich(heading)})
        style = self.theme.style("subheading")
        return lambda: paragraph(caption, style)

    def kept_section(self, section: Mapping[str, Any]) -> list[Flowable]:
        """The section, its heading kept with its first block: a heading never ends a page alone.
        An opening sentence followed by a short list kept whole goes on with the list, where that
        leaves no more than half the page blank: the daily handwriting check's heading and "The
        boxes below help you check it" ended a page, its instructions and boxes on the next."""
        flowables = self.section(section)
        if len(flowables) > 2 and isinstance(flowables[1], Paragraph) and _whole_short_list(flowables[2:]):
            return [keep_together(flowables[:3], may_leave_blank=OPENING_MAY_LEAVE_BLANK), *flowables[3:]]
        return [keep_together(flowables[:2]), *flowables[2:]]

    def patient_block(self, pairs: Sequence[tuple[str, PairValue]], single: tuple[float, float],
                      double: tuple[float, float, float, float]) -> Table:
        """The boxed label/value block at the top of a document: two pairs a row, or one a row
        (``single`` column widths) in large print, when a value has a word too long for half the
        width ("Christopher-Alexander" broke as "Christopher-Alexande" and "r"), or when one a row
        is no taller (long names took nine lines in a half-width column). Pairs without a value
        template are left out; a value made for its room (a field to write in) is drawn as made; a
        pair alone on the last row spans the row. A date too long for its cell breaks before its
        year ("29 de febrero de" / "2028" left the year alone)."""
        def cells(room: float) -> list[list[Flowable]]:
            return [[self.para(label, "label"), value(room) if callable(value) else self._value(value, room)]
                    for label, value in pairs if value]

        single_room = self.theme.frame_width * single[1] - 2 * TABLE_CELL_SIDE_PADDING
        if self.theme.large_print:
            return self._pairs_table(cells(single_room), single, per_row=1)
        room = self.theme.frame_width * min(double[1], double[3]) - 2 * TABLE_CELL_SIDE_PADDING
        two_a_row = cells(room)
        wrapping = [isinstance(value, Paragraph) and natural_width(value) > room for _, value in two_a_row]
        # A right-to-left value broken over two lines keeps its drawn order across them (its first
        # words start the second line): given the width of the row, it keeps to one.
        if any(value.minWidth() > room or (wraps and _right_to_left(value))
               for (_, value), wraps in zip(two_a_row, wrapping)):
            return self._pairs_table(cells(single_room), single, per_row=1)
        double_table = self._pairs_table(two_a_row, double, per_row=2)
        if not any(wrapping):  # one line each: two a row is the shorter
            double_table.compact = True
            return double_table
        single_table = self._pairs_table(cells(single_room), single, per_row=1)
        height = self.theme.page_size[1]
        taller = double_table.wrap(self.theme.frame_width, height)[1] > single_table.wrap(self.theme.frame_width, height)[1]
        return single_table if taller else double_table

    def _value(self, template: str, room: float) -> Paragraph:
        date_key = template[1:-1] if template in DATE_VALUES else None
        if date_key is None:
            return self.para(template, "cell_bold")
        style = self.theme.style("cell_bold")
        return paragraph(rich_value(year_on_its_own_line(self.ctx.values[date_key], style, room), "clinic.date_format"), style)

    def _pairs_table(self, cells: list[list[Flowable]], fractions: Sequence[float], per_row: int) -> Table:
        """The pairs in a boxed table; its ``compact`` is True only when every value is known to fit on one line."""
        spans = []
        rows: list[list[Any]] = list(cells)
        if per_row == 2:
            rows = [cells[i] + (cells[i + 1] if i + 1 < len(cells) else ["", ""]) for i in range(0, len(cells), 2)]
            if len(cells) % 2:
                spans.append(("SPAN", (1, len(rows) - 1), (-1, len(rows) - 1)))
        table = Table(rows, colWidths=[self.theme.frame_width * f for f in fractions], hAlign="LEFT")
        table.compact = False
        pad = self.theme.type.body * 0.4
        table.setStyle(TableStyle([
            ("FONTNAME", (0, 0), (-1, -1), text_font()),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, -1), self.theme.panel),
            ("BOX", (0, 0), (-1, -1), 0.75, self.theme.primary),
            ("TOPPADDING", (0, 0), (-1, -1), pad),
            ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
            *spans,
        ]))
        return table

    def blocks(self, blocks: Iterable[Mapping[str, Any]]) -> list[Flowable]:
        out: list[Flowable] = []
        for block in blocks:
            if shown(block, self.ctx):
                kind = next(k for k in BLOCK_KINDS if k in block)
                made = self._kinds[kind](block[kind])
                # Whole, with the sentence that opens it ("Here are your dates:"): a phone number or
                # a date alone on the next page is missed. Taller than a page, it flows from here.
                if kind in ("timeline", "contacts"):
                    opening = [out.pop()] if out and isinstance(out[-1], Paragraph) else []
                    # the dates may break (under their header) rather than leave most of a page
                    # empty; the contacts stay whole: each is looked for on its own
                    made = [keep_together([*opening, *made], DATES_MAY_LEAVE_BLANK if kind == "timeline" else 1.0)]
                elif out and _leads_in(out[-1]):  # a subheading or "Your caregiver:" never ends a page
                    # nor is a short list split from it: a page of bare "call right away" signs
                    whole = kind == "bullets" and len(made) - 1 <= KEPT_LIST_ITEMS  # the last is a Spacer
                    kept = made[:-1] if whole else made[:1]
                    made = [keep_together([out.pop(), *kept]), *made[len(kept):]]
                elif kind == "bullets":
                    made = _no_item_alone(made)
                out.extend(made)
        return out

    def _text(self, text: str) -> list[Flowable]:
        return [self.para(last_word_kept(text), "body")]

    def _subheading(self, text: str) -> list[Flowable]:
        return [self.para(text, "subheading")]

    def _bullets(self, items: list[str]) -> list[Flowable]:
        style = self.theme.style("bullet")
        out: list[Flowable] = [paragraph(self.rich(last_word_kept(item)), style, bulletText="•") for item in items]
        return out + [Spacer(1, style.fontSize * 0.3)]

    def _callout(self, callout: Mapping[str, Any]) -> list[Flowable]:
        inner: list[Flowable] = []
        if callout.get("title"):
            inner.append(self.para(callout["title"], "subheading"))
        if callout.get("text"):
            inner.append(self.para(last_word_kept(callout["text"]), "body"))
        if callout.get("bullets"):
            inner.extend(self._bullets(callout["bullets"]))
        return [boxed(inner, self.theme, border=self.theme.primary, background=self.theme.panel, width=1.5),
                Spacer(1, self.theme.type.body * 0.6)]

    def _timeline(self, rows: list[Mapping[str, str]]) -> list[Flowable]:
        labels = self.pack.labels
        header = [self.para(labels.get("timeline_date", ""), "cell_bold"),
                  self.para(labels.get("timeline_step", ""), "cell_bold")]
        body = []
        by_day = operator.itemgetter(0)
        # a day's steps in one row: the label's four ends on one day repeated "March 19, 2027" four times
        for day, steps in itertools.groupby(sorted(self._timeline_days(rows), key=by_day), key=by_day):
            what: list[Flowable] = []
            for _, row, tokens in steps:
                if what:
                    what.append(Spacer(1, self.theme.type.body * 0.5))
                what.append(self.para(row["label"], "cell_bold", tokens))
                if row.get("detail"):
                    what.append(self.para(last_word_kept(row["detail"]), "cell", tokens))
            body.append([date_cell(self.ctx, self.theme, day), what])
        return [data_table([header, *body], self.theme, (0.36, 0.64), header=True),
                Spacer(1, self.theme.type.body * 0.8)]

    def _timeline_days(self, rows: list[Mapping[str, str]]) -> Iterator[tuple[dt.date, Mapping[str, str], dict[str, str]]]:
        """(day, row, tokens) for each row on the patient's schedule; a row dated ``conditioning``
        once for every chemotherapy day of the policy, numbered ``{day}`` (the checklist and the
        calendar do the same), so a clinic's four-day regimen shows four rows, a one-day regimen one."""
        named = self.ctx.schedule.named_dates()
        for row in (row for row in rows if shown(row, self.ctx)):
            name = row["date"].removeprefix("dates.")
            if name == ALL_CONDITIONING_DAYS:
                for number, day in enumerate(self.ctx.schedule.conditioning, start=1):
                    yield day, row, {"day": str(number)}
            elif name in named:
                yield named[name], row, {}

    def _contacts(self, _: Any) -> list[Flowable]:
        return [data_table(contact_rows(self), self.theme, CONTACT_COLUMNS),
                Spacer(1, self.theme.type.body * 0.8)]


CONTACT_COLUMNS = (0.36, 0.64)  # label, value


def address_row_height(address: Sequence[str], theme: Theme) -> float:
    """The height of the contacts table's address row: a table row never breaks over a page."""
    width = theme.frame_width * CONTACT_COLUMNS[1] - 2 * table_padding(theme)
    lines = [paragraph(rich_address(line, "clinic.address"), theme.style("cell")) for line in address]
    return sum(line.wrap(width, 1e6)[1] for line in lines) + 2 * table_padding(theme)


def contact_rows(renderer: BlockRenderer) -> list[list[Any]]:
    """(label, value) rows; a person's number goes on a line of its own under their name, so
    "Lucía Martínez Ortega, RN +44 20 7946 0958" never reads as one run of words, and each line
    of the clinic's address on a line of its own, as on an envelope."""
    ctx, labels = renderer.ctx, renderer.pack.labels
    cell = renderer.theme.style("cell")
    rows = [
        (labels.get("contact_24h", ""), [renderer.rich("{clinic.phone_24h}")]),
        (labels.get("contact_main", ""), [renderer.rich("{clinic.phone}")]),
        (labels.get("contact_address", ""), [rich_address(line, "clinic.address") for line in ctx.clinic.address]),
        (labels.get("physician", ""), [renderer.rich("{patient.physician}")] if ctx.physician else []),
        (labels.get("caregiver", ""), [renderer.rich("{patient.caregiver}"), renderer.rich("{patient.caregiver_phone}")]
         if ctx.patient.caregiver or ctx.patient.caregiver_phone else []),
    ]
    out = [[renderer.para(label, "cell_bold"), _stacked(lines, cell)] for label, lines in rows if lines]
    for role, lines in rich_team(ctx.clinic, ctx.language):
        out.append([paragraph(role, renderer.theme.style("cell_bold")), _stacked(lines, cell)])
    return out


def _stacked(lines: list[Rich], style: ParagraphStyle) -> Flowable | list[Flowable]:
    """The non-empty lines as paragraphs one under another (a table cell takes a list)."""
    paragraphs = [paragraph(line, style) for line in lines if line.markup]
    return paragraphs[0] if len(paragraphs) == 1 else paragraphs


OPENING_MAY_LEAVE_BLANK = 0.5  # a section's opening moves on with its short list, leaving at most this blank


def _whole_short_list(flowables: Sequence[Flowable]) -> bool:
    """True when ``flowables`` open with a short list kept whole (``_no_item_alone``: its items kept
    together, then its Spacer), not the first items of a longer one."""
    kept, *after = flowables
    return isinstance(kept, KeepTogether) and (not after or isinstance(after[0], Spacer)) and all(
        isinstance(item, Paragraph) and item.style.name == "bullet" for item in kept._content)


def _no_item_alone(made: list[Flowable]) -> list[Flowable]:
    """A list (its items, then a Spacer) broken over pages keeps two items on each side: one alone
    at the top of a page (the last of three instructions) reads as a note of its own."""
    items, spacer = made[:-1], made[-1:]
    if len(items) <= 3:
        return [keep_together(items), *spacer]
    return [keep_together(items[:2]), *items[2:-2], keep_together(items[-2:]), *spacer]


MIN_ROWS_AT_BREAK = 2  # a table broken over pages keeps at least this many rows on each side


def balanced_break(fitting: int, total: int, at_top: bool = False, minimum: int = MIN_ROWS_AT_BREAK) -> int:
    """How many of ``total`` rows to keep before a page break when ``fitting`` of them fit.

    Never one row alone under its header at a page's foot, nor alone at the top of the next page:
    it reads as a stray. 0 moves every row to the next page; at the top of a page (``at_top``)
    that cannot help, so as many rows as fit stay.
    """
    if fitting >= total:
        return total
    keep = fitting
    if fitting < minimum:
        keep = 0
    elif total - fitting < minimum:
        keep = total - minimum if total - minimum >= minimum else 0
    return fitting if keep == 0 and at_top else keep


def at_top_of_frame(flowable: Flowable) -> bool:
    """True while the frame asks ``flowable`` to split at its top (the frame sets ``_frame`` then)."""
    return bool(getattr(getattr(flowable, "_frame", None), "_atTop", False))


class Continuable:
    """A table broken over pages: when it has a ``continued`` caption ("<heading> (continued)"),
    each part after the first opens with it, kept with the rows under it."""

    continued: Callable[[], Flowable] | None = None
    follows_caption = False  # the rest of a table, under its "continued" caption at a page's top

    def captioned(self, parts: list[Flowable]) -> list[Flowable]:
        """``parts`` of a split, the second under the caption."""
        if len(parts) != 2 or self.continued is None:
            return parts
        first, rest = parts
        rest.continued, rest.follows_caption = self.continued, True
        return [first, keep_together([self.continued(), rest])]

    def at_top(self) -> bool:
        """Under its caption a table is as good as at the page's top: moving its rows on would
        leave the caption alone on a page (rows so tall that fewer than two fit under it)."""
        return at_top_of_frame(self) or self.follows_caption


class BalancedTable(Continuable, Table):
    """A reportlab Table broken over pages as ``balanced_break`` says, captioned as ``Continuable`` says.

    ``continued_title`` (if set) makes the first cell of the repeated header rows on every page
    after the first (a title row: "Your dates in December 2026 (continued)"): a list of dates
    split over two pages read as two lists, each of them incomplete."""

    continued_title: Callable[[], Flowable] | None = None

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = self._balanced_split(availWidth, availHeight)
        if len(parts) == 2 and self.continued_title is not None:
            rest = parts[1]
            title_row = rest._cellvalues[0]  # shared with this table's: replaced, not changed
            rest._cellvalues[0] = [self.continued_title(), *title_row[1:]]
            rest.continued_title = self.continued_title
        return self.captioned(parts)

    def _balanced_split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts = super().split(availWidth, availHeight)
        if len(parts) != 2:
            return parts
        header, total = self.repeatRows, len(self._cellvalues) - self.repeatRows
        fitting = len(parts[0]._cellvalues) - header
        keep = balanced_break(fitting, total, self.at_top())
        if keep == fitting or self._last_row_stands_alone(fitting, total):
            return parts
        if keep == 0:
            return []
        return super().split(availWidth, sum(self._rowHeights[:header + keep]) + 1e-6)

    def _last_row_stands_alone(self, fitting: int, total: int) -> bool:
        """True when the one row a break leaves for the next page is a block of its own there, not a
        stray: in large print a date with four steps (a fifth of a page and more) kept the row
        before it company, and left the page before them three fifths blank."""
        frame = getattr(self, "_frame", None)
        return (frame is not None and total - fitting == 1 and fitting >= MIN_ROWS_AT_BREAK
                and self._rowHeights[-1] >= frame._height * LONE_ROW_SHARE)


LONE_ROW_SHARE = 0.2  # of a page's height: a row this tall stands alone at the top of a page


def data_table(
    rows: list[list[Any]], theme: Theme, fractions: tuple[float, ...], header: bool | int = False, grid: bool = False,
) -> Table:
    """A full-width table; the first ``header`` rows (True: one) repeat on every page, ``grid`` boxes every cell."""
    widths = [theme.frame_width * f for f in fractions]
    header_rows = int(header)
    table = BalancedTable(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
    pad = table_padding(theme)
    style = [
        ("FONTNAME", (0, 0), (-1, -1), text_font()),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), ROW_RULE_WIDTH, ROW_RULE_COLOR),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
    ]
    if header_rows:
        last = header_rows - 1
        style += [("BACKGROUND", (0, 0), (-1, last), tint(theme.primary, 0.12)),
                  ("LINEBELOW", (0, last), (-1, last), HEADER_RULE_WIDTH, theme.primary)]
    if grid:
        style.append(("GRID", (0, 0), (-1, -1), GRID_WIDTH, GRID_COLOR))
    table.setStyle(TableStyle(style))
    return table


def _leads_in(flowable: Flowable) -> bool:
    """A subheading, or a sentence that opens what follows ("Your caregiver:"), or a group kept
    together that ends with one (a subheading and its "... call right away:")."""
    if isinstance(flowable, KeepTogether):
        return _leads_in(flowable._content[-1])
    if not isinstance(flowable, Paragraph):
        return False
    return flowable.style.name == "subheading" or flowable.text.rstrip().endswith(":")


def keep_together(flowables: Sequence[Flowable], may_leave_blank: float = 1.0,
                  too_tall: Sequence[Flowable] | None = None) -> KeepTogether:
    """The flowables on one page when they fit there, else all moved to the next, unless that
    leaves more than ``may_leave_blank`` of the page empty (then they flow from where they are).
    Flowables taller than a page flow from where they are, or ``too_tall`` does in their place.

    A KeepTogether inside another is taken apart into it: reportlab's KeepTogether tells its
    parent it is infinitely tall (to be asked to split), so a nested one always forced a new
    page, even with room to spare.
    """
    return KeepTogetherIfItFits(unkept(flowables), may_leave_blank, too_tall)


def unkept(flowables: Sequence[Flowable]) -> list[Flowable]:
    """``flowables`` with each KeepTogether among them replaced by what it holds."""
    content: list[Flowable] = []
    for flowable in flowables:
        content.extend(flowable._content if isinstance(flowable, KeepTogether) else [flowable])
    return content


DATES_MAY_LEAVE_BLANK = 0.5  # the share of a page left blank to keep the patient's dates whole


class KeepTogetherIfItFits(KeepTogether):
    """reportlab's KeepTogether, except for content taller than a page, or where keeping it whole
    would leave more than ``may_leave_blank`` of the page empty.

    reportlab moves content that does not fit to the next page even when no page can hold it and
    it will be split anyway: in large print the patient's dates (taller than a page) left most of
    the page before them empty. A long center name made the Spanish dates a little too tall for
    the page they started on, which then held two bullets. Such content flows from where it is
    when its opening and the first part of its last flowable fit there; the tables in it break
    with at least two rows on each side, under a repeated header.
    """

    def __init__(self, flowables: list[Flowable], may_leave_blank: float = 1.0,
                 too_tall: Sequence[Flowable] | None = None) -> None:
        super().__init__(flowables)
        self.may_leave_blank = may_leave_blank
        self.too_tall = None if too_tall is None else list(too_tall)  # flows in their place when no page holds them

    def split(self, aW: float, aH: float) -> list[Flowable]:  # noqa: N803
        if getattr(self, "_wrapInfo", None) != (aW, aH):
            self.wrap(aW, aH)
        frame = getattr(self, "_frame", None)
        if frame is not None and self.too_tall is not None and self._H > frame._height:
            return self.too_tall
        if frame is not None and (self._H > frame._height or aH > frame._height * self.may_leave_blank) \
                and self._starts_in(aW, aH):
            return list(self._content)
        return super().split(aW, aH)

    def _starts_in(self, aW: float, aH: float) -> bool:  # noqa: N803
        """True when everything before the last flowable (a Spacer after it aside), and the first
        part the last one would give (a table's header and two rows), fit in ``aH``: else a
        heading or an opening sentence would end the page alone."""
        content = self._content
        trailing = content[-1].wrap(aW, aH)[1] if isinstance(content[-1], Spacer) and len(content) > 1 else 0.0
        last = content[-2] if trailing else content[-1]
        remaining = aH - (self._H - trailing - last.wrap(aW, aH)[1])
        return remaining > 0 and bool(last.split(aW, remaining))


DATE_VALUES = ("{patient.infusion_date}", "{patient.date_of_birth}")
TABLE_CELL_SIDE_PADDING = 6.0  # reportlab's default left and right padding of a Table cell


def table_padding(theme: Theme) -> float:
    """The padding on every side of a ``data_table`` cell."""
    return theme.type.body * 0.45


def boxed(inner: list[Flowable], theme: Theme, border: Any, background: Any, width: float = 2.0,
          box_width: float | None = None) -> Table:
    """Flowables in a bordered, tinted box that keeps together on one page; as wide as the frame
    unless ``box_width`` is given."""
    pad = theme.type.body * 0.8
    inner = unkept(inner)  # a KeepTogether in a table cell measures itself infinitely tall
    table = Table([[inner]], colWidths=[theme.frame_width if box_width is None else box_width], hAlign="LEFT")
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), text_font()),
        ("BOX", (0, 0), (-1, -1), width, border),
        ("BACKGROUND", (0, 0), (-1, -1), background),
        ("LEFTPADDING", (0, 0), (-1, -1), pad),
        ("RIGHTPADDING", (0, 0), (-1, -1), pad),
        ("TOPPADDING", (0, 0), (-1, -1), pad * 0.8),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad * 0.6),
    ]))
    return table


def call_box(renderer: BlockRenderer, section: Mapping[str, Any], tight: bool = False) -> Flowable:
    """The "call right away" section in a heavy accent-colored box, ending with the 24-hour line;
    ``tight``: its list's items closer together."""
    return KeepTogether([call_box_only(renderer, section, tight=tight), Spacer(1, renderer.theme.type.body * 0.4)])


def call_box_only(renderer: BlockRenderer, section: Mapping[str, Any], box_width: float | None = None,
                  tight: bool = False) -> Table:
    """``call_box`` without the space after it, as wide as the frame unless ``box_width`` is given."""
    theme = renderer.theme
    inner: list[Flowable] = [renderer.heading(section["heading"], "box_title")]
    inner += renderer.blocks(section["blocks"])
    if "call_24h" in renderer.pack.labels:
        inner.append(renderer.para(renderer.pack.labels["call_24h"], "call_number"))
    if tight:
        inner = [_closer_items(flowable) for flowable in unkept(inner)]
    return boxed(inner, theme, border=theme.accent, background=tint(theme.accent, 0.06), width=3, box_width=box_width)


def _closer_items(flowable: Flowable) -> Flowable:
    """A list item with no space after it, a paragraph with half its own (the same lines: only the
    gaps differ)."""
    if isinstance(flowable, Paragraph) and flowable.style.name in ("bullet", "body"):
        flowable.style = _closer(flowable.style)
    return flowable


@lru_cache(maxsize=8)
def _closer(style: ParagraphStyle) -> ParagraphStyle:
    """One object per style: the shared layout caches are keyed by the style object."""
    after = 0.0 if style.name == "bullet" else style.spaceAfter / 2
    return ParagraphStyle(style.name, parent=style, spaceAfter=after)


class InOrderThatFits(Flowable):
    """``preferred`` where all of it fits in the space left on the page, else ``fallback`` (the same
    flowables in another order); either is then laid out as the frame lays out any flowables.

    The handout puts the patient's details above the call box; a tall block of long names pushed
    the box, and its 24-hour number, off page 1: then the box goes first. ``must_fit`` is how many
    of ``preferred`` must fit (all by default); the others flow after them.
    """

    def __init__(self, preferred: Sequence[Flowable], fallback: Sequence[Flowable], must_fit: int | None = None) -> None:
        super().__init__()
        self.preferred, self.fallback = list(preferred), list(fallback)
        self.must_fit = len(self.preferred) if must_fit is None else must_fit
        self.chosen = self.preferred

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        fits = _stacked_height(self.preferred[:self.must_fit], self.canv, availWidth, availHeight) <= availHeight
        self.chosen = self.preferred if fits else self.fallback
        return availWidth, availHeight + 1  # too tall on purpose: the frame splits it into the chosen order

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        return [NullActionFlowable(), *self.chosen]  # an action first: the frame takes them back as they are


def _right_to_left(para: Paragraph) -> bool:
    return any(has_right_to_left(getattr(frag, "text", "")) for frag in para.frags)


def natural_width(para: Paragraph) -> float:
    """The width of ``para`` set on one line, from its parsed fragments (no line breaking)."""
    return sum(stringWidth(getattr(frag, "text", ""), frag.fontName, frag.fontSize) for frag in para.frags)


def _stacked_height(flowables: Sequence[Flowable], canvas: Any, width: float, height: float) -> float:
    """The height ``flowables`` take one after the other, kept groups taken apart (a KeepTogether
    measures itself infinitely tall)."""
    content = unkept(flowables)
    total = 0.0
    for index, flowable in enumerate(content):
        total += flowable.wrapOn(canvas, width, height)[1] + flowable.getSpaceAfter()
        total += flowable.getSpaceBefore() if index else 0.0
    return total


class SideBySideIfItFits(Flowable):
    """Two columns of flowables next to each other where the page has room for both; else
    ``stacked``, the same content laid out one after the other at full width.

    On a landscape large-print page a short call box and a short list each left most of a page
    empty when stacked, though side by side both fit above the first rows of the table after them.
    ``make_left`` and ``make_right`` give a column's flowables for its width; the left column takes
    the share of ``width`` (of ``left_shares``) that makes the taller column shortest.
    """

    def __init__(self, make_left: Callable[[float], Sequence[Flowable]], make_right: Callable[[float], Sequence[Flowable]],
                 width: float, gap: float, stacked: Sequence[Flowable], left_shares: Sequence[float] = (0.5, 0.55, 0.6)) -> None:
        super().__init__()
        self.layouts = [self._columns(make_left, make_right, (width - gap) * share, (width - gap) * (1 - share), gap)
                        for share in left_shares]
        self.columns = self.layouts[0]
        self.stacked = list(stacked)

    @staticmethod
    def _columns(make_left: Callable[[float], Sequence[Flowable]], make_right: Callable[[float], Sequence[Flowable]],
                 left: float, right: float, gap: float) -> Table:
        columns = Table([[unkept(make_left(left)), unkept(make_right(right))]], colWidths=[left + gap, right],
                        hAlign="LEFT")
        columns.setStyle(TableStyle([
            # a cell's font is set before its flowables draw: the default, Helvetica, went into
            # every page's resources, a font never embedded that preflight checks flag
            ("FONTNAME", (0, 0), (-1, -1), text_font()),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (0, 0), gap),
            ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ]))
        return columns

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        sizes = [layout.wrapOn(self.canv, availWidth, availHeight) for layout in self.layouts]
        best = min(range(len(sizes)), key=lambda index: sizes[index][1])  # the first of equals: stable
        self.columns = self.layouts[best]
        self.width, self.height = sizes[best]
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        """Asked only when the columns do not fit: the stacked content, its first flowable split
        (a KeepTogether moves itself to the next page) as the frame would have split it."""
        first, *rest = self.stacked
        first._frame = getattr(self, "_frame", None)
        return [*first.splitOn(self.canv, availWidth, availHeight), *rest]

    def draw(self) -> None:
        self.columns.drawOn(self.canv, 0, 0)
