"""Board packs: per-tenant PDF + JSON exports of the published marts, and their delivery.

* :func:`render_packs` (``render.py``): read ``marts`` per tenant, build one document per
  role scope (``document.py``), write the validated JSON (``json_export.py``) and render
  the PDFs in worker processes (``html.py``, ``pdf.py``); a manifest per period.
* :func:`deliver_packs` (``delivery.py``): e-mail each eligible recipient their variant,
  logged in ``delivery.pack_deliveries`` (``delivery_log.py``), retried, or written as
  ``.eml`` files in a dry run.

Templates, stylesheet, translations and the JSON Schema live in ``exports/``.
"""

from boardroom.packs.delivery import (
    DeliveryFailed,
    DeliveryReport,
    RetryPolicy,
    SmtpSettings,
    deliver_packs,
)
from boardroom.packs.recipients import DomainAllowList, JsonOptIn, Recipient, load_recipients
from boardroom.packs.render import PackFile, RenderReport, render_packs

__all__ = [
    "DeliveryFailed",
    "DeliveryReport",
    "DomainAllowList",
    "JsonOptIn",
    "PackFile",
    "Recipient",
    "RenderReport",
    "RetryPolicy",
    "SmtpSettings",
    "deliver_packs",
    "load_recipients",
    "render_packs",
]
