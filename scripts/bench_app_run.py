"""Runner for scripts/bench-app.sh (run it under xvfb-run and dbus-run-session).

Launches the Ferry app, the bare Tauri window, the "Fluent floor" (the bare window
with BARE_PAGE=floor/index.html: React, a FluentProvider and one line of text) and the
bare window with WebKit's CPU rendering (what Ferry picks when there is no GPU) N times
each, interleaved, after one warm-up launch of each (not counted), every launch with
fresh temp HOME/XDG dirs (and, for the app, a fresh copy of the seeded data dir). Per
launch it measures:

  ready   ms from spawning the process to the page's own `Date.now()` when its data
          was in the DOM (the app: first history row; the bare window: its static
          content), which both print to stderr as `ferry-bench-ready at_ms=<ms>`
  pss/rss the sum over the process and all its descendants (WebKitWebProcess,
          WebKitNetworkProcess, ...) from /proc/<pid>/smaps_rollup, SETTLE s after ready

and prints per-launch figures, medians and the ratios app/bare (and app/bare with CPU
rendering, like for like). Before the warm-ups the app runs once more on a copy of the
seeded data until it has kept its first screen (`first-screen.json`, what a returning
maker's start paints before the app's script has loaded: src-tauri/src/first_screen.rs),
and that file joins the seeded data; the app's launches also report when React's first
commit made the page live (the `commit` mark). A fifth subject is the app at a first start:
the same data without that file. Exits non-zero only when
a measurement fails (no ready mark in time, no process to read), never on the goal.
Usage: python3 scripts/bench_app_run.py APP_BINARY BARE_BINARY SEEDED_DATA_DIR [RUNS]
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

READY = re.compile(r"ferry-bench-ready at_ms=(\d+)(?: origin_ms=(\d+))?(?: script_ms=(\d+))?(?: marks=(\S*))?")
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
    for name in ("FERRY_START_PAGE", "FERRY_BENCH_READY", "FERRY_DATA_DIR", "FERRY_TOKEN", CPU_RENDERING):
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


def app_data(env, root, seeded):
    """Points `env` at a copy of `seeded` in `root` for the app, opening on History;
    returns the copy's path."""
    data = os.path.join(root, "data")
    shutil.copytree(seeded, data)
    env.update(
        FERRY_DATA_DIR=data,
        FERRY_START_PAGE="history",
        # The profile is a cloud one on an unused port: with a token at hand the
        # status check tries the host (offline banner) instead of the keyring.
        FERRY_TOKEN="bench-offline-token",
    )
    return data


def launch(kind, binary, seeded):
    root = tempfile.mkdtemp(prefix=f"ferry-bench-{kind}-")
    try:
        env = temp_env(root)
        if kind == "floor":
            env["BARE_PAGE"] = "floor/index.html"
        if kind == "barecpu":
            env[CPU_RENDERING] = "1"
        if kind in ("app", "appfirst"):
            data = app_data(env, root, seeded)
            if kind == "appfirst":
                # A first start: no first screen kept yet.
                os.remove(os.path.join(data, FIRST_SCREEN))
            env["FERRY_BENCH_READY"] = "1"
        lines, ready = [], threading.Event()
        mark = {}
        start_ns = time.time_ns()
        proc = subprocess.Popen(
            [binary],
            env=env,
            cwd=root,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )

        def read():
            for line in proc.stderr:
                lines.append(line.rstrip())
                m = READY.search(line)
                if m and not ready.is_set():
                    mark["at_ms"] = int(m.group(1))
                    mark["origin_ms"] = int(m.group(2)) if m.group(2) else None
                    mark["script_ms"] = int(m.group(3)) if m.group(3) else None
                    mark["marks"] = m.group(4) or ""
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        try:
            if not ready.wait(TIMEOUT_S):
                raise Failure(
                    f"{kind}: no ready mark within {TIMEOUT_S:.0f} s (exit code {proc.poll()}); "
                    f"its stderr: {' | '.join(lines[-10:]) or '(nothing)'}"
                )
            ready_ms = mark["at_ms"] - start_ns / 1e6
            # When the webview began loading the page: the shell's share of the start.
            load_ms = mark["origin_ms"] - start_ns / 1e6 if mark["origin_ms"] else float("nan")
            # When the UI's bundle began to run (the app only).
            script_ms = mark["script_ms"] - start_ns / 1e6 if mark["script_ms"] else float("nan")
            # The page's startup marks, in ms after spawn like the rest.
            marks = {}
            for pair in mark["marks"].split(","):
                name, _, after = pair.rpartition("=")
                if name and after.lstrip("-").isdigit():
                    marks[name] = script_ms + int(after)
            time.sleep(SETTLE_S)
            if proc.poll() is not None:
                raise Failure(f"{kind} exited ({proc.returncode}) before its memory was read")
            pss, rss, each = memory_of(processes_of(proc.pid))
        finally:
            stop(proc)
        noise = [l for l in lines if not READY.search(l)]
        return {"ready_ms": ready_ms, "load_ms": load_ms, "script_ms": script_ms, "marks": marks, "pss": pss, "rss": rss, "each": each, "stderr": noise}
    finally:
        shutil.rmtree(root, ignore_errors=True)


FIRST_SCREEN = "first-screen.json"


def keep_first_screen(binary, seeded):
    """Runs the app once on a copy of `seeded` until it keeps its first screen, and adds
    that file to `seeded` (as a returning maker's data folder has it). Returns its size."""
    root = tempfile.mkdtemp(prefix="ferry-bench-keep-")
    try:
        env = temp_env(root)
        data = app_data(env, root, seeded)
        proc = subprocess.Popen([binary], env=env, cwd=root, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        kept = os.path.join(data, FIRST_SCREEN)
        try:
            deadline = time.time() + TIMEOUT_S
            while not os.path.exists(kept):
                if time.time() > deadline or proc.poll() is not None:
                    raise Failure(f"the app kept no first screen within {TIMEOUT_S:.0f} s (exit code {proc.poll()})")
                time.sleep(0.1)
            time.sleep(0.5)
        finally:
            stop(proc)
        shutil.copy(kept, os.path.join(seeded, FIRST_SCREEN))
        return os.path.getsize(kept)
    finally:
        shutil.rmtree(root, ignore_errors=True)


def mib(kb):
    return kb / 1024


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    app, bare, seeded = (os.path.abspath(a) for a in sys.argv[1:4])
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    bins = {"app": app, "appfirst": app, "bare": bare, "floor": bare, "barecpu": bare}
    results = {"app": [], "appfirst": [], "bare": [], "floor": [], "barecpu": []}
    kinds = list(results)
    try:
        size = keep_first_screen(app, seeded)
        print(f"the app kept its first screen ({size / 1024:.0f} kB): every launch of the app paints it", flush=True)
        for kind in kinds:
            r = launch(kind, bins[kind], seeded)
            print(f"warm-up {kind:7}: ready {r['ready_ms']:7.0f} ms (not counted)", flush=True)
        for i in range(runs):
            order = kinds[i % len(kinds) :] + kinds[: i % len(kinds)]
            for kind in order:
                r = launch(kind, bins[kind], seeded)
                results[kind].append(r)
                parts = ", ".join(f"{n} {mib(p):.0f}" for n, p in sorted(r["each"], key=lambda e: -e[1]))
                print(
                    f"run {i + 1} {kind:7}: ready {r['ready_ms']:6.0f} ms (page load began at {r['load_ms']:5.0f} ms, script at {r['script_ms']:5.0f} ms), PSS {mib(r['pss']):6.1f} MiB, "
                    f"RSS {mib(r['rss']):6.1f} MiB ({len(r['each'])} processes, PSS MiB: {parts})",
                    flush=True,
                )
                if r["marks"]:
                    print("    marks (ms after spawn): " + ", ".join(f"{n} {t:.0f}" for n, t in r["marks"].items()))
                for line in r["stderr"][:5]:
                    print(f"    {kind} stderr: {line}")
    except Failure as e:
        print(f"measurement failed: {e}", file=sys.stderr)
        sys.exit(1)

    med = {
        kind: {key: statistics.median(r[key] for r in rs) for key in ("ready_ms", "load_ms", "pss", "rss")}
        for kind, rs in results.items()
    }
    print()
    print(f"medians of {runs} launches each:")
    print("| | ready (first data in the DOM) | of which: until the page began loading | PSS, all processes | RSS, all processes |")
    print("|---|---|---|---|---|")
    for kind, label in (
        ("app", "Ferry, History with 10,000 cached runs"),
        ("appfirst", "Ferry, the same at a first start (no first screen kept yet)"),
        ("bare", "bare Tauri window"),
        ("floor", "Fluent floor: the bare window with React, a FluentProvider and one line"),
        ("barecpu", "bare Tauri window with CPU rendering (what Ferry picks without a GPU)"),
    ):
        m = med[kind]
        print(f"| {label} | {m['ready_ms']:.0f} ms | {m['load_ms']:.0f} ms | {mib(m['pss']):.1f} MiB | {mib(m['rss']):.1f} MiB |")
    for kind, label in (("app", "Ferry: live (React's first commit replaced the painted screen)"),
                        ("appfirst", "Ferry at a first start: live (React's first commit)")):
        live = [r["marks"]["commit"] for r in results[kind] if "commit" in r["marks"]]
        if live:
            print(f"| {label} | {statistics.median(live):.0f} ms | | | |")
    keys = ("ready_ms", "load_ms", "pss", "rss")
    ratio = {key: med["app"][key] / med["bare"][key] for key in keys}
    floor = {key: med["floor"][key] / med["bare"][key] for key in keys}
    alike = {key: med["app"][key] / med["barecpu"][key] for key in keys}
    first = {key: med["appfirst"][key] / med["bare"][key] for key in keys}
    print(f"| **app / bare** | **{ratio['ready_ms']:.2f}×** | {ratio['load_ms']:.2f}× | **{ratio['pss']:.2f}×** | {ratio['rss']:.2f}× |")
    print(f"| Fluent floor / bare | {floor['ready_ms']:.2f}× | {floor['load_ms']:.2f}× | {floor['pss']:.2f}× | {floor['rss']:.2f}× |")
    print(f"| app / bare with CPU rendering | {alike['ready_ms']:.2f}× | {alike['load_ms']:.2f}× | {alike['pss']:.2f}× | {alike['rss']:.2f}× |")
    print(f"| app at a first start / bare | {first['ready_ms']:.2f}× | {first['load_ms']:.2f}× | {first['pss']:.2f}× | {first['rss']:.2f}× |")
    print()
    for key, label in (("ready_ms", "startup"), ("pss", "memory (PSS)")):
        verdict = "met" if ratio[key] <= GOAL else "missed"
        print(f"goal {label} <= {GOAL}x bare: {verdict} ({ratio[key]:.2f}x)")
    names = []
    for r in results["app"]:
        names += [n for n in r["marks"] if n not in names]
    if names:
        print()
        print("the app's startup marks, median ms after spawn (first call `>` and answer `<` of each command):")
        for n in names:
            times = [r["marks"][n] for r in results["app"] if n in r["marks"]]
            print(f"  {n:24} {statistics.median(times):6.0f} ms  ({len(times)} launches)")


if __name__ == "__main__":
    main()
