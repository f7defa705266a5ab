"""VLA-JEPA: no future leakage, stop-gradient target, EMA formula, learning, checkpoints (tiny config, synthetic
data)."""

import json
import shutil

import numpy as np
import pytest
import torch

from vla_harness.benchmarks.libero.protocol import libero_protocol
from vla_harness.harness.convert import conform
from vla_harness.harness.errors import UserError
from vla_harness.harness.types import Observation, TaskInfo
from vla_harness.policies.vla_jepa.checkpoint import CheckpointError, load
from vla_harness.policies.vla_jepa.config import ConfigError, model_config
from vla_harness.policies.vla_jepa.model import VlaJepa, ema_update, latent_loss, momentum
from vla_harness.training.vla_jepa.config import train_config
from vla_harness.training.vla_jepa.data import prepare, stage1_batch, synthetic_episodes
from vla_harness.training.vla_jepa.train import run, train_stage1

TEXT = np.random.default_rng(0).normal(size=384).astype(np.float32)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    torch.manual_seed(0)
    out = tmp_path_factory.mktemp("ckpt") / "tiny"
    cfg = train_config("tiny", {"stage1_steps": 40, "stage2_steps": 40, "threads": 1})
    return run(synthetic_episodes(9, steps=36, size=32), cfg, ["synthetic"], out=out, log=lambda s: None), out


def _episode(cfg):
    return prepare(synthetic_episodes(1, steps=40, size=32)[0], cfg, TEXT)


def test_changing_future_frames_leaves_student_bit_identical():
    cfg = model_config("tiny")
    model, ep = VlaJepa(cfg).eval(), _episode(cfg)
    b1 = stage1_batch([ep], 4, 10, 20, torch.Generator().manual_seed(3))
    ep.frames[15:] = torch.randint(0, 256, ep.frames[15:].shape, dtype=torch.uint8)  # rewrite the future
    b2 = stage1_batch([ep], 4, 10, 20, torch.Generator().manual_seed(3))
    assert not torch.equal(b1["future"], b2["future"])  # the target side did see the change
    cur = [i for i in range(4) if torch.equal(b1["frames"][i], b2["frames"][i])]
    assert cur, "some sampled current frames must precede the rewritten future"
    with torch.no_grad():
        s1 = model.predict_latent(b1["frames"][cur], b1["text"][cur], b1["horizon"][cur])
        s2 = model.predict_latent(b2["frames"][cur], b2["text"][cur], b2["horizon"][cur])
        a1 = model.predict_actions(b1["frames"][cur], b1["text"][cur], torch.zeros(len(cur), cfg.state_dim))
        a2 = model.predict_actions(b2["frames"][cur], b2["text"][cur], torch.zeros(len(cur), cfg.state_dim))
    assert torch.equal(s1, s2) and torch.equal(a1, a2)


def test_no_gradient_reaches_target_and_frozen_target_stays_put():
    cfg = model_config("tiny")
    model, ep = VlaJepa(cfg), _episode(cfg)
    assert not any(p.requires_grad for p in model.target.parameters())
    b = stage1_batch([ep], 4, 10, 20, torch.Generator().manual_seed(0))
    target = model.encode_target(b["future"])
    assert not target.requires_grad
    latent_loss(model.predict_latent(b["frames"], b["text"], b["horizon"]), target, "l1").mean().backward()
    assert all(p.grad is None for p in model.target.parameters())
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in model.student.parameters())
    before = [p.clone() for p in model.target.parameters()]
    from vla_harness.training.vla_jepa.data import Split
    tcfg = train_config("tiny", {"stage1_steps": 3, "target": "frozen", "threads": 1})
    train_stage1(model, Split(train=[ep]), tcfg, log=lambda s: None)
    assert all(torch.equal(a, p) for a, p in zip(before, model.target.parameters()))


def test_ema_update_is_the_formula():
    cfg = model_config("tiny")
    model = VlaJepa(cfg)
    with torch.no_grad():
        for p in model.student.parameters():
            p.add_(torch.randn_like(p))
    t0 = [p.clone() for p in model.target.parameters()]
    s0 = [p.clone() for p in model.student.parameters()]
    ema_update(model.target, model.student, 0.9)
    for t, s, new in zip(t0, s0, model.target.parameters()):
        torch.testing.assert_close(new, 0.9 * t + 0.1 * s, rtol=0, atol=1e-6)
    assert momentum(0, 100, 0.99, 1.0) == pytest.approx(0.99)
    assert momentum(99, 100, 0.99, 1.0) == pytest.approx(1.0)
    assert 0.99 < momentum(50, 100, 0.99, 1.0) < 1.0


def test_latent_losses_are_selectable():
    a, b = torch.randn(2, 5, 8), torch.randn(2, 5, 8)
    for kind in ("l1", "smooth_l1", "cosine"):
        assert latent_loss(a, b, kind).shape == (2,) and float(latent_loss(a, a, kind).max()) < 1e-5
    with pytest.raises(ConfigError, match="loss 'mse' not allowed"):
        train_config("tiny", {"loss": "mse"})


def test_tiny_training_loss_decreases_and_manifest_has_gates(trained):
    result, out = trained
    for stage in ("stage1", "stage2"):
        curve = [loss for _, loss in result.manifest["losses"][stage]]
        assert curve[-1] < curve[0], f"{stage} loss did not decrease: {curve}"
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["gates"]["stage1"]) >= {"latent_loss", "copy_current_loss", "shuffled_instruction_loss",
                                                "target_spread", "passed"}
    assert manifest["data"]["held_out_episodes"] and manifest["seed"] == 0
    assert any("gates" in line for line in result.report)


def _obs(cfg, seed=0):
    rng = np.random.default_rng(seed)
    size = cfg.render_size or cfg.image_size
    images = {"agentview": rng.integers(0, 255, (size, size, 3), dtype=np.uint8),
              "eye_in_hand": rng.integers(0, 255, (size, size, 3), dtype=np.uint8)}
    state = {"state": rng.normal(size=cfg.state_dim)}  # eef pos + axis-angle + fingers, as the worker assembles it
    return Observation(images=images, state=state, instruction="move the square left", step=0)


def test_save_load_round_trip_gives_identical_actions(trained):
    from vla_harness.policies.vla_jepa.adapter import VlaJepaPolicy

    result, out = trained
    policy = VlaJepaPolicy(checkpoint=str(out))
    policy.reset(TaskInfo("fake", "s", 0, "t", "move the square left"))
    obs = _obs(policy.cfg)
    chunk = policy.act(obs)
    assert chunk.shape == (8, 7) and chunk.dtype == np.float32
    with torch.no_grad():
        frames, text, state = policy.inputs(obs)
        direct = result.model.predict_actions(frames, text, state)[0].numpy()
    np.testing.assert_array_equal(chunk[:, :6], np.clip(direct[:, :6], -1, 1))
    assert np.array_equal(VlaJepaPolicy(checkpoint=str(out)).act(obs), policy.act(obs))
    assert policy.spec().cameras == ("agentview", "eye_in_hand")  # recorder names: the wrist one is an alias
    assert conform(policy, libero_protocol("libero_spatial")).spec().cameras == ("agentview", "robot0_eye_in_hand")


def test_bad_checkpoints_give_one_line_errors(trained, tmp_path):
    _, out = trained
    assert issubclass(CheckpointError, UserError)
    with pytest.raises(CheckpointError, match="is not a directory"):
        load(tmp_path / "nope")
    bad = tmp_path / "missing"
    shutil.copytree(out, bad)
    (bad / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="lacks model.safetensors"):
        load(bad)
    shapes = tmp_path / "shapes"
    shutil.copytree(out, shapes)
    config = json.loads((shapes / "config.json").read_text())
    config["model"]["dim"] = 48
    (shapes / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="has shape") as err:
        load(shapes)
    assert "\n" not in str(err.value)
    config["model"]["colour"] = 1
    (shapes / "config.json").write_text(json.dumps(config))
    with pytest.raises(CheckpointError, match="unknown ModelConfig field"):
        load(shapes)


def test_train_command_writes_a_checkpoint_and_rejects_bad_options(tmp_path, capsys):
    from vla_harness.cli.main import main

    out = tmp_path / "ck"
    args = ["train", "--preset", "tiny", "--synthetic", "6", "--out", str(out), "--set", "stage1_steps=4",
            "--set", "stage2_steps=4", "--set", "threads=1"]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "instructions.json", "manifest.json",
                                                     "model.safetensors"]
    assert main(["train", "--preset", "huge", "--synthetic", "6"]) == 2
    assert main(["train", "--preset", "tiny", "--synthetic", "6", "--set", "target=moving"]) == 2
    err = capsys.readouterr().err
    assert "unknown preset 'huge'" in err and "target 'moving' not allowed; choose from ema, frozen" in err
