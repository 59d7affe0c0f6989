"""Shared fixtures: one published demo warehouse and one rendering for the whole module set.

The clone gets two plants before publication: a unique marker in one tenant's name (it
must never reach another tenant's pack) and HTML in another tenant's name (it must come
out escaped). Rendering is shared by every test (module scope) to keep the suite short.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from boardroom.packs.render import RenderReport, render_packs
from tests.support.demo_warehouse import create_database, drop_database

MARKER = "ZQX-MARKER-7f3a91c2"
MARKER_TENANT = "t_005"
HTML_TENANT = "t_007"
HTML_NAME = "<script>alert(1)</script> & Co"
ARABIC_TENANT = "t_002"
ENGLISH_TENANT = "t_001"
RENDERED_TENANTS = (ENGLISH_TENANT, ARABIC_TENANT, MARKER_TENANT, HTML_TENANT)
DOMAINS = {
    "t_001": "silveroasis-1.example",
    "t_002": "alnukhba-2.example",
    "t_005": "amberfield-5.example",
    "t_007": "falconridge-7.example",
}


@dataclass(frozen=True)
class Published:
    url: str
    min_date: object
    max_date: object


def _plant(url: str) -> None:
    with psycopg.connect(url) as conn:
        for mart in ("exec_overview", "tenant_summary"):
            conn.execute(
                f"UPDATE audit.{mart} SET tenant_name = %s WHERE tenant_id = %s",
                (f"{MARKER} Holdings", MARKER_TENANT),
            )
            conn.execute(
                f"UPDATE audit.{mart} SET tenant_name = %s WHERE tenant_id = %s",
                (HTML_NAME, HTML_TENANT),
            )


@pytest.fixture(scope="session")
def published_warehouse(demo_warehouse) -> Iterator[Published]:
    """A private copy of the demo warehouse, planted, then published into ``marts``."""
    from boardroom.gate.publish import publish_tenants

    name = f"packs_{uuid.uuid4().hex[:10]}"
    url = create_database(demo_warehouse.admin_url, name, template=demo_warehouse.template)
    try:
        _plant(url)
        publish_tenants(url, demo_warehouse.min_date, demo_warehouse.max_date)
        yield Published(url, demo_warehouse.min_date, demo_warehouse.max_date)
    finally:
        drop_database(demo_warehouse.admin_url, name)


@pytest.fixture(scope="session")
def rendered(
    published_warehouse: Published, tmp_path_factory: pytest.TempPathFactory
) -> RenderReport:
    """Every pack variant of four tenants and the platform pack, rendered once."""
    report = render_packs(
        published_warehouse.url,
        published_warehouse.max_date,
        output_dir=tmp_path_factory.mktemp("packs"),
        tenants=RENDERED_TENANTS,
        workers=2,
    )
    assert not report.failed, report.failed
    return report


def pack_path(report: RenderReport, tenant_id: str | None, scope: str, ext: str) -> Path:
    for pack in report.packs:
        if pack.tenant_id == tenant_id and pack.scope == scope:
            return report.folder / (pack.pdf if ext == "pdf" else pack.json)
    raise LookupError((tenant_id, scope))
