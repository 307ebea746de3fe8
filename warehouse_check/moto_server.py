"""moto's AWS server (S3, Glue, Athena) on loopback, in this process, with the environment
that points every boto3 client at it. The adapters and the landing's Glue code reach it
through their normal boto3 paths (AWS_ENDPOINT_URL); nothing is patched to get there."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

REGION = "eu-west-1"


def _share_botocore_loader() -> None:
    """One botocore data loader for the process. dbt-athena opens a boto3 session per
    connection, and each new session reloads botocore's JSON service models: most of the
    offline run's time. The data is read-only, so sharing it changes nothing else."""
    import botocore.loaders
    import botocore.session

    shared = botocore.loaders.create_loader()

    def create_loader(search_path_string: str | None = None) -> Any:
        if search_path_string is None:
            return shared
        return botocore.loaders.create_loader(search_path_string)

    botocore.session.create_loader = create_loader


@contextmanager
def moto_server() -> Iterator[str]:
    """Run the server; yields its endpoint. Credentials are dummies for the emulator."""
    from moto.server import ThreadedMotoServer

    _share_botocore_loader()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = {k: os.environ.get(k) for k in ("AWS_PROFILE", "AWS_SESSION_TOKEN")}
    for name in saved:
        os.environ.pop(name, None)
    os.environ.update(
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="offline",
        AWS_SECRET_ACCESS_KEY="offline",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
    )
    try:
        yield endpoint
    finally:
        server.stop()
