"""Models of the points app."""
