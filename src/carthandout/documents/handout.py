"""The patient & caregiver handout: header, patient block, the call-right-away box, sections."""
from __future__ import annotations

from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from carthandout.content import ContentPack, load_pack
from carthandout.context import DocumentContext, build_context
from carthandout.documents.base import RenderedDocument, build_branded_pdf, page_body_height
from carthandout.documents.blocks import (BlockRenderer, InOrderThatFits, address_row_height, call_box, natural_width,
                                         section_by_role)
from carthandout.documents.pack_checks import validate_section_pack
from carthandout.errors import InputError
from carthandout.models import Clinic, probe_patient
from carthandout.options import RenderOptions
from carthandout.theme import PAPER, Theme, build_theme

DOCUMENT_ID = "handout"
REQUIRED_LABELS = (
    "patient_block_title", "patient_name", "infusion_date", "center", "caregiver", "physician", "mrn",
    "timeline_date", "timeline_step", "contact_main", "contact_24h", "contact_address", "call_24h",
)


def validate(pack: ContentPack) -> list[str]:
    return validate_section_pack(pack, REQUIRED_LABELS)


def check_clinic(clinic: Clinic) -> None:
    """The clinic's address fits the contacts table in large print on either paper: six lines of
    100 Chinese characters passed the length limits and stopped the handout with an internal error."""
    if not clinic.address:  # nothing to lay out before every run
        return
    ctx = build_context(probe_patient(), clinic)
    for paper in PAPER:
        theme = build_theme(clinic, paper, large_print=True)
        # the row may open a page under the table's "(continued)" caption
        if address_row_height(clinic.address, theme) > page_body_height(ctx, theme) - 2 * theme.type.body:
            raise InputError("clinic.address", "is too long to print whole in the large-print contacts table: "
                             "shorten its lines", sensitive=False)


def render(ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    pack = load_pack(DOCUMENT_ID, ctx.language)
    blocks = BlockRenderer(ctx, pack, theme)
    story = _story(blocks)
    return build_branded_pdf(story, ctx, pack, theme)


def _story(blocks: BlockRenderer) -> list[Flowable]:
    pack, theme = blocks.pack, blocks.theme
    pairs = _patient_pairs(blocks)
    block = _patient_block(blocks, pairs)
    patient = _spaced(block, theme)
    call = [call_box(blocks, section_by_role(pack, "call-box")[0])]
    # Where the patient block and the call box do not both fit on page 1 (large print, long names)
    # the call box (the most important action) keeps its place at the top. A compact block (a line
    # a value) always leaves it room: measuring both on every handout cost a tenth of its time.
    if theme.large_print:
        # page 1 names whose handout it is: the name and infusion date above the box, the rest after
        # it; with the box's list items closer together where that makes room for them (a Spanish
        # handout on letter paper lacked them, a line short)
        who = _whose_handout(blocks, pairs[:2])
        rest = _spaced(_patient_block(blocks, pairs[2:]), theme)
        tight = [call_box(blocks, section_by_role(pack, "call-box")[0], tight=True)]
        closer = InOrderThatFits([*who, *tight, *rest], call + patient, must_fit=len(who) + 1)
        opening = [InOrderThatFits([*who, *call, *rest], [closer], must_fit=len(who) + 1)]
    else:
        opening = patient + call if block.compact else [InOrderThatFits(patient + call, call + patient)]
    story: list[Flowable] = [blocks.para(pack.title, "title"), *opening]
    for section in pack.data["sections"]:
        role = section.get("role", "normal")
        if role == "call-box":
            continue
        story.extend(blocks.kept_section(section))
    return story


def _whose_handout(blocks: BlockRenderer, pairs: list[tuple[str, str]]) -> list[Flowable]:
    """"Patient <name> · Infusion date <date>" on one line where it fits the page's width, else the
    two on a line each (broken after the dot, it was left hanging at the end of the first line)."""
    (name_label, name), (date_label, date) = pairs
    who = f"{name_label}\u00a0**{name}**"
    when = f"{date_label}\u00a0**{date}**".replace(" ", "\u00a0")  # "Infusion date March 5, 2027": one unit
    one_line = blocks.para(f"{who}\u00a0·  {when}", "body")
    if natural_width(one_line) <= blocks.theme.frame_width:
        return [one_line]
    return [blocks.para(who, "cell"), blocks.para(when, "body")]  # "cell": body text with no space after, one block


def _patient_pairs(blocks: BlockRenderer) -> list[tuple[str, str]]:
    """The patient block's labels and value templates: the name and the infusion date first."""
    ctx, labels = blocks.ctx, blocks.pack.labels
    return [
        (labels["patient_name"], "{patient.name}"),
        (labels["infusion_date"], "{patient.infusion_date}"),
        (labels["center"], "{clinic.name}"),
        (labels["caregiver"], "{patient.caregiver}" if ctx.patient.caregiver else ""),
        (labels["physician"], "{patient.physician}" if ctx.physician else ""),
        (labels["mrn"], "{patient.mrn}" if ctx.patient.mrn else ""),
    ]


def _patient_block(blocks: BlockRenderer, pairs: list[tuple[str, str]]) -> Table:
    return blocks.patient_block(pairs, single=(0.22, 0.78), double=(0.17, 0.36, 0.17, 0.30))


def _spaced(block: Flowable, theme: Theme) -> list[Flowable]:
    return [KeepTogether([block, Spacer(1, theme.type.body * 0.9)])]
