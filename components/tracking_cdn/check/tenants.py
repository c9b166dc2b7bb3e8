"""``tracking-cdn check --tenants FILE | --plan PLAN_JSON``: every tenant of a platform, at once.

The tenants and their domains come from a JSON file (``{"acme": ["track.acme.com"], ...}``, or each
tenant an object with ``domains``) or from a platform stack's plan (``tracking-cdn plan --json``, whose
``tenants`` output lists them). Every domain of every tenant goes through the single-domain checks
(``runner.check_domain``: DNS, certificate, protocols, HTTPS and HTTP to the ESP, caching, HSTS),
``--parallel`` domains at a time, each check bounded by ``--timeout``; with ``--deadline`` whatever is not
done by then is reported as not checked and the command ends. The report is one line per tenant (its
verdict, its failing checks), or with ``--json`` one summary per tenant.

Standard library only, as the rest of ``check``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from ..documents import DocumentError, load_json
from ..domains import normalize_tracking_domains
from ..errors import InvalidArgument, command_line_message
from .report import EXIT_FAIL, CheckResult, DomainReport, Verdict, exit_code
from .runner import MAX_PARALLEL_DOMAINS, OPTIONS, _settings, check_domain

NOT_CHECKED = "not-checked"
"""A tenant verdict (and a domain's): not every domain was checked before ``--deadline``."""


@dataclass(frozen=True)
class TenantReport:
    tenant: str
    reports: tuple[DomainReport, ...]
    unchecked: tuple[str, ...] = ()
    """Domains not checked before the deadline."""

    @property
    def verdict(self) -> str:
        if self.unchecked:
            return NOT_CHECKED
        return exit_verdict([report.verdict for report in self.reports])

    def summary(self) -> dict[str, Any]:
        failing = sorted({f"{r.domain}: {c.name}" for r in self.reports for c in r.checks
                          if c.verdict in (Verdict.FAIL, Verdict.WARN)})
        return {
            "verdict": self.verdict,
            "domains": {**{r.domain: r.verdict.value for r in self.reports}, **dict.fromkeys(self.unchecked, NOT_CHECKED)},
            "failing": failing,
            "checks": {r.domain: [{"name": c.name, "verdict": c.verdict.value, "summary": c.summary, "hint": c.hint}
                                  for c in r.checks] for r in self.reports},
        }


def exit_verdict(verdicts: list[Verdict]) -> str:
    for worst in (Verdict.FAIL, Verdict.WARN):
        if worst in verdicts:
            return worst.value
    return Verdict.PASS.value


def read_tenants(args: argparse.Namespace) -> dict[str, tuple[str, ...]]:
    """Tenant -> its domains, from ``--tenants`` or ``--plan``; refused naming the option."""
    if (args.tenants is None) == (args.plan is None):
        raise InvalidArgument("--tenants", "give either --tenants FILE or --plan PLAN_JSON")
    if args.domains:
        raise InvalidArgument("domains", "not with --tenants or --plan: the domains come from the tenants")
    option, path = ("--tenants", args.tenants) if args.tenants is not None else ("--plan", args.plan)
    try:
        document = load_json(Path(path).read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidArgument(option, f"cannot read {path}: {getattr(error, 'strerror', None) or error}") from None
    except DocumentError as error:
        syntax = error.reason.removeprefix("is not valid JSON: ")
        reason = f"is not JSON ({syntax})" if syntax != error.reason else error.reason
        raise InvalidArgument(option, f"{path} {reason}") from None
    if option == "--plan":
        found = document.get("outputs", {}).get("tenants") if isinstance(document, dict) else None
        if not isinstance(found, dict):
            raise InvalidArgument(option, f"{path} has no tenants output: give the plan --json of a platform stack")
        document = found
    if not isinstance(document, dict) or not document:
        raise InvalidArgument(option, f'{path}: expected an object of tenants, e.g. {{"acme": ["track.acme.com"]}}')
    tenants = {}
    for name, value in document.items():
        domains = value.get("domains") if isinstance(value, dict) else value
        tenants[str(name)] = normalize_tracking_domains(domains, argument=f"{option} {name}")
    return tenants


def check_tenants(
    tenants: dict[str, tuple[str, ...]], settings: Any, *, parallel: int = MAX_PARALLEL_DOMAINS,
    deadline: Optional[float] = None,
) -> list[TenantReport]:
    """Every domain of every tenant checked, ``parallel`` at a time; what is not done by ``deadline``
    seconds is left unchecked (the checks still running end within their own ``timeout``)."""
    pool = ThreadPoolExecutor(max_workers=max(1, parallel))
    futures: dict[Future, tuple[str, str]] = {
        pool.submit(check_domain, domain, settings): (tenant, domain)
        for tenant, domains in tenants.items() for domain in domains
    }
    done: dict[tuple[str, str], DomainReport] = {}
    end = None if deadline is None else time.monotonic() + deadline
    pending = set(futures)
    while pending:
        left = None if end is None else end - time.monotonic()
        if left is not None and left <= 0:
            break
        finished, pending = wait(pending, timeout=left, return_when=FIRST_COMPLETED)
        for future in finished:
            done[futures[future]] = future.result() if not future.exception() else DomainReport(
                futures[future][1], (CheckResult("check", Verdict.FAIL, f"unexpected error: {future.exception()}"),))
    pool.shutdown(wait=False, cancel_futures=True)
    return [
        TenantReport(tenant, tuple(done[(tenant, d)] for d in domains if (tenant, d) in done),
                     tuple(d for d in domains if (tenant, d) not in done))
        for tenant, domains in tenants.items()
    ]


def render_text(reports: list[TenantReport]) -> str:
    width = max(len(report.tenant) for report in reports)
    lines = []
    for report in reports:
        failing = report.summary()["failing"]
        extra = f"  ({'; '.join(failing)})" if failing else ""
        if report.unchecked:
            extra += f"  (not checked before the deadline: {', '.join(report.unchecked)})"
        lines.append(f"{report.tenant:<{width}}  {report.verdict.upper():<11}{extra}")
    counts = {v: sum(r.verdict == v for r in reports) for v in ("pass", "warn", "fail", NOT_CHECKED)}
    lines.append(f"{len(reports)} tenant(s): {counts['pass']} pass, {counts['warn']} warn, {counts['fail']} fail, "
                 f"{counts[NOT_CHECKED]} not checked; exit code {tenants_exit_code(reports)}")
    return "\n".join(lines)


def tenants_exit_code(reports: list[TenantReport]) -> int:
    """As ``check``'s (0 pass, 1 a failure, 2 warnings only); a tenant not fully checked counts as a failure."""
    if any(report.unchecked for report in reports):
        return EXIT_FAIL
    return exit_code([domain for report in reports for domain in report.reports])


def main(args: argparse.Namespace) -> int:
    try:
        tenants = read_tenants(args)
        settings = _settings(args)
    except InvalidArgument as error:
        print(f"tracking-cdn check: error: {command_line_message(error, OPTIONS)}", file=sys.stderr)
        return 2
    reports = check_tenants(tenants, settings, deadline=args.deadline)
    code = tenants_exit_code(reports)
    if args.json:
        print(json.dumps({"esp": settings.origin.profile.name, "origin_host": settings.origin.host, "exit_code": code,
                          "tenants": {r.tenant: r.summary() for r in reports}}, indent=2, sort_keys=True))
    else:
        print(render_text(reports))
    return code
