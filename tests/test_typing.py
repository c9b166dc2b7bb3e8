"""An integrator's type checker reads the components' annotations (PEP 561 ``py.typed``).

The package is built as pip would install it (``build_py`` of this checkout's files, package data
included), and mypy checks a program that uses it from another directory, as in an integrator's CI: a
misspelt argument key must be caught, a correct program must pass. The provider SDKs are skipped
(``follow_imports = skip``): reading pulumi_aws alone takes mypy most of a minute, and the check is
about tracking-cdn's own annotations.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

pytest.importorskip("mypy", reason="mypy is in the [test] extra")

MYPY_CONFIG = """\
[mypy]
[mypy-pulumi_aws.*,pulumi_gcp.*,pulumi_azure_native.*,pulumi_cloudflare.*,pulumi_fastly.*]
follow_imports = skip
"""

CORRECT = """\
import pulumi
from tracking_cdn.aws import CloudFrontTrackingDomain, CloudFrontTrackingDomainArgs
from tracking_cdn.azure import AzureFrontDoorTrackingDomain
from tracking_cdn.cloudflare import CloudflareTrackingDomain
from tracking_cdn.fastly import FastlyTrackingDomain
from tracking_cdn.gcp import GcpLoadBalancerTrackingDomain
from tracking_cdn.sparkpost import SparkPostTrackingDomain

args: CloudFrontTrackingDomainArgs = {"domains": ["track.example.com"], "hosted_zone_id": "Z1"}
cloudfront = CloudFrontTrackingDomain("cloudfront", args)
gcp = GcpLoadBalancerTrackingDomain("gcp", {"domains": ["track.example.com"], "enable_ipv6": True})
azure = AzureFrontDoorTrackingDomain("azure", {"domains": ["track.example.com"], "resource_group_name": "rg"})
cloudflare = CloudflareTrackingDomain("cloudflare", {"domains": ["track.example.com"], "zone_name": "example.com"})
fastly = FastlyTrackingDomain("fastly", {"domains": ["track.example.com"]})
SparkPostTrackingDomain("sparkpost", {"domain": "track.example.com"})
targets: pulumi.Output[dict[str, str]] = cloudfront.route_targets
pulumi.export("targets", [targets, gcp.route_targets, azure.route_targets, cloudflare.route_targets,
                          fastly.route_targets])
"""

MISTAKES = {
    # line -> (code, what mypy must say)
    "cloudfront": ('CloudFrontTrackingDomain("c", {"domains": ["t.example.com"], "hosted_zone_idd": "Z1"})',
                   '"hosted_zone_idd"'),
    "gcp": ('GcpLoadBalancerTrackingDomain("g", {"domains": ["t.example.com"], "enable_ipv6": "yes"})',
            '"enable_ipv6"'),
    "azure": ('AzureFrontDoorTrackingDomain("a", {"domain": ["t.example.com"]})', '"domain"'),
    "cloudflare": ('CloudflareTrackingDomain("f", {"domains": "t.example.com", "zone_name": "example.com"})',
                   '"domains"'),
    "fastly": ('FastlyTrackingDomain("y", {"domains": ["t.example.com"], "cache_ttl": 10})', '"cache_ttl"'),
    "sparkpost": ('SparkPostTrackingDomain("s", {"domain": "t.example.com", "secure": "true"})', '"secure"'),
    "output": ("number: pulumi.Output[int] = FastlyTrackingDomain('z', {'domains': ['t.example.com']}).route_targets",
               "Output[dict[str, str]]"),
}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The package as pip installs it: ``build_py`` of a copy of the checkout, into a directory of its own."""
    work = tmp_path_factory.mktemp("package")
    source = work / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    shutil.copytree(REPO / "components", source / "components", ignore=shutil.ignore_patterns("__pycache__"))
    done = subprocess.run(
        [sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "--build-lib", str(work / "lib")],
        cwd=source, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return work / "lib"


def mypy(program: str, installed: Path, directory: Path) -> subprocess.CompletedProcess:
    (directory / "mypy.ini").write_text(MYPY_CONFIG)
    (directory / "program.py").write_text(program)
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--no-incremental", "program.py"],
        cwd=directory, capture_output=True, text=True, timeout=600, env={"PYTHONPATH": str(installed), "PATH": "/usr/bin:/bin"},
    )


def test_the_installed_package_carries_the_py_typed_marker(installed: Path):
    assert (installed / "tracking_cdn" / "py.typed").is_file()


def test_a_correct_program_passes_mypy(installed: Path, tmp_path: Path):
    done = mypy(CORRECT, installed, tmp_path)
    assert done.returncode == 0, done.stdout
    assert "py.typed" not in done.stdout


def test_mypy_catches_a_misspelt_or_mistyped_argument_of_every_component(installed: Path, tmp_path: Path):
    imports = CORRECT.split("\n\n")[0]
    program = imports + "\n\n" + "\n".join(code for code, _ in MISTAKES.values()) + "\n"
    done = mypy(program, installed, tmp_path)
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    first = len(imports.splitlines()) + 2
    for offset, (name, (_, needle)) in enumerate(MISTAKES.items()):
        found = [line for line in errors if line.startswith(f"program.py:{first + offset}:")]
        assert any(needle in line for line in found), f"{name}: {needle} not reported on line {first + offset}:\n{done.stdout}"
    lines = range(first, first + len(MISTAKES))
    assert all(int(line.split(":")[1]) in lines for line in errors), f"an error outside the mistakes:\n{done.stdout}"
