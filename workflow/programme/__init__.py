"""The programme's frame: rounds and their deadlines, the standards catalogue, routing (归口)."""
