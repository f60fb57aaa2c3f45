import sys

from planbook.cli import main

sys.exit(main())
