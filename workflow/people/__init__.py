"""Who works in huitou: accounts, access by role and scope, API tokens, the login guard."""
