"""Re-running extraction and NLP over stored articles, without fetching anything.

After the actor registry, the topics or the extraction code change, the stored pages of a date window are
extracted again from their compressed HTML and annotated again; each batch's articles have their text,
sketch, mentions, topics, quotes and relevance replaced in one transaction, so an article is never left
half-updated. Near-duplicate links (`duplicate_of`) are kept as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pipeline import dedup, store
from pipeline.domain import Domain, load_domain
from pipeline.extract import (
    MIN_TEXT_CHARS,
    decompress_html,
    page_markup,
    run_trafilatura,
)
from pipeline.nlp import Annotator, registry_rows
from pipeline.settings import Settings


@dataclass(frozen=True)
class ReprocessResult:
    run_id: str
    articles: int
    texts_changed: int


def reextract(fetched_url: str, extraction: str, text: str, html: bytes | None) -> str:
    """The article's text extracted again from its stored page; the stored text when that gives less."""
    if extraction != "trafilatura" or html is None:
        return text  # a feed summary stands in for a page that gave nothing: keep it
    document = run_trafilatura(page_markup(decompress_html(html)), fetched_url)
    fresh = (document.text or "").strip() if document is not None else ""
    return fresh if len(fresh) >= MIN_TEXT_CHARS else text


def reprocess_window(
    db_path: Path,
    settings: Settings,
    start: date,
    end: date,
    sources: tuple[str, ...] = (),
    domain: Domain | None = None,
    progress=None,
) -> ReprocessResult:
    domain = domain or load_domain()
    store.prepare(db_path, settings.relevance_threshold)
    annotator = Annotator(domain, settings.spacy_model, settings.nlp_batch_size, relevance_threshold=settings.relevance_threshold)

    def start_run(w: store.Writer) -> str:
        with w.transaction():
            w.sync_actors(registry_rows(domain.actors))
            return w.start_run("reprocess")

    run_id = store.write(db_path, start_run)
    with store.writer(db_path) as w:
        ids = w.window_articles(start, end, sources)
    changed = done = 0
    size = max(1, settings.batch_size)
    status = "failed"
    try:
        for i in range(0, len(ids), size):
            with store.writer(db_path) as w:
                pages = w.stored_pages(ids[i : i + size])
                days = w.article_days(ids[i : i + size])
            texts = {aid: reextract(url, how, text, html) for aid, url, how, text, html in pages}
            old = {aid: text for aid, _url, _how, text, _html in pages}
            new_texts = [(aid, t, dedup.sketch(t)) for aid, t in texts.items() if t != old[aid]]
            enrichments = annotator.annotate([(aid, text, days.get(aid)) for aid, text in texts.items()])

            def rewrite(w: store.Writer) -> None:
                with w.transaction():
                    w.replace_texts(new_texts)
                    w.replace_enrichments(list(enrichments.values()))

            store.write(db_path, rewrite)
            changed += len(new_texts)
            done += len(pages)
            if progress:
                progress(done, len(ids))
        status = "completed"
    finally:
        store.write(db_path, lambda w: w.finish_run(run_id, status, {},
                                                   detail=f"reprocessed {done} articles from {start} to {end}"))
    return ReprocessResult(run_id=run_id, articles=done, texts_changed=changed)
