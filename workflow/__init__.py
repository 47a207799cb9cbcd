"""huitou's domain: the county, rounds, surveys, gaps, cases, and the engine that runs them."""
