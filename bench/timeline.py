"""Where the cores and the memory go during a `newsmon run`: per second, the CPU (in cores) and the RSS (MiB)
of the flow's process, Prefect's temporary server and the extraction and NLP workers, on a generated
corpus served from 127.0.0.1.

A core that sits idle shows up as a second whose total is well under the number of cores: the start of a
run (Prefect's start-up, the feeds) and its end (the last write, the full-text index) are where to look.

    .venv/bin/python bench/timeline.py [--n 2000] [--every 1.0]

Linux only (CPU times from /proc).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpus import serve_corpus  # noqa: E402
from bench.throughput import ENV, _children, _kb  # noqa: E402

ROLES = ("flow", "server", "worker", "other")


def role(pid: int, root: int) -> str:
    if pid == root:
        return "flow"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "other"
    if b"spawn_main" in command:
        return "worker"
    if b"uvicorn" in command or b"prefect" in command:
        return "server"
    return "other"


def cpu_seconds(pid: int) -> float | None:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between samples")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="newsmon-timeline-") as tmp:
        work = Path(tmp)
        server, corpus = serve_corpus(work / "site", args.n)
        with server:
            env = {**os.environ, **ENV, "PYTHONPATH": str(ROOT)}
            command = [sys.executable, "-m", "newsmon", "run", "--db", str(work / "n.duckdb"),
                       "--sources", str(corpus.sources_file)]
            process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            started, last = time.monotonic(), {}
            previous = started
            print("seconds  " + "  ".join(f"{r:>6}" for r in ROLES) + "   (cores in use)  "
                  + "  ".join(f"{r:>6}" for r in ROLES) + "   (RSS, MiB)")
            while process.poll() is None:
                tree, todo, pids = _children(), [process.pid], []
                while todo:
                    pid = todo.pop()
                    pids.append(pid)
                    todo += tree.get(pid, [])
                used, rss = dict.fromkeys(ROLES, 0.0), dict.fromkeys(ROLES, 0)
                for pid in pids:
                    now, kind = cpu_seconds(pid), role(pid, process.pid)
                    if now is not None:
                        used[kind] += now - last.get(pid, 0.0)  # a new process: all of its CPU
                        last[pid] = now
                        rss[kind] += _kb(f"/proc/{pid}/status", "VmRSS:") // 1024
                moment = time.monotonic()
                span, previous = max(moment - previous, 1e-6), moment
                print(f"{moment - started:7.1f}  " + "  ".join(f"{used[r] / span:6.2f}" for r in ROLES) + " " * 18
                      + "  ".join(f"{rss[r]:6d}" for r in ROLES), flush=True)
                time.sleep(args.every)
    return process.returncode


if __name__ == "__main__":
    raise SystemExit(main())
