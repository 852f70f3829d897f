"""record_packet.pdf: every document of the run, bookmarks, page labels, metadata, working form fields."""
from __future__ import annotations

import csv
import hashlib
import io

import pypdf
import pytest

from carthandout.context import build_context
from carthandout.inputs import load_clinic
from carthandout.models import parse_patient
from carthandout.options import RenderOptions
from carthandout.packet import build_packet, page_prefix
from carthandout.pipeline import render_documents
from conftest import run_cli

DOCS = ("handout", "checklist")


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    from carthandout.inputs import EXAMPLE_PATIENT, example_path
    out = tmp_path_factory.mktemp("packet")
    args = ["generate", "--patient", example_path(EXAMPLE_PATIENT), "-o", out]
    for doc in DOCS:
        args += ["--doc", doc]
    result = run_cli(*args)
    assert result.exit_code == 0, result.output
    return out


def _manifest(folder):
    return {row["document"]: row for row in csv.DictReader((folder / "manifest.csv").open(encoding="utf-8"))}


def test_packet_is_written_and_listed_in_the_manifest(generated):
    rows = _manifest(generated)
    assert set(rows) == {*DOCS, "packet"}
    packet = rows["packet"]
    assert packet["file"] == "record_packet.pdf"
    data = (generated / "record_packet.pdf").read_bytes()
    assert hashlib.sha256(data).hexdigest() == packet["sha256"]
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert int(packet["pages"]) == len(reader.pages) == sum(int(rows[d]["pages"]) for d in DOCS)
    assert packet["language"] == "en"
    assert packet["version"] == "; ".join(f"{d} {rows[d]['version']}" for d in DOCS)


def test_packet_pages_are_the_documents_pages_in_order(generated):
    packet = pypdf.PdfReader(generated / "record_packet.pdf")
    expected = [page.extract_text() for d in DOCS for page in pypdf.PdfReader(generated / f"{d}.pdf").pages]
    assert [page.extract_text() for page in packet.pages] == expected


def test_a_bookmark_and_page_labels_per_document(generated):
    packet = pypdf.PdfReader(generated / "record_packet.pdf")
    readers = [pypdf.PdfReader(generated / f"{d}.pdf") for d in DOCS]
    documents = [item for item in packet.outline if not isinstance(item, list)]
    assert [item["/Title"] for item in documents] == [r.metadata.title for r in readers]
    starts = [packet.get_destination_page_number(item) for item in documents]
    assert starts == [0, len(readers[0].pages)]
    handout_pages, checklist_pages = (len(r.pages) for r in readers)
    assert packet.page_labels == ([f"Handout {n}" for n in range(1, handout_pages + 1)]
                                  + [f"Checklist {n}" for n in range(1, checklist_pages + 1)])
    assert packet.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_each_documents_headings_are_bookmarks_under_its_own(generated):
    """A clinician opening the packet in the health record went through 10 pages to find the
    side effects: each document's headings are bookmarks, in it and under it in the packet."""
    packet = pypdf.PdfReader(generated / "record_packet.pdf")
    outline = packet.outline
    start = 0
    for name, headings in zip(DOCS, (outline[1], outline[3])):
        own = pypdf.PdfReader(generated / f"{name}.pdf")
        expected = [(item.title, own.get_destination_page_number(item) + start, item["/Top"]) for item in own.outline]
        assert [(item.title, packet.get_destination_page_number(item), item["/Top"]) for item in headings] == expected
        start += len(own.pages)
    handout_headings = [item.title for item in outline[1]]
    assert handout_headings[0] == "Call right away if you have any of these"
    assert "Side effects to know about" in handout_headings and "How to reach us" in handout_headings
    assert [item.title for item in outline[3]] == ["Tests before treatment", "Treatment steps", "Checked by"]
    assert [item["/Count"] for item in outline if not isinstance(item, list)] == [-len(outline[1]), -len(outline[3])]
    side_effects = next(item for item in outline[1] if item.title == "Side effects to know about")
    baselines: list[float] = []
    packet.pages[packet.get_destination_page_number(side_effects)].extract_text(
        visitor_text=lambda text, cm, tm, font, size: "Side effects to know" in text and baselines.append(cm[5] + tm[5]))
    assert len(baselines) == 1 and 0 < side_effects["/Top"] - baselines[0] < 25  # it opens at the heading


def test_packet_metadata_is_like_the_documents(generated):
    packet = pypdf.PdfReader(generated / "record_packet.pdf")
    handout = pypdf.PdfReader(generated / "handout.pdf")
    assert packet.metadata.title == "CAR T-cell therapy: documents for the health record"
    assert packet.metadata.author == handout.metadata.author == "Riverside Cancer Center"
    assert packet.metadata.subject == handout.metadata.subject
    assert packet.trailer["/Root"]["/Lang"] == "en"
    assert "Rosa" not in str(packet.metadata)  # the name only when the clinic opts in


def test_checklist_form_fields_keep_working_in_the_packet(generated):
    packet = pypdf.PdfReader(generated / "record_packet.pdf").get_fields()
    alone = pypdf.PdfReader(generated / "checklist.pdf").get_fields()
    assert set(packet) == set(alone) and len(alone) > 40
    assert {n: f.get("/V") for n, f in packet.items()} == {n: f.get("/V") for n, f in alone.items()}
    # filling a field in the packet works and reads back
    writer = pypdf.PdfWriter(clone_from=generated / "record_packet.pdf")
    name = next(n for n in packet if n.endswith("_hiv_initials"))
    page = next(i for i, p in enumerate(writer.pages)
                if any(a.get_object().get("/T") == name for a in p.get("/Annots", [])))
    writer.update_page_form_field_values(writer.pages[page], {name: "JL"}, auto_regenerate=False)
    buffer = io.BytesIO()
    writer.write(buffer)
    assert pypdf.PdfReader(buffer).get_fields()[name]["/V"] == "JL"


def test_filling_one_field_in_the_packet_shows_in_that_field_alone(generated):
    """Joining stored once every blank "Date done" appearance (their bytes are equal): filled with
    pypdf, one row's date showed in every row of the packet, though not in checklist.pdf."""
    reader = pypdf.PdfReader(generated / "record_packet.pdf")
    text_widgets = [annotation.get_object() for page in reader.pages for annotation in page.get("/Annots", [])
                    if annotation.get_object().get("/FT") == "/Tx"]
    appearances = [widget["/AP"].raw_get("/N").idnum for widget in text_widgets]
    assert len(text_widgets) > 40 and len(set(appearances)) == len(appearances)
    writer = pypdf.PdfWriter(clone_from=generated / "record_packet.pdf")
    dates = [name for name in reader.get_fields() if name.endswith("_date")]
    page = next(i for i, p in enumerate(writer.pages) if any(a.get_object().get("/T") == dates[0] for a in p.get("/Annots", [])))
    writer.update_page_form_field_values(writer.pages[page], {dates[0]: "March 1"}, auto_regenerate=False)
    buffer = io.BytesIO()
    writer.write(buffer)
    filled = pypdf.PdfReader(buffer).pages[page]
    drawn = [annotation.get_object()["/AP"]["/N"] for annotation in filled["/Annots"]]
    drawn = [appearance.get_data() for appearance in drawn if isinstance(appearance, pypdf.generic.StreamObject)]
    assert sum(b"March 1" in data for data in drawn) == 1


def test_same_input_same_bytes(tmp_path, generated):
    from carthandout.inputs import EXAMPLE_PATIENT, example_path
    args = ["generate", "--patient", example_path(EXAMPLE_PATIENT), "-o", tmp_path]
    for doc in DOCS:
        args += ["--doc", doc]
    assert run_cli(*args).exit_code == 0
    assert (tmp_path / "record_packet.pdf").read_bytes() == (generated / "record_packet.pdf").read_bytes()
    assert (tmp_path / "manifest.csv").read_bytes() == (generated / "manifest.csv").read_bytes()
    trailer_id = pypdf.PdfReader(tmp_path / "record_packet.pdf").trailer["/ID"]
    assert trailer_id[0] == trailer_id[1] and len(trailer_id[0]) == 16


def test_one_document_makes_a_one_bookmark_packet(tmp_path):
    patient = parse_patient({"name": "Ann Lee", "infusion_date": "2027-03-05"})
    ctx = build_context(patient, load_clinic(None))
    documents = render_documents(ctx, RenderOptions(("checklist",)))
    packet = build_packet(ctx, documents)
    reader = pypdf.PdfReader(io.BytesIO(packet.data))
    assert packet.document == "packet" and packet.pages == documents[0].pages == len(reader.pages)
    assert len([item for item in reader.outline if not isinstance(item, list)]) == 1  # its headings under it
    assert reader.page_labels[0] == "Checklist 1"


def test_packet_title_names_the_patient_only_when_the_clinic_opts_in():
    from dataclasses import replace
    patient = parse_patient({"name": "Ann Lee", "infusion_date": "2027-03-05"})
    ctx = build_context(patient, replace(load_clinic(None), name_in_metadata=True))
    packet = build_packet(ctx, render_documents(ctx, RenderOptions(("checklist",))))
    assert pypdf.PdfReader(io.BytesIO(packet.data)).metadata.title.endswith(": Ann Lee")


def test_page_prefix_falls_back_to_the_document_id():
    assert page_prefix({"packet_prefix_handout": "Handout"}, "handout") == "Handout "
    assert page_prefix({}, "temperature-log") == "Temperature log "


@pytest.mark.parametrize("layout_args", [["--copies", "3"], ["--card-layout", "avery-5371"], ["--card-layout", "foldover"]])
def test_the_packet_holds_the_wallet_card_once_at_card_size(tmp_path, layout_args):
    """The health record needs the card's words once: three copies, or a whole Avery sheet, were
    printing choices copied into the record."""
    result = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                     *layout_args, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    packet = pypdf.PdfReader(tmp_path / "record_packet.pdf")
    assert len(packet.pages) == 2  # front, back
    assert {tuple(round(float(side), 1) for side in page.mediabox[2:]) for page in packet.pages} == {(242.6, 153.0)}
    assert sum(page.extract_text().count("Rosa Delgado") for page in packet.pages) >= 1


def font_programs_by_name(path) -> dict[str, set[str]]:
    """Each font name used on the pages, with the digests of the font programs under it."""
    programs: dict[str, set[str]] = {}
    for page in pypdf.PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None:  # a standard font (the form's Helvetica): no program embedded
                continue
            program = descriptor.get_object()["/FontFile2"].get_object().get_data()
            programs.setdefault(font["/BaseFont"], set()).add(hashlib.sha256(program).hexdigest())
    return programs


def test_one_name_one_font_program_in_the_packet(generated):
    """Every document numbered its subsets from AAAAAA+: the packet held five different programs
    named AAAAAA+AtkinsonHyperlegible-Bold (ISO 32000-1 9.6.4: a tag for each subset)."""
    programs = font_programs_by_name(generated / "record_packet.pdf")
    assert len(programs) >= 4
    assert all(len(digests) == 1 for digests in programs.values()), programs



def _text_font_programs(pdf) -> dict[str, list[bytes]]:
    """The text font's embedded programs by face (the subset tag before ``+`` set aside)."""
    reader = pypdf.PdfReader(pdf)
    programs: dict[str, list[bytes]] = {}
    for number in range(1, reader.trailer["/Size"]):
        value = reader.get_object(number)
        if isinstance(value, dict) and value.get("/Type") == "/FontDescriptor" and "AtkinsonHyperlegible" in value["/FontName"]:
            face = str(value["/FontName"]).split("+", 1)[1]
            programs.setdefault(face, []).append(value["/FontFile2"].get_object().get_data())
    return programs


def _generate(folder, name: str):
    result = run_cli("generate", "--name", name, "--infusion-date", "2027-03-05", "-o", folder)
    assert result.exit_code == 0, result.output
    return folder / "record_packet.pdf"


def test_the_packet_holds_one_text_font_program_a_face_whoever_the_patient(tmp_path):
    """reportlab numbered a document's characters in the order it met them, so a name with an
    accent gave each document a text-font program of its own: the packet held one per document
    (six of each face), and a cohort's caches filled with programs made for one patient."""
    programs = {}
    for name in ("Ann Lee", "José Núñez Müller"):
        packet = _generate(tmp_path / name.split()[0], name)
        programs[name] = _text_font_programs(packet)
        assert programs[name] and all(len(kept) == 1 for kept in programs[name].values())
        assert name in pypdf.PdfReader(packet).pages[0].extract_text()
    assert programs["Ann Lee"] == programs["José Núñez Müller"]


def test_a_letter_beyond_the_first_subset_opens_a_second_and_the_name_reads_whole(tmp_path):
    common = _text_font_programs(_generate(tmp_path / "common", "Ann Lee"))
    packet = _generate(tmp_path / "rare", "Łukasz Wójcik")
    programs = _text_font_programs(packet)
    assert "Łukasz Wójcik" in pypdf.PdfReader(packet).pages[0].extract_text()
    assert all(common[face][0] in kept for face, kept in programs.items())  # the same first subset
    assert any(len(kept) == 2 for kept in programs.values())  # Ł's, the same in every document
    assert all(len(kept) <= 2 for kept in programs.values())
