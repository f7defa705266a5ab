"""The VLA-JEPA learning gates against deliberately blind and deliberately collapsed models (tiny, CPU, seconds).

A gate that such a model passes is a bug. Data: two tasks, four held-out and two training episodes each; within a
task each episode has its own scene brightness and its actions follow from it, as object placement sets a LIBERO
demo's actions, so only a model that looks at the image can get them right."""

import dataclasses

import pytest
import torch

from vla_harness.policies.vla_jepa.config import model_config
from vla_harness.policies.vla_jepa.model import VlaJepa
from vla_harness.training.vla_jepa import gates as G
from vla_harness.training.vla_jepa.config import train_config
from vla_harness.training.vla_jepa.data import Tensors

CFG = model_config("tiny")
TRAIN = train_config("tiny", {"batch": 8, "eval_batches": 2, "horizon_min": 2, "horizon_max": 4})
TEXTS = {"a": torch.full((CFG.text_dim,), 0.5), "b": torch.full((CFG.text_dim,), -0.5)}
BANK = torch.stack(list(TEXTS.values()))


def _episode(task: str, level: float, steps: int = 12) -> Tensors:
    size = CFG.image_size
    frames = torch.full((steps, len(CFG.cameras), 3, size, size), int(level * 255), dtype=torch.uint8)
    actions = torch.zeros(steps, CFG.action_dim)
    actions[:, 0] = _action_from(torch.tensor(level)) + (0.3 if task == "a" else -0.3)
    return Tensors(frames=frames, text=TEXTS[task], state=torch.zeros(steps, CFG.state_dim), actions=actions,
                   task=task, steps=torch.arange(steps), name=f"{task}{level}")


def _action_from(brightness: torch.Tensor) -> torch.Tensor:
    return 4.0 * brightness - 2.0


def _split():
    held = [_episode(t, lv) for t in "ab" for lv in (0.1, 0.35, 0.6, 0.85)]
    train = [_episode(t, lv) for t in "ab" for lv in (0.2, 0.7)]
    return held, train


class _Policy(torch.nn.Module):
    """A stand-in with the interface the probes use; `sees` / `reads` choose what its chunk depends on."""

    def __init__(self, sees: bool, reads: bool = True) -> None:
        super().__init__()
        self.cfg, self.sees, self.reads = CFG, sees, reads
        self.register_buffer("action_mean", torch.zeros(CFG.action_dim))

    def predict_actions(self, frames, text, state):
        out = torch.zeros(frames.shape[0], CFG.chunk_len, CFG.action_dim)
        if self.sees:
            out[:, :, 0] += _action_from(frames.flatten(1).mean(1))[:, None]
        if self.reads:
            out[:, :, 0] += 0.6 * (text[:, :1] > 0).float() - 0.3
        return out


def test_a_seeing_model_passes_every_stage2_gate():
    held, train = _split()
    g = G.stage2_gates(_Policy(sees=True), held, train, TRAIN, BANK)
    assert g.action_l1 < 0.01 and g.beats_mean and g.beats_replay and g.vision_error and g.vision_output
    assert g.passed


@pytest.mark.parametrize("reads", [True, False])
def test_a_blind_model_fails_the_gates_and_both_vision_diagnostics(reads):
    held, train = _split()
    g = G.stage2_gates(_Policy(sees=False, reads=reads), held, train, TRAIN, BANK)
    assert g.image_change == 0.0
    assert not g.vision_error and not g.vision_output  # diagnostics now: the closed-loop check decides vision
    assert not g.beats_replay and not g.passed


def test_a_blind_model_that_remembers_the_task_mean_is_beaten_by_replay():
    held, train = _split()
    g = G.stage2_gates(_Policy(sees=False), held, train, TRAIN, BANK)
    # replaying the nearest training demo (closest first frame) is better than any image-blind chunk here
    assert g.replay_l1 < g.action_l1 and not g.beats_replay


def test_a_real_model_with_a_collapsed_student_fails_the_vision_diagnostics():
    held, train = _split()
    model = VlaJepa(CFG).eval()
    model.student.forward = lambda frames, text=None: torch.zeros(frames.shape[0], 2 * CFG.tokens_per_camera, CFG.dim)
    g = G.stage2_gates(model, held, train, TRAIN, BANK)
    assert g.image_change == 0.0 and not g.vision_error and not g.vision_output


def test_relative_collapse_gate_fails_a_collapsed_target_and_passes_the_initial_one():
    held, _ = _split()
    held = [dataclasses.replace(e, frames=torch.randint(0, 256, e.frames.shape, dtype=torch.uint8)) for e in held]
    model = VlaJepa(CFG).eval()
    init = G.target_spread(model, held, TRAIN)
    assert init > 0
    fresh = G.stage1_gates(model, held, TRAIN, BANK, init)
    assert fresh.no_collapse and fresh.target_spread == pytest.approx(init)
    with torch.no_grad():  # the target maps every image to the same tokens: a collapsed representation
        model.target.patch.weight.mul_(1e-4)
    collapsed = G.stage1_gates(model, held, TRAIN, BANK, init)
    assert collapsed.target_spread < TRAIN.collapse_fraction * init and not collapsed.no_collapse
    assert not collapsed.passed
