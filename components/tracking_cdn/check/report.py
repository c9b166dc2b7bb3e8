"""What a check concludes, and how the conclusions are printed and turned into an exit code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from typing import Optional, Sequence

from ..errors import printable


class Verdict(str, Enum):
    """The outcome of one check. Only ``fail`` and ``warn`` change the exit code."""

    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    INFO = "info"
    """A fact worth knowing that is neither right nor wrong (e.g. the parent domain's HSTS)."""
    SKIP = "skip"
    """Not run because an earlier check made it meaningless (e.g. the name does not resolve)."""


EXIT_PASS, EXIT_FAIL, EXIT_WARN = 0, 1, 2


@dataclass(frozen=True)
class CheckResult:
    name: str
    verdict: Verdict
    summary: str
    evidence: tuple[str, ...] = ()
    hint: Optional[str] = None


@dataclass(frozen=True)
class DomainReport:
    domain: str
    checks: tuple[CheckResult, ...]

    @property
    def verdict(self) -> Verdict:
        verdicts = {check.verdict for check in self.checks}
        for worst in (Verdict.FAIL, Verdict.WARN):
            if worst in verdicts:
                return worst
        return Verdict.PASS


def exit_code(reports: Sequence[DomainReport]) -> int:
    """0 when every check passes, 1 when any check fails, 2 when there are warnings but no failure."""
    verdicts = {report.verdict for report in reports}
    if Verdict.FAIL in verdicts:
        return EXIT_FAIL
    if Verdict.WARN in verdicts:
        return EXIT_WARN
    return EXIT_PASS


def render_text(reports: Sequence[DomainReport], origin_host: str, esp: str) -> str:
    name_width = max(len(check.name) for report in reports for check in report.checks)
    lines = [f"ESP {esp} (endpoint {origin_host})", ""]
    for report in reports:
        lines.append(f"{report.domain}: {report.verdict.value.upper()}")
        for check in report.checks:
            lines.append(f"  {check.verdict.value:<4}  {check.name:<{name_width}}  {printable(check.summary)}")
            indent = " " * (10 + name_width)  # under the summary column
            lines.extend(f"{indent}{printable(item)}" for item in check.evidence)
            if check.hint:
                lines.append(f"{indent}hint: {printable(check.hint)}")
        lines.append("")
    counts = {verdict: sum(report.verdict is verdict for report in reports) for verdict in Verdict}
    lines.append(
        f"{len(reports)} domain(s): {counts[Verdict.PASS]} pass, {counts[Verdict.WARN]} warn, "
        f"{counts[Verdict.FAIL]} fail; exit code {exit_code(reports)}"
    )
    return "\n".join(lines)


def render_json(reports: Sequence[DomainReport], origin_host: str, esp: str) -> str:
    document = {
        "esp": esp,
        "origin_host": origin_host,
        "exit_code": exit_code(reports),
        "domains": [
            {
                "domain": report.domain,
                "verdict": report.verdict.value,
                "checks": [
                    {
                        "name": check.name,
                        "verdict": check.verdict.value,
                        "summary": check.summary,
                        "evidence": list(check.evidence),
                        "hint": check.hint,
                    }
                    for check in report.checks
                ],
            }
            for report in reports
        ],
    }
    return json.dumps(document, indent=2)
