"""Policy registry: one line per adapter (name -> "module:factory")."""

from vla_harness.harness.registry import Registry

POLICIES: Registry = Registry("policy")
POLICIES.add("random", "vla_harness.policies.random_policy:RandomPolicy", "in-process: uniform random deltas, random gripper")
POLICIES.add("zero", "vla_harness.policies.zero_policy:ZeroPolicy", "in-process: holds still with the gripper open")
POLICIES.add("oracle", "vla_harness.policies.oracle.policy:OraclePolicy", "in-process: privileged scripted pick-and-place for LIBERO (reads sim state)")
POLICIES.add("remote", "vla_harness.policies.clients.remote:RemotePolicy", "a `vla-harness serve` server (or any openpi-protocol one): --policy-url ws://HOST:PORT")
POLICIES.add("openpi", "vla_harness.policies.clients.openpi:OpenpiPolicy", "an openpi server (π0 / π0.5 / π0-FAST), fed as openpi's LIBERO client feeds it: --policy-url ws://HOST:PORT")
POLICIES.add("vla_jepa", "vla_harness.policies.vla_jepa.adapter:VlaJepaPolicy", "in-process: native VLA-JEPA (latent future prediction + action head), -P checkpoint=DIR")
POLICIES.add("vla_jepa_official", "vla_harness.policies.clients.vla_jepa_official:VlaJepaOfficialPolicy",
             "official VLA-JEPA server (ginwind/VLA-JEPA deployment/model_server), ws:// msgpack; -P stats=PATH")
POLICIES.add("openvla_oft", "vla_harness.policies.clients.openvla_oft:OpenVlaOftPolicy",
             "OpenVLA / OpenVLA-OFT deploy server (moojink/openvla-oft vla-scripts/deploy.py), http:// POST /act")
POLICIES.add("vla_eval", "vla_harness.policies.clients.vla_eval:VlaEvalPolicy",
             "any vla-eval model server (allenai vla-eval: pi0, OFT, starVLA, GR00T, LeRobot...), ws://")
