"""The official SimplerEnv stack (simpler-env/SimplerEnv + simpler-env/ManiSkill2_real2sim, sapien 2.2.2), in its own
Python environment: `vla-harness env setup simpler_official` creates it, its envs run in a child process of it."""
