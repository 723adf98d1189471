"""HTML to PDF through WeasyPrint (A4, Noto CJK fonts from the system)."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """The PDF of an HTML document; its own CSS sets the page (A4) and the CJK fonts."""
    from weasyprint import HTML

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
