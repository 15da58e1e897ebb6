"""One module per Amazon report: its columns, how its rows are checked, and how they are applied."""
