"""The caches in front of reportlab's font subsetting and deflating give back what reportlab computes."""
from __future__ import annotations

import io
import os
import zlib

import pytest

from reportlab.pdfbase import pdfdoc, pdfmetrics

from carthandout import reportlab_reuse
from carthandout.bounded_cache import BoundedCache
from carthandout.typefaces import text_font


def test_deflate_equals_zlib_and_keeps_only_what_comes_back():
    data = os.urandom(600) * 8
    first = reportlab_reuse.deflate(data)
    assert first == zlib.compress(data)
    assert reportlab_reuse._deflated.get(data) is None  # seen once: a page's content, say
    assert reportlab_reuse.deflate(bytes(data)) == first
    assert reportlab_reuse._deflated.get(data) is None  # twice: a wallet card's face, its PDF and the card sheets
    third = reportlab_reuse.deflate(bytes(data))
    assert third == first and reportlab_reuse.deflate(bytes(data)) is third
    assert zlib.decompress(pdfdoc.PDFZCompress.encode(data)) == data  # reportlab goes through the cache


def test_small_streams_that_come_back_are_deflated_once():
    """A text field's empty appearance, a page's logo placement: small streams, most of them the
    same for every patient, and zlib takes as long to start as to deflate them (10 us each)."""
    data = b"/Tx BMC\nq\n1 1 98 18 re W n\nQ\nEMC"
    for _ in range(3):
        first = reportlab_reuse.deflate(bytes(data))
    assert first == zlib.compress(data) and reportlab_reuse.deflate(bytes(data)) is first


def test_deflate_cache_stays_within_its_budget():
    cache = BoundedCache(10_000)
    for number in range(50):
        cache.put(number, b"x", 1_000)
    assert cache.spent <= 10_000 and cache.get(49) == b"x" and cache.get(0) is None


def test_a_bounded_cache_keeps_an_entry_from_its_nth_put():
    cache = BoundedCache(10, keep_from=3)
    cache.put("name", 1)
    cache.put("name", 2)
    assert cache.get("name") is None
    cache.put("name", 3)
    assert cache.get("name") == 3
    cache.clear()
    cache.put("name", 4)
    assert cache.get("name") is None


def test_a_documents_font_subset_is_made_once_however_often_reportlab_asks(monkeypatch):
    """reportlab makes each subset's program for its tag and again for the font file; a subset
    seen for the first time (a patient's own letters) is not kept, so it must not be made twice."""
    from reportlab.pdfbase import ttfonts
    from reportlab.pdfgen.canvas import Canvas

    made = []
    real = reportlab_reuse._make_subset
    monkeypatch.setattr(reportlab_reuse, "_make_subset", lambda face, subset: made.append(tuple(subset)) or real(face, subset))
    reportlab_reuse.clear_caches()
    canvas = Canvas(io.BytesIO(), invariant=1)
    canvas.setFont(text_font(), 12)
    canvas.drawString(72, 700, "Zoë Øster-Ångström, Łódź")  # Ł: beyond the first subset
    data = canvas.getpdfdata()
    assert len(made) == len(set(made)) == 2 and data.count(b"FontFile2") == 2
    assert isinstance(ttfonts.TTFontFile.makeSubset, type(reportlab_reuse.make_subset))


def test_subset_is_the_same_bytes_cold_and_cached():
    face = pdfmetrics.getFont(text_font()).face
    subset = [0] + [ord(c) for c in "Fever 38°C"]
    reportlab_reuse.clear_caches()
    cold = reportlab_reuse.make_subset(face, subset)
    assert cold == reportlab_reuse._make_subset(face, subset)
    for _ in range(reportlab_reuse.SUBSET_KEPT_FROM - 1):  # made again: a subset met once is not kept
        again = reportlab_reuse.make_subset(face, subset)
        assert again == cold and again is not cold
    assert reportlab_reuse.make_subset(face, subset) is again


def test_object_writer_shortcut_writes_what_reportlab_writes():
    document = pdfdoc.PDFDocument(invariant=1)
    values = [0, -3, 1.5, -0.0, 1e-7, 123456.789, "/Widget", "Name with space", b"raw", True,
              pdfdoc.PDFString("día"), pdfdoc.PDFArray([1, 2.25, "/A"]), pdfdoc.PDFArray([0, -0.0, 1.0, 612, 1e-9]),
              pdfdoc.PDFArray(list(range(30)))]
    for value in values:
        assert reportlab_reuse.format_element(value, document) == reportlab_reuse._format(value, document)
    for key in ("Rect", "Type", "Odd#Name (x)"):
        assert reportlab_reuse.pdf_name(key) == reportlab_reuse._pdf_name(key)


def test_dictionary_writer_shortcut_writes_what_reportlab_writes():
    from collections import OrderedDict

    document = pdfdoc.PDFDocument(invariant=1)
    entries = {f"K{index}": index * 1.5 for index in range(14)}
    entries.update({"Type": "/Annot", "Odd#Name (x)": pdfdoc.PDFString("día"),
                    "Inner": pdfdoc.PDFDictionary({"B": 1, "A": pdfdoc.PDFArray([1, 2])})})
    for multiline in (True, False, "forced"):
        for mapping in (entries, OrderedDict(reversed(list(entries.items())))):
            dictionary = pdfdoc.PDFDictionary()
            dictionary.dict, dictionary.multiline = mapping, multiline
            assert reportlab_reuse.format_dictionary(dictionary, document) == \
                reportlab_reuse._format_dictionary(dictionary, document)


def test_bounded_cache_counts_a_replaced_entry_once():
    cache = BoundedCache(3)
    for _ in range(3):
        cache.put("a", 1)
    cache.put("b", 2)
    assert cache.spent == 2 and cache.get("a") == 1 and cache.get("b") == 2


def test_a_prepared_image_draws_the_bytes_drawimage_draws(tmp_path):
    """The logo's image objects are made once per process and registered from copies: every
    document comes out as ``drawImage`` would have made it, with or without an alpha channel."""
    import io

    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    def pdf(draw) -> bytes:
        buffer = io.BytesIO()
        canvas = Canvas(buffer, invariant=True)
        draw(canvas, 10, 20)
        draw(canvas, 200, 300)  # the same image twice on a page: registered once
        canvas.showPage()
        canvas.save()
        return buffer.getvalue()

    for mode in ("RGB", "RGBA"):
        path = tmp_path / f"{mode}.png"
        Image.new(mode, (40, 20), (200, 30, 60, 128)[:len(mode)]).save(path)
        expected = pdf(lambda canvas, x, y: canvas.drawImage(ImageReader(str(path)), x, y, 80, 40, mask="auto"))
        prepared = reportlab_reuse.prepared_image(path, (80, 40))
        for _ in range(2):  # the prepared objects are not changed by a document that uses them
            assert pdf(lambda canvas, x, y: reportlab_reuse.draw_prepared_image(canvas, prepared, x, y, 80, 40)) == expected


@pytest.mark.parametrize("mode, suffix, alpha", [
    ("RGB", "png", False), ("RGBA", "png", True), ("P", "png", True), ("L", "png", False),
    ("RGB", "jpg", False), ("CMYK", "jpg", False),
])
def test_an_image_with_far_more_pixels_than_print_needs_is_scaled_down(tmp_path, mode, suffix, alpha):
    from PIL import Image

    path = tmp_path / f"big.{suffix}"
    image = Image.new(mode, (3000, 1200), 0 if mode == "P" else None)
    image.save(path, **({"transparency": 0} if mode == "P" else {}))
    box = (2.2 * 72, 0.6 * 72)  # drawn at most 0.6 inch tall: 180 pixels at 300 dpi
    prepared = reportlab_reuse.prepared_image(path, box)
    assert (prepared.image.width, prepared.image.height) == (450, 180)
    assert (prepared.soft_mask is not None) == alpha
    if suffix == "jpg":
        assert prepared.image._filters == ("DCTDecode",)  # still a JPEG: embedded compressed, no ASCII85 armour


def test_an_image_near_print_resolution_is_embedded_as_it_is(tmp_path):
    from PIL import Image

    path = tmp_path / "logo.png"
    Image.new("RGB", (200, 80), (10, 20, 30)).save(path)
    prepared = reportlab_reuse.prepared_image(path, (2.2 * 72, 0.6 * 72))  # needs 450 x 180 at most
    assert (prepared.image.width, prepared.image.height) == (200, 80)


def test_to_unicode_cmap_is_reportlabs():
    subset = [0, 32, 65, 0xE9, 0x2019]
    assert reportlab_reuse.to_unicode_cmap("AAAAAA+Font", subset) == reportlab_reuse._make_to_unicode_cmap("AAAAAA+Font", subset)
    assert reportlab_reuse.to_unicode_cmap("AAAAAA+Font", subset + [66]) != reportlab_reuse.to_unicode_cmap("AAAAAA+Font", subset)


def test_source_date_epoch_does_not_change_the_bytes(tmp_path, monkeypatch):
    """reportlab stamps SOURCE_DATE_EPOCH into every file identifier (/ID): the same input gave
    other bytes under a build environment that sets it. No date is printed in the documents."""
    from conftest import run_cli
    args = ("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "wallet-card")
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    assert run_cli(*args, "-o", tmp_path / "a").exit_code == 0
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    assert run_cli(*args, "-o", tmp_path / "b").exit_code == 0
    assert (tmp_path / "a" / "wallet-card.pdf").read_bytes() == (tmp_path / "b" / "wallet-card.pdf").read_bytes()


@pytest.mark.parametrize("text", ["12 0 obj\n", "BT /F1 12 Tf (Hola) Tj ET\n" * 40, "día · 38 °C", "", "tab\there\r\n",
                                  "\x7f", "€ and œ"])
def test_pdfdoc_encoding_gives_the_codecs_bytes(text):
    assert pdfdoc.pdfdocEnc is reportlab_reuse.pdfdoc_encoded  # installed: every object header and reference
    assert reportlab_reuse.pdfdoc_encoded(text) == text.encode("extpdfdoc")
    assert reportlab_reuse.pdfdoc_encoded(text.encode("latin-1", "replace")) == text.encode("latin-1", "replace")


@pytest.mark.parametrize("text", ["\x18", "ok \x1f"])
def test_pdfdoc_encoding_refuses_what_the_codec_refuses(text):
    with pytest.raises(UnicodeEncodeError):
        text.encode("extpdfdoc")
    with pytest.raises(UnicodeEncodeError):
        reportlab_reuse.pdfdoc_encoded(text)
