"""Remote policies: the openpi-compatible server and the `remote` client, all on 127.0.0.1 with free ports."""

from __future__ import annotations

import asyncio
import json
import threading
import urllib.request

import msgpack
import numpy as np
import pytest
import websockets.sync.client
from openpi_client import msgpack_numpy as openpi_msgpack
from openpi_client.websocket_client_policy import WebsocketClientPolicy
from websockets.exceptions import ConnectionClosedError, InvalidStatus

from vla_harness.cli.main import main
from vla_harness.cli.resolve import build_policy
from vla_harness.harness import codec
from vla_harness.harness.store import read_records
from vla_harness.harness.types import Observation, PolicySpec, TaskInfo
from vla_harness.policies.clients.remote import RemotePolicy
from vla_harness.policies.clients.transport import PolicyUnreachable, RemotePolicyError
from vla_harness.policies.server import PolicyServer, ServerConfig, ServerThread

# openpi-client 0.1.2 calls websockets' connect() the pre-17 way.
pytestmark = pytest.mark.filterwarnings("ignore:connect\\(\\) must be used as a context manager:DeprecationWarning")

IMG = np.arange(32 * 32 * 3, dtype=np.uint8).reshape(32, 32, 3)
TASK = TaskInfo("fake", "reach", 0, "task0", "reach target 0", seed=11)


def serve(factory, **config) -> ServerThread:
    return ServerThread(PolicyServer(factory, ServerConfig(port=0, **config))).start()


def http_get(port: int, path: str, token: str | None = None) -> tuple[int, str]:
    headers = {"Authorization": f"Api-Key {token}"} if token else {}
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


class BatchProbe:
    """A batch-capable policy that records the size of every act_batch call."""

    def __init__(self) -> None:
        self.batches: list[int] = []

    def spec(self) -> PolicySpec:
        return PolicySpec(name="probe", cameras=("agentview",), image_size=32, replan_steps=2)

    def reset(self, task: TaskInfo) -> None:
        pass

    def act(self, obs: Observation) -> np.ndarray:
        return self.act_batch([obs])[0]

    def act_batch(self, observations: list[Observation]) -> list[np.ndarray]:
        self.batches.append(len(observations))
        return [np.full((2, 7), float(obs.images["agentview"][0, 0, 0]), np.float32) for obs in observations]

    def close(self) -> None:
        pass


def test_codec_is_openpi_msgpack_numpy_both_ways():
    data = {"a": np.arange(6, dtype=np.float32).reshape(2, 3), "img": IMG, "s": np.float64(2.5), "t": "x"}
    theirs = openpi_msgpack.unpackb(codec.packb(data))
    ours = codec.unpackb(openpi_msgpack.packb(data))
    for decoded in (theirs, ours):
        np.testing.assert_array_equal(decoded["a"], data["a"])
        np.testing.assert_array_equal(decoded["img"], IMG)
        assert decoded["s"] == 2.5 and decoded["t"] == "x"
    assert ours["img"].flags.writeable  # a policy may edit its input in place, as in-process
    short = msgpack.packb({b"__ndarray__": True, b"data": b"abc", b"dtype": "<f4", b"shape": [2]})
    obj = msgpack.packb({b"__ndarray__": True, b"data": b"12345678", b"dtype": "|O", b"shape": [1]})
    for bad in (short, obj, b"\xc1", b"\x91" * 5000 + b"\x01"):
        with pytest.raises(codec.CodecError):
            codec.unpackb(bad)
    with pytest.raises(TypeError):
        codec.packb({"o": np.array([object()])})


def test_real_openpi_client_round_trip_and_healthz():
    with serve(lambda: build_policy("zero", {"chunk": 4, "image_size": 32})) as server:
        port = server.server.port
        assert http_get(port, "/healthz") == (200, "OK\n")
        client = WebsocketClientPolicy("127.0.0.1", port)
        meta = client.get_server_metadata()
        assert meta["server"] == "vla-harness" and meta["spec"]["cameras"] == ["agentview"]
        assert meta["spec"]["replan_steps"] == 4 and meta["spec"]["image_size"] == 32
        reply = client.infer({"images": {"agentview": IMG}, "state": {"ee_pos": np.zeros(3)}, "prompt": "pick it"})
        assert reply["actions"].shape == (4, 7) and reply["actions"].dtype == np.float32
        assert np.all(reply["actions"][:, 6] == -1.0)
        assert reply["server_timing"]["infer_ms"] >= 0 and reply["server_timing"]["batch_size"] == 1
        assert "prev_total_ms" in client.infer({"prompt": "pick it"})["server_timing"]
        with pytest.raises(RuntimeError, match="unknown request key"):  # an error is text; the connection stays
            client.infer({"observation_image": IMG})
        with pytest.raises(RuntimeError, match="missing"):  # an incomplete openpi LIBERO element (test_openpi.py)
            client.infer({"observation/image": IMG})
        assert client.infer({"prompt": "again"})["actions"].shape == (4, 7)


def test_shared_token_auth():
    with serve(lambda: build_policy("zero", {"chunk": 2}), token="s3cret") as server:
        port = server.server.port
        assert http_get(port, "/healthz")[0] == 200  # health needs no token
        assert http_get(port, "/stats")[0] == 401 and http_get(port, "/stats", "s3cret")[0] == 200
        client = WebsocketClientPolicy("127.0.0.1", port, api_key="s3cret")
        assert client.infer({"prompt": "x"})["actions"].shape == (2, 7)
        with pytest.raises(InvalidStatus, match="401"):
            WebsocketClientPolicy("127.0.0.1", port, api_key="wrong")
        with pytest.raises(PolicyUnreachable, match="wrong token"):
            RemotePolicy(url=server.url, token="wrong", reconnect_attempts=0)
        assert RemotePolicy(url=server.url, token="s3cret").spec().replan_steps == 2


def test_malformed_and_oversized_messages_get_error_replies_and_server_survives():
    with serve(lambda: build_policy("zero", {"chunk": 2}), max_message_bytes=64 * 1024) as server:
        port = server.server.port
        with websockets.sync.client.connect(server.url, max_size=None) as ws:
            codec.unpackb(ws.recv(timeout=5))  # metadata
            bad_array = msgpack.packb({"images": {"cam": {b"__ndarray__": True, b"data": b"xy", b"dtype": "<f4",
                                                          b"shape": [9, 9]}}})
            for message in ("text, not msgpack", b"\xc1\xc1", msgpack.packb([1, 2]), bad_array,
                            openpi_msgpack.packb({"images": {"cam": np.zeros(3)}}),
                            openpi_msgpack.packb({"prompt": 3}), openpi_msgpack.packb({"step": "x"})):
                ws.send(message)
                reply = ws.recv(timeout=5)
                assert isinstance(reply, str) and reply.startswith("malformed request:"), reply
            ws.send(openpi_msgpack.packb({"prompt": "fine"}))
            assert openpi_msgpack.unpackb(ws.recv(timeout=5))["actions"].shape == (2, 7)
            ws.send(b"\x00" * (100 * 1024))  # over the limit: refused by the websocket layer with 1009
            with pytest.raises(ConnectionClosedError) as info:
                ws.recv(timeout=5)
            assert info.value.rcvd.code == 1009
        assert http_get(port, "/healthz") == (200, "OK\n")
        client = RemotePolicy(url=server.url)
        client.reset(TASK)
        big = Observation(images={"agentview": np.zeros((256, 256, 3), np.uint8)}, state={}, instruction="x", step=0)
        with pytest.raises(RemotePolicyError, match="too big"):
            client.act(big)
        small = Observation(images={"agentview": IMG}, state={}, instruction="x", step=0)
        assert client.act(small).shape == (2, 7)
        client.close()


@pytest.mark.parametrize("max_batch", [4, 1])
def test_batching_combines_concurrent_requests(max_batch):
    probe = BatchProbe()
    with serve(lambda: probe, max_batch=max_batch, max_wait_ms=2000) as server:
        clients = [RemotePolicy(url=server.url) for _ in range(4)]
        barrier, results = threading.Barrier(4), {}

        def ask(i: int) -> None:
            clients[i].reset(TASK)
            barrier.wait()
            img = np.full((32, 32, 3), i, np.uint8)
            results[i] = (clients[i].act(Observation({"agentview": img}, {}, "go", 0)), clients[i].last_timing)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(20)
        for c in clients:
            c.close()
    for i in range(4):  # every client got its own answer back
        assert np.all(results[i][0] == i)
    if max_batch == 4:  # all four open connections had a request pending: one batch, no waiting out max_wait
        assert probe.batches == [4] and all(timing["batch_size"] == 4 for _, timing in results.values())
        assert all(timing["queue_ms"] < 1500 for _, timing in results.values())
    else:
        assert probe.batches == [1, 1, 1, 1]


def test_remote_in_the_episode_loop_matches_local(tmp_path):
    with serve(lambda: build_policy("random", {"chunk": 4})) as server:
        args = ["--bench", "fake", "--tasks", "0,1", "--trials", "2", "--out", str(tmp_path), "--no-progress"]
        assert main(["eval", *args, "--name", "remote", "--policy", "remote", "--policy-url", server.url]) == 0
    assert main(["eval", *args, "--name", "local", "--policy", "random", "-P", "chunk=4"]) == 0
    remote, local = read_records(tmp_path / "remote"), read_records(tmp_path / "local")
    assert [r.error for r in remote] == [None] * 4
    # One policy instance per connection, reset per episode with the episode's seed: the same actions as in-process.
    assert [(r.key, r.success, r.steps) for r in remote] == [(r.key, r.success, r.steps) for r in local]


def test_remote_client_against_a_plain_openpi_server():
    """Our client against a server that only speaks openpi's protocol (empty metadata, its own key names)."""
    seen, ready, stop = [], threading.Event(), {}

    async def handler(ws):
        await ws.send(openpi_msgpack.packb({}))
        async for message in ws:
            obs = openpi_msgpack.unpackb(message)
            seen.append(obs)
            await ws.send(openpi_msgpack.packb({"actions": np.ones((10, 7)), "server_timing": {"infer_ms": 1.0}}))

    async def run():
        from websockets.asyncio.server import serve as ws_serve

        stop["event"], stop["loop"] = asyncio.Event(), asyncio.get_running_loop()
        async with ws_serve(handler, "127.0.0.1", 0, compression=None, max_size=None) as srv:
            stop["port"] = srv.sockets[0].getsockname()[1]
            ready.set()
            await stop["event"].wait()

    thread = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    thread.start()
    assert ready.wait(10)
    try:
        client = RemotePolicy(url=f"ws://127.0.0.1:{stop['port']}", cameras=["agentview"], image_size=32,
                              chunk_len=5, max_chunk=5, rename={"images.agentview": "observation/image"})
        assert client.spec().cameras == ("agentview",) and client.spec().image_size == 32
        client.reset(TASK)
        actions = client.act(Observation({"agentview": IMG}, {"ee_pos": np.zeros(3, np.float32)}, "pick", 0))
        assert actions.shape == (5, 7)
        assert set(seen[0]) == {"observation/image", "state", "prompt"}  # no harness-only keys
        np.testing.assert_array_equal(seen[0]["observation/image"], IMG)
        client.close()
    finally:
        stop["loop"].call_soon_threadsafe(stop["event"].set)
        thread.join(10)


def test_stats_count_batches():
    with serve(lambda: build_policy("zero", {"chunk": 2})) as server:
        client = RemotePolicy(url=server.url)
        client.reset(TASK)
        for step in range(3):
            client.act(Observation({"agentview": IMG}, {}, "x", step))
        client.close()
        stats = json.loads(http_get(server.server.port, "/stats")[1])
    assert stats["requests"] == 3 and stats["batches"] == 3


class Reacher:
    """Privileged: steers toward the fake env's target, so success proves privileged state crossed the wire."""

    def spec(self) -> PolicySpec:
        return PolicySpec(name="reacher", replan_steps=2, privileged=True)

    def reset(self, task: TaskInfo) -> None:
        pass

    def act(self, obs: Observation) -> np.ndarray:
        delta = np.clip((obs.privileged["target"] - obs.privileged["pos"]) / 0.1, -1, 1)
        return np.tile(np.concatenate([delta, np.zeros(3), [-1.0]]), (2, 1)).astype(np.float32)

    def close(self) -> None:
        pass


def test_privileged_state_crosses_the_wire(tmp_path):
    with serve(Reacher) as server:
        assert main(["eval", "--bench", "fake", "--tasks", "0", "--trials", "2", "--out", str(tmp_path), "--name", "r",
                     "--no-progress", "--policy", "remote", "--policy-url", server.url]) == 0
    assert [(r.success, r.error) for r in read_records(tmp_path / "r")] == [(True, None), (True, None)]
