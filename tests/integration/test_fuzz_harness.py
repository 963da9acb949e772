"""The atheris harness in bench/fuzz runs clean for a bounded number of inputs (issue #9)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HARNESS = Path(__file__).parents[2] / "bench" / "fuzz" / "readers.py"


def test_the_coverage_guided_fuzzer_finds_nothing_in_a_short_run(tmp_path: Path) -> None:
    finished = subprocess.run(
        [sys.executable, str(HARNESS), "-runs=5000", "-seed=1", f"-artifact_prefix={tmp_path}/"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr[-3000:]
    assert "Done 5000 runs" in finished.stderr
