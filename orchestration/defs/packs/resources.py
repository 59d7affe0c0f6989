"""``smtp``: the SMTP server board packs are sent through (``BOARDROOM_SMTP_*``)."""

from __future__ import annotations

import dagster as dg
from pydantic import Field

from boardroom.packs.delivery import SmtpSettings
from boardroom.settings import Settings, is_set


class SmtpResource(dg.ConfigurableResource):
    """The SMTP server of board-pack delivery, its values as the environment gives them.

    They are read as :class:`boardroom.settings.Settings` reads ``BOARDROOM_SMTP_*`` (same
    defaults, same checks): an empty ``host`` means no server (the e-mails are written as
    ``.eml`` files instead, a dry run); an empty ``port`` is 25, 587 with ``starttls`` or 465
    with ``ssl``. The password comes from an EnvVar and is never shown or logged.
    """

    host: str = Field(default="", description="SMTP server; empty: a dry run (.eml files).")
    port: str = Field(default="", description="Port; empty: 25, 587 (starttls) or 465 (ssl).")
    username: str = Field(default="", description="Login; empty: none.")
    password: str = Field(default="", description="Password of the login, from an EnvVar.")
    security: str = Field(default="", description="none (default), starttls or ssl.")
    from_address: str = Field(default="", description="Sender; empty: boardroom@localhost.")

    def settings(self) -> Settings:
        """These values read as the ``BOARDROOM_SMTP_*`` variables are
        (:class:`~boardroom.settings.ConfigurationError` on a bad one)."""
        return Settings.from_env(
            {
                "BOARDROOM_SMTP_HOST": self.host,
                "BOARDROOM_SMTP_PORT": self.port,
                "BOARDROOM_SMTP_USERNAME": self.username,
                "BOARDROOM_SMTP_PASSWORD": self.password,
                "BOARDROOM_SMTP_SECURITY": self.security,
                "BOARDROOM_SMTP_FROM": self.from_address,
            }
        )

    @property
    def configured(self) -> bool:
        """True when a server is set (else delivery is a dry run)."""
        return self.settings().smtp_host is not None

    @property
    def sender(self) -> str:
        return self.settings().smtp_from

    def smtp_settings(self) -> SmtpSettings:
        """What :func:`boardroom.packs.delivery.deliver_packs` sends with."""
        return SmtpSettings.from_settings(self.settings())


_FIELDS = {
    "host": "BOARDROOM_SMTP_HOST",
    "port": "BOARDROOM_SMTP_PORT",
    "username": "BOARDROOM_SMTP_USERNAME",
    "password": "BOARDROOM_SMTP_PASSWORD",
    "security": "BOARDROOM_SMTP_SECURITY",
    "from_address": "BOARDROOM_SMTP_FROM",
}


@dg.definitions
def smtp_resources() -> dg.Definitions:
    # A variable left unset keeps the field's default (no server: a dry run), as the
    # settings read it; Dagster would refuse an EnvVar that is not set.
    values = {field: dg.EnvVar(name) for field, name in _FIELDS.items() if is_set(name)}
    return dg.Definitions(resources={"smtp": SmtpResource(**values)})
