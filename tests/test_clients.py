"""Clients composed of a transport and a wire (policies/clients/): the factory `served()` makes, options under their
0.1 names, the HTTP transport's retries and refusals, the token on both transports; servers on 127.0.0.1."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

from tests.http_stub import QuietHandler, start, stop
from tests.openpi_server import OpenpiStandIn
from vla_harness.harness.config import ConfigError
from vla_harness.harness.targets import build
from vla_harness.harness.types import Observation, PolicySpec
from vla_harness.policies import POLICIES
from vla_harness.policies.clients.client import served
from vla_harness.policies.clients.http import HttpRoute
from vla_harness.policies.clients.remote import pack, unpack_actions
from vla_harness.policies.clients.transport import PolicyUnreachable, RemotePolicyError

FAST = {"reconnect_attempts": 2, "reconnect_backoff_s": 0.01, "connect_timeout_s": 2.0}
CHUNK = np.arange(5 * 7, dtype=np.float32).reshape(5, 7) / 100


class PromptWire:
    """The smallest wire: the prompt out, openpi's reply back; no hooks (the server speaks first, as openpi's)."""

    name = "prompt"

    def __init__(self, replan_steps: int | None = None) -> None:
        self.replan_steps = replan_steps

    def spec(self, metadata):
        return PolicySpec(name="prompt", replan_steps=self.replan_steps)

    def encode(self, obs: Observation) -> bytes:
        return pack({"prompt": obs.instruction})

    def decode(self, reply: bytes) -> np.ndarray:
        return unpack_actions(reply)[0]


PromptPolicy = served(PromptWire)
OBS = Observation({}, {}, "pick it up", 0)


def test_a_wire_with_three_methods_is_a_client_and_its_factory_lists_every_option():
    with OpenpiStandIn(CHUNK) as server:
        client = PromptPolicy(url=server.url, replan_steps=2, **FAST)
        np.testing.assert_array_equal(client.act(OBS), CHUNK)
        assert client.spec().replan_steps == 2 and server.received == [{"prompt": "pick it up"}]
        client.close()
    params = list(inspect.signature(PromptPolicy).parameters)
    assert params[:3] == ["url", "model", "replan_steps"]
    assert {"token", "read_timeout_s", "on_unreachable"} <= set(params)
    with pytest.raises(ConfigError, match=r"takes no option\(s\) colour; allowed: url, model, replan_steps, token"):
        PromptPolicy(url="ws://127.0.0.1:9", colour="red")
    with pytest.raises(ConfigError, match="needs the server URL: --policy-url ws://HOST:PORT"):
        PromptPolicy()
    with pytest.raises(ConfigError, match="on_unreachable must be one of continue, stop"):
        PromptPolicy(url="ws://127.0.0.1:9", on_unreachable="later")


def test_options_under_their_0_1_names_still_build_and_a_clash_is_one_line():
    with OpenpiStandIn(CHUNK) as server:
        target = POLICIES.target("remote")
        old = build("policy", "remote", target, {"url": server.url, "max_chunk": 3, "chunk_len": 9, **FAST})
        assert old.spec().replan_steps == 3 and old.act(OBS).shape == (3, 7)  # chunk_len: retired, changed nothing
        old.close()
        with pytest.raises(ConfigError, match="options replan_steps and max_chunk are one option, replan_steps"):
            build("policy", "remote", target, {"url": server.url, "replan_steps": 2, "max_chunk": 3})
    assert POLICIES.get("openvla_oft").renamed_options == {"open_loop_steps": "replan_steps"}
    assert POLICIES.get("vla_jepa_official").renamed_options == {"chunk_len": "replan_steps"}
    assert POLICIES.get("vla_jepa").renamed_options == {"execute": "replan_steps"}


class FlakyHttp:
    """POST /act answers 503 `failures` times, then the chunk; GET /up answers; keeps the headers it saw."""

    def __init__(self, failures: int = 0, status: int = 503) -> None:
        self.failures, self.status, self.headers = failures, status, []
        owner = self

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                owner.headers.append(dict(self.headers))
                self.reply(200, b"{}")

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers["Content-Length"]))
                owner.headers.append(dict(self.headers))
                if owner.failures:
                    owner.failures -= 1
                    return self.reply(owner.status, b"{}")
                self.reply(200, json.dumps(CHUNK.tolist()).encode())

        self.http, self.url = start(Handler)

    def close(self) -> None:
        stop(self.http)


class JsonWire:
    name = "json"

    def spec(self, metadata):
        return PolicySpec(name="json")

    def encode(self, obs: Observation) -> bytes:
        return json.dumps({"prompt": obs.instruction}).encode()

    def decode(self, reply: bytes) -> np.ndarray:
        return np.asarray(json.loads(reply), dtype=np.float32)


JsonPolicy = served(JsonWire, HttpRoute(path="/act", probe="/up"), scheme="http")


def test_http_retries_5xx_refuses_4xx_in_one_line_and_sends_the_token(monkeypatch):
    monkeypatch.setenv("VLA_HARNESS_TOKEN", "s3cret")
    server = FlakyHttp(failures=2)
    try:
        client = JsonPolicy(url=server.url + "/act", **FAST)
        np.testing.assert_array_equal(client.act(OBS), CHUNK)  # two 503s, retried with backoff
        assert all(h.get("Authorization") == "Api-Key s3cret" for h in server.headers) and len(server.headers) == 4
        server.failures = 3
        with pytest.raises(PolicyUnreachable, match=r"unreachable after 3 attempt\(s\): HTTP 503"):
            client.act(OBS)
        server.failures, server.status = 1, 404
        with pytest.raises(RemotePolicyError, match="answered HTTP 404") as info:
            client.act(OBS)
        assert "\n" not in str(info.value)
        assert "max_message_bytes" not in inspect.signature(JsonPolicy).parameters  # a websocket-only option
    finally:
        server.close()


def test_the_websocket_token_comes_from_the_option_or_the_environment(monkeypatch):
    monkeypatch.setenv("VLA_HARNESS_TOKEN", "from-env")
    with OpenpiStandIn(CHUNK) as server:
        assert PromptPolicy(url=server.url, **FAST).transport.options.token == "from-env"
        assert PromptPolicy(url=server.url, token="given", **FAST).transport.options.token == "given"
