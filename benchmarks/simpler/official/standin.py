"""Flat stand-ins for the official stack's table stages when their GLB is missing (every stage is a file of 4 MiB or
more that a trimmed copy of the sources may lack). Written in the stage's own frame (y up, before the env's offset:
ManiSkill2_real2sim@ef7a4d4 envs/custom_scenes/base_env.py _load_arena_helper), so the env puts them where the real
stage is, and named in the protocol hash with a digest of their geometry.

- Google robot table scenes: the footprint of the authors' own `dummy_tabletop` box (base_env.py: centre x -0.295,
  y 0.21 after its offset, 0.63 x 0.615 m), top at 0.87 m (`scene_table_height`), a floor whose top is at 0.017 m.
- Bridge's flat table (bridge_table_1_v1): a slab whose top is at 0.865 m, where ManiSkill3 3.0.1's Bridge port starts
  its 3 cm cubes with their centres at 0.88 m (mani_skill/envs/tasks/digital_twins/bridge_dataset_eval/
  put_on_in_scene.py), spanning x -0.70..0.05 and y -0.60..0.60 around the objects, 5 cm thick: the same slab the
  ManiSkill3 port's stand-in is, so the two stacks can be compared on the same table (scripts/crosscheck_bridge.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

Box = tuple[tuple[float, float, float], tuple[float, float, float]]  # world centre, half extents (z up)


@dataclass(frozen=True)
class StandIn:
    offset: tuple[float, float, float]  # base_env.py's default scene offset for the robot
    boxes: tuple[Box, ...]
    summary: str

    def digest(self) -> str:
        return hashlib.sha256(json.dumps([self.offset, self.boxes]).encode()).hexdigest()[:12]


_TOP, _FLOOR = 0.87, 0.017
GOOGLE_TABLE = StandIn((-1.6616, -3.0337, 0.0),
                       (((-0.295, 0.21, (_FLOOR + _TOP) / 2), (0.315, 0.3075, (_TOP - _FLOOR) / 2)),
                        ((0.0, 0.0, 0.0), (10.0, 10.0, _FLOOR))), "flat table, top at 0.870 m, floor")
BRIDGE_TABLE = StandIn((-2.0634, -2.8313, 0.0), (((-0.325, 0.0, 0.84), (0.375, 0.6, 0.025)),),
                       "flat slab, top at 0.865 m")
GOOGLE_SCENES = ("google_pick_coke_can_1_v4", "google_pick_coke_can_1_v4_alt_background",
                 "google_pick_coke_can_1_v4_alt_background_2", "Baked_sc1_staging_objaverse_cabinet1_h870",
                 "Baked_sc1_staging_objaverse_cabinet2_h870")
STAND_INS = {**{scene: GOOGLE_TABLE for scene in GOOGLE_SCENES}, "bridge_table_1_v1": BRIDGE_TABLE}


def describe(scene: str) -> str:
    s = STAND_INS[scene]
    return f"stand-in {scene}.glb ({s.summary}; geometry {s.digest()})"


def write_stage(folder: Path, scene: str) -> Path:
    """The scene root holding stages/<scene>.glb for the stand-in (written once, in a folder named by its digest)."""
    spec = STAND_INS[scene]
    root = folder / spec.digest()
    path = root / "stages" / f"{scene}.glb"
    if path.is_file():
        return root
    import numpy as np
    import trimesh

    meshes = []
    for centre, half in spec.boxes:  # world (x, y, z) -> stage frame (x, z, -y), shifted by the scene offset
        mesh = trimesh.creation.box(extents=2 * np.array([half[0], half[2], half[1]]))
        world = np.asarray(centre) + np.asarray(spec.offset)
        mesh.apply_translation([world[0], world[2], -world[1]])
        meshes.append(mesh)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.glb")
    trimesh.Scene(meshes).export(str(tmp))
    tmp.replace(path)
    return root
