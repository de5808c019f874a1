"""Open Referral UK export and import, against pydantic's own JSON round trip of the same data.

Run ``python benchmarks/oruk.py`` (a few minutes on a shared 2-core machine) or
``python benchmarks/oruk.py --quick``.

Peers, in the same process on the same directory:
- export: ``json.dumps(directory.model_dump(mode="json"))``, the floor of turning the snapshot
  into JSON; ours builds the ORUK services Page (ids, terms, service areas, locations, embedded
  organizations, the extension) and encodes it;
- import: ``Directory.model_validate_json`` of that dump, the floor of building a validated
  snapshot from JSON; ours decodes the services Page, maps terms, areas and locations through the
  base's taxonomy and gazetteer, validates every record and runs the cross-record rules;
- validation: ``jsonschema`` (Draft 2020-12, formats checked) of every exported service against
  the standard's compiled/service.json: what a consumer pays to check our export.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from directory.loading import load
from directory.models import Directory
from directory.oruk import export_services, export_tables, import_oruk
from directory.synthetic import synthetic_directory

SCHEMA = Path(__file__).resolve().parents[1] / "tests" / "data" / "oruk-3.0" / "compiled"


def _time(func: Callable[[], object], repeat: int) -> float:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        out.append(time.perf_counter() - started)
    return statistics.median(out)


def bench(name: str, directory: Directory, repeat: int, *, schema: bool) -> None:
    text = json.dumps(export_services(directory), ensure_ascii=False)
    plain = json.dumps(directory.model_dump(mode="json"))

    def ours_import() -> None:
        back, report = import_oruk(json.loads(text), base=directory)
        assert back is not None, report.errors[:3]

    rows: list[tuple[str, float]] = [
        (
            "export: services Page + json.dumps",
            _time(lambda: json.dumps(export_services(directory), ensure_ascii=False), repeat),
        ),
        (
            "  peer: model_dump + json.dumps",
            _time(lambda: json.dumps(directory.model_dump(mode="json")), repeat),
        ),
        ("export: tabular package (19 CSV)", _time(lambda: export_tables(directory), repeat)),
        ("import: json.loads + import_oruk", _time(ours_import, repeat)),
        (
            "  peer: Directory.model_validate_json",
            _time(lambda: Directory.model_validate_json(plain), repeat),
        ),
    ]
    if schema:
        from jsonschema import Draft202012Validator

        validator = Draft202012Validator(
            json.loads((SCHEMA / "service.json").read_text()),
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )
        contents = json.loads(text)["contents"]

        def validate() -> None:
            for service in contents:
                for error in validator.iter_errors(service):
                    raise AssertionError(error.message)

        rows.append(("  peer: jsonschema of every service", _time(validate, max(1, repeat // 2))))
    base = {"export": rows[0][1], "import": rows[3][1]}
    print(
        f"\n{name}: {len(directory.agencies):,} agencies, {len(directory.pathways):,} pathways; "
        f"services Page {len(text) / 1e6:.1f} MB, plain dump {len(plain) / 1e6:.1f} MB"
    )
    print(f"  {'step':40} {'median s':>9} {'ours / this':>12}")
    for label, seconds in rows:
        ours = base["import"] if "import" in label or "model_validate" in label else base["export"]
        ratio = f"{ours / seconds:12.2f}" if label.startswith("  peer") else ""
        print(f"  {label:40} {seconds:9.3f} {ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, 2,000 pathways")
    args = parser.parse_args()
    repeat = 3 if args.quick else 7
    bench("shipped directory", load(), repeat * 3, schema=True)
    n = 2_000 if args.quick else 10_000
    bench(
        f"generated directory, {n:,} pathways",
        synthetic_directory(n, n_districts=6, seed=0),
        repeat,
        schema=True,
    )


if __name__ == "__main__":
    main()
