"""The web app: thin views over the workflow domain, in Chinese."""
