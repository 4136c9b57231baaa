"""Stage 1, read: files and frames to the canonical ledger.

One module per container (``_csv``, ``_xlsx``, ``_frame``), the byte-level
amount parser on its own (``_fast``), and the dialects (``_dialect``): a
dialect turns a raw table into the long ledger (the plain ledger, the
statistics layout of Statistics Finland's net costs by task, …). Side
tables (keys, population, price index) are read by ``_tables.read_text_table``.
"""

from ._dialect import DIALECTS, Dialect, DialectResult, register_dialect
from ._income import read_income_statement
from ._ledger import read_ledger
from ._pxweb import read_pxweb
from ._statistics import read_statistics
from ._tables import read_text_table

__all__ = ["DIALECTS", "Dialect", "DialectResult", "read_income_statement", "read_ledger", "read_pxweb", "read_statistics",
           "read_text_table", "register_dialect"]
