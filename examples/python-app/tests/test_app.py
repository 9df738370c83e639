"""Unit tests for the app, run through WSGI without a socket (python -m unittest)."""

import io
import json
import unittest
from wsgiref.util import setup_testing_defaults

import app


def call(path: str, query: str = "") -> tuple[str, str]:
    environ = {"PATH_INFO": path, "QUERY_STRING": query, "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}
    setup_testing_defaults(environ)
    seen = {}

    def start_response(status, headers, exc_info=None):
        seen["status"] = status

    body = b"".join(app.app(environ, start_response)).decode()
    return seen["status"], body


class AppTest(unittest.TestCase):
    def test_root_names_the_app(self):
        status, body = call("/")
        self.assertEqual(status, "200 OK")
        self.assertEqual(json.loads(body)["app"], app.APP_NAME)

    def test_root_echoes_the_nonce(self):
        status, body = call("/", "nonce=3f9a1c")
        self.assertEqual(status, "200 OK")
        self.assertEqual(json.loads(body)["nonce"], "3f9a1c")

    def test_root_leaves_out_an_absent_nonce(self):
        _, body = call("/")
        self.assertNotIn("nonce", json.loads(body))

    def test_healthz_answers_ok(self):
        self.assertEqual(call("/healthz"), ("200 OK", "ok\n"))

    def test_unknown_path_is_not_found(self):
        status, _ = call("/nope")
        self.assertTrue(status.startswith("404"))


if __name__ == "__main__":
    unittest.main()
