"""Every room of an organisation, page by page, through the Facilis GraphQL API.

    FACILIS_URL=http://h1.localhost:8000 FACILIS_API_KEY=fk_… python3 docs/examples/graphql_client.py

Standard library only. Shows the three things every client needs: paging with cursors,
waiting `Retry-After` on 429, and switching on `extensions.code` rather than messages.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

ROOMS = """
query Rooms($after: String) {
  rooms(first: 100, after: $after, sort: CODE_ASC) {
    pageInfo { hasNextPage endCursor }
    edges { node { id code name kind floor { code building { code } } } }
  }
}
"""


class ApiError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code


def call(url: str, key: str, query: str, variables: dict | None = None) -> dict:
    """POST one query; the `data` of the answer, or ApiError with the first error's code."""
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    parts = urlsplit(url)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    endpoint = f"{url.rstrip('/')}/graphql/"
    if parts.hostname and parts.hostname.endswith(".localhost"):
        # *.localhost is this machine (RFC 6761); browsers and curl know, Python's resolver may not.
        headers["Host"] = parts.netloc
        endpoint = endpoint.replace(parts.hostname, "127.0.0.1", 1)
    while True:
        request = urllib.request.Request(endpoint, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = json.load(response)
        except urllib.error.HTTPError as exc:
            if exc.code == 429:  # the key's rate: wait as long as we are told, then go on
                time.sleep(int(exc.headers.get("Retry-After", "1")))
                continue
            answer = json.load(exc)
        if answer.get("errors"):
            first = answer["errors"][0]
            raise ApiError(first.get("extensions", {}).get("code", "UNKNOWN"), first["message"])
        return answer["data"]


def all_rooms(url: str, key: str):
    after = None
    while True:
        page = call(url, key, ROOMS, {"after": after})["rooms"]
        for edge in page["edges"]:
            yield edge["node"]
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


def main() -> int:
    url, key = os.environ["FACILIS_URL"], os.environ["FACILIS_API_KEY"]
    count = 0
    try:
        for room in all_rooms(url, key):
            floor = room["floor"]
            print(
                f"{floor['building']['code']}-{floor['code']}-{room['code']} {room['name']} ({room['kind']})"
            )
            count += 1
    except ApiError as exc:
        if exc.code == "UNAUTHENTICATED":
            print("The key is unknown here, revoked or expired.", file=sys.stderr)
        else:
            print(f"The API refused: {exc}", file=sys.stderr)
        return 1
    print(f"{count} rooms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
