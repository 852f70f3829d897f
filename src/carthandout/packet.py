"""The record packet: one patient's documents merged into one PDF for the health record (``pdfjoin``).

A bookmark and page labels ("Handout 1", "Checklist 2") per document, metadata as for the
documents themselves, and the checklist's form fields still working (their names are unique per
patient). Same documents in, same bytes out: the file identifier is derived from the content. Font
programs and images the documents repeat are stored once.
"""
from __future__ import annotations

from typing import Mapping, Sequence

from carthandout import __version__
from carthandout.content import load_common
from carthandout.context import DocumentContext
from carthandout.documents.base import RenderedDocument, document_versions, metadata_titled
from carthandout.edits import PATIENT_KEY, key_has_birth_date
from carthandout.pdfjoin import OUTLINED_VIEW, OutlineItem, PdfJoiner, SourcePdf, open_pdf, text_string

PACKET_DOCUMENT = "packet"
PACKET_FILE_STEM = "record_packet"


def build_packet(ctx: DocumentContext, documents: Sequence[RenderedDocument]) -> RenderedDocument:
    """``documents`` (unencrypted, in order) as one PDF with a bookmark and page labels for each."""
    if not documents:
        raise ValueError("a packet needs at least one document")
    labels = load_common(ctx.language).labels
    packet = PdfJoiner()
    starts, titles, page_labels, keys = [], [], [], []
    for doc in documents:
        source = open_pdf(doc.data)
        titles.append(_title(source, doc))
        keys.append(source.info_text(b"/" + PATIENT_KEY.encode("ascii")))
        starts.append(packet.append(source, keep_forms=True))
        page_labels.extend([b"%d" % starts[-1], {b"/S": b"/D", b"/P": text_string(page_prefix(labels, doc.document)),
                                                b"/St": b"1"}])
    # The packet prints what its documents print: the birth date when one of them does.
    meta = metadata_titled(ctx, labels.get("packet_title") or titles[0],
                           any(map(key_has_birth_date, keys)))
    producer = f"carthandout {__version__}"
    data = packet.to_bytes(
        info={"Title": meta.title, "Author": meta.author, "Subject": meta.subject, "Creator": producer,
              "Producer": producer, PATIENT_KEY: meta.patient},
        catalog={b"/PageLabels": {b"/Nums": page_labels}, b"/Lang": text_string(meta.language), **OUTLINED_VIEW},
        outline=[OutlineItem(title, start, children=[OutlineItem(mark.title, start + mark.page, mark.top)
                                                     for mark in doc.bookmarks])
                 for title, start, doc in zip(titles, starts, documents)],
    )
    return RenderedDocument(
        document=PACKET_DOCUMENT, data=data, pages=len(packet.page_numbers),
        version=document_versions(documents),
        reviewed=min(doc.reviewed for doc in documents), language=ctx.language,
    )


def page_prefix(labels: Mapping[str, str], document: str) -> str:
    """"Handout ": the common words' ``packet_prefix_<document>``, else the document id as words."""
    key = "packet_prefix_" + document.replace("-", "_")
    return (labels.get(key) or document.replace("-", " ").replace("_", " ").capitalize()) + " "


def _title(source: SourcePdf, doc: RenderedDocument) -> str:
    return source.info_text(b"/Title") or doc.document
