"""Names in every script print with a real glyph and read back; uncovered characters are clear errors."""
from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from collections import Counter

import pypdf
import pytest
from reportlab.pdfbase import pdfmetrics

from carthandout.errors import InputError
from carthandout.inputs import load_clinic
from carthandout.models import parse_patient
from carthandout.options import RenderOptions
from carthandout.pipeline import prepare, render_documents
from carthandout.typefaces import _outline_less_glyphs, coverage, rich_value

LEFT_TO_RIGHT = {
    "Nguyễn Thị Minh Khai": "NotoSans",
    "İsmail Yıldırım": "NotoSans",
    "Łucja Wróbel": "AtkinsonHyperlegible",
    "Γιώργος Παπαδόπουλος": "NotoSans",
    "Анна Иванова": "NotoSans",
    "王小明": "DroidSansFallback",
    "山田太郎": "DroidSansFallback",
    "김민준": "NanumSquare",
}
RIGHT_TO_LEFT = {"محمد عبد الله": "NotoSansArabic", "דוד כהן": "NotoSansHebrew"}
DEVANAGARI = {"अमित शर्मा": "NotoSansDevanagari"}


def render_handout(name: str, caregiver: str = "") -> pypdf.PdfReader:
    patient = parse_patient({"name": name, "infusion_date": "2028-02-27", "caregiver": caregiver})
    options = RenderOptions(("handout",))
    [document] = render_documents(prepare(patient, load_clinic(None), options), options)
    return pypdf.PdfReader(io.BytesIO(document.data))


def render_first_page(name: str) -> tuple[str, set[str]]:
    """Page 1 of the handout for a patient called ``name``: its text and its embedded font names."""
    page = render_handout(name).pages[0]
    fonts = {str(font["/BaseFont"]).split("+", 1)[-1] for font in page["/Resources"]["/Font"].values()}
    return page.extract_text(), fonts


def letters(text: str) -> Counter:
    return Counter(ch for ch in unicodedata.normalize("NFKC", text) if ch.isalpha())


@pytest.mark.parametrize("name", list(LEFT_TO_RIGHT))
def test_left_to_right_names_print_in_a_covering_font_and_read_back(name):
    text, fonts = render_first_page(name)
    assert name in unicodedata.normalize("NFC", text)
    assert any(font.startswith(LEFT_TO_RIGHT[name]) for font in fonts), fonts


@pytest.mark.parametrize("name", list(RIGHT_TO_LEFT))
def test_right_to_left_names_read_back_as_the_same_letters(name):
    text, fonts = render_first_page(name)
    # The words are drawn right to left, joined by no-break spaces (never broken over two lines);
    # pypdf reads such a run back word by word from the left, so in visual order. Arabic comes back
    # as presentation forms: NFKC undoes those.
    assert " ".join(reversed(name.split())) in unicodedata.normalize("NFKC", text).replace("\u00a0", " ")
    assert not letters(name) - letters(text)
    assert any(font.startswith(RIGHT_TO_LEFT[name]) for font in fonts), fonts


def test_a_name_is_shaped_without_discretionary_ligatures():
    """With dlig on, Noto Sans Arabic drew محمد as one decorative glyph carrying vowel marks."""
    text, _ = render_first_page("محمد عبد الرحمن")
    assert "\ufdf4" not in text  # the MUHAMMAD ligature
    assert not {"\u064e", "\u064f", "\u0651"} & set(unicodedata.normalize("NFKD", text))  # fatha, damma, shadda
    assert "محمد" in unicodedata.normalize("NFKC", text)


def test_a_shaped_name_in_a_paragraph_split_over_two_pages_is_not_shaped_again(tmp_path):
    """Wrapping the second half of a split paragraph handed HarfBuzz text it had shaped already (TypeError)."""
    from conftest import run_cli

    result = run_cli("generate", "--name", "Rosa", "--infusion-date", "2027-08-04", "--caregiver", "נכזנבזמלו",
                     "--large-print", "--paper", "a4", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = unicodedata.normalize("NFKC", " ".join(page.extract_text() for page in pypdf.PdfReader(tmp_path / "handout.pdf").pages))
    assert text.count("נכזנבזמלו") >= 2


def test_devanagari_prints_shaped_in_its_font_and_its_plain_letters_read_back():
    name = "अमित शर्मा"
    text, fonts = render_first_page(name)
    assert any(font.startswith("NotoSansDevanagari") for font in fonts), fonts
    # Conjuncts and vowel-sign variants extract as private-use characters or not at all (see
    # fonts/README.md); every Devanagari letter that does come back is one of the name's, in order.
    line = next(line for line in text.splitlines() if any("\u0900" <= ch <= "\u097f" for ch in line))
    extracted = [ch for ch in line if "\u0900" <= ch <= "\u097f"]
    remaining = iter(name)
    assert all(ch in remaining for ch in extracted)
    assert len(extracted) >= len(name.replace(" ", "")) // 2


def test_a_value_touching_authored_punctuation_keeps_its_glyphs():
    # The handout says "... is {patient.caregiver}." : the caregiver's last word and the full
    # stop share one word with two fonts; shaping them together drew the wrong glyphs.
    reader = render_handout("Ana Quiñones", caregiver="דוד כהן")
    line = next(line for page in reader.pages for line in page.extract_text().replace("\u00a0", " ").splitlines()
                if "\u05d3" in line and "caregiver" in line)
    assert "כהן דוד" in line and line.rstrip().endswith(".")  # visual order (see above)


@pytest.mark.parametrize("value, code", [("Ana 😀", "U+1F600"), ("Ana \u2603\ufe0f", "U+2603")])
def test_a_character_no_font_prints_is_an_error_naming_field_and_code(value, code):
    with pytest.raises(InputError) as caught:
        rich_value(value, "caregiver")
    line = caught.value.line()
    assert line.startswith("caregiver: ") and code in line and "Ana" not in line


def test_an_unshaped_word_may_change_font_between_characters():
    # Droid Sans Fallback has no Latin: the hyphen and digit come from the text font.
    text, fonts = render_first_page("王小明-7 山田")
    assert "王小明-7 山田" in text
    assert any(font.startswith("DroidSansFallback") for font in fonts)


@pytest.mark.parametrize("name", ["王小明 Kim 김민수", "李 김", "金 민수"])
def test_chinese_characters_beside_korean_are_drawn_not_left_blank(name):
    """NanumSquare maps Chinese characters to glyphs without an outline: a name with Hangul
    took it for every word and printed its Chinese characters as blank space (text extraction
    still read them back)."""
    text, fonts = render_first_page(name)
    assert name in text
    assert any(font.startswith("DroidSansFallback") for font in fonts)
    assert any(font.startswith("NanumSquare") for font in fonts)
    nanum = pdfmetrics.getFont("NanumSquare").face
    assert ord("王") in nanum.charToGlyph and nanum.charToGlyph[ord("王")] in _outline_less_glyphs(nanum)
    assert ord("王") not in coverage("NanumSquare") and ord("김") in coverage("NanumSquare")


def test_uncovered_character_fails_generate_before_any_file_is_written(tmp_path):
    from conftest import run_cli
    result = run_cli("generate", "--name", "Ana 😀 Ruiz", "--infusion-date", "2028-02-27", "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "name:" in result.stderr and "U+1F600" in result.stderr and "Ruiz" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_private_use_character_is_refused_with_its_code():
    with pytest.raises(InputError) as caught:
        parse_patient({"name": "Ana \ue000", "infusion_date": "2028-02-27"})
    assert caught.value.field == "name" and "U+E000" in caught.value.line()


def test_a_latin_run_never_loads_the_script_fonts():
    script = (
        "from reportlab.pdfbase import pdfmetrics\n"
        "from carthandout.cli import cli\n"
        "import sys, tempfile\n"
        "from click.testing import CliRunner\n"
        "out = tempfile.mkdtemp()\n"
        "r = CliRunner().invoke(cli, ['generate', '--name', 'Łucja Wróbel', '--infusion-date', '2028-02-27', '-o', out])\n"
        "assert r.exit_code == 0, r.output\n"
        "print(' '.join(sorted(pdfmetrics.getRegisteredFontNames())))\n"
    )
    loaded = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    for family in ("NotoSansArabic", "NotoSansHebrew", "NotoSansDevanagari", "DroidSansFallback", "NanumSquare"):
        assert family not in loaded
    assert "Atkinson" in loaded


def test_accents_without_a_precomposed_letter_are_shaped_in_the_fallback_font():
    from carthandout.typefaces import family_for, rich_value

    name = "Bą́ą́h"  # a + ogonek + acute: NFC leaves the acute as a combining mark
    assert family_for(name) != "Atkinson"
    assert rich_value(name, "name").shaping
    assert not rich_value("Bąah", "name").shaping  # precomposed letters need no shaping


@pytest.mark.parametrize("name, script_font", [
    ("ז'ק כהן", "NotoSansHebrew"),  # an apostrophe for a geresh (Jacques)
    ("כהן, דוד", "NotoSansHebrew"),  # Last, First
    ("(محمد) علي", "NotoSansArabic"),
])
def test_right_to_left_names_with_ascii_punctuation_print(name, script_font):
    """The Hebrew and Arabic fonts have no ASCII punctuation: such a name was refused ("one word
    mixes ... separate them with a space", which would change its spelling). Each same-font run is
    shaped on its own (shaping.py) and reportlab's bidi orders the line right to left (looked at:
    the apostrophe sits between ז and ק, the parentheses around محمد)."""
    text, fonts = render_first_page(name)
    assert any(font.startswith(script_font) for font in fonts) and any(font.startswith("Atkinson") for font in fonts)
    letters = [ch for ch in name if ch.isalpha() and ord(ch) < 0x0600]  # Hebrew extracts as written
    assert all(ch in text for ch in letters) and all(ch in text for ch in name if ch in "',()")


def test_a_loose_accent_next_to_a_sign_the_fallback_lacks_prints_in_two_fonts():
    """A loose accent needs the fallback font, which has no minus sign (it raised StopIteration,
    then was refused): the sign now comes from the text font."""
    assert "\u2212" in rich_value("Jurga\u0328\u0301\u2212Kazlauskiene", "caregiver").markup


@pytest.mark.parametrize("value, drawn", [
    ("ישראל כהן", ["כהן", " ", "ישראל"]),  # the first name rightmost: it read "כהן ישראל"
    ("ז'ק כהן", ["כהן", " ", "ק", "'", "ז"]),  # the apostrophe between ז and ק, read right to left
    ("כהן, דוד", ["דוד", " ", ",", "כהן"]),
    ("(محمد) علي", ["علي", " ", "(", "محمد", ")"]),  # brackets mirrored in right-to-left order
    ("כהן-Levi", ["Levi", "-", "כהן"]),
    ("Dr. محمد علي", ["Dr.", " ", "علي", " ", "محمد"]),  # a left-to-right value: its Arabic run reversed
    ("O'כהן", ["O'", "כהן"]),
    ("Ana María Lee", ["Ana María Lee"]),
    ("محمد12", ["12", "محمد"]),  # ASCII digits from the text font: shaped with the letters they printed 21
    ("ישראל «איזי» כהן", ["כהן", " ", "«", "איזי", "»", " ", "ישראל"]),  # guillemets mirrored too
    # no letters with a direction: to read as typed (it raised StopIteration), given to HarfBuzz
    # reversed, since it shapes Arabic-Indic digits right to left (MRN ١٢٣٤٥٦ printed ٦٥٤٣٢١)
    ("٠١٢٣٤", ["٤٣٢١٠"]),
    ("محمد١٢", ["محمد٢١"]),  # a number inside right-to-left letters: the same, the number alone
    ("،", ["،"]),
])
def test_right_to_left_words_and_runs_are_drawn_right_to_left(value, drawn):
    """reportlab shapes each word right to left but draws words and font runs in typed order;
    the value's runs are put in the order the Unicode bidi algorithm draws them."""
    markup = rich_value(value, "name").markup
    text = re.sub(r"<[^>]+>", "", markup).replace("&amp;", "&")
    assert text.replace("\u00a0", " ") == "".join(drawn)


def test_a_short_right_to_left_value_is_never_broken_over_two_lines():
    """Its drawn order would run across the lines (its first words started the second line): up
    to 30 characters a value with right-to-left words has no-break spaces, each a run of the text
    font (in the script's font HarfBuzz would reverse the joined words again)."""
    short = rich_value("אברהם יצחק יעקב משה כהן", "name").markup
    assert " " not in re.sub(r"<[^>]+>", "", short) and short.count("\u00a0") == 4
    long = rich_value("אברהם יצחק יעקב משה כהן אברהם יצחק יעקב", "name").markup
    assert "\u00a0" not in long  # longer than a line may be: broken at its spaces
    mixed = rich_value("Ann x כהן לוי שמש Smith", "name").markup  # left to right, with a Hebrew run: the same
    assert " " not in re.sub(r"<[^>]+>", "", mixed)
    assert "\u00a0" not in rich_value("Ana María de la Santísima Trinidad", "name").markup  # no right-to-left: as before


def test_a_right_to_left_name_too_long_for_half_the_patient_block_gets_a_row_of_its_own():
    """Broken over two lines, a right-to-left name keeps its drawn order across them: its first
    words started the second line. Given the row's width, it stays on one line."""
    patient = parse_patient({"name": "אברהם יצחק יעקב משה כהן", "infusion_date": "2027-03-05"})
    options = RenderOptions(("checklist",))
    [document] = render_documents(prepare(patient, load_clinic(None), options), options)
    lines = pypdf.PdfReader(io.BytesIO(document.data)).pages[0].extract_text().replace("\u00a0", " ").splitlines()
    assert "כהן משה יעקב יצחק אברהם" in lines  # on one line, read back in visual order
