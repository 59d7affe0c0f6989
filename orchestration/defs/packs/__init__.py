"""Board packs: rendering (group ``packs``) and e-mail delivery (group ``delivery``).

* ``assets.py``: ``packs/board_packs`` renders every tenant's pack variants and the
  platform pack for the period ending on the as-of partition D, from the published
  ``marts/*``; ``delivery/board_pack_emails`` sends them to eligible executives.
* ``jobs.py``: ``board_pack_delivery_job`` and its weekly ``board_pack_delivery_schedule``
  (``BOARDROOM_PACKS_CRON``, default Monday 06:00 UTC). Rendering runs with the daily
  pipeline; the daily job leaves the ``delivery`` group out.
* ``resources.py``: the ``smtp`` resource delivery sends through (``BOARDROOM_SMTP_*``).
"""
