"""How far two labellings of the same items agree: the second read as predictions against the first.

    .venv/bin/python -m benchmarks.agreement [--reference FILE] [--other FILE] [--json]

By default it compares the dev set's labels with a second, blind labelling of the same 275 items
(`benchmarks/data/devset_labels_second_reader.jsonl`, see `benchmarks/data/README.md`): what two careful
readers applying the same guideline agree on is the most any matcher can be expected to reproduce.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from claimwatch.offline import format_report, read_labels
from matchers.evaluation import evaluate

DATA = Path(__file__).resolve().parent / "data"


def main(argv: Sequence[str] | None = None) -> None:
    """Print the agreement report of two label files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=Path, default=DATA / "devset_labels.jsonl")
    parser.add_argument("--other", type=Path, default=DATA / "devset_labels_second_reader.jsonl")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    args = parser.parse_args(argv)
    report = evaluate(read_labels(args.other), read_labels(args.reference))
    print(format_report(report, as_json=args.json))


if __name__ == "__main__":
    main()
