"""Opens one uploaded PDF in a process of its own; run by ``strategy.uploads.pdf_check``.

Reads the PDF from standard input and prints one line of JSON: ``{"pages": n}`` or
``{"error": "damaged" | "encrypted" | "limit"}``.

Why a process of its own: what parsing a PDF costs does not follow from its size. A 2 MB file
whose cross-reference stream inflates to 2 GB kept qpdf busy for 11 CPU seconds and 2 GB of
memory. This process therefore limits its own CPU time and memory before it reads anything;
a file that needs more is refused, and the web worker that waits for the answer spends
neither. The script imports only the standard library and pikepdf (it runs as
``python -I``, outside Django)."""

import io
import json
import resource
import sys


def _limit(*, cpu_seconds: int, memory_bytes: int) -> None:
    # Past the soft CPU limit the kernel sends SIGXCPU (which ends the process), past the hard
    # one SIGKILL. The address-space limit makes big allocations fail (MemoryError).
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def inspect(data: bytes) -> dict:
    """Open ``data`` strictly (no repair of a broken cross-reference table: repairing scans the
    whole file and is where damaged files get expensive) and count its pages."""
    import pikepdf

    try:
        with pikepdf.open(io.BytesIO(data), attempt_recovery=False) as pdf:
            if pdf.is_encrypted:
                return {"error": "encrypted"}
            return {"pages": len(pdf.pages)}
    except pikepdf.PasswordError:
        return {"error": "encrypted"}
    except MemoryError:
        return {"error": "limit"}
    except Exception:  # noqa: BLE001 - every other failure means the file is not a usable PDF
        return {"error": "damaged"}


def main() -> None:
    _limit(cpu_seconds=int(sys.argv[1]), memory_bytes=int(sys.argv[2]))
    result = inspect(sys.stdin.buffer.read())
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
