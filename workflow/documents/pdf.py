"""HTML to PDF through WeasyPrint: A4, CJK fonts checked present, nothing fetched from outside.

A host without a Chinese font would give a PDF whose Chinese is missing, and it would be mailed
as if it were the letter: rendering is refused instead (workflow.documents.fonts). The
document's own resources are embedded (charts as data: URIs); any other URL (http, https,
file, …) is refused, so rendering never reaches the network.
"""

from __future__ import annotations

from typing import Any

from workflow.core.i18n import _
from workflow.documents.fonts import require_chinese_fonts


def embedded_only(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """WeasyPrint's URL fetcher for data: URIs only; anything else is refused, unfetched."""
    if not url.startswith("data:"):
        raise ValueError(f"ipflow fetches nothing from outside the document: {url[:80]}")
    from weasyprint import default_url_fetcher

    fetched: dict[str, Any] = default_url_fetcher(url, *args, **kwargs)
    return fetched


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document; its own CSS sets the page (A4) and the CJK fonts."""
    require_chinese_fonts(_("无法生成PDF"))
    from weasyprint import HTML

    pdf: bytes = HTML(string=html, url_fetcher=embedded_only).write_pdf()
    return pdf
