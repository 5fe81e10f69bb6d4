"""One module per dashboard page; each has a ``render()`` function."""
