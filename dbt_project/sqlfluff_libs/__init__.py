"""dbt's run-time context for sqlfluff's jinja templater (dbt_project/.sqlfluff, library_path).

sqlfluff renders the models without dbt and without a database: its dbt builtins give ref,
source, config, this and is_incremental (always true); this package adds the rest of what the
models and macros/ read. `execute` is false, as in dbt's parse, so no macro runs a query;
var() and env_var() return their defaults, as on a run without a window (the vars of
dbt_project.yml are all null or empty). Nothing here is used by dbt itself.
"""

import datetime as _datetime
import re as _re
from types import SimpleNamespace as _Namespace

execute = False
invocation_id = "00000000-0000-0000-0000-000000000000"
run_started_at = _datetime.datetime(2025, 3, 10, 6, 0, tzinfo=_datetime.UTC)
# dbt's `modules`, as far as the macros use it (pytz only for its utc).
modules = _Namespace(datetime=_datetime, re=_re, pytz=_Namespace(utc=_datetime.UTC))


def var(name, default=None):
    return default


def env_var(name, default=""):
    return default


def _raise_compiler_error(message):
    raise ValueError(message)


exceptions = _Namespace(raise_compiler_error=_raise_compiler_error)


def _string_literal(value):
    return "'" + str(value).replace("'", "''") + "'"


# dbt's own macros that the models call: dbt.string_literal.
dbt = _Namespace(string_literal=_string_literal)
