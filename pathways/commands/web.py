"""``pathways serve`` (the web service, docs/web.md) and ``pathways token`` (who may use it).

::

    pathways token add case-system --role match --role book --tokens tokens.txt
    pathways serve --ledger referrals.sqlite --tokens tokens.txt --port 8080 --workers 4
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from directory.errors import PathwaysError
from pathways.cli import EXIT_DATA, dir_option, load_or_exit

__all__ = ["serve", "token"]

_TOKENS = click.option(
    "--tokens",
    "tokens_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PATHWAYS_TOKENS_FILE",
    default=None,
    help="Token file (digests, names, roles; env PATHWAYS_TOKENS_FILE).",
)


@click.command("serve")
@dir_option
@click.option(
    "--ledger",
    "ledger_path",
    type=click.Path(dir_okay=False, path_type=Path),
    envvar="PATHWAYS_LEDGER",
    default=None,
    help="Referrals ledger (created when missing): plans count places booked and POST "
    "/bookings books into it (env PATHWAYS_LEDGER).",
)
@_TOKENS
@click.option(
    "--demand",
    "demand_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    default=None,
    help="Counts table (CSV: district, need, period, count) whose gaps GET /gaps publishes.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--forwarded-allow-ips",
    default=None,
    help="Addresses of a TLS proxy whose X-Forwarded-Proto and X-Forwarded-For are trusted "
    "(comma-separated).",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="Requests per second per client (default 20).",
)
@click.option(
    "--burst",
    type=click.IntRange(min=1),
    default=None,
    help="Burst of requests per client (default 100).",
)
@click.option("--cors", "cors", multiple=True, help="A browser origin allowed (repeatable).")
def serve(
    directory_path: Path | None,
    ledger_path: Path | None,
    tokens_path: Path | None,
    demand_path: Path | None,
    host: str,
    port: int,
    workers: int,
    forwarded_allow_ips: str | None,
    rate: float | None,
    burst: int | None,
    cors: tuple[str, ...],
) -> None:
    """Serve the Open Referral UK API, matching and booking over HTTP (docs/web.md)."""
    try:
        import uvicorn

        from pathways.web.serve import app_from_env, log_config, tokens_from_env
    except ImportError as err:
        raise click.UsageError(
            f"the web service needs its extra: pip install 'cambs-diversion-pathways[web]' ({err})"
        ) from None

    load_or_exit(directory_path)  # every problem of a broken directory before listening
    env = {
        "PATHWAYS_DIRECTORY": str(directory_path.resolve()) if directory_path else "",
        "PATHWAYS_LEDGER": str(ledger_path.resolve()) if ledger_path else "",
        "PATHWAYS_TOKENS_FILE": str(tokens_path.resolve()) if tokens_path else "",
        "PATHWAYS_DEMAND": str(demand_path.resolve()) if demand_path else "",
        "PATHWAYS_RATE": "" if rate is None else str(rate),
        "PATHWAYS_BURST": "" if burst is None else str(burst),
        "PATHWAYS_CORS": ",".join(cors),
    }
    os.environ.update({k: v for k, v in env.items() if v})
    try:
        tokens = tokens_from_env(os.environ)
        app_from_env()  # any configuration error now, once, not in every worker
    except PathwaysError as err:
        click.echo(f"error: {err}", err=True)
        raise SystemExit(EXIT_DATA) from None
    if tokens is None:
        click.echo(
            "warning: no tokens (--tokens or PATHWAYS_TOKENS): only the public directory "
            "can be used",
            err=True,
        )
    uvicorn.run(
        "pathways.web.serve:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,
        proxy_headers=forwarded_allow_ips is not None,
        forwarded_allow_ips=forwarded_allow_ips,
        log_config=log_config(),
        server_header=False,
    )


@click.group("token")
def token() -> None:
    """Bearer tokens of the web service: add one, list them (digests only are kept)."""


@token.command("add")
@click.argument("name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice(["match", "book", "capacity"]),
    help="A role of the token (repeatable).",
)
@_TOKENS
def token_add(name: str, roles: tuple[str, ...], tokens_path: Path | None) -> None:
    """Make a token for NAME, append its digest to the token file, print the token once."""
    from pathways.web.auth import add_token

    if tokens_path is None:
        raise click.UsageError("give --tokens FILE (or PATHWAYS_TOKENS_FILE)")
    try:
        secret = add_token(tokens_path, name, roles)
    except PathwaysError as err:
        raise click.UsageError(str(err)) from None
    click.echo(secret)
    click.echo(
        f"token for {name} ({', '.join(sorted(set(roles)))}) added to {tokens_path}; "
        "it is shown only now",
        err=True,
    )


@token.command("list")
@_TOKENS
def token_list(tokens_path: Path | None) -> None:
    """The names of the tokens in the token file (never the tokens: only digests are kept)."""
    from pathways.web.auth import TokenStore

    if tokens_path is None:
        raise click.UsageError("give --tokens FILE (or PATHWAYS_TOKENS_FILE)")
    try:
        store = TokenStore.load(tokens_path)
    except PathwaysError as err:
        raise click.UsageError(str(err)) from None
    for name in store.names():
        click.echo(name)
