"""Per-document layout time (CPU ms), warm, in one process: what one patient costs a batch worker.

    python benchmarks/bench_render.py                  # 20 patients after one warm-up, ms per document
    python benchmarks/bench_render.py --profile 30     # cProfile the loop, top 30 by cumulative time
    python benchmarks/bench_render.py --digest         # sha256 of every document of the check patients

``--digest`` renders a fixed set of patients (English, Spanish, large print, an Arabic name, a
CJK caregiver) and prints one sha256 per document: run it before and after a speed change and
diff the two outputs; any difference means the pages changed.
"""
from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import hashlib
import pstats
import sys
import time
from typing import Any

from carthandout.documents import DEFAULT_DOCUMENTS, DOCUMENTS
from carthandout.inputs import load_clinic
from carthandout.models import parse_patient
from carthandout.options import RenderOptions
from carthandout.pipeline import prepare
from carthandout.theme import build_theme

FIRST = ("Rosa", "Luis", "Amara", "Chen", "Olga", "Tomás", "Priya", "Kwame", "Ines", "Noah", "Zoë", "Mateo")
LAST = ("Delgado", "Okafor", "Nguyen", "Kowalski", "Haddad", "Silva", "Brown", "Müller", "Ibrahim", "Larsen")
CHECK_PATIENTS: tuple[dict[str, Any], ...] = (
    {"name": "Rosa María Delgado", "infusion_date": "2027-03-05", "caregiver": "Luis Delgado",
     "caregiver_phone": "(217) 555-0123", "mrn": "RCC-004417", "date_of_birth": "1961-08-19",
     "physician": "Dr. Maria Okafor", "weight_kg": "72"},
    {"name": "Ana Quiñones", "infusion_date": "2027-06-30", "language": "es", "mrn": "ES-1", "weight_kg": "120"},
    {"name": "Olga Kowalski", "infusion_date": "2027-12-28", "large_print": "yes", "caregiver": "Jan Kowalski",
     "caregiver_phone": "555 0100", "weight_kg": "64"},
    {"name": "محمد حداد", "infusion_date": "2027-02-01", "caregiver": "Layla ليلى Haddad", "mrn": "AR-77"},
    {"name": "Noah Brown", "infusion_date": "2027-08-15", "caregiver": "王小明", "large_print": "yes",
     "language": "es", "physician": "Dr. Amit अमित"},
)


def synthetic_patient(index: int) -> dict[str, Any]:
    """The same deterministic cohort as bench_batch.py."""
    first, last = FIRST[index % len(FIRST)], LAST[(index // len(FIRST)) % len(LAST)]
    return {
        "name": f"{first} {last}",
        "infusion_date": (dt.date(2027, 1, 4) + dt.timedelta(days=index % 180)).isoformat(),
        "mrn": f"BM-{index + 1:06d}", "caregiver": f"{FIRST[(index + 5) % len(FIRST)]} {last}",
        "caregiver_phone": f"(217) 555-{index % 10000:04d}",
        "date_of_birth": (dt.date(1950, 1, 1) + dt.timedelta(days=(index * 97) % 15000)).isoformat(),
        "weight_kg": str(50 + index % 60),
    }


def render_all(raw: dict[str, Any], clinic: Any, options: RenderOptions, timings: dict[str, float] | None = None) -> dict[str, bytes]:
    """Every document of one patient, as the pipeline renders them; adds seconds per document to ``timings``."""
    ctx = prepare(parse_patient(raw), clinic, options)
    large_print = ctx.patient.large_print if options.large_print is None else options.large_print
    theme = build_theme(ctx.clinic, options.paper, large_print)
    out = {}
    for name in options.documents:
        start = time.process_time()  # CPU time: steadier than wall time on a shared machine
        out[name] = DOCUMENTS[name].render(ctx, theme, options).data
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.process_time() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=20)
    parser.add_argument("--profile", type=int, metavar="N", help="print the top N functions by cumulative time")
    parser.add_argument("--sort", default="cumulative", help="pstats sort key for --profile")
    parser.add_argument("--digest", action="store_true", help="print sha256 per document of the check patients")
    args = parser.parse_args(argv)
    clinic = load_clinic(None)
    options = RenderOptions(documents=DEFAULT_DOCUMENTS)

    if args.digest:
        for number, raw in enumerate(CHECK_PATIENTS, start=1):
            for name, data in render_all(raw, clinic, options).items():
                print(f"patient {number} {name:16} {hashlib.sha256(data).hexdigest()}")
        return 0

    render_all(synthetic_patient(10_000), clinic, options)  # warm-up: imports, fonts, content packs
    patients = [synthetic_patient(index) for index in range(args.patients)]
    timings: dict[str, float] = {}
    profiler = cProfile.Profile() if args.profile else None
    start = time.perf_counter()
    if profiler:
        profiler.enable()
    for raw in patients:
        render_all(raw, clinic, options, timings)
    if profiler:
        profiler.disable()
    total = time.perf_counter() - start
    if profiler:
        pstats.Stats(profiler, stream=sys.stdout).sort_stats(args.sort).print_stats(args.profile)
    for name in options.documents:
        print(f"{name:16} {1000 * timings[name] / len(patients):7.1f} ms")
    print(f"{'all six':16} {1000 * sum(timings.values()) / len(patients):7.1f} ms per patient"
          f" ({1000 * total / len(patients):.1f} ms with context)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
