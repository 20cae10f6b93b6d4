"""Statistics for "When Is Heterogeneity Actionable for Personalization?" (Shchetkina & Berman, 2024).

Modules are named for what they compute: ``model`` (Eq. 7, Algorithms 1 and 2 and their exact
expectations), ``motivating`` (Section 2's example: Table 1, Figures 1-2), ``illustrations``
(Figures 3-5), ``config`` (config validation), ``plotting`` (figure helpers).
"""

__version__ = "0.1.0"
