"""carthandout: personalised patient and caregiver PDFs for CAR T-cell therapy."""

__version__ = "0.1.0"
