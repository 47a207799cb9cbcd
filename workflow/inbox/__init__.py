"""Tasks people work on: the inbox, claiming, reassignment and substitutes, saved filters."""
