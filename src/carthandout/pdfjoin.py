"""Joining finished PDFs (pikepdf, i.e. qpdf): the record packet and the cohort's print files.

qpdf copies pages between PDFs in C++ without decoding their streams, about five times faster than
pypdf's object-by-object cloning, and it holds raw stream bytes only, so a print part of a few
dozen patients takes a few megabytes. Saved deterministically: same PDFs in, same bytes out.
"""
from __future__ import annotations

import hashlib
import io
import warnings
from pathlib import Path
from typing import Iterable, Union

import pikepdf
from pikepdf import Array, Name, String

Source = Union[bytes, Path]


def open_pdf(source: Source, password: str = "") -> pikepdf.Pdf:
    """A PDF from its bytes (as rendered) or from a file already written (encrypted with ``password``)."""
    if isinstance(source, (bytes, bytearray)):
        return pikepdf.open(io.BytesIO(source), password=password)
    return pikepdf.open(source, password=password)


def append_pages(target: pikepdf.Pdf, source: pikepdf.Pdf, keep_forms: bool) -> int:
    """Append every page of ``source``; returns the index of the first one in ``target``.

    ``keep_forms``: the form widgets stay and are listed in ``target``'s AcroForm (reportlab's
    fields are widget and field in one object, names unique per patient). Without it the widgets
    are flattened into the page content (pre-filled dates print as they look) and the pages carry
    no annotations: for printing, where nothing is filled in on screen.
    """
    if not keep_forms:
        source.flatten_annotations("print")
    first = len(target.pages)
    with warnings.catch_warnings():
        # pikepdf warns that forms are not carried over: _list_widgets does that itself.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        target.pages.extend(source.pages)
    copied = target.pages[first:]
    if not keep_forms:
        for page in copied:
            if Name.Annots in page.obj:
                del page.obj[Name.Annots]
    elif Name.AcroForm in source.Root:
        _list_widgets(target, source, copied)
    return first


def _list_widgets(target: pikepdf.Pdf, source: pikepdf.Pdf, pages: Iterable[pikepdf.Page]) -> None:
    if Name.AcroForm not in target.Root:
        form = target.copy_foreign(source.Root.AcroForm)
        form.Fields = Array()
        target.Root.AcroForm = form
    fields = target.Root.AcroForm.Fields
    for page in pages:
        for annotation in page.obj.get(Name.Annots, ()):
            if annotation.get(Name.Subtype) == Name.Widget and Name.FT in annotation:
                fields.append(annotation)


def share_identical_streams(pdf: pikepdf.Pdf) -> None:
    """One copy of each font program, ToUnicode map and image the joined documents repeat.

    Every document embeds the logo and its own font subsets; many are byte for byte the same.
    qpdf writes only objects still referenced, so the duplicates drop out on save.
    """
    canonical: dict[bytes, pikepdf.Object] = {}
    visited: dict[tuple[int, int], pikepdf.Object] = {}  # pages of one document share their fonts

    def shared(stream: pikepdf.Object) -> pikepdf.Object:
        if stream.objgen not in visited:
            key = hashlib.sha256(stream.read_raw_bytes() + repr(sorted(stream.stream_dict.items())).encode()).digest()
            visited[stream.objgen] = canonical.setdefault(key, stream)
        return visited[stream.objgen]

    for page in pdf.pages:
        resources = page.obj.get(Name.Resources)
        if resources is None:
            continue
        for font in resources.get(Name.Font, {}).values():
            if Name.ToUnicode in font:
                font.ToUnicode = shared(font.ToUnicode)
            descriptor = font.get(Name.FontDescriptor)
            for key in (Name.FontFile, Name.FontFile2, Name.FontFile3):
                if descriptor is not None and key in descriptor:
                    descriptor[key] = shared(descriptor[key])
        xobjects = resources.get(Name.XObject, {})
        for key in list(xobjects.keys()):
            if xobjects[key].get(Name.Subtype) == Name.Image:
                xobjects[key] = shared(xobjects[key])


def set_info(pdf: pikepdf.Pdf, **entries: str) -> None:
    """Document information (``Title="..."``)."""
    for key, value in entries.items():
        pdf.docinfo[Name("/" + key)] = String(value)


def pdf_bytes(pdf: pikepdf.Pdf) -> bytes:
    """Saved with an identifier derived from the content (no clock, no randomness); streams as they came."""
    buffer = io.BytesIO()
    pdf.save(buffer, deterministic_id=True, stream_decode_level=pikepdf.StreamDecodeLevel.none,
             compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return buffer.getvalue()
