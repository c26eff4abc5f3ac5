"""`python -m workshop.doctor`: what `make doctor` runs."""
import sys

from workshop.doctor.preflight import main

sys.exit(main())
