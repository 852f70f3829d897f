"""Benchmark `carthandout batch` on synthetic cohorts, and a single `carthandout generate`.

    python benchmarks/bench_batch.py                 # 100 and 1,000 patients, default documents
    python benchmarks/bench_batch.py --sizes 50 --jobs 1
    python benchmarks/bench_batch.py --names varied  # a new name for every patient, a third accented

Prints, per cohort: wall time, packets per second, milliseconds per page (all pages written,
print files excluded), and the peak memory of the whole process tree (the batch process and its
workers), sampled from /proc every 20 ms: the sum of RSS (counts pages the forked workers share
with the parent once per process, so it overstates) and the sum of PSS (shares them out: the
honest figure). Targets (2-core machine): 1,000 packets plus print files under 30 s, tree memory
under 300 MB and within 20% between 100 and 1,000 patients, a single generate under 1 s.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

FIRST = ("Rosa", "Luis", "Amara", "Chen", "Olga", "Tomás", "Priya", "Kwame", "Ines", "Noah", "Zoë", "Mateo")
LAST = ("Delgado", "Okafor", "Nguyen", "Kowalski", "Haddad", "Silva", "Brown", "Müller", "Ibrahim", "Larsen")
HEADER = ("Name", "Infusion Date", "MRN", "Caregiver", "Caregiver Phone", "Date of Birth", "Weight kg")
# Syllables for --names varied: five of them carry accents the English documents' words do not
# have, so a patient's documents get font subsets of their own (reportlab numbers a document's
# characters in the order it meets them), as in a real cohort.
SYLLABLES = ("ka", "lo", "mi", "ra", "te", "su", "na", "be", "do", "vi", "ze", "qu", "xa", "jo", "fe",
             "gi", "ha", "wu", "yo", "pe", "é", "ñ", "ü", "ø", "ç")


def write_roster(path: Path, patients: int, varied: bool = False) -> None:
    """A deterministic cohort: the same names, dates and numbers every time. ``varied``: each
    patient's own made-up name (the smaller cohort's names are the larger one's first)."""
    start = dt.date(2027, 1, 4)
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADER)
        for index in range(patients):
            first, last = FIRST[index % len(FIRST)], LAST[(index // len(FIRST)) % len(LAST)]
            caregiver = FIRST[(index + 5) % len(FIRST)]
            if varied:
                pick = random.Random(index)
                first, last, caregiver = (_made_up_word(pick) for _ in range(3))
            writer.writerow((
                f"{first} {last}", (start + dt.timedelta(days=index % 180)).isoformat(), f"BM-{index + 1:06d}",
                f"{caregiver} {last}", f"(217) 555-{index % 10000:04d}",
                (dt.date(1950, 1, 1) + dt.timedelta(days=(index * 97) % 15000)).isoformat(), str(50 + index % 60),
            ))


def _made_up_word(pick: random.Random) -> str:
    return "".join(pick.choice(SYLLABLES) for _ in range(pick.randint(2, 4))).capitalize()


class TreeMemory:
    """Peak RSS and PSS of a process and all its descendants, sampled in a thread.

    RSS every 20 ms; PSS every 200 ms, because reading smaps_rollup makes the kernel walk every
    page of the process: about 3 ms for the three processes of a batch, 15% of a core every
    20 ms, taken from the run it measures. A print part holds its memory for seconds, so the
    peak is still caught.
    """

    def __init__(self, pid: int, interval: float = 0.02, pss_every: int = 10) -> None:
        self.pid, self.interval, self.pss_every = pid, interval, pss_every
        self.peak_rss = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "TreeMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        samples = 0
        while not self._stop.is_set():
            rss = pss = 0
            with_pss = samples % self.pss_every == 0
            samples += 1
            for pid in tree(self.pid):
                rss += _kib(f"/proc/{pid}/status", "VmRSS:")
                if with_pss:
                    pss += _kib(f"/proc/{pid}/smaps_rollup", "Pss:")
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            time.sleep(self.interval)


def tree(root: int) -> list[int]:
    """``root`` and its descendants, from /proc/<pid>/task/<tid>/children (a few small reads,
    where scanning all of /proc every 20 ms took a fifth of a core from the run it measures)."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                todo.extend(int(child) for child in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
            except OSError:
                pass
    return found


def _kib(path: str, key: str) -> int:
    try:
        with open(path) as stream:
            for line in stream:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def clinic_profile(workdir: Path) -> Path:
    """A clinic's own profile, as a clinic runs with: the example clinic's, with numbers of the same
    length in place of its made-up ones (which mark every page as the example's)."""
    from carthandout.inputs import EXAMPLE_CLINIC, example_path

    shutil.copyfile(example_path("logo.png"), workdir / "logo.png")
    text = example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8")
    text = text.replace("(217) 555-01", "(217) 545-71")  # the center's numbers and the team's
    (workdir / EXAMPLE_CLINIC).write_text(text, encoding="utf-8")
    return workdir / EXAMPLE_CLINIC


def run_cohort(workdir: Path, patients: int, jobs: int | None, extra: list[str], varied: bool = False) -> dict[str, float]:
    roster = workdir / f"roster-{patients}.csv"
    out = workdir / f"out-{patients}"
    write_roster(roster, patients, varied)
    command = [sys.executable, "-m", "carthandout", "batch", str(roster), "-o", str(out),
               "--clinic", str(clinic_profile(workdir)), *extra]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with TreeMemory(process.pid) as memory:
        stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"batch failed ({process.returncode}): {stderr.decode()[-500:]}")
    with (out / "manifest.csv").open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    packets = sum(1 for row in rows if row["document"] == "packet")
    pages = sum(int(row["pages"]) for row in rows if row["row"] and row["document"] != "packet")
    return {"patients": patients, "wall": wall, "packets": packets, "pages": pages,
            "rss": memory.peak_rss / 1024, "pss": memory.peak_pss / 1024}


def compile_package() -> None:
    """Byte-compile the package as an install does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE would otherwise compile every module from source at each start."""
    import compileall

    import carthandout

    compileall.compile_dir(Path(carthandout.__file__).parent, quiet=1)


def time_generate(workdir: Path, runs: int = 3) -> float:
    from carthandout.inputs import EXAMPLE_PATIENT, example_path

    best = float("inf")
    for run in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "carthandout", "generate", "--patient", str(example_path(EXAMPLE_PATIENT)),
                        "--clinic", str(clinic_profile(workdir)), "-o", str(workdir / f"generate-{run}")],
                       check=True, capture_output=True)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--jobs", type=int, default=None, help="passed to batch (default: batch's default)")
    parser.add_argument("--keep", type=Path, default=None, help="keep the outputs in this folder")
    parser.add_argument("--names", choices=("repeating", "varied"), default="repeating",
                        help="repeating: 120 names in turn (the figures in the README); varied: one for every patient")
    parser.add_argument("batch_args", nargs="*", help="more batch options, after --")
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory(prefix="carthandout-bench-") as temporary:
        workdir = args.keep or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        print(f"cores: {os.cpu_count()}, jobs: {args.jobs or 'default'}")
        results = []
        for size in args.sizes:
            r = run_cohort(workdir, size, args.jobs, args.batch_args, args.names == "varied")
            results.append(r)
            print(f"{size:>5} patients: {r['wall']:6.1f} s wall, {r['packets'] / r['wall']:6.1f} packets/s, "
                  f"{1000 * r['wall'] / r['pages']:5.2f} ms/page ({r['pages']} pages), "
                  f"peak tree memory {r['pss']:5.0f} MB PSS ({r['rss']:.0f} MB summed RSS)")
        if len(results) > 1:
            low, high = results[0]["pss"], results[-1]["pss"]
            print(f"memory growth {results[0]['patients']} -> {results[-1]['patients']} patients: "
                  f"{100 * (high - low) / low:+.0f}% (PSS)")
        print(f"single generate: {time_generate(workdir):.2f} s wall (best of 3)")


if __name__ == "__main__":
    main()
