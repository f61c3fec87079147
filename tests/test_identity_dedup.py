"""Canonical URLs, article ids and near-duplicate sketches."""

from __future__ import annotations

from pipeline import dedup
from pipeline.identity import article_id, canonical_url

BODY = " ".join(
    f"Sentence {i} of the wire report says the envoys met in Doha to discuss aid, recognition and security."
    for i in range(40)
)


def test_tracking_parameters_fragments_and_case_do_not_make_a_new_article():
    base = "http://127.0.0.1:8765/kabul-ledger/2021/10/talks.html"
    variants = [
        base,
        base + "?utm_source=rss&utm_medium=feed&utm_campaign=afghanistan",
        base + "#comments",
        base.replace("http://127.0.0.1", "HTTP://127.0.0.1") + "?fbclid=abc&gclid=1",
    ]
    assert {canonical_url(v) for v in variants} == {base}
    assert len({article_id(canonical_url(v)) for v in variants}) == 1


def test_meaningful_query_parameters_are_kept_and_ordered():
    a = canonical_url("https://example.org/story?id=5&page=2&utm_source=x")
    b = canonical_url("https://example.org/story?page=2&id=5")
    assert a == b == "https://example.org/story?id=5&page=2"
    assert article_id(a) != article_id(canonical_url("https://example.org/story?id=6&page=2"))


def test_article_id_is_a_fixed_function_of_the_canonical_url():
    # ids must never change between versions, or re-runs would store articles twice
    assert article_id("https://example.org/a") == "b5b10dd0429e69ac7cfa"


def test_syndicated_copy_with_new_headline_and_credit_is_a_near_duplicate():
    original = "KABUL, Oct 12 (Gulf Wire Service) - " + BODY + " (Reporting by Gulf Wire Service; editing by A. Editor)"
    copy = "Envoys meet in Doha. " + BODY + " Frontier Post Daily with agencies."
    similarity = dedup.similarity(dedup.sketch(original), dedup.sketch(copy))
    assert similarity >= 0.8
    assert set(dedup.band_keys(dedup.sketch(original))) & set(dedup.band_keys(dedup.sketch(copy)))


def test_different_stories_are_not_near_duplicates():
    other = " ".join(
        f"Paragraph {i}: the cricket board announced a new schedule for the winter series at the stadium."
        for i in range(40)
    )
    assert dedup.similarity(dedup.sketch(BODY), dedup.sketch(other)) < 0.2


def test_empty_text_has_no_sketch():
    assert dedup.sketch("") == ()
    assert dedup.band_keys(()) == []
