"""Cycle collection between a batch's patients (``collector.BetweenPatients``)."""
from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest

from carthandout import collector
from carthandout.collector import AUTOMATIC_THRESHOLD, BetweenPatients
from test_batch import GOOD, batch, write_csv


class Node:
    """An object in a cycle: only the cycle collector frees it."""

    def __init__(self) -> None:
        self.me = self


def cycle() -> weakref.ref:
    return weakref.ref(Node())


@pytest.fixture
def between_patients():
    between = BetweenPatients()
    before = gc.get_threshold()
    between.start()
    yield between
    between.restore()
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_a_patients_cycles_are_freed_when_it_is_done_and_what_was_loaded_before_is_frozen(between_patients):
    assert gc.get_threshold()[0] == AUTOMATIC_THRESHOLD
    gc.disable()  # no automatic collection may free them first
    try:
        first = cycle()
        between_patients.patient_done()
        assert first() is None and gc.get_freeze_count() > 0
        second = cycle()
        between_patients.patient_done()
        assert second() is None
    finally:
        gc.enable()


def test_every_hundredth_patient_collects_everything(between_patients, monkeypatch):
    between_patients.patient_done()  # the first: collects all, then freezes
    generations = []
    monkeypatch.setattr(collector.gc, "collect", lambda generation=2: generations.append(generation))
    for _ in range(2 * collector.FULL_COLLECTION_EVERY):
        between_patients.patient_done()
    assert generations.count(2) == 2 and len(generations) == 2 * collector.FULL_COLLECTION_EVERY
    assert set(generations) == {1, 2}


def test_a_batch_collects_after_each_patient_and_in_process_leaves_the_collector_as_it_was(tmp_path: Path, monkeypatch):
    done = []
    monkeypatch.setattr(BetweenPatients, "patient_done", lambda self: done.append(gc.get_threshold()[0]))
    before = gc.get_threshold(), gc.get_freeze_count()
    result = batch(write_csv(tmp_path / "roster.csv", GOOD), tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert done == [AUTOMATIC_THRESHOLD] * len(GOOD)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_the_parent_is_frozen_while_its_workers_are_forked(tmp_path: Path, monkeypatch):
    """So the workers' collections never write to (and copy) the pages they share with it."""
    from carthandout import batch as batch_module
    frozen_at_start = []

    class Pool(batch_module.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            frozen_at_start.append(gc.get_freeze_count())
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(batch_module, "ProcessPoolExecutor", Pool)
    before = gc.get_freeze_count()
    result = batch(write_csv(tmp_path / "roster.csv", GOOD), tmp_path / "out", "--jobs", "2")
    assert result.exit_code == 0, result.output
    assert frozen_at_start and frozen_at_start[0] > before
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_what_the_calling_program_froze_stays_frozen(tmp_path: Path, jobs: str):
    """Python unfreezes all or nothing: a batch run inside a program that froze its own objects
    must not unfreeze them."""
    kept = [Node() for _ in range(10)]
    gc.freeze()
    try:
        result = batch(write_csv(tmp_path / "roster.csv", GOOD), tmp_path / "out", "--jobs", jobs)
        assert result.exit_code == 0, result.output
        assert not any(obj is kept[0] for obj in gc.get_objects())  # still frozen: in no generation
    finally:
        gc.unfreeze()


def test_the_parent_is_unfrozen_when_its_workers_cannot_start(tmp_path: Path, monkeypatch):
    from carthandout import batch as batch_module

    def no_pool(*args, **kwargs):
        raise OSError("no more processes")

    monkeypatch.setattr(batch_module, "ProcessPoolExecutor", no_pool)
    with pytest.raises(OSError):
        batch(write_csv(tmp_path / "roster.csv", GOOD), tmp_path / "out", "--jobs", "2")
    assert gc.get_freeze_count() == 0


def test_a_rendered_document_is_freed_without_the_cycle_collector():
    """reportlab's canvas and doc template refer to each other, and a paragraph's text object to
    itself: every document's PDF objects waited for the collector, which traced them all again
    between patients. Released when saved, they go as soon as the document is written."""
    from reportlab.pdfbase.pdfdoc import PDFDocument

    from carthandout.documents import DEFAULT_DOCUMENTS, DOCUMENTS
    from carthandout.inputs import load_clinic
    from carthandout.models import parse_patient
    from carthandout.options import RenderOptions
    from carthandout.pipeline import prepare
    from carthandout.theme import build_theme

    options = RenderOptions(documents=DEFAULT_DOCUMENTS)
    ctx = prepare(parse_patient({**GOOD[0], "name": "Ana Quiñones"}), load_clinic(None), options)
    theme = build_theme(ctx.clinic)
    gc.collect()
    gc.disable()
    try:
        pages = [DOCUMENTS[name].render(ctx, theme, options).pages for name in DEFAULT_DOCUMENTS]
        left = sum(isinstance(thing, PDFDocument) for thing in gc.get_objects())
        canvas_classes = sum(isinstance(thing, type) and thing.__name__ == "NumberedCanvas" for thing in gc.get_objects())
    finally:
        gc.enable()
    assert len(pages) == 6 and all(pages) and left == 0
    assert canvas_classes == 1  # one class for every document: a class made per document lived until collected
