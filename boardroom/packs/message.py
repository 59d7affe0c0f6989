"""The e-mail carrying one pack to one recipient (PDF and JSON attached)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate
from pathlib import Path

from boardroom.packs.guardrails import check_text
from boardroom.packs.i18n import Translator
from boardroom.packs.paths import tenant_folder
from boardroom.packs.recipients import Recipient
from boardroom.packs.render import PackFile


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
) -> EmailMessage:
    """A message to ``recipient`` with the pack's PDF and JSON; wording checked."""
    t = Translator(pack.locale)
    owner = pack.tenant_name or t("pack.platform_name")
    subject = _header_text(t("email.subject", tenant=owner, start=period_start, end=period_end))
    body = t(
        "email.body",
        tenant=owner,
        start=period_start,
        end=period_end,
        data_as_of=(pack.data_as_of or "").replace("T", " ").replace("+00:00", " UTC"),
        role=t(f"roles.{recipient.role}"),
    )
    check_text(f"{subject}\n{body}", f"e-mail to {recipient.recipient_id}")
    message = EmailMessage()
    message["From"] = sender
    message["To"] = formataddr((_header_text(recipient.full_name), recipient.email))
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = message_id
    message["X-Boardroom-Pack"] = f"{pack.scope}; {period_end}"
    message["X-Boardroom-Content-Hash"] = pack.content_hash
    message.set_content(body)
    stem = "platform" if pack.tenant_id is None else tenant_folder(pack.tenant_id)
    name = f"board-pack_{stem}_{pack.scope}_{period_end}"
    message.add_attachment(
        (folder / pack.pdf).read_bytes(),
        maintype="application",
        subtype="pdf",
        filename=f"{name}.pdf",
    )
    message.add_attachment(
        (folder / pack.json).read_bytes(),
        maintype="application",
        subtype="json",
        filename=f"{name}.json",
    )
    return message
