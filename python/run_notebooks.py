"""Executes every notebook in notebooks/ top to bottom in a fresh kernel, as a reader would on a
fresh machine, and prints the time each took. Fails when a notebook is stored with outputs or
when any cell raises.

    python python/run_notebooks.py [NOTEBOOK ...] [--timeout SECONDS]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def stored_outputs(nb: nbformat.NotebookNode) -> list:
    """Indices of code cells that carry outputs or execution counts."""
    return [
        i
        for i, c in enumerate(nb.cells)
        if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)
    ]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("notebooks", nargs="*", type=Path)
    ap.add_argument("--timeout", type=int, default=600, help="per cell, seconds")
    args = ap.parse_args()
    paths = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    if not paths:
        print("no notebooks found", file=sys.stderr)
        return 1
    failed = []
    total = 0.0
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        dirty = stored_outputs(nb)
        if dirty:
            print(f"{path.name}: stored with outputs in cells {dirty}; clear them", file=sys.stderr)
            failed.append(path.name)
            continue
        client = NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        t0 = time.perf_counter()
        try:
            client.execute()
        except Exception as e:  # the cell's traceback is in the message
            failed.append(path.name)
            print(f"{path.name}: FAILED after {time.perf_counter() - t0:.1f} s\n{e}", file=sys.stderr)
            continue
        dt = time.perf_counter() - t0
        total += dt
        images = sum(
            1
            for c in nb.cells
            if c.cell_type == "code"
            for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})
        )
        print(f"{path.name}: {dt:.1f} s, {len(nb.cells)} cells, {images} figures")
    print(f"notebooks: {len(paths) - len(failed)} passed, {len(failed)} failed ({total:.1f} s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
