"""planbook: annual evaluation books of a plan's implementation (catalogue → data → assessment → site and PDF)."""

__version__ = "0.1.0"
