"""docs/adding_a_policy.md followed verbatim: its wire module, its registry line and its command, run against a
stand-in of the server it describes (answering with `zero`'s actions), give a working client: one wire module and one
registry line."""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shlex
from pathlib import Path

import numpy as np

from tests.http_stub import QuietHandler, start, stop
from vla_harness.benchmarks.fake.bench import FakeBenchmark
from vla_harness.cli.main import main
from vla_harness.harness.protocols import BenchSelection
from vla_harness.harness.store import read_records
from vla_harness.policies import POLICIES
from vla_harness.policies.zero_policy import ZeroPolicy

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "adding_a_policy.md"


def code_blocks(text: str) -> list[tuple[str, str]]:
    return re.findall(r"^```(\w+)\n(.*?)^```", text, flags=re.S | re.M)


class MyServer:
    """What the guide describes: POST /predict {image (base64 uint8), shape, instruction} -> {"actions"}, GET /health;
    it answers with the `zero` policy's chunk and keeps every request."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        requests = self.requests

        class Handler(QuietHandler):
            def do_GET(self) -> None:
                self.reply(200 if self.path == "/health" else 404, b"{}")

            def do_POST(self) -> None:
                requests.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.reply(200, json.dumps({"actions": ZeroPolicy().act(None).tolist()}).encode())

        self.handler = Handler

    def __enter__(self) -> "MyServer":
        self.http, self.url = start(self.handler)
        return self

    def __exit__(self, *exc) -> None:
        stop(self.http)


def test_following_the_policy_guide_verbatim_gives_a_working_client(tmp_path, monkeypatch):
    blocks = code_blocks(GUIDE.read_text())
    python = [code for lang, code in blocks if lang == "python"]
    (module_code,) = [c for c in python if c.startswith("# policies/clients/")]
    (registry_line,) = [c for c in python if c.startswith("POLICIES.add(")]
    (command,) = [c for lang, c in blocks if lang == "bash"]
    path = module_code.splitlines()[0].removeprefix("# ").strip()
    module_name = "vla_harness." + path.removesuffix(".py").replace("/", ".")
    (tmp_path / "myserver.py").write_text(module_code)  # the module, as the guide writes it, under its own name
    spec = importlib.util.spec_from_file_location(module_name, tmp_path / "myserver.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(__import__("sys").modules, module_name, module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(POLICIES, "_entries", dict(POLICIES._entries))  # the registry line, undone afterwards
    monkeypatch.setattr(POLICIES, "_descriptions", dict(POLICIES._descriptions))
    exec(registry_line, {"POLICIES": POLICIES})

    with MyServer() as server:
        monkeypatch.setenv("MYSERVER_URL", server.url)
        args = shlex.split(os.path.expandvars(command.strip()))
        assert args[0] == "vla-harness"
        assert main([*args[1:], "--out", str(tmp_path), "--name", "guide", "--no-progress"]) == 0

    records = read_records(tmp_path / "guide")
    assert [(r.success, r.error, r.steps) for r in records] == [(False, None, 40)] * 2  # zero never reaches the target
    assert records[0].policy.target == "vla_harness.policies.clients.myserver:MyServerPolicy"
    assert len(server.requests) == 2 * 5  # 40 steps in chunks of zero's 8 actions, per episode
    first = server.requests[0]
    assert first["shape"] == [32, 32, 3] and first["instruction"] == "reach target 0"
    bench = FakeBenchmark()  # what the fake env showed at the first step, upright at the policy's size
    env = bench.make_env(bench.episodes(BenchSelection(tasks=(0,), trials=1), run_seed=7)[0])
    env.reset(records[0].spec)
    sent = np.frombuffer(base64.b64decode(first["image"]), np.uint8).reshape(first["shape"])
    np.testing.assert_array_equal(sent, env.observe(("agentview",), 32).images["agentview"])
