"""Demo data for the union catalogue: invented member libraries and their MARC 21 records.

Nothing here is copied from a real catalogue; `write_demo_files` generates one
ISO 2709 file per library so the whole system can be tried on a laptop.
"""

from mucluc.demo.generate import generate_demo_records, write_demo_files
from mucluc.demo.libraries import DEMO_LIBRARIES

__all__ = [
    "DEMO_LIBRARIES",
    "generate_demo_records",
    "write_demo_files",
]
