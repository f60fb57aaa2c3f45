"""planbook: the annual evaluation book of the Licheng New Urbanization Plan 2021-2035."""

__version__ = "0.1.0"
