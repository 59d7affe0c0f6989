"""Plain-text mail to the platform's data owner (``BOARDROOM_DATA_OWNER_EMAIL``)."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from boardroom.packs.delivery import SmtpSettings
from boardroom.settings import Settings


def data_owner_message(settings: Settings, subject: str, body: str) -> EmailMessage | None:
    """The message, or None when no data owner or no SMTP server is configured."""
    if not (settings.data_owner_email and settings.smtp_host):
        return None
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = settings.data_owner_email
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain="boardroom.local")
    message.set_content(body)
    return message


def send(settings: Settings, message: EmailMessage) -> None:
    """Send one message with the configured SMTP server (security and login as for packs)."""
    smtp = SmtpSettings.from_settings(settings)
    context = ssl.create_default_context()
    if smtp.security == "ssl":
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            smtp.host, smtp.port, timeout=smtp.timeout, context=context
        )
    else:
        conn = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    with conn:
        if smtp.security == "starttls":
            conn.starttls(context=context)
        if smtp.username:
            conn.login(smtp.username, smtp.password or "")
        conn.send_message(message, from_addr=smtp.sender, to_addrs=[message["To"]])
