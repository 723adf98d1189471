"""HTML to PDF through WeasyPrint: A4, CJK fonts checked present, nothing fetched from outside.

A host without a Chinese font would give a PDF whose Chinese is missing (blank boxes or
nothing), and it would be mailed as if it were the letter: rendering is refused instead, and
the refusal names the package to install. The fonts are counted as WeasyPrint will find them,
through fontconfig (a fresh configuration each time, so FONTCONFIG_FILE and the like are
honoured as they are now). The document's own resources are embedded (charts as data: URIs);
any other URL (http, https, file, …) is refused, so rendering never reaches the network.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from workflow.core.errors import Refused
from workflow.core.i18n import _

CJK_PACKAGE = "fonts-noto-cjk"
"""The Debian package of the fonts the letters' CSS names (Noto Serif/Sans CJK SC)."""


class NoCjkFont(Refused):
    """No Chinese font on this host: a PDF would have no Chinese in it."""


class _FontSet(ctypes.Structure):
    _fields_ = (
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.c_void_p),
    )


def _fontconfig() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("fontconfig") or "libfontconfig.so.1"
    try:
        library = ctypes.CDLL(name)
    except OSError:
        return None
    library.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    library.FcNameParse.restype = ctypes.c_void_p
    library.FcNameParse.argtypes = (ctypes.c_char_p,)
    library.FcObjectSetBuild.restype = ctypes.c_void_p
    library.FcFontList.restype = ctypes.POINTER(_FontSet)
    library.FcFontList.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    for destroy in ("FcFontSetDestroy", "FcObjectSetDestroy", "FcPatternDestroy"):
        getattr(library, destroy).argtypes = (ctypes.c_void_p,)
    library.FcConfigDestroy.argtypes = (ctypes.c_void_p,)
    return library


def chinese_fonts() -> int:
    """How many fonts covering Chinese fontconfig finds now (`fc-list :lang=zh`); 0 without
    fontconfig."""
    fc = _fontconfig()
    if fc is None:
        return 0
    config = fc.FcInitLoadConfigAndFonts()
    pattern = fc.FcNameParse(b":lang=zh")
    objects = fc.FcObjectSetBuild(b"family", None)
    fonts = fc.FcFontList(config, pattern, objects)
    try:
        return fonts.contents.nfont if fonts else 0
    finally:
        if fonts:
            fc.FcFontSetDestroy(fonts)
        fc.FcObjectSetDestroy(objects)
        fc.FcPatternDestroy(pattern)
        if config:
            fc.FcConfigDestroy(config)


def require_chinese_fonts() -> None:
    """Refuse (NoCjkFont, naming the package to install) when no font covers Chinese."""
    if not chinese_fonts():
        raise NoCjkFont(
            _(
                "无法生成PDF：本机没有可用的中文字体，生成的PDF中将没有中文。"
                "请安装字体包{package}（Debian/Ubuntu：apt-get install {package}）后重试"
            ).format(package=CJK_PACKAGE)
        )


def embedded_only(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher for data: URIs only; anything else is refused, unfetched."""
    if not url.startswith("data:"):
        raise ValueError(f"ipflow fetches nothing from outside the document: {url[:80]}")
    from weasyprint import default_url_fetcher

    fetched: dict[str, Any] = default_url_fetcher(url, *args, **kwargs)
    return fetched


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document; its own CSS sets the page (A4) and the CJK fonts."""
    require_chinese_fonts()
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, url_fetcher=embedded_only).write_pdf()
    return pdf
