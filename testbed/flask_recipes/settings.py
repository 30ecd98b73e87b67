"""Command-line settings every module reads: `python app.py --port 5060 [--hardened]`."""

import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, default=5060)
parser.add_argument("--hardened", action="store_true")
ARGS, _ = parser.parse_known_args()
HARDENED = ARGS.hardened
