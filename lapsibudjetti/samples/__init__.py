"""Bundled samples: the real 2015–2019 figures of two regions and a SYNTHETIC account-level set (fi/sv/en workshops)."""

from ._load import SAMPLES, SYNTHETIC_LEDGERS, Sample, load_sample, sample_path

__all__ = ["SAMPLES", "SYNTHETIC_LEDGERS", "Sample", "load_sample", "sample_path"]
