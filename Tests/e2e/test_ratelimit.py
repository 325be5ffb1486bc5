"""`http.ratelimit{rate, methods}` (issue #6): requests over the limit get 429 TOOMANYREQUESTS with
`Retry-After`; limits are per second, so service resumes once the second has passed."""
import time

import pytest
import requests

from oci import assert_oci_error
from zotd_server import ZotdServer


class RateLimitedServer(ZotdServer):
    """A zotd whose config limits GET to 3 requests a second and everything to 50."""

    def config(self) -> dict:
        config = super().config()
        config["http"]["ratelimit"] = {"rate": 50, "methods": [{"method": "GET", "rate": 3}]}
        return config


@pytest.fixture
def limited(tmp_path, zotd_binary):
    server = RateLimitedServer(zotd_binary, tmp_path)
    server.start()
    yield server
    server.stop()


def burst(server, method, count):
    session = requests.Session()
    return [session.request(method, server.url("/v2/"), timeout=5) for _ in range(count)]


def test_requests_over_the_method_rate_get_429_with_retry_after(limited):
    """More GETs in one second than `methods[GET].rate` allows: the excess is refused with the spec's
    TOOMANYREQUESTS error and a `Retry-After` header."""
    answers = burst(limited, "GET", 10)
    refused = [r for r in answers if r.status_code == 429]
    assert refused, [r.status_code for r in answers]
    assert_oci_error(refused[0], 429, "TOOMANYREQUESTS")
    assert refused[0].headers.get("Retry-After") == "1"
    assert sum(r.status_code == 200 for r in answers) <= 4


def test_other_methods_are_held_only_to_the_overall_rate(limited):
    """A per-method limit leaves other methods alone, up to the overall `rate`."""
    burst(limited, "GET", 10)
    answers = burst(limited, "HEAD", 10)
    assert all(r.status_code == 200 for r in answers), [r.status_code for r in answers]


def test_service_resumes_after_the_limit_window(limited):
    """Tokens refill at the configured rate: after a pause, requests are admitted again."""
    burst(limited, "GET", 10)
    time.sleep(1.2)
    assert burst(limited, "GET", 1)[0].status_code == 200
