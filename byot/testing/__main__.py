"""`python -m byot.testing`: serve the OpenAI spec mock on 127.0.0.1:8000."""

import sys

from byot.testing._server import main

sys.exit(main())
