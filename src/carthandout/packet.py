"""The record packet: one patient's documents merged into one PDF for the health record (pikepdf).

A bookmark and page labels ("Handout 1", "Checklist 2") per document, metadata as for the
documents themselves, and the checklist's form fields still working (their names are unique per
patient). Same documents in, same bytes out: the file identifier is derived from the content. Font
programs and images the documents repeat are stored once.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from carthandout import __version__
from carthandout.content import load_common
from carthandout.context import DocumentContext
from carthandout.documents.base import DRUG_SUBJECT, Metadata, RenderedDocument
from carthandout.pdfjoin import append_pages, open_pdf, pdf_bytes, set_info, share_identical_streams

PACKET_DOCUMENT = "packet"
PACKET_FILE_STEM = "record_packet"


def build_packet(ctx: DocumentContext, documents: Sequence[RenderedDocument]) -> RenderedDocument:
    """``documents`` (unencrypted, in order) as one PDF with a bookmark and page labels for each."""
    if not documents:
        raise ValueError("a packet needs at least one document")
    labels = load_common(ctx.language).labels
    packet = pikepdf.new()
    starts, titles, page_labels = [], [], Array()
    for doc in documents:
        source = open_pdf(doc.data)
        titles.append(_title(source, doc))
        starts.append(append_pages(packet, source, keep_forms=True))
        page_labels.extend([starts[-1], Dictionary(S=Name.D, P=String(page_prefix(labels, doc.document)), St=1)])
    with packet.open_outline() as outline:
        outline.root.extend(OutlineItem(title, start) for title, start in zip(titles, starts))
    packet.Root.PageLabels = Dictionary(Nums=page_labels)
    _set_metadata(packet, packet_metadata(ctx, labels.get("packet_title") or titles[0]))
    share_identical_streams(packet)
    return RenderedDocument(
        document=PACKET_DOCUMENT, data=pdf_bytes(packet), pages=len(packet.pages),
        version="; ".join(f"{doc.document} {doc.version}" for doc in documents),
        reviewed=min(doc.reviewed for doc in documents), language=ctx.language,
    )


def page_prefix(labels: Mapping[str, str], document: str) -> str:
    """"Handout ": the common words' ``packet_prefix_<document>``, else the document id as words."""
    key = "packet_prefix_" + document.replace("-", "_")
    return (labels.get(key) or document.replace("-", " ").replace("_", " ").capitalize()) + " "


def packet_metadata(ctx: DocumentContext, title: str) -> Metadata:
    """As for each document: the patient's name in the title only when the clinic opted in."""
    if ctx.clinic.name_in_metadata:
        title = f"{title}: {ctx.patient.name}"
    return Metadata(title=title, author=ctx.center_name, subject=DRUG_SUBJECT, language=ctx.language)


def _title(source: pikepdf.Pdf, doc: RenderedDocument) -> str:
    return str(source.docinfo.get(Name.Title, "")) or doc.document


def _set_metadata(packet: pikepdf.Pdf, meta: Metadata) -> None:
    producer = f"carthandout {__version__}"
    set_info(packet, Title=meta.title, Author=meta.author, Subject=meta.subject, Creator=producer, Producer=producer)
    packet.Root.Lang = String(meta.language)
    packet.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)
    packet.Root.PageMode = Name.UseOutlines
