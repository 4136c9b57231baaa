"""The library's version, in one place (the package, the workbook and the method sheet read it)."""

__version__ = "0.1.0"

__all__ = ["__version__"]
