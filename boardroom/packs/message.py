"""The e-mail carrying one pack to one recipient: HTML and plain-text summary, PDF attached.

The body holds the headline figures and statuses of the recipient's own pack (read from
its JSON export), the approximation note and who the message is for. The JSON export is
attached only for recipients who opted in (:class:`boardroom.packs.recipients.JsonOptIn`).
"""

from __future__ import annotations

import json
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from boardroom.packs.guardrails import check_text
from boardroom.packs.html import environment, owner_name
from boardroom.packs.i18n import Translator
from boardroom.packs.paths import tenant_folder
from boardroom.packs.recipients import Recipient
from boardroom.packs.render import PackFile
from boardroom.packs.summary import distribution, summary_lines, text_summary
from boardroom.packs.values import when

EMAIL_TEMPLATE = "email.html.j2"
TONE_COLOURS = {"good": "#1b7f3b", "bad": "#c53030", "neutral": "#52606d"}
BADGE_COLOURS = {"ok": "#1b7f3b", "watch": "#b7791f", "at_risk": "#c53030", "unknown": "#616e7c"}


def _header_text(text: str) -> str:
    """One line of header text: control characters (CR, LF, ...) become spaces."""
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


def build_message(
    pack: PackFile,
    folder: Path,
    recipient: Recipient,
    *,
    sender: str,
    message_id: str,
    period_start: str,
    period_end: str,
    attach_json: bool = False,
) -> EmailMessage:
    """A message to ``recipient`` about ``pack``: summary in the body, PDF attached."""
    document = json.loads((folder / pack.json).read_text(encoding="utf-8"))
    t = Translator(pack.locale)
    owner = owner_name(document, t)
    title = t("pack.title") if document["pack_kind"] == "tenant" else t("pack.platform_title")
    subject = _header_text(t("email.subject", tenant=owner, start=period_start, end=period_end))
    intro = t(
        "pack.email_intro",
        tenant=owner,
        start=period_start,
        end=period_end,
        data_as_of=when(pack.data_as_of),
    )
    scope_note = t("pack.email_scope", role=t(f"roles.{recipient.role}"), tenant=owner)
    lines = summary_lines(document)
    by_status = distribution(document)
    by_status_text = (
        t("sections.status_distribution")
        + "\n"
        + "\n".join(f"- {name}: {counts}" for name, counts in by_status)
        if by_status
        else ""
    )
    text = "\n\n".join(
        part
        for part in (
            f"{title}: {owner}",
            intro,
            text_summary(lines, rtl=t.direction == "rtl"),
            by_status_text,
            t("pack.approximation_note"),
            t("pack.email_json") if attach_json else "",
            scope_note,
        )
        if part
    )
    html = (
        environment()
        .get_template(EMAIL_TEMPLATE)
        .render(
            t=t,
            subject=subject,
            title=title,
            owner=owner,
            intro=intro,
            lines=lines,
            by_status=by_status,
            colours=TONE_COLOURS,
            badges=BADGE_COLOURS,
            json_attached=attach_json,
            scope_note=scope_note,
        )
    )
    check_text(f"{subject}\n{text}\n{html}", f"e-mail to {recipient.recipient_id}")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_header_text(recipient.full_name), recipient.email))
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["Content-Language"] = t.locale
    message["X-Boardroom-Pack"] = f"{pack.scope}; {period_end}"
    message["X-Boardroom-Content-Hash"] = pack.content_hash
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    stem = "platform" if pack.tenant_id is None else tenant_folder(pack.tenant_id)
    name = f"board-pack_{stem}_{pack.scope}_{period_end}"
    message.add_attachment(
        (folder / pack.pdf).read_bytes(),
        maintype="application",
        subtype="pdf",
        filename=f"{name}.pdf",
    )
    if attach_json:
        message.add_attachment(
            (folder / pack.json).read_bytes(),
            maintype="application",
            subtype="json",
            filename=f"{name}.json",
        )
    return message
