"""Matcher.match() now against an earlier commit's, side by side in this process.

Run ``python benchmarks/match_ab.py REV [--n N]``: takes the matcher's modules
(``matching/match.py``, ``candidates.py``, ``explain.py``, ``cover.py``, ``grouping.py``,
``gather.py``, ``kernels.py``, ``index.py``, those present) of git revision ``REV`` (the other
modules are today's) and, when ``REV`` had C extensions (``matching/_*.c``), builds them from
``REV``'s sources with this machine's compiler (``--no-c``: its Python fallbacks instead),
builds both matchers on the shipped directory and on the national synthetic directory (50,000
pathways, 400 districts), and times ``match()`` of each on the same people
(``benchmarks/match.py``'s ``people``), alternating one call of each, so load on the machine
hits both alike, and taking turns to go first (the second call on a person finds its data in the
caches). Prints CPU-time medians and 99th percentiles, their ratios, and how many plans differ
as JSON (a speed-up must leave every plan unchanged: 0). A third row per directory times only
people with a need left unmet (near misses are looked for then), a fourth only people who do not
accept phone or online support (every candidate travels: most of the national tail), each found
among ten times as many of the 1-4 needs mix.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from match import DAY, pct, people

from directory.loading import load
from directory.synthetic import synthetic_directory
from matching.match import Matcher

ROOT = Path(__file__).resolve().parent.parent


MATCHER = ("cover", "explain", "grouping", "gather", "kernels", "index", "candidates", "match")
EXTENSIONS = ("_kernels", "_cover", "_gather")
"""The matcher's own modules; those present at ``rev`` are taken from it (the rest of the
library is today's)."""


def build_extensions(rev: str, folder: Path) -> list[str]:
    """Build ``rev``'s C extensions into ``folder`` as top-level modules; their names."""
    src = folder / "src"
    src.mkdir()
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    built: list[str] = []
    for name in EXTENSIONS:
        if not (src / "matching" / f"{name}.c").exists():
            continue
        args = ["-ffp-contract=off", "-fno-fast-math"] if name == "_kernels" else []
        setup = (
            "from setuptools import Extension, setup; "
            f"setup(name='x', ext_modules=[Extension({name!r}, "
            f"[{str(src / 'matching' / (name + '.c'))!r}], extra_compile_args={args!r})], "
            "script_args=['build_ext', '--inplace'])"
        )
        subprocess.run([sys.executable, "-c", setup], cwd=folder, check=True, capture_output=True)
        built.append(name)
    return built


def earlier(rev: str, folder: Path, *, compiled: bool = True) -> ModuleType:
    """``matching/match.py`` of ``rev``, importing the other matcher modules of ``rev``."""
    built = build_extensions(rev, folder) if compiled else []
    present = []
    for name in MATCHER:
        shown = subprocess.run(
            ["git", "show", f"{rev}:matching/{name}.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if shown.returncode == 0:
            present.append((name, shown.stdout))
    names = [name for name, _ in present]
    for name, text in present:
        for other in names:
            text = text.replace(f"from matching.{other} import", f"from ab_{other} import")
        for ext in EXTENSIONS:  # built: top-level modules; not built: the fallbacks
            target = ext if ext in built else f"no_such_module{ext}"
            text = text.replace(f"from matching import {ext}", f"import {target} as {ext}")
            text = text.replace(f"from matching.{ext} import", f"from {target} import")
        (folder / f"ab_{name}.py").write_text(text)
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("ab_match", folder / "ab_match.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["ab_match"] = module
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("rev", help="the earlier git revision, e.g. HEAD~3")
    parser.add_argument("--n", type=int, default=1000, help="people per row (default 1000)")
    parser.add_argument("--no-c", action="store_true", help="REV's Python, its C not built")
    parser.add_argument("--rows", default="1-4,5-8,unmet,in person", help="rows to time")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        old = earlier(args.rev, Path(tmp), compiled=not args.no_c)
        print(f"Matcher.match(): {args.rev} against the working tree, {args.n} people a row")
        national = synthetic_directory(50_000, n_districts=400, seed=0)
        for label, d in (("shipped", load()), ("national", national)):
            before, after = old.Matcher(d), Matcher(d)
            for row in args.rows.split(","):
                wide = row in ("unmet", "in person")  # drawn from ten times as many
                cases = people(d, args.n * (10 if wide else 1), seed=1, heavy=row == "5-8")
                if row == "unmet":
                    cases = [a for a in cases if after.match(a, on=DAY).unmet][: args.n]
                    for a in cases:  # the same warm-up for the other
                        before.match(a, on=DAY)
                elif row == "in person":
                    cases = [a for a in cases if not a.accept_remote][: args.n]
                for a in cases[:50]:  # warm the per-person caches of both
                    before.match(a, on=DAY)
                    after.match(a, on=DAY)
                t_old: list[float] = []
                t_new: list[float] = []
                differ = 0
                for k, a in enumerate(cases):
                    # who goes first takes the person's data into the caches for the other
                    # (same code both sides measured 1.03-1.15x for the second): take turns
                    first, second = (before, after) if k % 2 == 0 else (after, before)
                    t0 = time.thread_time()
                    p_first = first.match(a, on=DAY)
                    t1 = time.thread_time()
                    p_second = second.match(a, on=DAY)
                    t2 = time.thread_time()
                    if first is before:
                        t_old.append((t1 - t0) * 1e6)
                        t_new.append((t2 - t1) * 1e6)
                    else:
                        t_new.append((t1 - t0) * 1e6)
                        t_old.append((t2 - t1) * 1e6)
                    differ += p_first.model_dump_json() != p_second.model_dump_json()
                m_old, m_new = statistics.median(t_old), statistics.median(t_new)
                name = f"{row} needs" if not wide else f"{row} ({len(cases)})"
                q_old, q_new = pct(t_old, 0.99), pct(t_new, 0.99)
                print(
                    f"  {label:<8} {name}: "
                    f"before median {m_old:6.0f} µs p99 {q_old:6.0f} µs | "
                    f"after median {m_new:6.0f} µs p99 {q_new:6.0f} µs | "
                    f"{m_old / m_new:.2f}x median, {q_old / q_new:.2f}x p99 | "
                    f"plans differing: {differ}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
