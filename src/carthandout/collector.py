"""Python's cycle collector run between a batch's patients rather than in the middle of them.

By default the collector runs after every 700 new container objects. A patient's six documents
make hundreds of thousands, and reportlab's document, canvas, frames and flowables hold each other
in cycles, so they live until the patient's files are written: the collector traced the same live
objects over and over, moved them to older generations and traced them there again. That was
about a tenth of a patient's time (4 to 5 ms of 47). Between two patients nearly all of them are
garbage, and one young collection frees them at once. (A finished document's cycles are now also
broken when it is saved, ``documents.base.release``: its PDF objects go by reference counting, and
the collection between patients finds a few hundred objects instead of thousands.)

``BetweenPatients`` does that for a batch worker: after the first patient (fonts, content packs and
the layout caches loaded) what the process holds is frozen, out of every later collection; the
threshold for an automatic collection is raised, so one still runs for a patient who makes far
more objects than usual; after each patient the young generations are collected, and everything
every ``FULL_COLLECTION_EVERY`` patients (what survived a patient, as cache entries, is freed when
evicted). Memory stays what it was (measured over 400 patients: within 1 MB); which objects are
freed when never changes what is drawn, so the bytes are the same. What the worker froze and
later drops in a cycle (a cache entry of its first patient) is never freed: bounded by what it
held after one patient, not by the cohort.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator

AUTOMATIC_THRESHOLD = 100_000  # new container objects before an automatic collection, in a patient
FULL_COLLECTION_EVERY = 100  # patients


class BetweenPatients:
    """Collect cycles at patient boundaries; ``restore`` puts the process's own settings back."""

    def __init__(self) -> None:
        self.patients = 0
        self.frozen = False
        self.threshold = gc.get_threshold()
        self.frozen_before = gc.get_freeze_count() > 0  # by the program running the batch

    def start(self) -> None:
        gc.set_threshold(AUTOMATIC_THRESHOLD, *self.threshold[1:])

    def patient_done(self) -> None:
        self.patients += 1
        if not self.frozen:
            gc.collect()
            gc.freeze()
            self.frozen = True
        elif self.patients % FULL_COLLECTION_EVERY == 0:
            gc.collect()
        else:
            gc.collect(1)

    def restore(self) -> None:
        """For a batch run in-process (``--jobs 1``): the caller's collector as it was."""
        gc.set_threshold(*self.threshold)
        if self.frozen:
            _unfreeze_unless(self.frozen_before)
            self.frozen = False


@contextmanager
def parent_frozen() -> Iterator[None]:
    """The batch process frozen while it forks its workers: their collections never touch the
    objects they share with it, so those pages stay shared instead of being copied into each."""
    frozen_before = gc.get_freeze_count() > 0
    gc.freeze()
    try:
        yield
    finally:
        _unfreeze_unless(frozen_before)


def _unfreeze_unless(frozen_before: bool) -> None:
    # Python unfreezes all or nothing: what a program embedding the batch froze itself stays
    # frozen, and what we froze with it stays so too.
    if not frozen_before:
        gc.unfreeze()
