"""What a stack hears before its second ``pulumi up``: a warning on every run of a legacy certificate mode
whose domain changes ``pulumi up`` stops on (Fastly ``certificates: shared``, GCP ``certificates: classic``),
and on a DNS zone given by id alone, whose tracking domains nothing checks against the zone (CloudFront
``hosted_zone_id`` without ``hosted_zone_name``, GCP ``managed_zone`` without ``managed_zone_dns_name``).
Each warning names what to do, and the recommended setups stay quiet."""

import pytest
from conftest import run_stack

OTHER_DOMAIN = "track.other-domain.net"


def warned(run, *words):
    return [w for w in run.warnings if all(word in w for word in words)]


@pytest.mark.parametrize("stack, overrides, words", [
    ("fastly-example", {"tracking-cdn:certificates": "shared"},
     ["certificates='shared'", "plan --against", "shared_certificate_domains", "docs/upgrading.md"]),
    ("gcp-example", {"tracking-cdn:certificates": "classic"},
     ["certificates='classic'", "replaces a protected classic certificate", "docs/upgrading.md"]),
], ids=["fastly-shared", "gcp-classic"])
def test_a_legacy_certificate_mode_warns_on_every_run_pointing_to_the_upgrade(stack, overrides, words):
    assert len(warned(run_stack(stack, overrides), *words)) == 1
    assert not warned(run_stack(stack), words[0]), "the default mode is quiet"


@pytest.mark.parametrize("stack, zone, name_key, argument", [
    ("cloudfront-example", {}, "tracking-cdn:hostedZoneName", "hosted_zone_name"),
    ("gcp-example", {"tracking-cdn:managedZone": "example-com"}, "tracking-cdn:managedZoneDnsName",
     "managed_zone_dns_name"),
], ids=["cloudfront", "gcp"])
def test_a_zone_given_by_id_alone_warns_once_naming_the_argument_that_checks_the_domains(stack, zone, name_key,
                                                                                           argument):
    domains = {"tracking-cdn:domains": ["click2.example.com", OTHER_DOMAIN]}
    unchecked = run_stack(stack, {**zone, **domains, name_key: None})
    (warning,) = warned(unchecked, "not checked against the zone")
    assert f"give {argument}" in warning and "before anything is created" in warning
    checked = run_stack(stack, {**zone, name_key: "example.com"})
    assert not warned(checked, "not checked against the zone"), "with the zone's name the domains are checked"
