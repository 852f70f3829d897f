"""pdfjoin: reading our own PDFs as bytes, renumbering, sharing repeated objects, flattening widgets."""
from __future__ import annotations

import io

import pypdf
import pytest
from reportlab.pdfgen.canvas import Canvas

from carthandout.pdfjoin import (
    OutlineItem, PdfFormatError, PdfJoiner, Ref, _fit, decode_text, open_pdf, parse_value, renumbered, text_string,
)
from carthandout.protect import encrypt_pdf


def canvas_pdf(texts: list[str], field_value: str | None = None, invariant: bool = True) -> bytes:
    """A small reportlab PDF: one page per text, and a pre-filled text field on the first page."""
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(612, 792), invariant=invariant)
    canvas.setTitle("Sample (1 0 R) document")
    for index, text in enumerate(texts):
        canvas.drawString(72, 700, text)
        if index == 0 and field_value is not None:
            canvas.acroForm.textfield(name=f"field_{text}", value=field_value, x=72, y=600, width=200, height=20)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def read(data: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(data), strict=True)


def test_parses_nested_values_strings_and_references():
    value, end = parse_value(b"<< /A [ 1 0 R 2 0 R ] /B (a (nested) \\) string) /C <FEFF0041> /D << /E -1.5 >> "
                             b"/F [ 3 0 R /Fit ] >> trailing", 0)
    assert value == {b"/A": [Ref(1), Ref(2)], b"/B": b"(a (nested) \\) string)", b"/C": b"<FEFF0041>",
                     b"/D": {b"/E": b"-1.5"}, b"/F": [Ref(3), b"/Fit"]}
    assert end == len(b"<< /A [ 1 0 R 2 0 R ] /B (a (nested) \\) string) /C <FEFF0041> /D << /E -1.5 >> "
                      b"/F [ 3 0 R /Fit ] >>")


def test_renumbering_leaves_strings_and_stream_data_alone():
    body = b"<< /Ref 4 0 R /Text (see 4 0 R \\) and 4 0 R) /Length 9 >>\nstream\n4 0 R (x\nendstream"
    assert renumbered(body, lambda old: old * 10) == body.replace(b"/Ref 4 0 R", b"/Ref 40 0 R")


def test_widgets_that_differ_only_in_their_strings_share_one_parse():
    """Flattening for print reads a widget's flags, rectangle and appearance, never its strings;
    two patients' widgets (other names, tooltips, values) are parsed once."""
    first = open_pdf(canvas_pdf(["Ana"], field_value="March 5, 2027"))
    second = open_pdf(canvas_pdf(["Luis"], field_value="April (30), 2027"))
    [widget] = [ref.number for ref in first.get(next(first.pages())[0])[b"/Annots"]]
    shape = first.get_without_strings(widget)
    assert shape is second.get_without_strings(widget)
    assert shape[b"/T"] == shape[b"/V"] == b"()" and first.get(widget)[b"/V"] == b"(March 5, 2027)"
    assert [float(number) for number in shape[b"/Rect"]] == [72, 600, 272, 620]


def test_text_strings_round_trip():
    for text in ("Plain (ASCII) \\ text", "Guía del cuidador", "رعاية", "名前"):
        assert decode_text(text_string(text)) == text


def test_titles_reportlab_writes_in_pdfdocencoding_read_back():
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=True)
    canvas.setTitle("Don’t wait • “call” — día")
    canvas.showPage()
    canvas.save()
    assert open_pdf(buffer.getvalue()).info_text(b"/Title") == "Don’t wait • “call” — día"


def test_fit_maps_the_transformed_box_onto_the_rectangle():
    # a 100 x 20 appearance rotated a quarter turn, placed in a 40 x 200 rectangle at (10, 30)
    matrix = _fit([0, 0, 100, 20], [0, 1, -1, 0, 0, 0], [10, 30, 50, 230])
    assert matrix == pytest.approx((2.0, 0.0, 0.0, 2.0, 50.0, 30.0))


def test_joined_pages_in_order_with_outline_labels_and_shared_fonts():
    first, second = canvas_pdf(["alpha", "beta"]), canvas_pdf(["gamma"])
    joiner = PdfJoiner()
    starts = [joiner.append(open_pdf(first), keep_forms=True), joiner.append(open_pdf(second), keep_forms=True)]
    data = joiner.to_bytes({"Title": "Joined é"}, {b"/PageLabels": {b"/Nums": [b"0", {b"/S": b"/D"}]}},
                           outline=[OutlineItem("First", starts[0]), OutlineItem("Second", starts[1])])
    reader = read(data)
    assert [page.extract_text().strip() for page in reader.pages] == ["alpha", "beta", "gamma"]
    assert [(item.title, reader.get_destination_page_number(item)) for item in reader.outline] == [
        ("First", 0), ("Second", 2)]
    assert reader.metadata.title == "Joined é" and reader.page_labels == ["1", "2", "3"]
    fonts = {id(page["/Resources"]["/Font"]["/F1"].get_object()) for page in reader.pages}
    assert len(fonts) == 1  # the second document's identical Helvetica is the first one's
    assert data == _join_again(first, second, starts)  # same input, same bytes


def _join_again(first: bytes, second: bytes, starts: list[int]) -> bytes:
    joiner = PdfJoiner()
    for source in (first, second):
        joiner.append(open_pdf(source), keep_forms=True)
    return joiner.to_bytes({"Title": "Joined é"}, {b"/PageLabels": {b"/Nums": [b"0", {b"/S": b"/D"}]}},
                           outline=[OutlineItem("First", starts[0]), OutlineItem("Second", starts[1])])


def test_forms_are_kept_and_listed_or_flattened_for_print():
    first, second = canvas_pdf(["one"], field_value="March 3, 2027"), canvas_pdf(["two"], field_value="May 1")
    kept, flat = PdfJoiner(), PdfJoiner()
    for source in (first, second):
        kept.append(open_pdf(source), keep_forms=True)
        flat.append(open_pdf(source), keep_forms=False)
    with_forms = read(kept.to_bytes({}, {}))
    assert {name: field["/V"] for name, field in with_forms.get_fields().items()} == {
        "field_one": "March 3, 2027", "field_two": "May 1"}
    printed = read(flat.to_bytes({}, {}))
    assert "/AcroForm" not in printed.trailer["/Root"] and not any("/Annots" in page for page in printed.pages)
    assert ["March 3, 2027" in printed.pages[0].extract_text(), "May 1" in printed.pages[1].extract_text()] == [
        True, True]


def test_blank_page_takes_the_size_given():
    joiner = PdfJoiner()
    joiner.append(open_pdf(canvas_pdf(["one"])), keep_forms=False)
    joiner.add_blank_page(*joiner.page_sizes[-1])
    reader = read(joiner.to_bytes({}, {}))
    assert [tuple(page.mediabox) for page in reader.pages] == [(0, 0, 612, 792)] * 2
    assert reader.pages[1].extract_text() == ""


def test_the_file_identifier_is_a_digest_of_everything_before_the_cross_reference_table():
    import hashlib

    joiner = PdfJoiner()
    joiner.append(open_pdf(canvas_pdf(["one", "two"])), keep_forms=False)
    data = joiner.to_bytes({"Title": "Joined"}, {})
    body = data[:int(data.split(b"startxref\n")[1].split()[0])]
    assert read(data).trailer["/ID"][0].original_bytes == hashlib.sha256(body).digest()[:16]


def test_encrypted_files_are_read_with_their_password():
    data = encrypt_pdf(canvas_pdf(["secret page"]), "a-password")
    with pytest.raises(PdfFormatError, match="encrypted"):
        open_pdf(data)
    joiner = PdfJoiner()
    joiner.append(open_pdf(data, "a-password"), keep_forms=False)
    assert read(joiner.to_bytes({}, {})).pages[0].extract_text().strip() == "secret page"


def test_a_file_that_is_not_ours_is_a_clear_error():
    with pytest.raises(PdfFormatError, match="cross-reference"):
        open_pdf(b"%PDF-1.4\nnot really a PDF")


def test_objects_shared_between_sources_give_the_bytes_of_a_cold_join():
    """Parses and reference splits are shared between the PDFs a process reads (a cohort's
    documents repeat their small objects byte for byte); a join must not depend on what was read before."""
    from carthandout import pdfjoin

    first, second = canvas_pdf(["One", "Two"], field_value="a"), canvas_pdf(["One", "Three"], field_value="b")

    def joined(keep_forms: bool) -> bytes:
        joiner = PdfJoiner()
        for data in (first, second, first):
            joiner.append(open_pdf(data), keep_forms=keep_forms)
        return joiner.to_bytes(info={"Title": "t"}, catalog={})

    for keep_forms in (True, False):
        pdfjoin.clear_caches()
        cold = joined(keep_forms)
        assert joined(keep_forms) == cold
        assert pdfjoin._shared_parses.spent and pdfjoin._shared_splits.spent
    body = b"<< /Type /Annot /P 3 0 R /Rect [ 1 2 3 4 ] >>"
    assert pdfjoin.parsed_body(body) is pdfjoin.parsed_body(bytes(body))
