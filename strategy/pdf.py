"""Making PDFs with WeasyPrint, the same way for every document of the portal.

Only the worker calls this (documents are never rendered inside a web request). The renderer
reads nothing from the network: fonts and styles ship in the repository, images come from the
media folder, and the URL fetcher refuses everything else. The output is a tagged PDF/UA-1
(structure tree, language, title, bookmarks from the headings, all fonts embedded)."""

import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings

logger = logging.getLogger(__name__)

FONTS_DIR = Path(settings.BASE_DIR, "coesfeld_strategy", "fonts")
CHART_CSS = Path(settings.BASE_DIR, "workshops", "pdf", "charts-svg.css")
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class LocalFileFetcher:
    """Builds WeasyPrint's URL fetcher that reads ``data:`` URLs and files below the given
    folders, and nothing else: no network, no file outside those folders (symbolic links and
    ``..`` are resolved before the check)."""

    def __init__(self, roots: list[Path]):
        self.roots = [Path(root).resolve() for root in roots]
        self.fetched: list[str] = []

    def allows(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return True
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return False
        path = Path(url2pathname(unquote(parts.path))).resolve()
        return any(path.is_relative_to(root) for root in self.roots)

    def build(self):
        from weasyprint.urls import URLFetcher

        outer = self

        class _Fetcher(URLFetcher):
            def fetch(self, url, headers=None):
                if not outer.allows(url):
                    logger.warning("PDF renderer refused to fetch %s", url[:200])
                    raise ValueError(f"URL not allowed in PDFs: {url[:200]}")
                outer.fetched.append(url if not url.startswith("data:") else "data:")
                return super().fetch(url, headers)

        return _Fetcher(allowed_protocols=("file", "data"), timeout=5)


def pdf_fetcher(*style_dirs: Path) -> LocalFileFetcher:
    """The fetcher for a document: shipped fonts, the document's style folders, the chart
    styles and uploaded media."""
    return LocalFileFetcher([FONTS_DIR, CHART_CSS.parent, *style_dirs, Path(settings.MEDIA_ROOT)])


def style_svg_charts(document, extra_css: tuple[Path, ...] = ()) -> None:
    """Give each inline SVG its stylesheet.

    WeasyPrint styles inline SVG only from ``<style>`` elements inside the SVG, not from the
    page's CSS; the shared chart templates rely on the page's classes, so the chart rules (and
    a document's own SVG rules, ``extra_css``) are added to every ``<svg>`` of the parsed
    document."""
    from xml.etree import ElementTree

    svg = "{http://www.w3.org/2000/svg}"
    css = "\n".join(path.read_text(encoding="utf-8") for path in (CHART_CSS, *extra_css))
    for element in document.etree_element.iter(f"{svg}svg"):
        style = ElementTree.Element(f"{svg}style")
        style.text = css
        element.insert(0, style)


def html_to_pdf(
    html: str,
    *,
    base_dir: Path,
    fetcher: LocalFileFetcher | None = None,
    on_laid_out=lambda pages: None,
    svg_css: tuple[Path, ...] = (),
) -> tuple[bytes, int]:
    """Render ``html`` as a tagged PDF/UA-1. Returns ``(pdf, pages)``.

    ``base_dir`` is the document's style folder (relative URLs resolve there);
    ``on_laid_out`` is called with the page count between layout and writing (for progress);
    ``svg_css`` are further stylesheets for the inline SVGs (see ``style_svg_charts``)."""
    from weasyprint import HTML

    fetcher = fetcher or pdf_fetcher(base_dir)
    document = HTML(string=html, base_url=base_dir.as_uri() + "/", url_fetcher=fetcher.build())
    style_svg_charts(document, svg_css)
    rendered = document.render(**PDF_OPTIONS)
    on_laid_out(len(rendered.pages))
    return rendered.write_pdf(**PDF_OPTIONS), len(rendered.pages)
