"""Fixtures for the book tests: one build of the real site per session, and a local web server for it."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from book_site import BookBuild, build_book  # tests/book/book_site.py


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> BookBuild:
    """The real site, built once for the session."""
    build = build_book(tmp_path_factory.mktemp("book") / "html")
    print(f"\nbook built in {build.seconds:.1f} s")
    return build


@pytest.fixture(scope="session")
def built_book(book) -> Path:
    """The built site's folder. Sphinx keeps going past warnings, so the pages exist even when the
    build fails; whether it built clean is test_book_builds_with_warnings_as_errors' business."""
    assert (book.outdir / "book" / "index.html").is_file(), "the book produced no pages:\n" + book.output[-3000:]
    return book.outdir


@pytest.fixture(scope="session")
def site_url(built_book) -> str:
    """The built site served on 127.0.0.1 (a thread running http.server) for the browser tests."""
    handler = functools.partial(_QuietHandler, directory=str(built_book))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="book-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest output readable
        pass
