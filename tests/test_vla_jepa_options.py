"""VLA-JEPA model options measured in docs/vla_jepa.md: conv stem, no proprio, spatial-softmax keypoints, and the
action-std floor. Each must change what it says and survive a checkpoint round trip."""

import dataclasses

import pytest
import torch

from vla_harness.policies.vla_jepa.checkpoint import load, save
from vla_harness.policies.vla_jepa.config import ConfigError, model_config
from vla_harness.policies.vla_jepa.model import Keypoints, VlaJepa
from vla_harness.policies.vla_jepa.text import TextCache
from vla_harness.training.vla_jepa.config import run_model_config, train_config
from vla_harness.training.vla_jepa.data import Tensors, norm_stats

TINY = model_config("tiny")


def _inputs(cfg, b=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    frames = torch.rand(b, len(cfg.cameras), 3, cfg.image_size, cfg.image_size, generator=gen)
    return frames, torch.randn(b, cfg.text_dim, generator=gen), torch.randn(b, cfg.state_dim, generator=gen)


@pytest.mark.parametrize("change", [dict(stem="conv"), dict(use_state=False), dict(keypoints=4)])
def test_each_option_builds_predicts_and_round_trips(change, tmp_path):
    cfg = dataclasses.replace(TINY, **change).validate()
    torch.manual_seed(0)
    model = VlaJepa(cfg).eval()
    frames, text, state = _inputs(cfg)
    before = model.predict_actions(frames, text, state)
    assert before.shape == (3, cfg.chunk_len, cfg.action_dim) and torch.isfinite(before).all()
    texts = TextCache()
    save(tmp_path / "ck", model, {}, {"gates": {}}, texts)
    again = load(tmp_path / "ck")[0].eval()
    assert again.cfg == cfg and torch.equal(again.predict_actions(frames, text, state), before)


def test_without_state_the_chunk_ignores_proprio_and_with_state_it_does_not():
    frames, text, state = _inputs(TINY)
    for use_state, same in ((False, True), (True, False)):
        torch.manual_seed(0)
        model = VlaJepa(dataclasses.replace(TINY, use_state=use_state)).eval()
        a, b = model.predict_actions(frames, text, state), model.predict_actions(frames, text, state + 1.0)
        assert torch.equal(a, b) is same


def test_keypoints_are_expected_grid_positions():
    cfg = dataclasses.replace(TINY, keypoints=1)
    kp = Keypoints(cfg)
    side = cfg.image_size // cfg.patch
    tokens = torch.zeros(1, len(cfg.cameras) * side * side, cfg.dim)
    with torch.no_grad():
        kp.logits.weight.zero_(), kp.logits.bias.zero_()
        kp.logits.weight[0, 0] = 50.0
        tokens[0, side * side - 1, 0] = 1.0  # camera 0: the bottom-right patch stands out
        kp.out.weight.copy_(torch.eye(cfg.dim, kp.out.in_features)), kp.out.bias.zero_()
    points = kp(tokens)[0, 0, :2 * len(cfg.cameras)].reshape(len(cfg.cameras), 2)
    corner = (side - 0.5) / side * 2 - 1
    assert torch.allclose(points[0], torch.tensor([corner, corner]), atol=1e-3)
    assert torch.allclose(points[1], torch.zeros(2), atol=1e-5)  # uniform softmax: the grid centre


def test_action_std_floor_lifts_near_constant_dims_only():
    actions = torch.stack([torch.linspace(-1, 1, 50), torch.full((50,), 0.01) + torch.linspace(0, 1e-3, 50)], dim=1)
    ep = Tensors(frames=torch.zeros(1, 1, 3, 8, 8, dtype=torch.uint8), text=torch.zeros(4), state=torch.zeros(50, 2),
                 actions=actions)
    raw, floored = norm_stats([ep])["action_std"], norm_stats([ep], 0.1)["action_std"]
    assert raw[1] < 0.01 and floored[1] == pytest.approx(0.1) and floored[0] == pytest.approx(raw[0])


def test_bad_stem_is_a_one_line_config_error():
    with pytest.raises(ConfigError, match="stem 'resnet' not allowed"):
        dataclasses.replace(TINY, stem="resnet").validate()
    run = train_config("tiny", {"stem": "conv", "keypoints": 8, "use_state": False})
    model = run_model_config(run, render_size=48)
    assert (model.stem, model.keypoints, model.use_state, model.render_size) == ("conv", 8, False, 48)
    assert model.dim == model_config("tiny").dim  # the rest is the size's own config


def test_data_seed_fixes_the_split_across_training_seeds():
    from vla_harness.training.vla_jepa.data import split_episodes, synthetic_episodes

    episodes = synthetic_episodes(18, steps=12, size=32)
    texts = {e.instruction: torch.zeros(TINY.text_dim).numpy() for e in episodes}

    def held(seed: int, data_seed: int) -> list[str]:
        cfg = train_config("tiny", {"seed": seed, "data_seed": data_seed})
        return split_episodes(episodes, TINY, texts, 0.3, cfg.split_seed).held_out_names

    assert held(0, 5) == held(1, 5)
    assert held(0, -1) != held(1, -1)  # without it, each training seed holds out other episodes


def test_the_ablation_trains_bit_identically_with_or_without_video():
    """Stage-2 data, its held-out split and the normalisation ignore unlabelled video, so the no-stage-1 arm is the
    same model whether or not the VLA-JEPA arm's video is passed (and both arms train on the same demonstrations)."""
    from vla_harness.training.vla_jepa.data import synthetic_episodes
    from vla_harness.training.vla_jepa.train import run

    demos = synthetic_episodes(9, steps=24, size=32)
    video = [dataclasses.replace(e, name=f"video_{i}", task_name=f"other_{i % 2}", actions=None)
             for i, e in enumerate(synthetic_episodes(6, steps=24, size=32, seed=1))]
    cfg = train_config("tiny", {"skip_stage1": True, "stage2_latent_weight": 0.0, "stage2_steps": 5})
    plain, with_video = (run(eps, cfg, ["synthetic"], log=lambda s: None) for eps in (demos, demos + video))
    assert plain.manifest["data"]["train_episodes"] == [n for n in with_video.manifest["data"]["train_episodes"]
                                                        if not n.startswith("video_")]
    for (name, a), (_, b) in zip(plain.model.state_dict().items(), with_video.model.state_dict().items()):
        assert torch.equal(a, b), name
