"""`vla-harness dataset info PATH`: episode count, lengths, success, and a PNG contact sheet."""

from __future__ import annotations

import argparse
from pathlib import Path


def info(args: argparse.Namespace) -> int:
    from vla_harness.recording.inspect import summary_lines, write_contact_sheet
    from vla_harness.recording.reader import dataset_files, read_dataset

    episodes = read_dataset(args.path)
    print("\n".join(summary_lines(args.path, episodes)))
    if args.sheet != "none" and episodes:
        default = Path(args.path) if Path(args.path).is_dir() else dataset_files(args.path)[0].parent
        sheet = Path(args.sheet) if args.sheet else default / "contact_sheet.png"
        print(f"contact sheet (first | last frame, {min(len(episodes), args.rows)} episodes): "
              f"{write_contact_sheet(sheet, episodes, args.rows)}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("dataset", help="inspect a recorded demonstration dataset")
    verbs = p.add_subparsers(dest="verb", required=True)
    q = verbs.add_parser("info", help="episode count, lengths, success; writes a contact sheet PNG")
    q.add_argument("path", help="dataset folder (or one .hdf5 file)")
    q.add_argument("--sheet", help="contact sheet path (default PATH/contact_sheet.png; 'none' for no sheet)")
    q.add_argument("--rows", type=int, default=40, help="episodes on the contact sheet")
    q.set_defaults(func=info)
