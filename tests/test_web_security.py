"""Who may do what, and what is never kept: each refusal of pathways.web proved on a real server.

Tokens (401 without or with an unknown one, 403 without the role), plain HTTP from a client that
is not loopback (403, seen through a trusted proxy's X-Forwarded-* headers), request size (413,
declared or streamed), rate (429 with Retry-After), CORS closed by default, ``no-store`` on
everything personal, and ``pathways serve`` itself: its access log carries paths, never a body
or a query string.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from directory.loading import load
from pathways.cli import main
from pathways.web import WebSettings, create_app
from pathways.web.auth import TokenStore, digest, token_line
from tests.web_server import running

warnings.filterwarnings("ignore", category=DeprecationWarning)

TOKENS = TokenStore.parse(
    token_line("secret-all", "case-system", ["match", "book", "capacity"])
    + token_line("secret-match", "finder", ["match"])
)
ALL = {"Authorization": "Bearer secret-all"}
PERSON = {"reference": "EX-SECRET-77", "needs": ["gambling", "debt"], "where": "Wisbech", "age": 34}
FREE = WebSettings(rate=1e6, burst=1_000_000)


@pytest.fixture(scope="module")
def directory() -> object:
    return load()


@pytest.fixture(scope="module")
def http(directory: object) -> Iterator[httpx.Client]:
    app = create_app(directory, tokens=TOKENS, settings=FREE)  # type: ignore[arg-type]
    with running(app) as url, httpx.Client(base_url=url) as client:
        yield client


# =================================================================================== tokens
def test_match_needs_a_known_token(http: httpx.Client) -> None:
    none = http.post("/match", json=PERSON)
    assert none.status_code == 401
    assert none.headers["www-authenticate"] == "Bearer"
    wrong = http.post("/match", json=PERSON, headers={"Authorization": "Bearer secret-alL"})
    assert wrong.status_code == 401
    basic = http.post("/match", json=PERSON, headers={"Authorization": "Basic c2VjcmV0LWFsbA=="})
    assert basic.status_code == 401
    assert http.post("/match", json=PERSON, headers=ALL).status_code == 200


def test_a_token_does_only_what_its_roles_allow(http: httpx.Client) -> None:
    finder = {"Authorization": "Bearer secret-match"}
    assert http.post("/match", json=PERSON, headers=finder).status_code == 200
    refused = http.get("/capacity", headers=finder)
    assert refused.status_code == 403
    assert "capacity" in refused.json()["message"]
    assert http.get("/capacity", headers=ALL).status_code == 200


def test_the_directory_is_public(http: httpx.Client) -> None:
    for path in ["/", "/services", "/taxonomies", "/openapi.json"]:
        assert http.get(path).status_code == 200


def test_tokens_are_kept_hashed(tmp_path: Path) -> None:
    file = tmp_path / "tokens.txt"
    runner = CliRunner()
    added = runner.invoke(
        main,
        ["token", "add", "case-system", "--role", "match", "--role", "book", "--tokens", str(file)],
    )
    assert added.exit_code == 0, added.output
    token = added.stdout.strip()
    text = file.read_text()
    assert token not in text
    assert digest(token) in text
    identity = TokenStore.load(file).identify(token)
    assert identity is not None
    assert identity.roles == {"match", "book"}
    again = runner.invoke(
        main, ["token", "add", "case-system", "--role", "match", "--tokens", str(file)]
    )
    assert again.exit_code == 2  # a second token of that name: usage error
    bad = runner.invoke(main, ["token", "add", "x", "--role", "admin", "--tokens", str(file)])
    assert bad.exit_code == 2
    listed = runner.invoke(main, ["token", "list", "--tokens", str(file)])
    assert listed.stdout.split() == ["case-system"]
    file.write_text("not a digest line\n")
    with pytest.raises(Exception, match=r"tokens.txt:1"):
        TokenStore.load(file)


# ============================================================================= plain HTTP
def test_plain_http_from_afar_is_refused_for_personal_paths(directory: object) -> None:
    """Behind a proxy the server trusts (127.0.0.1 here), a client's address and scheme come
    from X-Forwarded-For and X-Forwarded-Proto: a remote client over plain HTTP may read the
    directory but not send an assessment or a token."""
    app = create_app(directory, tokens=TOKENS, settings=FREE)  # type: ignore[arg-type]
    trusted = {"proxy_headers": True, "forwarded_allow_ips": "127.0.0.1"}
    with running(app, **trusted) as url, httpx.Client(base_url=url) as http:
        plain = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "http"}
        tls = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
        refused = http.post("/match", json=PERSON, headers={**ALL, **plain})
        assert refused.status_code == 403
        assert refused.json()["error"] == "https-required"
        assert http.get("/services", headers=plain).status_code == 200
        assert http.get("/services", headers={**ALL, **plain}).status_code == 403
        assert http.get("/capacity", headers={**ALL, **plain}).status_code == 403
        assert http.post("/match", json=PERSON, headers={**ALL, **tls}).status_code == 200
        local = {"X-Forwarded-For": "127.0.0.1", "X-Forwarded-Proto": "http"}
        assert http.post("/match", json=PERSON, headers={**ALL, **local}).status_code == 200


# =============================================================================== caching
def test_personal_answers_are_never_cached(http: httpx.Client) -> None:
    assert http.post("/match", json=PERSON, headers=ALL).headers["cache-control"] == "no-store"
    assert http.post("/match", json={}, headers=ALL).headers["cache-control"] == "no-store"
    assert http.get("/capacity", headers=ALL).headers["cache-control"] == "no-store"
    assert http.post("/match", json=PERSON).headers["cache-control"] == "no-store"
    assert http.get("/services").headers["cache-control"].startswith("public")


# ========================================================================== request size
def test_bodies_over_the_limit_are_refused(directory: object) -> None:
    small = WebSettings(rate=1e6, burst=1_000_000, max_body=2_000)
    app = create_app(directory, tokens=TOKENS, settings=small)  # type: ignore[arg-type]
    padded = {**PERSON, "reference": "R" * 100, "offence": "x" * 3_000}
    with running(app) as url, httpx.Client(base_url=url) as http:
        declared = http.post("/match", json=padded, headers=ALL)
        assert declared.status_code == 413
        assert declared.json()["error"] == "too-large"

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(10):
                yield b" " * 500

        streamed = http.post(
            "/match", content=chunks(), headers={**ALL, "content-type": "application/json"}
        )
        assert streamed.status_code == 413
        assert http.post("/match", json=PERSON, headers=ALL).status_code == 200


# ============================================================================ rate limit
def test_a_client_past_its_rate_waits(directory: object) -> None:
    slow = WebSettings(rate=0.01, burst=3)  # 3 at once, then one per 100 s
    app = create_app(directory, tokens=TOKENS, settings=slow)  # type: ignore[arg-type]
    with running(app) as url, httpx.Client(base_url=url) as http:
        statuses = [http.get("/services").status_code for _ in range(4)]
        assert statuses == [200, 200, 200, 429]
        limited = http.get("/services")
        assert limited.json()["error"] == "rate-limited"
        assert int(limited.headers["retry-after"]) >= 1
        # another client (a token is a client of its own) still has its burst
        assert http.get("/capacity", headers=ALL).status_code == 200


# ================================================================================== CORS
def test_cors_is_closed_by_default(http: httpx.Client) -> None:
    origin = {"Origin": "https://elsewhere.example"}
    assert "access-control-allow-origin" not in http.get("/services", headers=origin).headers
    preflight = http.options("/match", headers={**origin, "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code >= 400


def test_cors_opens_to_the_origins_named(directory: object) -> None:
    named = WebSettings(rate=1e6, burst=1_000_000, cors_origins=("https://hub.example",))
    app = create_app(directory, tokens=TOKENS, settings=named)  # type: ignore[arg-type]
    with running(app) as url, httpx.Client(base_url=url) as http:
        ok = http.get("/services", headers={"Origin": "https://hub.example"})
        assert ok.headers["access-control-allow-origin"] == "https://hub.example"
        other = http.get("/services", headers={"Origin": "https://elsewhere.example"})
        assert "access-control-allow-origin" not in other.headers


# ================================================================ pathways serve, its log
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_logs_paths_never_assessments(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.txt"
    tokens.write_text(token_line("secret-all", "case-system", ["match", "capacity"]))
    port = _free_port()
    command = [
        sys.executable,  # the command as installed, without relying on the scripts folder
        "-c",
        "from pathways.cli import main; main()",
        "serve",
        "--port",
        str(port),
        "--tokens",
        str(tokens),
        "--ledger",
        str(tmp_path / "ledger.sqlite"),
    ]
    log = tmp_path / "server.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=os.environ)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(300):  # bounded: 60 s at most
            try:
                if httpx.get(f"{url}/").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            raise AssertionError(log.read_text())
        with httpx.Client(base_url=url) as http:
            assert http.post("/match", json=PERSON, headers=ALL).status_code == 200
            bad = {**PERSON, "needs": ["zzqqxx"], "age": 9}
            assert http.post("/match", json=bad, headers=ALL).status_code == 422
            got = http.get("/capacity", params={"need": "gambling"}, headers=ALL)
            assert got.status_code == 200
            assert got.headers.get("server") is None
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    text = log.read_text()
    assert '"POST /match" 200' in text
    assert '"POST /match" 422' in text
    assert '"GET /capacity" 200' in text
    for secret in ["EX-SECRET-77", "gambling", "Wisbech", "debt", "secret-all", "?need"]:
        assert secret not in text, f"{secret!r} in the server's log"


def test_tokens_from_the_environment(tmp_path: Path) -> None:
    from pathways.web.serve import tokens_from_env

    lines = (
        token_line("env-one", "a", ["match"]).strip() + ";" + token_line("env-two", "b", ["book"])
    )
    store = tokens_from_env({"PATHWAYS_TOKENS": lines})
    assert store is not None
    assert store.identify("env-two") is not None
    assert store.identify("env-two").roles == {"book"}  # type: ignore[union-attr]
    file = tmp_path / "t.txt"
    file.write_text(token_line("from-file", "c", ["capacity"]))
    chosen = tokens_from_env({"PATHWAYS_TOKENS_FILE": str(file), "PATHWAYS_TOKENS": lines})
    assert chosen is not None
    assert chosen.names() == ("c",)  # the file wins
    assert tokens_from_env({}) is None
