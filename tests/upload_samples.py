"""Files for the upload tests (and ``scripts/probe_uploads.py``): real PDFs and the attacks an
outside probe used against the portal's uploads."""

import functools
import io
import os
import struct
import zlib


def pdf_bytes(pages: int = 1) -> bytes:
    """A real PDF with ``pages`` blank pages (made with pikepdf)."""
    import pikepdf

    pdf = pikepdf.new()
    for _ in range(pages):
        pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


def encrypted_pdf_bytes(*, user_password: str = "") -> bytes:
    """A real one-page PDF, encrypted (with or without a password to open it)."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page()
    buffer = io.BytesIO()
    pdf.save(buffer, encryption=pikepdf.Encryption(user=user_password, owner="geheim"))
    return buffer.getvalue()


def polyglot_html() -> bytes:
    """An HTML page with the PDF marker in its first kilobyte: the old check took it for a PDF,
    and ``/media/`` served it as text/html (its script ran)."""
    return (
        b"<!-- %PDF-1.7 -->\n<html><body><script>document.title = 'pwned'</script></body></html>\n"
    )


def polyglot_html_at_start() -> bytes:
    """The same page starting with the PDF header itself."""
    return b"%PDF-1.7\n<html><body><script>document.title = 'pwned'</script></body></html>\n"


def marker_exe() -> bytes:
    """A Windows program header with the PDF marker in its first kilobyte."""
    return b"MZ\x90\x00" + b"\x00" * 60 + b"PE\x00\x00" + b"%PDF-1.7\n" + os.urandom(2048)


def deflated_zeros(megabytes: int) -> bytes:
    """A zlib stream of ``megabytes`` MB of zero bytes, about 1,000 times smaller, made in no
    time: one fully flushed 1 MB block repeats byte for byte (the flush resets the window);
    the checksum of n zeros is known (Adler-32: a = 1, b = n mod 65521)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(b"\x00" * (1 << 20)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final = compressor.flush(zlib.Z_FINISH)
    adler = (((megabytes << 20) % 65521) << 16) | 1
    return b"\x78\xda" + block * megabytes + final + struct.pack(">I", adler)


def xref_stream_bomb(megabytes: int = 2000) -> bytes:
    """A 2 MB PDF whose cross-reference stream inflates to ``megabytes`` MB: opened in the web
    worker, it cost qpdf 11 CPU seconds and 2 GB of memory."""
    data = deflated_zeros(megabytes)
    head = (
        b"%PDF-1.7\n1 0 obj\n<</Type/Catalog/Pages 2 0 R>>\nendobj\n"
        b"2 0 obj\n<</Type/Pages/Kids[3 0 R]/Count 1>>\nendobj\n"
        b"3 0 obj\n<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>\nendobj\n"
    )
    xref = (
        b"4 0 obj\n<</Type/XRef/Size %d/W[1 1 1]/Root 1 0 R/Filter/FlateDecode/Length %d>>\n"
        b"stream\n" % ((megabytes << 20) // 3, len(data))
    )
    return head + xref + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % len(head)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


@functools.cache
def png_bomb(side: int = 6320) -> bytes:
    """A real, complete PNG of side×side white RGBA pixels: about 160 KB that decode to
    160 MB. Uploaded as a photo, it cost the web worker 495 MB."""
    row = b"\x00" + b"\xff" * (4 * side)
    compressor = zlib.compressobj(9)
    raw = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", raw)
        + _png_chunk(b"IEND", b"")
    )


def jpeg_of(width: int, height: int, *, progressive: bool = False) -> bytes:
    """A real JPEG of one colour (small file, many pixels)."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (240, 240, 240)).save(
        buffer, "JPEG", quality=50, progressive=progressive
    )
    return buffer.getvalue()
