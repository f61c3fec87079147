"""The bundled sample news site: a deterministic, generated static site of three fictional
outlets (synthetic articles about Afghanistan diplomacy, August to December 2021, plus one real
report included verbatim), with feeds, sitemaps and failure fixtures, and a local server for it.
Used by `newsmon demo` and by the tests.

    from newsmon.sample_site import serve_generated_site, sources_toml
    with serve_generated_site(tmp_path) as site:
        sources = sources_toml(site.manifest)   # also written to tmp_path / "sources.toml"

Names are imported lazily, so that `python -m newsmon.sample_site.generate` runs cleanly.
"""

from importlib import import_module

_EXPORTS = {
    "DEFAULT_SEED": "generate",
    "generate_site": "generate",
    "FailureFixture": "manifest",
    "ManifestArticle": "manifest",
    "ManifestFeed": "manifest",
    "ManifestOutlet": "manifest",
    "ManifestSitemap": "manifest",
    "SiteManifest": "manifest",
    "sources_toml": "manifest",
    "LoggedRequest": "server",
    "SiteServer": "server",
    "serve_generated_site": "server",
    "serve_site": "server",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(import_module(f"newsmon.sample_site.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
