"""The record packet: one patient's documents merged into one PDF for the health record (pypdf).

A bookmark and page labels ("Handout 1", "Checklist 2") per document, metadata as for the
documents themselves, and the checklist's form fields still working (their names are unique per
patient). Same documents in, same bytes out: the file identifier is derived from the content.
"""
from __future__ import annotations

import hashlib
import io
from typing import Mapping, Sequence

from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, ByteStringObject, NameObject, TextStringObject

from carthandout import __version__
from carthandout.content import load_common
from carthandout.context import DocumentContext
from carthandout.documents.base import DRUG_SUBJECT, Metadata, RenderedDocument

PACKET_DOCUMENT = "packet"
PACKET_FILE_STEM = "record_packet"


def build_packet(ctx: DocumentContext, documents: Sequence[RenderedDocument]) -> RenderedDocument:
    """``documents`` (unencrypted, in order) as one PDF with a bookmark and page labels for each."""
    if not documents:
        raise ValueError("a packet needs at least one document")
    labels = load_common(ctx.language).labels
    writer = PdfWriter()
    titles = []
    for doc in documents:
        reader = PdfReader(io.BytesIO(doc.data))
        title = _title(reader, doc)
        titles.append(title)
        first = len(writer.pages)
        writer.append(reader, outline_item=title, import_outline=False)
        writer.set_page_label(first, len(writer.pages) - 1, style="/D", prefix=page_prefix(labels, doc.document), start=1)
    meta = packet_metadata(ctx, labels.get("packet_title") or titles[0])
    _set_metadata(writer, meta)
    writer.compress_identical_objects(remove_duplicates=True, remove_unreferenced=True)
    # pypdf writes no /ID by default; a content-derived one keeps the bytes reproducible.
    identifier = ByteStringObject(hashlib.sha256(b"".join(d.data for d in documents)).digest()[:16])
    writer._ID = ArrayObject([identifier, identifier])  # no public setter in pypdf
    buffer = io.BytesIO()
    writer.write(buffer)
    return RenderedDocument(
        document=PACKET_DOCUMENT, data=buffer.getvalue(), pages=len(writer.pages),
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


def _title(reader: PdfReader, doc: RenderedDocument) -> str:
    info = reader.metadata
    return (info.title if info and info.title else "") or doc.document


def _set_metadata(writer: PdfWriter, meta: Metadata) -> None:
    producer = f"carthandout {__version__}"
    writer.add_metadata({"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
                         "/Creator": producer, "/Producer": producer})
    writer.root_object[NameObject("/Lang")] = TextStringObject(meta.language)
    writer.create_viewer_preferences().display_doctitle = True
    writer.page_mode = "/UseOutlines"
