"""Load on one hub: N learners' servers started at once, each running one notebook's check.

    PYTHONPATH=widgets python benchmarks/classroom_load.py [--learners 10] [--json FILE]

A throwaway hub (classroom/testhub.py: classroom/jupyterhub_config.py, dummy logins, local
process spawner) serves a course of 00-start-here and 01-core-concepts. Every learner logs in
and starts their server at the same moment; learner k then solves exercise k mod 5 of table 01
through the contents API and runs the check in a kernel on their server. Reported: seconds until
every server was ready and until every check was done, the resident memory (psutil RSS, peak
while running) of each learner's server process and of each kernel, and whether every learner's
record holds exactly their own solved exercise and the teacher dashboard agrees. Exits 1 when
anything was lost or mixed up.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import psutil

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = "01-core-concepts.ipynb"
MIB = 1024**2


def _testhub():
    spec = importlib.util.spec_from_file_location("jxs_testhub", ROOT / "classroom" / "testhub.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class MemorySampler(threading.Thread):
    """Peak RSS of each learner's server process and of each kernel under it, every 0.5 s."""

    def __init__(self, homes: dict[str, Path]):
        super().__init__(daemon=True)
        self.homes = {str(h): name for name, h in homes.items()}
        self.server_peak: dict[str, int] = {}
        # pid -> (kind, peak): "learner" kernels run under the server (the one the learner
        # opened); "check" kernels under the progress command (the notebook being checked)
        self.kernel_peak: dict[int, tuple[str, int]] = {}
        self.tree_peak: dict[str, int] = {}  # the server and everything under it, at once
        self.halt = threading.Event()

    def _servers(self):
        for proc in psutil.process_iter(["cmdline", "cwd"]):
            cmd = " ".join(proc.info["cmdline"] or [])
            if "jupyterhub-singleuser" in cmd and proc.info["cwd"] in self.homes:
                yield self.homes[proc.info["cwd"]], proc

    def sample(self) -> None:
        for name, server in self._servers():
            try:
                rss = server.memory_info().rss
                self.server_peak[name] = max(self.server_peak.get(name, 0), rss)
                tree = rss
                for child in server.children(recursive=True):
                    child_rss = child.memory_info().rss
                    tree += child_rss
                    if "ipykernel" in " ".join(child.cmdline()):
                        kind = "learner" if child.ppid() == server.pid else "check"
                        old = self.kernel_peak.get(child.pid, (kind, 0))[1]
                        self.kernel_peak[child.pid] = (kind, max(old, child_rss))
                self.tree_peak[name] = max(self.tree_peak.get(name, 0), tree)
            except psutil.Error:
                continue

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(0.5)


def _solve(user, course: Path, k: int) -> str:
    """Learner ``user`` solves exercise k mod n of the notebook; its id."""
    from jaxscope._workspace import find_exercises

    source = nbformat.read(course / NOTEBOOK, as_version=4)
    exercises = find_exercises(source)
    ex = exercises[k % len(exercises)]
    mine = user.contents(f"workspace/{NOTEBOOK}")["content"]
    mine["cells"][ex.solution_cell]["source"] = source.cells[ex.solution_cell].source
    user.put_notebook(f"workspace/{NOTEBOOK}", mine)
    return ex.exercise_id


def run(n_learners: int) -> dict:
    testhub = _testhub()
    learners = [f"learner{k:02d}" for k in range(n_learners)]
    with tempfile.TemporaryDirectory(prefix="jaxscope-load-") as tmp:
        folder = Path(tmp)
        course = folder / "course"
        course.mkdir()
        for name in ("00-start-here.ipynb", NOTEBOOK):
            shutil.copy(ROOT / "notebooks" / name, course)
        hub = testhub.LocalHub(folder, course, ["teacher"], learners)
        with hub:
            users = {name: hub.login(name) for name in ["teacher", *learners]}
            sampler = MemorySampler({n: hub.home(n) for n in learners})
            sampler.start()
            t0 = time.monotonic()
            with ThreadPoolExecutor(n_learners) as pool:
                spawn = list(pool.map(lambda n: users[n].start(timeout=600), learners))
            all_ready = time.monotonic() - t0
            sampler.sample()
            idle_server = dict(sampler.server_peak)
            solved = {n: _solve(users[n], course, k) for k, n in enumerate(learners)}
            t1 = time.monotonic()
            code = testhub.check_code("~/workspace", NOTEBOOK.removesuffix(".ipynb"))
            with ThreadPoolExecutor(n_learners) as pool:
                list(pool.map(lambda n: users[n].execute(code, timeout=1200), learners))
            all_checked = time.monotonic() - t1
            sampler.halt.set()
            sampler.join()
            problems = []
            for name in learners:
                text = users[name].contents("workspace/jaxscope-progress.json")["content"]
                rec = json.loads(text)
                passed = sorted(e["id"] for e in rec["exercises"] if e["status"] == "passed")
                if passed != [solved[name]]:
                    problems.append(f"{name}: solved {solved[name]}, record says {passed}")
            page = users["teacher"].page("/services/jaxscope-dashboard/progress.csv").text
            rows = {r["learner"]: r for r in csv.DictReader(io.StringIO(page))}
            for name in learners:
                if rows.get(name, {}).get("passed") != "1":
                    problems.append(f"{name}: the dashboard shows {rows.get(name)}")

    def kernels(kind: str) -> dict:
        peaks = [rss for k, rss in sampler.kernel_peak.values() if k == kind]
        return {
            "count": len(peaks),
            "median": round(statistics.median(peaks) / MIB, 1) if peaks else None,
            "max": round(max(peaks) / MIB, 1) if peaks else None,
        }

    servers = list(sampler.server_peak.values())
    return {
        "learners": n_learners,
        "cpus": psutil.cpu_count(),
        "seconds_to_all_ready": round(all_ready, 1),
        "spawn_seconds": {"min": round(min(spawn), 1), "max": round(max(spawn), 1)},
        "seconds_to_all_checked": round(all_checked, 1),
        "server_rss_mib_after_start": round(statistics.median(idle_server.values()) / MIB, 1),
        "server_rss_mib_peak": {
            "median": round(statistics.median(servers) / MIB, 1),
            "max": round(max(servers) / MIB, 1),
        },
        "learner_total_rss_mib_peak": {
            "median": round(statistics.median(sampler.tree_peak.values()) / MIB, 1),
            "max": round(max(sampler.tree_peak.values()) / MIB, 1),
        },
        "learner_kernel_rss_mib_peak": kernels("learner"),
        "check_kernel_rss_mib_peak": kernels("check"),
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=10)
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.learners < 1:
        parser.error("--learners must be at least 1")
    result = run(args.learners)
    text = json.dumps(result, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    return 1 if result["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
