"""The words every layer shares, below the config layer and both pipelines: units of
measure and how they convert, how a label is compared (normalisation), codes, and the
school roster's names and aliases. Nothing here reads a file or knows a mapping."""
