"""The boards: what each figure means, the counters that hold it, and the board built from them.

See README.md here for which module holds which part of each metric.
"""
