"""Extraction through the whole pipeline loses nothing against trafilatura called directly (bench/extraction.py)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("bench_extraction", ROOT / "bench" / "extraction.py")
bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(bench)


@pytest.mark.skipif(not bench.DEFAULT_CORPUS.is_dir(), reason=f"corpus not found at {bench.DEFAULT_CORPUS}")
def test_pipeline_text_scores_within_0_02_of_trafilatura_direct(tmp_path):
    result = bench.run(bench.DEFAULT_CORPUS, tmp_path)
    assert result["pages"] == result["stored"] == 181
    assert result["direct_token_f1"] > 0.9  # the library works as published on this set
    assert abs(result["direct_token_f1"] - result["pipeline_token_f1"]) <= 0.02


def test_token_f1_scores_what_it_should():
    assert bench.token_f1("the Taliban met envoys", "the Taliban met envoys") == 1.0
    assert bench.token_f1("the Taliban met envoys", "cookie banner") == 0.0
    assert bench.token_f1("a b c d", "a b") == pytest.approx(2 * 1.0 * 0.5 / 1.5)
