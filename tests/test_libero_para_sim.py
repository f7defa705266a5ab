"""Real LIBERO-Para episodes, a few steps each: every paraphrase of a task runs in its LIBERO-Goal env from init state 0
with the paraphrase as the instruction, paired with the base episode; the end-of-run table shows the axes and PRIDE."""

import pytest

from vla_harness.cli.main import main
from vla_harness.results.load import load_run

pytestmark = pytest.mark.sim


def test_cli_run_paraphrases_on_the_goal_scene_paired_with_the_base(tmp_path, capsys):
    assert main(["eval", "--bench", "libero_para", "--policy", "zero", "--tasks", "8", "--sample", "1",
                 "--trials", "1", "--max-steps", "3", "--video", "none", "--out", str(tmp_path), "--name", "r",
                 "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "| compositional" in out and "drop vs base, paired" in out and "PRIDE:" in out
    recs = load_run(tmp_path / "r").records
    assert len(recs) == 4 and all(r.error is None and r.steps == 3 for r in recs)
    base = next(r for r in recs if r.spec.perturbation.dimension == "none")
    assert base.spec.instruction == "put the bowl on the plate"
    for r in recs:
        assert r.spec.task_id == 8 and r.spec.init_state_index == 0 and r.spec.seed == base.spec.seed
        assert r.spec.perturbation.dimension == "none" or r.spec.instruction != base.spec.instruction

