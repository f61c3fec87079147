"""Reading fetched bytes as text when the declared character set may be wrong.

Feeds and pages often say one encoding and are in another: Windows-1252 text (curly quotes, accented
letters) declared or defaulted as UTF-8, a UTF-8 page whose server still says ISO-8859-1, a paragraph
pasted from a Windows editor into an otherwise UTF-8 page. The parsers guess per document and get such
mixed documents wrong for every character (feedparser falls back to ISO-8859-2 for the whole feed,
trafilatura ignores declarations and guesses, or replaces what does not decode with U+FFFD). `decode`
decides per byte where it has to, so no character is lost. In order:

1. a byte-order mark decides (UTF-8, UTF-16, UTF-32);
2. bytes that are valid UTF-8 and not plain ASCII are UTF-8, whatever was declared (text in a
   single-byte encoding is almost never valid UTF-8 by chance);
3. a declared encoding other than UTF-8 that decodes the bytes is used (ISO-8859-1 and US-ASCII read
   as Windows-1252, as browsers do);
4. otherwise, with UTF-8 declared (or implied: XML's default), UTF-8, with each byte that is not part
   of a valid UTF-8 sequence read as Windows-1252;
5. otherwise (nothing usable declared) `None`: the parser's own detection decides.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_BOMS = (  # UTF-32 LE first: its BOM starts with UTF-16 LE's
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_AS_WINDOWS_1252 = {"latin-1", "iso8859-1", "ascii"}  # WHATWG: these labels mean windows-1252
_META_CHARSET = re.compile(rb"""<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_FALLBACK = "newsmon.windows-1252"


def _windows_1252(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("cp1252", "replace"), error.end


codecs.register_error(_FALLBACK, _windows_1252)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # the codec used; "utf-8+cp1252" for UTF-8 with Windows-1252 bytes among it
    note: str | None = None  # set when the declaration was not followed


def codec_name(label: str | None) -> str | None:
    """Python's name for an encoding label ("UTF8" -> "utf-8"), None when unknown or absent."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None


def html_declared(body: bytes) -> str | None:
    """The charset a page's <meta> declares, if any (in its first 8 KB)."""
    match = _META_CHARSET.search(body[:8192])
    return match.group(1).decode("ascii") if match else None


def xml_declared(body: bytes) -> str | None:
    """The encoding an XML declaration states, if any."""
    match = _XML_ENCODING.match(body[:1024])
    return match.group(1).decode("ascii") if match else None


def decode(body: bytes, declared: str | None, default: str | None = None) -> Decoded | None:
    """The text of `body` by the rules in the module docstring; `declared` is the label given (HTTP
    header or in-document), `default` the encoding implied when none is usable ("utf-8" for XML)."""
    for bom, codec in _BOMS:
        if body.startswith(bom):
            try:
                return Decoded(body.decode(codec), codec)
            except UnicodeDecodeError:
                break
    codec = codec_name(declared) or codec_name(default)
    said = declared or "nothing"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and (codec in (None, "utf-8") or not text.isascii()):
        note = None if codec in (None, "utf-8") else f"declared {said} but is UTF-8"
        return Decoded(text, "utf-8", note)
    if codec not in (None, "utf-8"):
        candidates = ["cp1252", codec] if codec in _AS_WINDOWS_1252 else [codec]
        for candidate in candidates:
            try:
                text = body.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
            as_declared = body.decode(codec, "replace")  # differs when Windows-1252 stood in for the label
            note = None if text == as_declared else f"declared {said} but has Windows-1252 characters"
            return Decoded(text, candidate, note)
    if codec is None:
        return None
    text = body.decode("utf-8", _FALLBACK)
    return Decoded(text, "utf-8+cp1252", f"declared {said} but is not all UTF-8: other bytes read as Windows-1252")
