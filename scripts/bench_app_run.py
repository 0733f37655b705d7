"""Runner for scripts/bench-app.sh (run it under xvfb-run and dbus-run-session).

Launches the Ferry app (a `bench` build: src-tauri/src/bench.rs), the bare Tauri window,
the "Fluent floor" (the bare window with BARE_PAGE=floor/index.html: React, a
FluentProvider and one line of text) and the bare window with WebKit's CPU rendering
(what Ferry picks when there is no GPU) N times each, interleaved, after one warm-up
launch of each (not counted). The app opens on History over each seeded data folder
(one per number of cached runs) in two ways:

  first   a first start: a fresh copy of the seeded data folder and a fresh HOME/XDG
          (no WebKit storage, no window state, no logs)
  later   a later start: a copy of the data folder and HOME an earlier launch of the
          app left behind (prepared once, before the warm-ups)

The bare subjects get a fresh HOME/XDG each launch. Per launch it measures:

  ready   ms from spawning the process to the page's own `Date.now()` when its data
          was in the DOM, printed to stderr as `ferry-bench-ready at_ms=<ms>`. For the
          app this is time to interactive: the first history row, which only React's
          commit with the cached rows puts there (the page is live then); for the bare
          window, its static content; for the floor, its first commit
  pss/rss the sum over the process and all its descendants (WebKitWebProcess,
          WebKitNetworkProcess, ...) from /proc/<pid>/smaps_rollup, SETTLE s after ready

and prints per-launch figures (and the app's page marks), medians and the ratios to the
bare window. Exits non-zero only when a measurement fails (no ready mark in time, no
process to read), never on the goal.
Usage: python3 scripts/bench_app_run.py APP_BINARY BARE_BINARY RUNS SEEDED_DIR...
       (each SEEDED_DIR named after its number of cached runs, e.g. .../10000)
"""
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

READY = re.compile(r"ferry-bench-ready at_ms=(\d+)(?: origin_ms=(\d+))?(?: marks=(\S*))?")
# The app's shell's own moments (a `bench` build: src-tauri/src/bench.rs), ms since the epoch.
SHELL_MARK = re.compile(r"ferry-bench-shell (\w+) at_ms=(\d+)")
TIMEOUT_S = float(os.environ.get("BENCH_TIMEOUT_S", "60"))
SETTLE_S = float(os.environ.get("BENCH_SETTLE_S", "2"))
GOAL = 1.3
# WebKitGTK's Skia CPU rendering. Ferry turns it on by itself when the machine has no
# GPU device (src-tauri/src/rendering.rs); the bare window keeps WebKit's default, and
# the "bare (CPU)" subject is the same bare window with it on, for a like-for-like ratio.
CPU_RENDERING = "WEBKIT_SKIA_ENABLE_CPU_RENDERING"


class Failure(Exception):
    pass


def temp_env(root):
    env = dict(os.environ)
    home = os.path.join(root, "home")
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": os.path.join(home, ".config"),
        "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
        "XDG_CACHE_HOME": os.path.join(home, ".cache"),
        "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
        "XDG_RUNTIME_DIR": os.path.join(root, "runtime"),
    }
    for d in dirs.values():
        os.makedirs(d, mode=0o700, exist_ok=True)
    env.update(dirs)
    for name in ("FERRY_START_PAGE", "FERRY_DATA_DIR", "FERRY_TOKEN", CPU_RENDERING):
        env.pop(name, None)
    return env


def processes_of(root_pid):
    """The process, its descendants and anything else in its session (it leads one)."""
    parent, session = {}, {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if fields[0] == "Z":
            continue
        pid = int(entry)
        parent[pid] = int(fields[1])
        session[pid] = int(fields[3])
    found = {root_pid} if root_pid in parent else set()
    grew = True
    while grew:
        more = {p for p, pp in parent.items() if pp in found} - found
        grew = bool(more)
        found |= more
    found |= {p for p, s in session.items() if s == root_pid}
    return sorted(found)


def memory_of(pids):
    """(pss kB, rss kB, [(name, pss kB)]) summed over the processes."""
    total_pss = total_rss = 0
    each = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/smaps_rollup") as f:
                text = f.read()
        except OSError:
            continue  # gone meanwhile
        pss = int(re.search(r"^Pss:\s+(\d+) kB", text, re.M).group(1))
        rss = int(re.search(r"^Rss:\s+(\d+) kB", text, re.M).group(1))
        total_pss += pss
        total_rss += rss
        each.append((name, pss))
    if not each:
        raise Failure("no process of the launch could be read in /proc")
    return total_pss, total_rss, each


def stop(proc):
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    # WebKit's helpers end with their parent; give them a moment so the next launch
    # does not share the machine with them.
    deadline = time.time() + 5
    while time.time() < deadline and len(processes_of(proc.pid)) > 0:
        time.sleep(0.05)


def app_env(env, root, template):
    """Points `env` at the app's data and HOME in `root`, copied from `template` (its
    `data`, and its `home` when it has one), opening on History."""
    data = os.path.join(root, "data")
    shutil.copytree(os.path.join(template, "data"), data, symlinks=True)
    if os.path.isdir(os.path.join(template, "home")):
        shutil.copytree(os.path.join(template, "home"), env["HOME"], symlinks=True, dirs_exist_ok=True)
    env.update(
        FERRY_DATA_DIR=data,
        FERRY_START_PAGE="history",
        # The profile is a cloud one on an unused port: with a token at hand the
        # status check tries the host (offline banner) instead of the keyring.
        FERRY_TOKEN="bench-offline-token",
    )


def run_until_ready(kind, binary, env, cwd):
    """Spawns `binary` and waits for its ready line; returns (process, mark, spawn ns,
    stderr lines). The caller stops the process."""
    lines, ready, mark = [], threading.Event(), {}
    start_ns = time.time_ns()
    proc = subprocess.Popen(
        [binary],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )

    def read():
        for line in proc.stderr:
            lines.append(line.rstrip())
            shell = SHELL_MARK.search(line)
            if shell:
                mark.setdefault("shell", {})[shell.group(1)] = int(shell.group(2))
            m = READY.search(line)
            if m and not ready.is_set():
                mark["at_ms"] = int(m.group(1))
                mark["origin_ms"] = int(m.group(2)) if m.group(2) else None
                mark["marks"] = m.group(3) or ""
                ready.set()

    threading.Thread(target=read, daemon=True).start()
    if not ready.wait(TIMEOUT_S):
        stop(proc)
        raise Failure(
            f"{kind}: no ready mark within {TIMEOUT_S:.0f} s (exit code {proc.poll()}); "
            f"its stderr: {' | '.join(lines[-10:]) or '(nothing)'}"
        )
    return proc, mark, start_ns, lines


def launch(subject, binary, template):
    kind = subject.split("-")[0]
    root = tempfile.mkdtemp(prefix=f"ferry-bench-{kind}-")
    try:
        env = temp_env(root)
        if kind == "floor":
            env["BARE_PAGE"] = "floor/index.html"
        if kind == "barecpu":
            env[CPU_RENDERING] = "1"
        if template:
            app_env(env, root, template)
        proc, mark, start_ns, lines = run_until_ready(subject, binary, env, root)
        try:
            ready_ms = mark["at_ms"] - start_ns / 1e6
            # When the webview began loading the page: the shell's share of the start.
            load_ms = mark["origin_ms"] - start_ns / 1e6 if mark["origin_ms"] else float("nan")
            # The page's marks (ms after its time origin), in ms after spawn like the rest.
            marks = {f"shell:{n}": at - start_ns / 1e6 for n, at in mark.get("shell", {}).items()}
            for pair in mark["marks"].split(","):
                name, _, after = pair.rpartition("=")
                if name and after.lstrip("-").isdigit():
                    marks[name] = load_ms + int(after)
            time.sleep(SETTLE_S)
            if proc.poll() is not None:
                raise Failure(f"{subject} exited ({proc.returncode}) before its memory was read")
            pss, rss, each = memory_of(processes_of(proc.pid))
        finally:
            stop(proc)
        noise = [l for l in lines if not READY.search(l) and not SHELL_MARK.search(l)]
        return {"ready_ms": ready_ms, "load_ms": load_ms, "marks": marks, "pss": pss, "rss": rss, "each": each, "stderr": noise}
    finally:
        shutil.rmtree(root, ignore_errors=True)


def prepare(binary, seeded, work):
    """The app's two templates over `seeded`: a first start's (the seeded data alone) and a
    later start's (the data folder and HOME one launch of the app left behind, stopped
    SETTLE s after its ready mark)."""
    first = os.path.join(work, "first")
    os.makedirs(first)
    shutil.copytree(seeded, os.path.join(first, "data"))
    later = os.path.join(work, "later")
    os.makedirs(later)
    env = temp_env(later)
    app_env(env, later, first)
    proc, _, _, _ = run_until_ready("prepare", binary, env, later)
    time.sleep(SETTLE_S)
    stop(proc)
    shutil.rmtree(os.path.join(later, "runtime"), ignore_errors=True)
    return first, later


def mib(kb):
    return kb / 1024


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    app, bare = (os.path.abspath(a) for a in sys.argv[1:3])
    runs = int(sys.argv[3])
    seeded = [os.path.abspath(a) for a in sys.argv[4:]]
    work = tempfile.mkdtemp(prefix="ferry-bench-templates-")
    subjects = {}  # subject -> (binary, template or None, label)
    try:
        for data in seeded:
            n = os.path.basename(data)
            first, later = prepare(app, data, os.path.join(work, n))
            count = f"{int(n):,}"
            subjects[f"app-{n}"] = (app, later, f"Ferry, History with {count} cached runs, a later start: interactive")
            subjects[f"appfirst-{n}"] = (app, first, f"Ferry, History with {count} cached runs, a first start: interactive")
        subjects["bare"] = (bare, None, "bare Tauri window")
        subjects["floor"] = (bare, None, "Fluent floor: the bare window with React, a FluentProvider and one line")
        subjects["barecpu"] = (bare, None, "bare Tauri window with CPU rendering (what Ferry picks without a GPU)")
        results = {s: [] for s in subjects}
        order0 = list(subjects)
        for subject in order0:
            r = launch(subject, subjects[subject][0], subjects[subject][1])
            print(f"warm-up {subject:15}: ready {r['ready_ms']:7.0f} ms (not counted)", flush=True)
        for i in range(runs):
            order = order0[i % len(order0) :] + order0[: i % len(order0)]
            for subject in order:
                r = launch(subject, subjects[subject][0], subjects[subject][1])
                results[subject].append(r)
                parts = ", ".join(f"{n} {mib(p):.0f}" for n, p in sorted(r["each"], key=lambda e: -e[1]))
                print(
                    f"run {i + 1} {subject:15}: ready {r['ready_ms']:6.0f} ms (page load began at {r['load_ms']:5.0f} ms), "
                    f"PSS {mib(r['pss']):6.1f} MiB, RSS {mib(r['rss']):6.1f} MiB ({len(r['each'])} processes, PSS MiB: {parts})",
                    flush=True,
                )
                if r["marks"]:
                    print("    shell and page marks (ms after spawn): " + ", ".join(f"{n} {t:.0f}" for n, t in r["marks"].items()))
                for line in r["stderr"][:5]:
                    print(f"    {subject} stderr: {line}")
    except Failure as e:
        print(f"measurement failed: {e}", file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    keys = ("ready_ms", "load_ms", "pss", "rss")
    med = {s: {k: statistics.median(r[k] for r in rs) for k in keys} for s, rs in results.items()}
    print()
    print(f"medians of {runs} launches each:")
    print("| | ready: time to interactive (the app), content shown (the others) | of which: until the page began loading | PSS, all processes | RSS, all processes |")
    print("|---|---|---|---|---|")
    for subject, (_, _, label) in subjects.items():
        m = med[subject]
        print(f"| {label} | {m['ready_ms']:.0f} ms | {m['load_ms']:.0f} ms | {mib(m['pss']):.1f} MiB | {mib(m['rss']):.1f} MiB |")
    apps = [s for s in subjects if s.startswith("app")]
    for subject, label in [(s, subjects[s][2].replace(": interactive", "")) for s in apps] + [("floor", "Fluent floor")]:
        r = {k: med[subject][k] / med["bare"][k] for k in keys}
        strong = "**" if subject == apps[0] else ""
        print(f"| {strong}{label} / bare{strong} | {strong}{r['ready_ms']:.2f}×{strong} | {r['load_ms']:.2f}× | {strong}{r['pss']:.2f}×{strong} | {r['rss']:.2f}× |")
    alike = {k: med[apps[0]][k] / med["barecpu"][k] for k in keys}
    print(f"| {subjects[apps[0]][2].replace(': interactive', '')} / bare with CPU rendering (like for like) | {alike['ready_ms']:.2f}× | {alike['load_ms']:.2f}× | {alike['pss']:.2f}× | {alike['rss']:.2f}× |")
    print()
    for subject in apps:
        what = subjects[subject][2].replace("Ferry, History with ", "").replace(": interactive", "")
        for key, label in (("ready_ms", "time to interactive"), ("pss", "memory (PSS)")):
            ratio = med[subject][key] / med["bare"][key]
            verdict = "met" if ratio <= GOAL else "missed"
            print(f"goal {label} <= {GOAL}x bare ({what}): {verdict} ({ratio:.2f}x)")
    for subject in apps:
        names = []
        for r in results[subject]:
            names += [n for n in r["marks"] if n not in names]
        if names:
            print()
            print(f"{subject}: the shell's and the page's marks, median ms after spawn (shell:main: the process's code begins; shell:setup: Tauri's set-up; shell:engine: the engine open; shell:reads: the first reads; shell:window: the window built; dom: parsed, entry run; root: React's first commit; scripts: last script fetched):")
            for n in names:
                times = [r["marks"][n] for r in results[subject] if n in r["marks"]]
                print(f"  {n:12} {statistics.median(times):6.0f} ms  ({len(times)} launches)")


if __name__ == "__main__":
    main()
