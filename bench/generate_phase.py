"""Generate (or reuse) the benchmark data set in its own process: python -m bench.generate_phase OUT.json"""

from __future__ import annotations

import sys
import traceback

from bench.common import peak_mb, setup_django, write_result


def main(argv: list[str]) -> int:
    setup_django()  # the generator uses the overlay engine, which uses Django's translation machinery
    from bench.generate import ensure_data

    try:
        result = ensure_data()
        result["ok"] = True
    except Exception as exc:  # noqa: BLE001 — reported in the JSON
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()[-4000:]}
    result["peak_mb"] = peak_mb()
    write_result(argv[0], result)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
