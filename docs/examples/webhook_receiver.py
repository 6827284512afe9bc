"""A receiver of Facilis webhooks: verifies the signature, ignores repeats, prints events.

    FACILIS_WEBHOOK_SECRET=whsec_… python3 docs/examples/webhook_receiver.py [port]

Standard library only. A real receiver would queue the event for work and keep the seen
event ids in its database; the shape is the same.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SECRET = os.environ["FACILIS_WEBHOOK_SECRET"]
seen: set[str] = set()


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    parts = dict(item.split("=", 1) for item in header.split(",") if "=" in item)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    if abs(time.time() - timestamp) > tolerance:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, parts.get("v1", ""))


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if not verify(SECRET, self.headers.get("Facilis-Signature", ""), body):
            print("refused: bad signature", flush=True)
            self.send_response(400)
            self.end_headers()
            return
        self.send_response(204)  # answer first; do slow work afterwards
        self.end_headers()
        event = json.loads(body)
        if event["id"] in seen:
            return
        seen.add(event["id"])
        print(f"{event['type']} {event['id']} {json.dumps(event['data'], ensure_ascii=False)}", flush=True)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8765
    print(f"listening on {port}", flush=True)
    ThreadingHTTPServer(("127.0.0.1", port), Receiver).serve_forever()
