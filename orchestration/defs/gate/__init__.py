"""Publication gate (group ``publish``): GX asset checks on ``audit/<mart>`` and the publish
multi-asset producing ``marts/<mart>``.

* ``checks.py``: the blocking check ``gx_suite`` of every audited mart, all evaluated by one
  multi-asset check op (``gx_gate_checks``). PASS; FAIL with severity WARN when some
  tenants (or the platform marts alone) are withheld, the rest still publishing; FAIL with
  severity ERROR when a tenant mart fails mart-wide, which stops the publish asset in that
  run. Results go to ``audit.gate_results`` (run id, mart, days); withheld tenants get
  ``publication_blocked`` alerts in ``marts.alerts``.
* ``assets.py``: ``publish_marts``, reading the run's stored results (evaluating any mart
  whose check did not run) and publishing the passing tenants.
* ``scope.py``: the tenant scope (``publish_marts`` config ``tenants``): publish, alert and
  log for those tenants only; the checks follow the run's scope.
"""
