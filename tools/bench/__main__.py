import sys

from tools.bench.suite import main

sys.exit(main())
