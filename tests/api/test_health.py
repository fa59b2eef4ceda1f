"""GET /healthz: 200 with a reachable store, 503 without."""

from __future__ import annotations

from pathlib import Path

import requests
from fastapi.testclient import TestClient

from cardfile.api.app import create_app
from cardfile.settings import Settings
from cardfile.store.db import create_store_engine
from tests.conftest import LiveServer


def test_healthy_store_answers_200(server: LiveServer) -> None:
    response = requests.get(f"{server.url}/healthz", timeout=10)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_unreachable_store_answers_503(tmp_path: Path) -> None:
    engine = create_store_engine("postgresql+psycopg://nobody@127.0.0.1:9/nothing")
    app = create_app(Settings(data_dir=tmp_path), engine=engine)
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
