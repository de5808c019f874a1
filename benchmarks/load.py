"""Loading + validating a directory folder, against plain PyYAML on the same files.

Run ``python benchmarks/load.py`` (about a minute) or ``python benchmarks/load.py --quick``.

Peers, in the same process on the same files:
- ``yaml.safe_load`` with libyaml (CSafeLoader): parsing only, positions thrown away;
- ``yaml.safe_load`` pure Python (SafeLoader): what a naive loader would use;
- ours: parse keeping every position, validate every record with pydantic, run the cross-record
  rules, and build the immutable Directory.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.dumping import dump
from directory.loading import default_path, read_directory
from directory.synthetic import synthetic_directory


def _files(root: Path) -> list[Path]:
    return [
        root / "needs.yaml",
        root / "localities.yaml",
        *sorted((root / "agencies").glob("*.yaml")),
    ]


def _time(func: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        out.append(time.perf_counter() - started)
    return out


def bench(name: str, root: Path, repeat: int) -> None:
    files = _files(root)
    texts = [f.read_text(encoding="utf-8") for f in files]

    def ours() -> None:
        directory, report = read_directory(root)
        assert directory is not None, report.errors[:3]

    rows = {
        "ours (positions + pydantic + rules)": _time(ours, repeat),
        "yaml.safe_load, libyaml": _time(
            lambda: [yaml.load(t, Loader=yaml.CSafeLoader) for t in texts], repeat
        ),
        "yaml.safe_load, pure Python": _time(
            lambda: [yaml.load(t, Loader=yaml.SafeLoader) for t in texts], max(1, repeat // 2)
        ),
    }
    base = statistics.median(rows["ours (positions + pydantic + rules)"])
    size = sum(len(t) for t in texts)
    print(f"\n{name}: {len(files)} files, {size / 1e6:.2f} MB")
    print(f"  {'loader':38} {'median s':>9} {'ours / this':>12}")
    for label, times in rows.items():
        med = statistics.median(times)
        print(f"  {label:38} {med:9.3f} {base / med:12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 2,000 pathways")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    bench("shipped directory", default_path(), repeat * 3)
    n = 2_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "synthetic"
        dump(synthetic_directory(n, n_districts=6, seed=1), root)
        bench(f"generated directory, {n:,} pathways", root, repeat)


if __name__ == "__main__":
    main()
