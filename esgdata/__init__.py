"""esgdata: ESG commitments from press releases, as data."""

__version__ = "0.1.0"
