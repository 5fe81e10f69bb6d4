"""Calibration of scenarios to observed facts by the simulated method of moments."""

from innocluster.calibration.smm import CalibrationResult, calibrate, target_table
from innocluster.calibration.targets import Parameter, Target, TargetsFile, load_targets

__all__ = ["CalibrationResult", "Parameter", "Target", "TargetsFile", "calibrate", "load_targets", "target_table"]
