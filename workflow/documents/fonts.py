"""Chinese fonts as fontconfig finds them now: PDFs and charts are refused without one.

A host without a Chinese font would give a PDF or a chart whose Chinese is missing (blank boxes
or nothing): the refusal names the package to install instead. The fonts are looked up through
fontconfig, as WeasyPrint finds them, with a fresh configuration each time (so FONTCONFIG_FILE
and the like are honoured as they are now).
"""

from __future__ import annotations

import ctypes
import ctypes.util

from workflow.core.errors import Refused
from workflow.core.i18n import _

CJK_PACKAGE = "fonts-noto-cjk"
"""The Debian package of the fonts the letters' CSS and the charts name (Noto Sans/Serif CJK)."""
MATCHED = 0
"""FcResultMatch: FcPatternGetString found the value asked for."""


class NoCjkFont(Refused):
    """No Chinese font on this host: a PDF or a chart would have no Chinese in it."""


class _FontSet(ctypes.Structure):
    _fields_ = (
        ("nfont", ctypes.c_int),
        ("sfont", ctypes.c_int),
        ("fonts", ctypes.POINTER(ctypes.c_void_p)),
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
    library.FcPatternGetString.argtypes = (
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_char_p),
    )
    for destroy in ("FcFontSetDestroy", "FcObjectSetDestroy", "FcPatternDestroy"):
        getattr(library, destroy).argtypes = (ctypes.c_void_p,)
    library.FcConfigDestroy.argtypes = (ctypes.c_void_p,)
    return library


def chinese_families() -> list[str]:
    """The families of the fonts covering Chinese that fontconfig finds now (`fc-list
    :lang=zh family`), sorted; none without fontconfig."""
    fc = _fontconfig()
    if fc is None:
        return []
    config = fc.FcInitLoadConfigAndFonts()
    pattern = fc.FcNameParse(b":lang=zh")
    objects = fc.FcObjectSetBuild(b"family", None)
    fonts = fc.FcFontList(config, pattern, objects)
    families: set[str] = set()
    try:
        for i in range(fonts.contents.nfont if fonts else 0):
            value = ctypes.c_char_p()
            found = fc.FcPatternGetString(fonts.contents.fonts[i], b"family", 0, value)
            if found == MATCHED and value.value:
                families.add(value.value.decode("utf-8", "replace"))
    finally:
        if fonts:
            fc.FcFontSetDestroy(fonts)
        fc.FcObjectSetDestroy(objects)
        fc.FcPatternDestroy(pattern)
        if config:
            fc.FcConfigDestroy(config)
    return sorted(families)


def require_chinese_fonts(what: str) -> list[str]:
    """The Chinese font families found; NoCjkFont, naming the package, when there are none.

    `what` names what cannot be made (a translated message such as "无法生成PDF").
    """
    families = chinese_families()
    if not families:
        raise NoCjkFont(
            _(
                "{what}：本机没有可用的中文字体，生成的文件中将没有中文。"
                "请安装字体包{package}（Debian/Ubuntu：apt-get install {package}）后重试"
            ).format(what=what, package=CJK_PACKAGE)
        )
    return families
