"""Benchmark the OAI-PMH provider: records per second served to a harvester; print the figures.

Loads the demo libraries into a fresh store (SQLite by default), serves the
app on uvicorn on loopback and harvests ListRecords completely (following
resumption tokens) in marc21 and oai_dc, over real HTTP, several rounds.
Target (issue #7): at least 5,000 records/s.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import httpx
from lxml import etree

from mucluc.config import Settings
from mucluc.core.model import LibraryInfo
from mucluc.demo.generate import write_demo_files
from mucluc.demo.libraries import DEMO_LIBRARIES
from mucluc.services.catalogue import add_library
from mucluc.services.ingest import ingest_file
from mucluc.web.app import create_app
from mucluc.wiring import initialise_home, open_store, rebuild_live_index

sys.path.insert(0, str(Path(__file__).parents[1]))
from tests.servers import running_server

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def harvest(client: httpx.Client, url: str, prefix: str) -> tuple[int, int]:
    """Records and responses of one complete ListRecords harvest."""
    parameters: dict[str, str] = {"verb": "ListRecords", "metadataPrefix": prefix}
    records = responses = 0
    while True:
        answer = client.get(url, params=parameters)
        answer.raise_for_status()
        root = etree.fromstring(answer.content)
        responses += 1
        records += sum(1 for _ in root.iter(f"{OAI}record"))
        token = root.findtext(f".//{OAI}resumptionToken")
        if not token:
            return records, responses
        parameters = {"verb": "ListRecords", "resumptionToken": token}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None, help="store URL (default: SQLite)")
    parser.add_argument("--rounds", type=int, default=3, help="complete harvests per format")
    parser.add_argument("--page-size", type=int, default=500, help="records per response")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="mucluc-bench-oai-") as folder:
        home = Path(folder)
        settings = Settings(
            home=home / "home",
            database_url=arguments.database_url,
            oai_page_size=arguments.page_size,
            index_refresh_seconds=3600,
        )
        initialise_home(settings)
        store = open_store(settings)
        files = write_demo_files(home / "files")
        for library in DEMO_LIBRARIES:
            add_library(
                store,
                LibraryInfo(
                    library.code, library.name_vi, library.name_en, library.type, library.province
                ),
            )
            ingest_file(store, library.code, files[library.code])
        rebuild_live_index(settings, store)  # so the server's index follower starts caught up
        with running_server(create_app(settings)) as base_url, httpx.Client(timeout=60) as client:
            url = f"{base_url}/oai"
            for prefix in ("marc21", "oai_dc"):
                harvest(client, url, prefix)  # warm up
                started = time.perf_counter()
                records = responses = 0
                for _ in range(arguments.rounds):
                    round_records, round_responses = harvest(client, url, prefix)
                    records += round_records
                    responses += round_responses
                elapsed = time.perf_counter() - started
                print(
                    f"OAI-PMH ListRecords {prefix}: {records} records in {responses} responses, "
                    f"{elapsed:.2f} s — {records / elapsed:,.0f} records/s "
                    f"(page size {arguments.page_size})"
                )


if __name__ == "__main__":
    main()
