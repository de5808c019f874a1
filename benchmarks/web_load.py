"""A bounded load test of ``pathways serve`` on 127.0.0.1, beside the same pages as static files.

Run ``python benchmarks/web_load.py`` (about two minutes; ``--quick`` for a shorter run).

1. ``pathways serve --workers W`` on the shipped directory with a fresh referrals ledger, and
   ``python -m http.server`` serving the very same ORUK pages written out as files;
2. ``--requests`` mixed requests from ``--concurrency`` clients (asyncio, httpx, one keep-alive
   connection each): directory reads (a page of services, one service, a page of services at
   locations, taxonomy terms), matches of made-up people (``matching.demand.synthetic_cohort``)
   and bookings of the plans (a booking follows its match), in a seeded order;
3. the same read requests against the static server;
4. afterwards: every status counted (any 5xx fails the run), and the ledger checked: no pathway
   has more places taken in a period than it holds (zero overbooking), the file's own counts
   agree with its referrals (``Ledger.check``);
5. in-process figures for the same work: ``Catalogue.services`` and ``Matcher.match``.

The client runs on the same machine as the servers: its own CPU use is in every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.loading import load
from directory.oruk.api import Catalogue, ServiceQuery
from matching.capacity import Ledger
from matching.cohort import assessment_from_record
from matching.demand import synthetic_cohort
from matching.match import Matcher
from pathways.web.auth import token_line

DAY = date(2026, 11, 23)
TOKEN = "load-test-token"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # bounded: 120 s
        if process.poll() is not None:
            raise SystemExit(f"server exited with {process.returncode}")
        try:
            if httpx.get(url).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def _people(n: int) -> list[dict[str, Any]]:
    d = load()
    towns = {t.district: t.name for t in d.towns}
    out = []
    for i, p in enumerate(synthetic_cohort(d, n, seed=7)):
        record: dict[str, Any] = {
            "reference": f"load-{i}",
            "needs": list(p.needs),
            "where": p.town or towns.get(p.district, p.district),
            "age": p.age,
            "travel_km": p.travel_km,
        }
        if p.gender:
            record["gender"] = p.gender
        out.append(record)
    return out


def _static_site(folder: Path, catalogue: Catalogue, reads: list[str]) -> dict[str, str]:
    """Write each read's answer as a file; returns the read path -> the file's path."""
    files: dict[str, str] = {}
    for n, path in enumerate(sorted(set(reads))):
        name = f"r{n}.json"
        if path.startswith("/services?"):
            page = int(path.split("page=")[1].split("&")[0])
            body = catalogue.services(ServiceQuery(), page=page, per_page=20)
        elif path.startswith("/service_at_locations?"):
            body = catalogue.service_at_locations(ServiceQuery(), page=1, per_page=50)
        elif path.startswith("/taxonomy_terms?"):
            body = catalogue.term_page(page=1, per_page=100)
        else:
            body = catalogue.service(path.rsplit("/", 1)[1])
        (folder / name).write_text(json.dumps(body))
        files[path] = f"/{name}"
    return files


async def _drive(
    url: str, jobs: list[tuple[str, Any]], concurrency: int, headers: dict[str, str]
) -> tuple[dict[str, list[float]], Counter[int], float]:
    latencies: dict[str, list[float]] = {"read": [], "match": [], "book": []}
    statuses: Counter[int] = Counter()
    queue: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=120) as http:
            while not queue.empty():
                kind, arg = queue.get_nowait()
                started = time.perf_counter()
                if kind == "read":
                    r = await http.get(arg)
                    latencies["read"].append(time.perf_counter() - started)
                    statuses[r.status_code] += 1
                    continue
                r = await http.post("/match", json=arg, params={"on": DAY.isoformat()})
                latencies["match"].append(time.perf_counter() - started)
                statuses[r.status_code] += 1
                if kind == "book" and r.status_code == 200:
                    started = time.perf_counter()
                    b = await http.post("/bookings", json=r.json(), params={"on": DAY.isoformat()})
                    latencies["book"].append(time.perf_counter() - started)
                    statuses[b.status_code] += 1

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(concurrency)))
    return latencies, statuses, time.perf_counter() - started


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f}"


def _row(name: str, values: list[float]) -> str:
    return f"| {name} | {len(values)} | {_ms(values, 0.5)} | {_ms(values, 0.99)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="600 requests")
    args = parser.parse_args()
    total = 600 if args.quick else args.requests
    rng = random.Random(11)
    d = load()
    catalogue = Catalogue(d)
    service_ids = list(catalogue.by_id)
    people = _people(max(50, total // 3))
    pages = max(1, -(-len(service_ids) // 20))
    reads = [
        rng.choice(
            [
                f"/services?page={rng.randint(1, pages)}&per_page=20",
                f"/services/{rng.choice(service_ids)}",
                "/service_at_locations?page=1&per_page=50",
                "/taxonomy_terms?page=1&per_page=100",
            ]
        )
        for _ in range(total)
    ]
    jobs: list[tuple[str, Any]] = []
    for i in range(total):
        roll = rng.random()
        if roll < 0.70:
            jobs.append(("read", reads[i]))
        elif roll < 0.93:
            jobs.append(("match", rng.choice(people)))
        else:
            jobs.append(("book", {**people[i % len(people)], "reference": f"book-{i}"}))

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "tokens.txt").write_text(token_line(TOKEN, "load", ["match", "book"]))
        ledger = folder / "ledger.sqlite"
        static = folder / "static"
        static.mkdir()
        files = _static_site(static, catalogue, reads)
        api_port, static_port = _port(), _port()
        exe = [sys.executable, "-c", "from pathways.cli import main; main()"]
        env = {**os.environ, "PATHWAYS_RATE": "1000000", "PATHWAYS_BURST": "1000000"}
        api = subprocess.Popen(
            [*exe, "serve", "--port", str(api_port), "--workers", str(args.workers),
             "--tokens", str(folder / "tokens.txt"), "--ledger", str(ledger)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
        )  # fmt: skip
        plain = subprocess.Popen(
            [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory",
             str(static), str(static_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            api_url = f"http://127.0.0.1:{api_port}"
            static_url = f"http://127.0.0.1:{static_port}"
            _wait(f"{api_url}/", api)
            _wait(f"{static_url}/{next(iter(files.values()))}", plain)
            auth = {"Authorization": f"Bearer {TOKEN}"}
            lat, statuses, seconds = asyncio.run(_drive(api_url, jobs, args.concurrency, auth))
            read_jobs = [("read", files[p]) for k, p in jobs if k == "read"]
            s_lat, s_statuses, s_seconds = asyncio.run(
                _drive(static_url, read_jobs, args.concurrency, {})
            )
            only_reads = [("read", p) for k, p in jobs if k == "read"]
            r_lat, r_statuses, r_seconds = asyncio.run(
                _drive(api_url, only_reads, args.concurrency, {})
            )
        finally:
            api.send_signal(signal.SIGINT)
            plain.send_signal(signal.SIGINT)
            api.wait(timeout=60)
            plain.wait(timeout=60)
        with Ledger(ledger, create=False) as book:
            book.check()
            over = 0
            for p in d.pathways:
                cap = p.capacity
                if cap is None or cap.places is None:
                    continue
                for period in {"2026-11", "2026-W48", "2026-Q4"}:
                    if book.booked(p.id, period) > cap.places:
                        over += 1
            referrals = sum(len(book.referrals(r)) for r in book.references())

    done = sum(statuses.values())
    errors = sum(n for s, n in statuses.items() if s >= 500)
    print(f"pathways serve --workers {args.workers}, {args.concurrency} clients, "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"mixed: {done} requests in {seconds:.1f} s = {done / seconds:.0f} requests/s; "
          f"statuses {dict(sorted(statuses.items()))}; 5xx: {errors}")  # fmt: skip
    print(f"bookings: {referrals} referrals in the ledger, {over} pathway-periods overbooked")
    print("\n| request | n | p50 ms | p99 ms |\n|---|---:|---:|---:|")
    for kind in ("read", "match", "book"):
        print(_row(f"{kind} (mixed run)", lat[kind]))
    print(_row("read only, pathways serve", r_lat["read"]))
    print(_row("read only, http.server static files", s_lat["read"]))
    print(f"\nreads only: pathways serve {len(r_lat['read']) / r_seconds:.0f}/s "
          f"(statuses {dict(r_statuses)}), static files {len(s_lat['read']) / s_seconds:.0f}/s "
          f"(statuses {dict(s_statuses)})")  # fmt: skip

    # in process: the same work without HTTP
    timings: list[float] = []
    for path in reads[:500]:
        started = time.perf_counter()
        if path.startswith("/services?"):
            catalogue.services(ServiceQuery(), page=1, per_page=20)
        elif path.startswith("/services/"):
            catalogue.service(path.rsplit("/", 1)[1])
        elif path.startswith("/service_at_locations"):
            catalogue.service_at_locations(ServiceQuery(), page=1, per_page=50)
        else:
            catalogue.term_page(page=1, per_page=100)
        timings.append(time.perf_counter() - started)
    matcher = Matcher(d)
    match_times: list[float] = []
    for person in people[:500]:
        started = time.perf_counter()
        matcher.match(assessment_from_record(matcher.assessor, person), on=DAY)
        match_times.append(time.perf_counter() - started)
    print(_row("in process: Catalogue read", timings))
    print(_row("in process: assessment + Matcher.match", match_times))
    print(f"median in-process read {statistics.median(timings) * 1e6:.0f} µs")
    if errors or over:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
