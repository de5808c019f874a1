"""Build time of the directory website: the shipped directory and a generated 2,000-pathway one.

Run ``python benchmarks/site.py`` (a few minutes on 2 cores) or ``--quick`` (shipped only).

For each directory, side by side on the same machine:

- ``render``: :func:`pathways.site.render_pages` + :func:`~pathways.site.render_files` in this
  process (load excluded), best of three: the cost of our pure page functions;
- ``site``: ``mkdocs build`` with our ``mkdocs.yml`` and hook (load, render, MkDocs, Material,
  mkdocstrings reference pages, search index), wall clock of a child process, best of
  ``--repeats`` runs interleaved with the peer's (the machine is shared);
- ``peer``: plain ``mkdocs build`` of exactly the same pages written out as files beforehand,
  with the same theme, extensions, plugins and nav but no hook: what MkDocs alone costs.

``site / peer`` is what the generated pages add over MkDocs itself; the goal is a site build under
60 s for 2,000 pathways.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.dumping import dump  # noqa: E402
from directory.loading import load  # noqa: E402
from directory.synthetic import synthetic_directory  # noqa: E402
from pathways.site import render_files, render_nav, render_pages  # noqa: E402

ENV = dict(os.environ, NO_MKDOCS_2_WARNING="1")


def mkdocs_build(config: Path, site: Path, env: dict[str, str]) -> float:
    """Wall-clock seconds of one ``mkdocs build --strict`` in a child process."""
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--strict",
            "-q",
            "-f",
            str(config),
            "-d",
            str(site),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    return time.perf_counter() - start


def peer_config(work: Path, directory, hand: list[str]) -> Path:
    """The same site as plain files: pages written out, our mkdocs.yml without the hook."""
    docs = work / "docs"
    shutil.copytree(ROOT / "docs", docs, ignore=shutil.ignore_patterns("hooks.py", "__pycache__"))
    for rel, text in render_pages(directory).items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_text(text, encoding="utf-8")
    for rel, data in render_files(directory).items():
        (docs / rel).parent.mkdir(parents=True, exist_ok=True)
        (docs / rel).write_bytes(data)
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    text = re.sub(r"\nhooks:\n(  - .*\n)+", "\n", text)
    text = text.replace("docs_dir: docs", f"docs_dir: {docs}")
    text = text.replace("paths: [.]", f"paths: [{ROOT}]")
    text += "\nnav: " + json.dumps(render_nav(directory, hand)) + "\n"
    config = work / "mkdocs.yml"
    config.write_text(text, encoding="utf-8")
    return config


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(name: str, directory, folder: Path | None, work: Path, repeats: int) -> dict[str, object]:
    pages = render_pages(directory)
    render = best_of(3, lambda: (render_pages(directory), render_files(directory)))
    env = dict(ENV)
    if folder is not None:
        env["PATHWAYS_DIRECTORY"] = str(folder)
    hand = [p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs").rglob("*.md")]
    peer_yml = peer_config(work / f"{name}-peer", directory, hand)
    sites, peers = [], []
    for _ in range(repeats):  # interleaved, best of each: the machine is shared
        sites.append(mkdocs_build(ROOT / "mkdocs.yml", work / f"{name}-site", env))
        peers.append(mkdocs_build(peer_yml, work / f"{name}-peer-site", ENV))
    site, peer = min(sites), min(peers)
    size = sum(f.stat().st_size for f in (work / f"{name}-site").rglob("*") if f.is_file())
    return {
        "directory": name,
        "agencies": len(directory.agencies),
        "pathways": len(directory.pathways),
        "pages": len(pages),
        "render_s": round(render, 2),
        "site_s": round(site, 1),
        "peer_s": round(peer, 1),
        "site/peer": round(site / peer, 2),
        "site_mb": round(size / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the shipped directory only")
    parser.add_argument("--pathways", type=int, default=2000, help="size of the generated one")
    parser.add_argument("--repeats", type=int, default=2, help="builds of each, best kept")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows.append(run("shipped", load(), None, work, args.repeats))
        if not args.quick:
            generated = synthetic_directory(args.pathways, n_districts=6, seed=0)
            folder = work / "generated"
            dump(generated, folder)
            rows.append(run(f"synthetic-{args.pathways}", load(folder), folder, work, args.repeats))
    load_avg = os.getloadavg()[0]
    print(f"load average (1 min) at the end: {load_avg:.1f} on {os.cpu_count()} cores")
    keys = list(rows[0])
    widths = [max(len(k), *(len(str(r[k])) for r in rows)) for k in keys]
    print("  ".join(k.rjust(w) for k, w in zip(keys, widths, strict=True)))
    for r in rows:
        print("  ".join(str(r[k]).rjust(w) for k, w in zip(keys, widths, strict=True)))


if __name__ == "__main__":
    main()
