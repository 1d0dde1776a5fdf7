"""bench/throwaway.py's HAProxy configuration: the deployment's own file, placed on this machine's loopback ports
with every balancing and checking setting kept, or a clear refusal when the file changes shape."""

from __future__ import annotations

import re

import pytest

import throwaway


def test_the_deployed_config_is_placed_on_loopback_with_its_checks_and_balancing() -> None:
    config = throwaway.haproxy_config(18080, [18001, 18002, 18003])
    deployed = throwaway.HAPROXY_CFG.read_text()
    assert "bind 127.0.0.1:18080" in config
    assert re.findall(r"server (app\d) 127\.0\.0\.1:(\d+)", config) == [
        ("app1", "18001"),
        ("app2", "18002"),
        ("app3", "18003"),
    ]
    assert "resolvers" not in config
    assert "server-template" not in config
    assert "log stdout" not in config
    kept_lines = ("balance leastconn", "http-check send meth GET uri /readyz", "if { path_beg /metrics }")
    for kept in kept_lines:
        assert kept in deployed
        assert kept in config
    assert "check inter 2s fall 2 rise 2 slowstart 10s" in config


def test_a_config_of_another_shape_is_refused_rather_than_measured() -> None:
    without_template = "frontend public\n    bind :8080\n    default_backend app\nbackend app\n    server a x:1\n"
    with pytest.raises(RuntimeError, match="changed shape"):
        throwaway.haproxy_config(18080, [18001], source=without_template)
