"""Rendering of documents: Jinja2 templates to text and HTML, HTML to PDF."""
