import http.server
import signal
import sys

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        nonce = self.path.split("nonce=")[-1]
        body = ('{"app": "py-greeter", "nonce": "%s"}' % nonce).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)


http.server.HTTPServer(("0.0.0.0", 8000), Echo).serve_forever()
