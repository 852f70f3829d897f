"""The pre-treatment test checklist: tests and treatment steps to tick by pen or in the PDF form.

Items come from the content pack; a clinic adds, removes and renames items in its profile
(``checklist:``). Every item has a printed box with a form checkbox over it, its due or planned
date, and fields for the date done and staff initials; staff sign at the end. When the weight is
known, a staff-only box shows the label's target dose.
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping, Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Spacer, Table, TableStyle

from carthandout.content import ContentPack, available_languages, fill, load_pack, plain
from carthandout.context import DocumentContext, build_context, check_translations_available, effective_policy
from carthandout.documents.base import RenderedDocument, build_branded_pdf, heading_paragraph, paragraph
from carthandout.documents.blocks import (HEADER_RULE_WIDTH, MIN_ROWS_AT_BREAK, ROW_RULE_WIDTH, BlockRenderer, PairValue,
                                         boxed, keep_together, table_padding, unkept)
from carthandout.documents.pack_checks import (file_part_problems, label_problems, sources_problems, unguarded_values,
                                               unknown_key_problems)
from carthandout.documents.row_grid import GridLines, GridRow, RowGrid, stack_height
from carthandout.documents.forms import (FORM_FONT, SignatureLine, TextField, TickBox, form_can_encode, form_key,
                                        value_width)
from carthandout.documents.text_line import kept_date
from carthandout.dose import scientific, target_dose
from carthandout.errors import CarthandoutError, InputError, counted, raise_together
from carthandout.models import PROBE_NAME, PROBE_PHONE, Clinic, parse_text_by_language, probe_patient, text_in, unknown_keys
from carthandout.options import RenderOptions
from carthandout.schedule import SCHEDULE_DATE_NAMES
from carthandout.theme import Theme, tint
from carthandout.typefaces import Rich, literal, rich_value, text_font

DOCUMENT_ID = "checklist"
REQUIRED_LABELS = (
    "patient_name", "mrn", "mrn_spelled_out", "date_of_birth", "infusion_date", "physician", "how_to_use", "column_done",
    "column_item", "column_date_done", "column_initials", "sign_off_title", "staff_signature", "staff_name",
    "signed_on",
)
DATE_LABELS = ("due_by", "planned", "planned_until")
REPEATS = ("conditioning_days",)
ITEM_KEYS = {"id", "text", "sources", "date", "date_label", "repeat"}
GROUP_KEYS = ("id", "heading", "items")
CLINIC_SETTINGS = ("add", "remove", "rename")
CLINIC_ITEM_KEYS = ("id", "group", "text", "date", "date_label")
_ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_SUPERSCRIPT_DIGITS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# Column widths as parts of the frame: tick box, item and its date, date done, initials.
COLUMNS = (0.08, 0.56, 0.22, 0.14)
ITEM_COLUMN = 1
CELL_PADDING = 6.0


@dataclass(frozen=True)
class ChecklistItem:
    id: str
    group: str
    text: Rich
    plain_text: str
    day: dt.date | None = None
    date_label: str = ""
    repeat_of: str = ""


# --- the content pack -----------------------------------------------------------------------

def validate(pack: ContentPack) -> list[str]:
    problems = (file_part_problems(pack, ("groups", "staff_dose"))
                + label_problems(pack, REQUIRED_LABELS + DATE_LABELS) + unguarded_values(pack))
    groups = pack.data.get("groups")
    if not isinstance(groups, list) or not groups:
        return problems + [f"{pack.origin}: groups must be a non-empty list"]
    seen: set[str] = set()
    for number, group in enumerate(groups, start=1):
        where = f"{pack.origin}: groups[{number}]"
        if not isinstance(group, Mapping) or not isinstance(group.get("id"), str) or not isinstance(group.get("heading"), str):
            problems.append(f"{where}: needs an id and a heading")
            continue
        problems += unknown_key_problems(group, GROUP_KEYS, where, "a group")
        items = group.get("items")
        if not isinstance(items, list) or not items:
            problems.append(f"{where}: items must be a non-empty list")
            continue
        for number, item in enumerate(items, start=1):
            problems += _item_problems(item, f"{where} ({group['id']})", seen, pack.labels, number)
    return problems + _dose_problems(pack)


# The staff dose's texts and the numbers each must print: "= **the dose**" printed no number.
DOSE_TOKENS = {"title": (), "text": ("dose", "weight"), "capped_text": ("dose", "weight_dose"), "caution": (),
               "caution_override": ()}


def _dose_problems(pack: ContentPack) -> list[str]:
    dose, where = pack.data.get("staff_dose"), f"{pack.origin}: staff_dose"
    if not isinstance(dose, Mapping) or not all(isinstance(dose.get(key), str) for key in DOSE_TOKENS):
        return [f"{where} needs {', '.join(DOSE_TOKENS)}"]
    problems = unknown_key_problems(dose, ("id", "audience", "sources", *DOSE_TOKENS), where, "the staff dose")
    return problems + [f"{where}.{key}: must print {{{token}}}" for key, tokens in DOSE_TOKENS.items()
                       for token in tokens if "{" + token + "}" not in dose[key]]


def _item_problems(item: Any, where: str, seen: set[str], labels: Mapping[str, str], number: int) -> list[str]:
    """``number``: the item's place in its group, counted from 1, naming an item without an id."""
    if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
        return [f"{where}: item {number}: needs an id"]
    where = f"{where}: item {item['id']}"
    if not isinstance(item.get("text"), str) or not item["text"].strip():
        return [f"{where}: needs a text (quoted)"]
    problems = sources_problems(item, where, "it comes")
    if problems:
        return problems
    if not _ITEM_ID.match(item["id"]):
        problems.append(f"{where}: id must be lowercase letters, digits and hyphens")
    if item["id"] in seen:
        problems.append(f"{where}: duplicate id")
    seen.add(item["id"])
    unknown = unknown_keys(item, ITEM_KEYS)
    if unknown:
        problems.append(f"{where}: unknown key {unknown[0]!r} (known: {', '.join(sorted(ITEM_KEYS))})")
    if "date" in item and _date_name(item["date"]) is None:
        problems.append(f"{where}: date must be one of {', '.join('dates.' + n for n in SCHEDULE_DATE_NAMES)}")
    if "repeat" in item and item["repeat"] not in REPEATS:
        problems.append(f"{where}: repeat must be one of {', '.join(REPEATS)}")
    if ("date" in item or "repeat" in item) and item.get("date_label") not in DATE_LABELS:
        problems.append(f"{where}: a dated item needs date_label, one of {', '.join(DATE_LABELS)}")
    if isinstance(item.get("date_label"), str) and item["date_label"] not in labels:
        problems.append(f"{where}: labels.{item['date_label']} is missing")
    return problems


def _date_name(value: Any) -> str | None:
    """``dates.infusion`` -> ``infusion``; None for anything that is not a schedule date."""
    if isinstance(value, str) and value.startswith("dates.") and value[6:] in SCHEDULE_DATE_NAMES:
        return value[6:]
    return None


# --- the items for one patient --------------------------------------------------------------

def checklist_items(ctx: DocumentContext, pack: ContentPack) -> list[ChecklistItem]:
    """The pack's items for this patient, with the clinic's additions, removals and new texts."""
    return apply_clinic_settings(_pack_items(ctx, pack), ctx.clinic.extra("checklist"), ctx, pack)


def _pack_items(ctx: DocumentContext, pack: ContentPack) -> list[ChecklistItem]:
    return [item for group in pack.data["groups"] for raw in group["items"] for item in _expand(ctx, pack, group["id"], raw)]


def check_clinic(clinic: Clinic) -> None:
    """Before the first patient: raise InputError for a bad ``checklist:`` section, or
    SeveralProblems naming each bad entry."""
    if clinic.extra("checklist") is None:
        return
    ctx = _context_for_checking(clinic)
    pack = load_pack(DOCUMENT_ID, ctx.language)
    problems: list[InputError] = []
    apply_clinic_settings(_pack_items(ctx, pack), clinic.extra("checklist"), ctx, pack, problems)
    raise_together(problems)


def _context_for_checking(clinic: Clinic) -> DocumentContext:
    """The probe patient's context with this clinic; when another of its settings is bad (listed
    by its own check), with the defaults in place of all but its language and policy, which the
    section's items are read in: a bad date format hid every problem of the section."""
    try:
        return build_context(probe_patient(), clinic)
    except CarthandoutError:
        pass
    kept: dict[str, Any] = {"extras": clinic.extras}
    if clinic.language in available_languages():
        kept["language"] = clinic.language
    with suppress(CarthandoutError):
        effective_policy(clinic)
        kept.update(policy=clinic.policy, policy_overrides=clinic.policy_overrides)
    return build_context(probe_patient(), Clinic(name=PROBE_NAME, phone_24h=PROBE_PHONE, **kept))


@contextmanager
def _entry_checked(problems: list[InputError] | None) -> Iterator[None]:
    """Raises an entry's InputError; with ``problems``, adds it there and the rest is still checked."""
    try:
        yield
    except InputError as error:
        if problems is None:
            raise
        problems.append(error)


def _expand(ctx: DocumentContext, pack: ContentPack, group: str, raw: Mapping[str, Any]) -> list[ChecklistItem]:
    if raw.get("repeat") == "conditioning_days":
        days = ctx.schedule.conditioning
        return [
            ChecklistItem(
                id=f"{raw['id']}-{number}", group=group,
                text=fill(raw["text"], ctx.rich, {"day": str(number)}),
                plain_text=plain(raw["text"].replace("{day}", str(number)), ctx.values),
                day=day, date_label=pack.labels[raw["date_label"]], repeat_of=raw["id"],
            )
            for number, day in enumerate(days, start=1)
        ]
    name = _date_name(raw.get("date"))
    day = ctx.schedule.named_dates().get(name) if name else None
    return [ChecklistItem(
        id=raw["id"], group=group, text=fill(raw["text"], ctx.rich), plain_text=plain(raw["text"], ctx.values),
        day=day, date_label=pack.labels[raw["date_label"]] if day else "",
    )]


def apply_clinic_settings(
    items: list[ChecklistItem], raw: Any, ctx: DocumentContext, pack: ContentPack, problems: list[InputError] | None = None,
) -> list[ChecklistItem]:
    """Apply ``checklist: {remove, rename, add}`` from the clinic profile; InputError names the setting.

    ``problems``: each bad entry's problem is added to it and the rest still checked (what is
    returned is then only good for that check)."""
    if raw is None:
        return items
    if not isinstance(raw, Mapping):
        raise InputError("clinic.checklist", "must map add, remove and rename to their items", sensitive=False)
    for key in raw:
        with _entry_checked(problems):
            if key not in CLINIC_SETTINGS:
                raise InputError(f"clinic.checklist.{key}", "unknown setting (use add, remove, rename)", sensitive=False)
    known = [item.id for item in items]
    removed: set[str] = set()
    renamed: dict[str, tuple[Rich, str]] = {}
    added: list[ChecklistItem] = []
    with _entry_checked(problems):
        removed = _removed_ids(raw.get("remove"), known, {item.repeat_of for item in items if item.repeat_of}, problems)
    with _entry_checked(problems):
        renamed = _new_texts(raw.get("rename"), known, ctx, problems)
    for item_id in [item.id for item in items if item.id in renamed and (item.id in removed or item.repeat_of in removed)]:
        with _entry_checked(problems):  # its new text printed nowhere, without a word
            raise InputError(f"clinic.checklist.rename.{item_id}", "the item is removed too: rename it or remove it",
                             sensitive=False)
    kept = [item for item in items if item.id not in removed and item.repeat_of not in removed]
    kept = [replace(item, text=renamed[item.id][0], plain_text=renamed[item.id][1]) if item.id in renamed else item
            for item in kept]
    with _entry_checked(problems):
        added = _added_items(raw.get("add"), set(known), ctx, pack, problems)
    if not kept and not added and not problems:
        raise InputError("clinic.checklist", "removes every item and adds none: the checklist would list no tests",
                         sensitive=False)
    groups = [group["id"] for group in pack.data["groups"]]
    return sorted(kept + added, key=lambda item: groups.index(item.group))  # stable: added last in their group


def _removed_ids(raw: Any, known: Sequence[str], repeated: set[str], problems: list[InputError] | None) -> set[str]:
    if raw is None:
        return set()
    if not isinstance(raw, list):
        raise InputError("clinic.checklist.remove", "must be a list of item ids", sensitive=False)
    for number, item_id in enumerate(raw, start=1):
        with _entry_checked(problems):
            if not isinstance(item_id, str):
                raise InputError(f"clinic.checklist.remove[{number}]", "must be an item id (text)", sensitive=False)
            if item_id not in known and item_id not in repeated:
                raise InputError(f"clinic.checklist.remove[{number}]", _unknown_id(known), item_id, sensitive=False)
    return {item_id for item_id in raw if isinstance(item_id, str)}


def _new_texts(raw: Any, known: Sequence[str], ctx: DocumentContext,
               problems: list[InputError] | None) -> dict[str, tuple[Rich, str]]:
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError("clinic.checklist.rename", "must map item ids to their new text", sensitive=False)
    texts = {}
    for item_id, text in raw.items():
        field = f"clinic.checklist.rename.{item_id}"
        with _entry_checked(problems):
            if item_id not in known:
                raise InputError(field, _unknown_id(known), item_id, sensitive=False)
            texts[item_id] = _clinic_text(field, text, ctx)
    return texts


def _added_items(raw: Any, taken: set[str], ctx: DocumentContext, pack: ContentPack,
                 problems: list[InputError] | None) -> list[ChecklistItem]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InputError("clinic.checklist.add", "must be a list of items with id, group and text", sensitive=False)
    groups = [group["id"] for group in pack.data["groups"]]
    added = []
    for number, entry in enumerate(raw, start=1):
        with _entry_checked(problems):
            added.append(_added_item(f"clinic.checklist.add[{number}]", entry, taken, groups, ctx, pack))
    return added


def _added_item(where: str, entry: Any, taken: set[str], groups: list[str], ctx: DocumentContext,
                pack: ContentPack) -> ChecklistItem:
    if not isinstance(entry, Mapping):
        raise InputError(where, f"must be an item with {', '.join(CLINIC_ITEM_KEYS)}", sensitive=False)
    unknown = unknown_keys(entry, CLINIC_ITEM_KEYS)
    if unknown:
        raise InputError(f"{where}.{unknown[0]}", f"unknown key (use {', '.join(CLINIC_ITEM_KEYS)})", sensitive=False)
    item_id = entry.get("id")
    if not isinstance(item_id, str) or not _ITEM_ID.match(item_id):
        raise InputError(f"{where}.id", "{value} is not an id of lowercase letters, digits and hyphens",
                         item_id, sensitive=False)
    if item_id in taken:
        raise InputError(f"{where}.id", "{value} is already an item id", item_id, sensitive=False)
    taken.add(item_id)
    if entry.get("group") in (None, ""):
        raise InputError(f"{where}.group", f"is required ({' or '.join(groups)})", sensitive=False)
    if entry.get("group") not in groups:
        raise InputError(f"{where}.group", f"{{value}} is not a group (use {', '.join(groups)})",
                         entry.get("group"), sensitive=False)
    text, plain_text = _clinic_text(f"{where}.text", entry.get("text"), ctx)
    day, label = _clinic_date(entry, where, ctx, pack)
    return ChecklistItem(item_id, entry["group"], text, plain_text, day, label)


def _clinic_date(entry: Mapping[str, Any], where: str, ctx: DocumentContext, pack: ContentPack) -> tuple[dt.date | None, str]:
    if entry.get("date") in (None, ""):
        if "date_label" in entry:
            raise InputError(f"{where}.date_label", "needs a date", sensitive=False)
        return None, ""
    name = _date_name(entry["date"])
    if name is None:
        raise InputError(f"{where}.date", f"{{value}} is not a schedule date (use one of "
                         f"{', '.join('dates.' + n for n in SCHEDULE_DATE_NAMES)})", entry["date"], sensitive=False)
    label = entry.get("date_label", "due_by")
    if label not in DATE_LABELS:
        raise InputError(f"{where}.date_label", f"{{value}} is not one of {', '.join(DATE_LABELS)}", label, sensitive=False)
    day = ctx.schedule.named_dates().get(name)
    if day is None:  # dates.conditioning_day_2 under a policy of fewer chemo days: the item lost its date
        chemo_days = counted(len(ctx.schedule.conditioning), "day")  # staff's English, not the page's words
        raise InputError(f"{where}.date", f"{{value}} is not a day of this policy's chemotherapy, which is {chemo_days}",
                         entry["date"], sensitive=False)
    return day, pack.labels[label]


def _clinic_text(field: str, raw: Any, ctx: DocumentContext) -> tuple[Rich, str]:
    """Clinic text, one wording or one by language, in the document's language where the clinic
    gives it; printed literally (never markup or a template), in a font that covers it. Every
    wording is checked, so ``check --clinic`` finds a bad Spanish one in an English clinic's file."""
    default, translated = parse_text_by_language(field, raw, ctx.clinic.language)
    check_translations_available(field, translated)
    for language, text in translated:
        rich_value(text, f"{field}.{language}")
    text = text_in(ctx.language, default, translated)
    return rich_value(text, field), text


def _unknown_id(known: Sequence[str]) -> str:
    return f"{{value}} is not a checklist item (items: {', '.join(known)})"


# --- the page -------------------------------------------------------------------------------

def render(ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    pack = load_pack(DOCUMENT_ID, ctx.language)
    blocks = BlockRenderer(ctx, pack, theme)
    items = checklist_items(ctx, pack)
    prefix = "ck" + form_key(ctx.patient.name, ctx.patient.mrn, ctx.patient.infusion_date)
    story: list[Flowable] = [blocks.para(pack.title, "title"), _patient_block(blocks, prefix),
                             Spacer(1, theme.type.body * 0.6), blocks.para(pack.labels["how_to_use"], "body")]
    last_group: list[Flowable] = []
    for group in pack.data["groups"]:
        rows = [item for item in items if item.group == group["id"]]
        if rows:
            table = _item_table(blocks, rows, prefix)
            table.continued = blocks.continued_caption(group["heading"])
            story += last_group
            last_group = [*_group_heading(blocks, group["heading"], table), table]
    story += _ending(blocks, prefix, last_group)
    # its patient block prints the birth date: the patient's key may include it (edits.patient_key)
    return build_branded_pdf(story, ctx, pack, theme, prints_birth_date=True)


SHORT_GROUP_MAY_LEAVE_BLANK = 0.6  # moved on whole, a page 2/3 blank held the title and instructions alone


def _ending(blocks: BlockRenderer, prefix: str, last_group: list[Flowable]) -> list[Flowable]:
    """The last group (page break, heading, table) and the staff's part after it: the dose box
    (when the weight is known) and the sign-off, kept together.

    The staff's part goes with the last items: alone on a last page, the sign-off was cut off from
    the items it signs for. A long table gives it rows (``kept_with_last``); a short one (too
    short to break with two rows on each side) moves on whole with its heading, where they fit
    on a page: else one row stood under its heading at a page's foot, the other went on."""
    staff = [_sign_off(blocks, prefix)]
    if blocks.ctx.patient.weight_kg is not None:
        staff.insert(0, _dose_box(blocks))
    if not last_group:
        return [keep_together(staff)]
    page_break, *heading, table = last_group
    content = unkept(staff)
    table.kept_with_last = stack_height(content, blocks.theme.frame_width) + content[0].getSpaceBefore()
    kept_staff = keep_together(staff)
    if len(table.rows) < 2 * table.min_rows_at_break:
        # a table of rows to give moves whole only where that leaves the page not too blank
        may_leave_blank = SHORT_GROUP_MAY_LEAVE_BLANK if len(table.rows) > 1 else 1.0
        return [page_break, keep_together([*heading, table, *staff], may_leave_blank,
                                          too_tall=[*heading, table, kept_staff])]
    return [*last_group, kept_staff]


def _group_heading(blocks: BlockRenderer, heading: str, table: RowGrid) -> list[Flowable]:
    """The heading moves to a new page unless the table's header and its first two items fit below it
    (a page break leaves two rows on each side; the theme's heading keeps with the whole next
    flowable, which would push a long table to the next page)."""
    theme = blocks.theme
    style = _heading_style(theme.style("heading"))
    title = heading_paragraph(blocks.rich(heading), style)
    needed = title.wrap(theme.frame_width, 1e6)[1] + style.spaceBefore + style.spaceAfter
    return [CondPageBreak(needed + table.start_height(theme.frame_width)), title]


@lru_cache(maxsize=8)
def _heading_style(heading: ParagraphStyle) -> ParagraphStyle:
    """One object per theme style: the shared layout caches are keyed by the style object."""
    return ParagraphStyle("checklist-heading", parent=heading, keepWithNext=0)


def _patient_block(blocks: BlockRenderer, prefix: str) -> Flowable:
    """The patient's name and a second identifier, which staff check before they sign: without a
    record number or a birth date, the record number is a field to write in (it was left out)."""
    ctx, labels = blocks.ctx, blocks.pack.labels
    patient = ctx.patient
    pairs: list[tuple[str, PairValue]] = [
        (labels["patient_name"], "{patient.name}"),
        (labels["mrn"], "{patient.mrn}" if patient.mrn
         else "" if patient.date_of_birth else _write_in(blocks, f"{prefix}_mrn", labels["mrn_spelled_out"])),
        (labels["date_of_birth"], "{patient.date_of_birth}" if patient.date_of_birth else ""),
        (labels["infusion_date"], "{patient.infusion_date}"),
        (labels["physician"], "{patient.physician}" if ctx.physician else ""),
    ]
    return blocks.patient_block(pairs, single=(0.3, 0.7), double=(0.2, 0.3, 0.2, 0.3))


def _write_in(blocks: BlockRenderer, name: str, label: str) -> Callable[[float], Flowable]:
    """A field as wide as its cell and a line of the block's values high, to fill in on screen or by pen."""
    font = blocks.theme.style("cell_bold").fontSize

    def field(room: float) -> Flowable:
        return TextField(room, font * 1.6, name, label, font_size=font)
    return field


def _item_table(blocks: BlockRenderer, items: Sequence[ChecklistItem], prefix: str) -> RowGrid:
    """The items under their column heads (repeated on every page), a rule under each item.

    Drawn by RowGrid, not a Table: a Table wraps every cell again to draw it and saves and restores
    the canvas around each of the four in a row.
    """
    theme, labels = blocks.theme, blocks.pack.labels
    headings = [labels[key] for key in ("column_done", "column_item", "column_date_done", "column_initials")]
    columns = _columns(theme, headings)
    widths = [theme.frame_width * part for part in columns]
    # in large print, one place for every date field of the table: "Planned" above "February 28,
    # 2027" and beside "March 1, 2027" looked unkempt (in normal print it cost Spanish A4 a page)
    below = theme.large_print and any(_field_below_label(blocks, item, widths[1] - 2 * CELL_PADDING)
                                      for item in items if item.day)
    longest_date = _longest_date(blocks.ctx)
    rows = []
    for item in items:
        name = f"{prefix}_{item.id}"
        rows.append(GridRow([
            [TickBox(theme.type.body * 1.4, f"{name}_done", f"{headings[0]}: {item.plain_text}")],
            [paragraph(item.text, theme.style("cell")), *_when(blocks, item, name, widths[1], below)],
            [_cell_field(theme, widths[2], f"{name}_date", f"{headings[2]}: {item.plain_text}", longest_date)],
            [_cell_field(theme, widths[3], f"{name}_initials", f"{headings[3]}: {item.plain_text}")],
        ]))
    pad = table_padding(theme)
    header = _table([[blocks.para(heading, "cell_bold") for heading in headings]], theme, columns, [
        ("BACKGROUND", (0, 0), (-1, 0), tint(theme.primary, 0.12)),
        ("LINEBELOW", (0, 0), (-1, 0), HEADER_RULE_WIDTH, theme.primary),
        ("TOPPADDING", (0, 0), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 0), (-1, -1), pad),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ])
    return RowGrid(header, widths, rows, pad, lines=None, row_rule=GridLines(ROW_RULE_WIDTH, theme.primary),
                   side_padding=CELL_PADDING, min_rows_at_break=1 if theme.large_print else MIN_ROWS_AT_BREAK)


def _cell_field(theme: Theme, column_width: float, name: str, tooltip: str, fit_typed: str = "") -> TextField:
    font = _field_font(theme)
    return TextField(column_width - 2 * CELL_PADDING, font * 2, name, tooltip, font_size=font, fit_typed=fit_typed)


def _longest_date(ctx: DocumentContext) -> str:
    """The widest date of the year as this document writes its dates: a date done, typed as the
    due dates are printed, fits its box."""
    dates = (ctx.formatter.date(dt.date(2027, month, 28)) for month in range(1, 13))
    return max(dates, key=lambda text: stringWidth(text, FORM_FONT, 1))


def _columns(theme: Theme, headings: Sequence[str]) -> tuple[float, ...]:
    """COLUMNS, with the narrow columns widened to their headings (large print); the item column gives way."""
    style = theme.style("cell_bold")
    columns = list(COLUMNS)
    for index, heading in enumerate(headings):
        if index == ITEM_COLUMN:
            continue
        needed = (stringWidth(heading, style.fontName, style.fontSize) + 2 * CELL_PADDING + 1) / theme.frame_width
        extra = max(0.0, needed - columns[index])
        columns[index] += extra
        columns[ITEM_COLUMN] -= extra
    return tuple(columns)


def _label_and_field_widths(blocks: BlockRenderer, item: ChecklistItem) -> tuple[float, float]:
    """The widths of an item's date label and of the form field holding its date on one line."""
    label_style, font = blocks.theme.style("cell_bold"), blocks.theme.style("cell").fontSize
    # the field holds the whole date (reportlab's field appearance clips, it never shrinks)
    return (stringWidth(item.date_label, label_style.fontName, label_style.fontSize) + 10,
            value_width(blocks.ctx.formatter.date(item.day), font) + font * 1.5)


def _field_below_label(blocks: BlockRenderer, item: ChecklistItem, available: float) -> bool:
    """An item's date field, too wide to share a line with its label (a date printed instead aside)."""
    label_width, field_width = _label_and_field_widths(blocks, item)
    return form_can_encode(blocks.ctx.formatter.date(item.day)) and field_width <= available < label_width + field_width


def _when(blocks: BlockRenderer, item: ChecklistItem, name: str, width: float, below: bool) -> list[Flowable]:
    """The due or planned date: a pre-filled, editable form field, or printed text the form cannot hold;
    ``below`` its label rather than beside it (large print)."""
    if item.day is None:
        return []
    theme = blocks.theme
    label = paragraph(literal(item.date_label), theme.style("cell_bold"))
    date_text = blocks.ctx.formatter.date(item.day)
    font = theme.style("cell").fontSize  # the size of its label, and of a date printed on the page instead
    available = width - 2 * CELL_PADDING
    # a date too long for the column ("Wednesday, September 22, 2027" in large print) is printed
    # on the page, where it wraps, as is one the form cannot encode
    label_width, field_width = _label_and_field_widths(blocks, item)
    if not form_can_encode(date_text) or field_width > available:
        kept = kept_date(date_text, theme.style("cell"), available)
        printed = Rich(f"<b>{literal(item.date_label).markup}</b> ") + rich_value(kept, "clinic.date_format")
        return [Spacer(1, 3), paragraph(printed, theme.style("cell"))]
    field = TextField(field_width, font * 1.6, f"{name}_when", f"{item.date_label.rstrip(':')}: {item.plain_text}",
                      value=date_text, font_size=font, boxed=False)
    if below or label_width + field_width > available:
        return [Spacer(1, 3), label, field]
    return [Spacer(1, 3), _LabelledField(label, label_width, field)]


class _LabelledField(Flowable):
    """A label and a form field beside it, centred on each other (a one-row table without its layout cost)."""

    def __init__(self, label: Flowable, label_width: float, field: Flowable):
        super().__init__()
        self.label, self.label_width, self.field = label, label_width, field
        self.label_height = 0.0

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        _, self.label_height = self.label.wrap(self.label_width, available_height)
        self.width, self.height = available_width, max(self.label_height, self.field.height)
        return self.width, self.height

    def draw(self) -> None:
        self.label.drawOn(self.canv, 0, (self.height - self.label_height) / 2)
        self.field.drawOn(self.canv, self.label_width, (self.height - self.field.height) / 2)


def _field_font(theme: Theme) -> float:
    return theme.type.small


def _dose_box(blocks: BlockRenderer) -> Flowable:
    """Staff only: the label's target dose for the patient's weight, exact at and above the cap."""
    ctx, theme = blocks.ctx, blocks.theme
    words = blocks.pack.data["staff_dose"]
    dose = target_dose(ctx.patient.weight_kg, ctx.policy.dose_cells_per_kg, ctx.policy.dose_max_cells)
    fields = {
        **ctx.rich,
        # every significant digit: a clinic's 2,345,678 a kg cut to "2.34 × 10⁶" did not multiply out
        "dose_per_kg": _cells(blocks, ctx.policy.dose_cells_per_kg, exact=False,
                              significant=len(str(ctx.policy.dose_cells_per_kg))),
        "weight": literal(ctx.formatter.exact_number(dose.weight_kg)),
        "dose": _cells(blocks, dose.cells),
        # every digit: 200,020,000 cut to "2 × 10⁸" would read as the maximum it is above
        "weight_dose": _cells(blocks, dose.weight_based_cells, significant=len(str(dose.weight_based_cells))),
    }
    template = words["capped_text"] if dose.capped else words["text"]
    overridden = {"dose_cells_per_kg", "dose_max_cells"} & set(dict(ctx.clinic.policy_overrides))
    caution = words["caution_override"] if overridden else words["caution"]  # "Per label" was untrue then
    inner = [paragraph(fill(words["title"], fields), theme.style("box_title")),
             paragraph(fill(template, fields), theme.style("body")),
             paragraph(fill(f"**{caution}**", fields), theme.style("cell"))]
    # in the brand colour: the accent's red box is the patients' "call right away", and nothing else
    box = boxed(inner, theme, border=theme.primary, background=tint(theme.primary, 0.05), width=2)
    return KeepTogether([Spacer(1, theme.type.body), box])


def _cells(blocks: BlockRenderer, count: int, exact: bool = True, significant: int = 3) -> Rich:
    """``2 × 10⁸ (200,000,000)``, the exact count beside the power of ten.

    Superscript digits are characters, not raised text, so copied or extracted text still reads
    ``10⁸`` and never ``108``.
    """
    mantissa, exponent = scientific(count, significant)
    number = blocks.ctx.formatter.exact_number
    # "10" in the text font (its slashed zero, as in every other number), the exponent in the
    # fallback: the text font has no superscript digits
    power = literal("10") + rich_value(str(exponent).translate(_SUPERSCRIPT_DIGITS), "policy.dose")
    text = literal(f"{number(mantissa)}\u00a0×\u00a0") + power  # never "1.22" at a line's end, "× 10⁸" on the next
    if exact:
        text = text + literal(f" ({number(Decimal(count))})")
    return text


def _sign_off(blocks: BlockRenderer, prefix: str) -> Flowable:
    theme, labels = blocks.theme, blocks.pack.labels
    font = _field_font(theme)
    width = theme.frame_width
    label_part = 0.28
    field_width = width * (1 - label_part) - 2 * CELL_PADDING

    def tooltip(label: str) -> str:  # "Date" alone did not tell a screen reader's user which date
        return f"{labels['sign_off_title']}: {labels[label]}"

    rows = [
        [blocks.para(labels["staff_signature"], "cell_bold"), SignatureLine(field_width, font * 2.6)],
        [blocks.para(labels["staff_name"], "cell_bold"),
         TextField(field_width, font * 2, f"{prefix}_staff_name", tooltip("staff_name"), font_size=font)],
        [blocks.para(labels["signed_on"], "cell_bold"),
         TextField(min(field_width, font * 12), font * 2, f"{prefix}_signed_on", tooltip("signed_on"), font_size=font)],
    ]
    table = _table(rows, theme, (label_part, 1 - label_part), [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), theme.type.body * 0.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), theme.type.body * 0.3),
    ])
    return KeepTogether([blocks.heading(labels["sign_off_title"], "heading"), table])


def _table(rows: list[list[Any]], theme: Theme, fractions: Sequence[float], style: list[tuple]) -> Table:
    table = Table(rows, colWidths=[theme.frame_width * part for part in fractions], hAlign="LEFT")
    table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), text_font()), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               *style]))
    return table
