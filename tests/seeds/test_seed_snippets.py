"""Seed 000, Cycle's "Synchronise your customer data": every client snippet it documents, run
unchanged against a live Cardfile.

The snippets are stored verbatim under ``tests/seeds/snippets/`` beside a copy of the seed.
The seed's text lost its indentation (which Python needs), so the files restore it; a test
checks that each file's body still appears in the seed, whitespace-normalised, so they cannot
drift. Before a run only the URL, the API key, the workspace id/slug and the example ids are
substituted. curl snippets run under ``bash``, Node snippets as ES modules under ``node``,
Python snippets under this venv's interpreter, each in a temporary folder that holds
``your_file.csv``. The ``server`` fixture runs every test on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.api.graphql.conftest import Client, add_attribute
from tests.conftest import IN_CI, LiveServer, Tenant

HERE = Path(__file__).parent
SNIPPETS = HERE / "snippets"
NODE_MODULES = HERE / "node" / "node_modules"
SEED = SNIPPETS / "seed_000_757e8b58b18eba9d.txt"
SHARED_SEED = Path("/work/shared/seeds/000_757e8b58b18eba9d.txt")
CYCLE_URL = "https://api.product.cycle.app/graphql"

CLIENTS = ["curl", pytest.param("node", marks=pytest.mark.node), "python"]
FUNCTION_CLIENTS = [pytest.param("node", marks=pytest.mark.node), "python"]
SUFFIX = {"curl": ".sh", "node": ".mjs", "python": ".py.txt"}
STORED = sorted(p.name for p in SNIPPETS.iterdir() if p != SEED)

# Runs a stored Python script snippet as ``__main__``. The seed's import snippet calls
# ``json.dumps`` without ``import json``: inside any real script that uses it, json is already
# imported, so the snippet runs with ``json`` in its namespace. Nothing else is added.
PYTHON_SCRIPT = """
import json, runpy, sys
runpy.run_path(sys.argv[1], init_globals={"json": json}, run_name="__main__")
"""

# Loads a Python snippet that defines a function and calls it once per argument list.
PYTHON_CALLS = """
import json, runpy, sys
function = runpy.run_path(sys.argv[1], run_name="seed_snippet")[sys.argv[2]]
print(json.dumps([function(*args) for args in json.loads(sys.argv[3])]))
"""

# The seed's Node import snippet streams a `form-data` object (`body: form` with
# `...form.getHeaders()`), the idiom of node-fetch, the fetch those examples were written
# for. Node 20's own fetch (undici) cannot send one: it posts the 17 bytes "[object FormData]"
# to any server (see test_node_import_on_bare_node_fetch). This module, preloaded with
# `node --import`, makes node-fetch the global fetch, as such a script's environment does;
# the snippet itself runs unchanged.
NODE_FETCH_STREAMS_FORM_DATA = """
import fetch from 'node-fetch';

globalThis.fetch = fetch;
"""

# Appended after a Node snippet that defines a function (not part of the seed's text).
NODE_CALLS = """
// --- test driver, not part of the seed: call the function once per argument list ---
const calls = JSON.parse(process.argv[2]);
const results = [];
for (const args of calls) results.push(await {function}(...args));
console.log(JSON.stringify(results));
"""

COMPANIES = """
query companies($slug: DefaultString!) {
  getProductBySlug(slug: $slug) {
    companies(pagination: {size: 100}) { edges { node {
      id name arr numberOfEmployees
      customId attioId zendeskId hubspotId intercomId pipedriveId snowflakeId salesforceId
      customers(pagination: {size: 100}) { edges { node { email name } } }
      attributes(pagination: {size: 100}) { edges { node {
        ... on CompanyAttributeText { definition { name } value { text: value } }
        ... on CompanyAttributeNumber { definition { name } value { number: value } }
        ... on CompanyAttributeCheckbox { definition { name } value { checkbox: value } }
        ... on CompanyAttributeSingleSelect { definition { name } value { select: value } }
      } } }
    } } }
  }
}
"""
ID_COLUMNS = (
    "customId",
    "attioId",
    "zendeskId",
    "hubspotId",
    "intercomId",
    "pipedriveId",
    "snowflakeId",
    "salesforceId",
)

# The seed's "CSV format" table for the daily update, with Acme's "..." id cells filled in
# and a second row matched by its HubSpot id alone. closedDate is a NUMBER attribute: only
# Cycle's four types (TEXT, NUMBER, BOOLEAN, SINGLE_SELECT) can be created through GraphQL.
DAILY_CSV = (
    "companyName,customId,attioId,zendeskId,hubspotId,intercomId,pipedriveId,snowflakeId,"
    "salesforceId,arr,numberOfEmployees,country,leadStatus,industry,closedDate\n"
    "Acme,acme-001,a123,zendesk_456,hubspot_789,int_001,pipe_999,sf_acme_1,sf_001,"
    "250000,50,France,Closed,HR,1678670383\n"
    "Wayne Enterprises,,,,hubspot_321,,,,,1200000,300,USA,Open,Defense,\n"
)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _snippet(name: str) -> str:
    return (SNIPPETS / name).read_text(encoding="utf-8")


def _seed_csv() -> str:
    """The seed's 4-row people-import example, cut from the seed's text."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("companyName,name,email,"))
    return "\n".join(lines[start : start + 5]) + "\n"


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        reason = f"`{name}` is not installed, so the seed's {name} snippets cannot run"
        if IN_CI:
            pytest.fail(f"{reason}; CI=true requires it", pytrace=False)
        pytest.skip(reason)
    return found


def _node() -> str:
    node = _tool("node")
    if not (NODE_MODULES / "form-data" / "package.json").is_file():
        reason = f"form-data is not installed in {NODE_MODULES}: run `make install-dev`"
        if IN_CI:
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    return node


@dataclass
class Snippets:
    """Runs stored snippets against the live server, in a folder holding ``your_file.csv``."""

    server: LiveServer
    tenant: Tenant
    folder: Path

    @property
    def api(self) -> Client:
        """A GraphQL client with the tenant's key, to set up and check."""
        return Client(self.server, self.tenant.key)

    def write_csv(self, text: str) -> None:
        """The file the snippets upload."""
        (self.folder / "your_file.csv").write_text(text, encoding="utf-8")

    def localise(self, text: str, ids: dict[str, str] | None = None) -> str:
        """``text`` with Cycle's URL, the placeholders and the example ids replaced."""
        assert CYCLE_URL in text
        assert "YOUR_CYCLE_API_KEY" in text
        for placeholder in ids or {}:
            assert placeholder in text, placeholder
        replacements = {
            CYCLE_URL: f"{self.server.url}/graphql",
            "YOUR_CYCLE_API_KEY": self.tenant.key,
            "YOUR_WORKSPACE_ID": self.tenant.product_id,
            "YOUR_WORKSPACE_SLUG": self.tenant.slug,
            **(ids or {}),
        }
        for placeholder, value in replacements.items():
            text = text.replace(placeholder, value)
        assert "YOUR_" not in text
        return text

    def _execute(self, command: list[str]) -> str:
        env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
        done = subprocess.run(
            command,
            cwd=self.folder,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def _prepare(self, client: str) -> None:
        if client == "curl":
            _tool("curl")
        elif client == "node":
            _node()
            link = self.folder / "node_modules"
            if not link.exists():  # so `import FormData from 'form-data'` resolves
                link.symlink_to(NODE_MODULES, target_is_directory=True)
            shim = self.folder / "fetch-streams-form-data.mjs"
            shim.write_text(NODE_FETCH_STREAMS_FORM_DATA, encoding="utf-8")

    def _node_command(self, path: Path, *args: str, shim: bool = True) -> list[str]:
        preload = ["--import", "./fetch-streams-form-data.mjs"] if shim else []
        return [_node(), *preload, str(path), *args]

    def script(self, client: str, source: str, *, fetch_shim: bool = True) -> str:
        """Run a whole snippet (already localised); its stdout."""
        self._prepare(client)
        if client == "curl":
            path = self.folder / "snippet.sh"
            path.write_text(source, encoding="utf-8")
            return self._execute([_tool("bash"), str(path)])
        if client == "node":
            path = self.folder / "snippet.mjs"
            path.write_text(source, encoding="utf-8")
            return self._execute(self._node_command(path, shim=fetch_shim))
        path = self.folder / "snippet.py"
        path.write_text(source, encoding="utf-8")
        return self._execute([sys.executable, "-c", PYTHON_SCRIPT, str(path)])

    def calls(self, client: str, name: str, function: str, calls: list[list[Any]]) -> list[Any]:
        """Call the function a stored snippet defines, once per argument list."""
        self._prepare(client)
        source = self.localise(_snippet(name + SUFFIX[client]))
        if client == "node":
            path = self.folder / "snippet.mjs"
            path.write_text(source + NODE_CALLS.replace("{function}", function), "utf-8")
            out = self._execute(self._node_command(path, json.dumps(calls)))
        else:
            path = self.folder / "snippet.py"
            path.write_text(source, encoding="utf-8")
            out = self._execute(
                [sys.executable, "-c", PYTHON_CALLS, str(path), function, json.dumps(calls)]
            )
        lines = out.strip().splitlines()
        assert len(lines) == 1, out  # the snippets print only on failure
        results: list[Any] = json.loads(lines[0])
        return results

    def companies(self) -> dict[str, dict[str, Any]]:
        """Every company by name: its fields, ids, people (email: name) and attributes."""
        edges = self.api.ok(COMPANIES, {"slug": self.tenant.slug})["getProductBySlug"]
        found: dict[str, dict[str, Any]] = {}
        for edge in edges["companies"]["edges"]:
            node = edge["node"]
            people = {p["node"]["email"]: p["node"]["name"] for p in node.pop("customers")["edges"]}
            values = {}
            for held in node.pop("attributes")["edges"]:
                ((value,),) = [held["node"]["value"].values()]
                values[held["node"]["definition"]["name"]] = value
            found[node["name"]] = {**node, "people": people, "attributes": values}
        return found

    def definitions(self) -> dict[str, Any]:
        """The seed's step-1 query ("Fetch the attribute definition ID"): the product."""
        data = self.api.ok(_snippet("workspace_by_slug.graphql"), {"slug": self.tenant.slug})
        product: dict[str, Any] = data["getProductBySlug"]
        return product

    def import_seed_csv(self) -> None:
        """The seed's example imported through the API, as the set-up of later sections."""
        body = self.api.upload(
            _snippet("import_customers.graphql"),
            {"file": None, "workspaceId": self.tenant.product_id},
            _seed_csv().encode(),
        )
        assert "errors" not in body, body
        assert body["data"]["importCustomersFromCSV"]["rowsApplied"] == 4


@pytest.fixture
def snippets(server: LiveServer, tenant: Tenant, tmp_path: Path) -> Snippets:
    """The runner, on an emptied store with the tenant's workspace."""
    return Snippets(server, tenant, tmp_path)


def _printed(client: str, out: str) -> dict[str, Any] | None:
    """The response body a script printed: curl prints JSON, Python prints the status and a
    dict's repr; Node prints a JS object (not JSON), checked only for ``errors``."""
    assert "errors" not in out, out
    if client == "curl":
        body: dict[str, Any] = json.loads(out)
        return body
    if client == "python":
        status, printed = out.strip().split("\n", 1)
        assert status == "200", out
        parsed: dict[str, Any] = ast.literal_eval(printed)
        return parsed
    return None


# --- the stored snippets are the seed's ------------------------------------------------------


def test_seed_copy_is_the_shared_seed() -> None:
    if not SHARED_SEED.is_file():
        pytest.skip(f"{SHARED_SEED} is not on this machine; the stored copy is used")
    assert SEED.read_bytes() == SHARED_SEED.read_bytes()


@pytest.mark.parametrize("name", STORED)
def test_snippet_is_in_the_seed(name: str) -> None:
    body = _normalise(_snippet(name))
    assert body, name
    assert body in _normalise(SEED.read_text(encoding="utf-8")), f"{name} drifted from the seed"


def test_every_client_snippet_of_the_seed_is_stored() -> None:
    seed = SEED.read_text(encoding="utf-8")
    assert seed.count(f"curl {CYCLE_URL}") == len([n for n in STORED if n.endswith(".sh")]) == 4
    node = seed.count(f"await fetch('{CYCLE_URL}'")
    assert node == len([n for n in STORED if n.endswith(".mjs")]) == 4
    assert seed.count("import requests") == len([n for n in STORED if n.endswith(".py.txt")]) == 4


# --- Initial import -------------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_initial_import(snippets: Snippets, client: str) -> None:
    rows = list(csv.DictReader(io.StringIO(_seed_csv())))
    assert len(rows) == 4
    snippets.write_csv(_seed_csv())

    source = snippets.localise(_snippet("import_customers" + SUFFIX[client]))
    body = _printed(client, snippets.script(client, source))

    if body is not None:
        report = body["data"]["importCustomersFromCSV"]
        assert report["rows"] == report["rowsApplied"] == 4
        assert report["rowsRefused"] == 0
        assert report["companies"]["created"] == 3
        assert report["people"]["created"] == 4
    companies = snippets.companies()
    assert sorted(companies) == ["Acme", "Airbnb", "Wayne Enterprises"]
    for row in rows:
        company = companies[row["companyName"]]
        assert {c: company[c] for c in ID_COLUMNS} == {c: row[c] for c in ID_COLUMNS}
        assert company["people"][row["email"]] == row["name"]
    assert companies["Acme"]["customId"] == "acme-001"
    assert companies["Acme"]["hubspotId"] == "hubspot_789"
    assert companies["Acme"]["people"] == {
        "john@email.com": "John Doe",
        "jame@email.com": "Jane Doe",
    }
    assert companies["Wayne Enterprises"]["people"] == {"bruce@wayne.com": "Bruce Wayne"}
    assert companies["Airbnb"]["people"] == {"main@airbnb.com": "Main contact"}
    assert companies["Airbnb"]["salesforceId"] == "sf_004"


@pytest.mark.node
def test_node_import_on_bare_node_fetch(snippets: Snippets) -> None:
    # Without the preload, Node 20's fetch posts "[object FormData]" instead of the form: no
    # server can import that. Cardfile refuses it as invalid multipart and changes nothing.
    snippets.write_csv(_seed_csv())
    source = snippets.localise(_snippet("import_customers.mjs"))
    out = snippets.script("node", source, fetch_shim=False)
    assert "Invalid multipart data" in out, out
    assert snippets.companies() == {}


# --- Real-time sync: updateCompanyAttributeValue ----------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_update_company_attribute_value(snippets: Snippets, client: str) -> None:
    snippets.import_seed_csv()
    add_attribute(snippets.api, snippets.tenant, "Stage", "SINGLE_SELECT", ["Lead", "Closed Won"])
    # Step 1 of the seed: the definition id of Stage and the value id of Closed Won.
    edges = snippets.definitions()["companyAttributeDefinitions"]["edges"]
    stage = next(e["node"] for e in edges if e["node"]["name"] == "Stage")
    won = next(v["node"] for v in stage["valuesV2"]["edges"] if v["node"]["value"] == "Closed Won")
    acme = snippets.companies()["Acme"]["id"]

    source = snippets.localise(
        _snippet("update_value" + SUFFIX[client]),
        {
            "company-id-of-acme": acme,
            "definition-id-of-stage": stage["id"],
            "value-id-for-closed-won": won["id"],
        },
    )
    out = snippets.script(client, source)
    body = _printed(client, out)

    if body is not None:
        result = body["data"]["updateCompanyAttributeValue"]
        assert result["__typename"] == "CompanyAttributeSingleSelect"
        assert result["definition"] == {
            "id": stage["id"],
            "__typename": "AttributeSingleSelectDefinition",
        }
        assert result["value"] == {"id": won["id"], "valueSelect": "Closed Won"}
    else:
        assert "CompanyAttributeSingleSelect" in out, out
    companies = snippets.companies()
    assert companies["Acme"]["attributes"] == {"Stage": "Closed Won"}
    assert companies["Airbnb"]["attributes"] == {}


# --- Create new attributes ------------------------------------------------------------------


def test_create_attribute_curl(snippets: Snippets) -> None:
    # Verbatim: raw line breaks inside the JSON "query" string and \"a\" escapes.
    source = snippets.localise(_snippet("create_attribute.sh"))
    assert '\\"a\\"' in source
    body = _printed("curl", snippets.script("curl", source))

    assert body == {"data": {"addNewCompanyAttribute": {"__typename": "AttributeTextDefinition"}}}
    nodes = [e["node"] for e in snippets.definitions()["companyAttributeDefinitions"]["edges"]]
    assert [(n["__typename"], n["name"]) for n in nodes] == [
        ("AttributeTextDefinition", "Churn reason")
    ]


@pytest.mark.parametrize("client", FUNCTION_CLIENTS)
def test_create_attribute_function(snippets: Snippets, client: str) -> None:
    # Node declares $name: DefaultString! and $values: [SelectAttributeString!]!; Python
    # declares String! and [String!]!. Both must be accepted.
    workspace = snippets.tenant.product_id
    wanted = [
        ("Seats", "NUMBER", []),
        ("Stage", "SINGLE_SELECT", ["Lead", "Closed Won"]),
        ("Churn reason", "TEXT", []),
        ("Paying", "BOOLEAN", []),
    ]
    if client == "node":
        calls: list[list[Any]] = [
            [{"workspaceId": workspace, "name": name, "type": kind, "values": values}]
            for name, kind, values in wanted
        ]
        results = snippets.calls(client, "create_attribute", "createCompanyAttribute", calls)
    else:
        calls = [[workspace, name, kind, values or None] for name, kind, values in wanted]
        results = snippets.calls(client, "create_attribute", "create_company_attribute", calls)

    types = [
        "AttributeNumberDefinition",
        "AttributeSingleSelectDefinition",
        "AttributeTextDefinition",
        "AttributeCheckboxDefinition",
    ]
    assert results == [{"__typename": t} for t in types]
    nodes = [e["node"] for e in snippets.definitions()["companyAttributeDefinitions"]["edges"]]
    assert [(n["__typename"], n["name"]) for n in nodes] == [
        (t, name) for t, (name, _, _) in zip(types, wanted, strict=True)
    ]
    assert [v["node"]["value"] for v in nodes[1]["valuesV2"]["edges"]] == ["Lead", "Closed Won"]


# --- Get all existing attributes ------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_fetch_attributes(snippets: Snippets, client: str) -> None:
    api, tenant = snippets.api, snippets.tenant
    defined = [
        add_attribute(api, tenant, "Churn reason", "TEXT"),
        add_attribute(api, tenant, "Seats", "NUMBER"),
        add_attribute(api, tenant, "Paying", "BOOLEAN"),
        add_attribute(api, tenant, "Stage", "SINGLE_SELECT", ["Lead", "Closed Won"]),
    ]
    expected = [{"node": definition} for definition in defined]

    if client == "curl":
        body = _printed(
            client, snippets.script(client, snippets.localise(_snippet("fetch_attributes.sh")))
        )
        assert body is not None
        assert body["data"]["getProductBySlug"] == {
            "id": tenant.product_id,
            "name": "Acme-Corp",
            "slug": tenant.slug,
            "companyAttributeDefinitions": {
                "pageInfo": {"endCursor": defined[-1]["id"], "hasNextPage": False},
                "edges": expected,
            },
        }
    else:
        function = "fetchCompanyAttributes" if client == "node" else "fetch_company_attributes"
        (edges,) = snippets.calls(client, "fetch_attributes", function, [[tenant.slug]])
        assert edges == expected


# --- Daily synchronisation ------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENTS)
def test_daily_synchronisation(snippets: Snippets, client: str) -> None:
    api, tenant = snippets.api, snippets.tenant
    snippets.import_seed_csv()
    add_attribute(api, tenant, "country", "TEXT")
    add_attribute(api, tenant, "leadStatus", "SINGLE_SELECT", ["Open", "Closed"])
    add_attribute(api, tenant, "industry", "TEXT")
    add_attribute(api, tenant, "closedDate", "NUMBER")
    snippets.write_csv(DAILY_CSV)

    # The section gives only the mutation: the cron job is the import snippet with the
    # seed's daily mutation in place of the import one, sent in the same multipart form.
    source = _snippet("import_customers" + SUFFIX[client]).replace(
        "importCustomersFromCSV", "updateCompanyAttributeValuesFromCSV"
    )
    assert _normalise(_snippet("daily_sync.graphql")) in _normalise(source)
    body = _printed(client, snippets.script(client, snippets.localise(source)))

    if body is not None:
        report = body["data"]["updateCompanyAttributeValuesFromCSV"]
        assert report["rows"] == report["rowsApplied"] == 2
        assert report["rowsRefused"] == 0
        assert report["refused"] == []
        assert report["companies"]["updated"] == 2
    companies = snippets.companies()
    acme, wayne, airbnb = companies["Acme"], companies["Wayne Enterprises"], companies["Airbnb"]
    assert (acme["arr"], acme["numberOfEmployees"]) == (250000, 50)
    assert acme["attributes"] == {
        "country": "France",
        "leadStatus": "Closed",
        "industry": "HR",
        "closedDate": 1678670383,
    }
    assert (wayne["arr"], wayne["numberOfEmployees"]) == (1200000, 300)
    assert wayne["attributes"] == {"country": "USA", "leadStatus": "Open", "industry": "Defense"}
    assert wayne["hubspotId"] == "hubspot_321"
    assert wayne["customId"] == "wayne-001"  # an empty identifier cell leaves the id as it is
    assert (airbnb["arr"], airbnb["attributes"]) == (None, {})
