import sys

from vla_harness.cli.main import main

sys.exit(main())
