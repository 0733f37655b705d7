"""Runner for scripts/bench-solution.sh. In one run, on the largest corpus .zip and the
largest source folder, times (median of N process runs each, interleaved):

  ferry    `ferry solution inspect --json PATH`
  python   `python3 scripts/bench_solution_baseline.py PATH` (zipfile + ElementTree)
  raw      reading just the entries ferry needs: `unzip -p` for a zip, `cat` for a folder

and prints the figures and the ratios against the goals (>= 10x python, <= 1.5x raw).
Usage: python3 scripts/bench_solution_run.py FERRY_BINARY CORPUS_DIR [RUNS]
"""
import os
import statistics
import subprocess
import sys
import time


def largest(corpus, want_zip):
    best = None
    for case in sorted(os.listdir(corpus)):
        d = os.path.join(corpus, case)
        if not os.path.isdir(d) or case.startswith("_") or "not-a-solution" in case:
            continue
        zips = [os.path.join(d, f) for f in os.listdir(d) if f.endswith(".zip")]
        if want_zip and zips:
            size, path = max((os.path.getsize(z), z) for z in zips)
        elif not want_zip and not zips:
            path = source_root(d)
            if path is None:
                continue
            size = sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(path) for f in fs)
        else:
            continue
        if best is None or size > best[0]:
            best = (size, path)
    return best


def source_root(case_dir):
    """The folder holding Other/Solution.xml (e.g. `<case>/src`)."""
    for root, dirs, files in os.walk(case_dir):
        if os.path.basename(root).lower() == "other" and "solution.xml" in (f.lower() for f in files):
            return os.path.dirname(root)
    return None


def raw_command(path):
    if path.endswith(".zip"):
        return ["unzip", "-p", "-C", path, "solution.xml", "customizations.xml",
                "environmentvariabledefinitions/*"]
    needed = []
    for root, _, files in os.walk(path):
        for f in files:
            rel = os.path.relpath(os.path.join(root, f), path).lower()
            # What ferry reads from a folder: the manifest, customizations, environment
            # variable definitions and the workflow / canvas app metadata files.
            if rel.endswith(("other/solution.xml", "other/customizations.xml")) or \
                    "environmentvariabledefinitions" in rel or \
                    (rel.startswith("workflows/") and rel.endswith(".data.xml")) or \
                    (rel.startswith("canvasapps/") and rel.endswith(".meta.xml")):
                needed.append(os.path.join(root, f))
    return ["cat", *needed]


def timed(cmd):
    start = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed: {done.stderr.decode(errors='replace')}")
    return elapsed


def main():
    ferry, corpus = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    here = os.path.dirname(os.path.abspath(__file__))
    baseline = os.path.join(here, "bench_solution_baseline.py")
    print(f"{'package':<58} {'size':>9} {'ferry':>9} {'python':>9} {'raw':>9} {'python/ferry':>13} {'ferry/raw':>10}")
    verdicts = []
    for want_zip in (True, False):
        size, path = largest(corpus, want_zip)
        cmds = {
            "ferry": [ferry, "solution", "inspect", "--json", path],
            "python": [sys.executable, baseline, path],
            "raw": raw_command(path),
        }
        for cmd in cmds.values():  # warm the page cache and the binaries
            timed(cmd)
        samples = {k: [] for k in cmds}
        for _ in range(runs):
            for k, cmd in cmds.items():
                samples[k].append(timed(cmd))
        med = {k: statistics.median(v) for k, v in samples.items()}
        speedup, overhead = med["python"] / med["ferry"], med["ferry"] / med["raw"]
        name = os.path.relpath(path, corpus)
        print(f"{name[:58]:<58} {size / 1e6:>7.2f}MB {med['ferry'] * 1e3:>7.2f}ms "
              f"{med['python'] * 1e3:>7.2f}ms {med['raw'] * 1e3:>7.2f}ms {speedup:>12.1f}x {overhead:>9.2f}x")
        verdicts.append((name, speedup >= 10, overhead <= 1.5))
    print(f"\nmedians of {runs} interleaved process runs; goals: python/ferry >= 10x, ferry/raw <= 1.5x")
    for name, fast, lean in verdicts:
        print(f"  {name}: {'meets' if fast else 'MISSES'} the 10x goal, {'meets' if lean else 'MISSES'} the 1.5x goal")


if __name__ == "__main__":
    main()
