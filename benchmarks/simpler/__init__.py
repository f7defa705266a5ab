"""SimplerEnv (Li et al. 2024) Bridge/WidowX visual-matching tasks through ManiSkill3 (PyPI mani-skill 3.0.1)."""
