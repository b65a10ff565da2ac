import sys

from helpers.lab.cli import main

sys.exit(main())
