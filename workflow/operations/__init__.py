"""Operating the processes: incidents and retries, the self-check, versions and migration."""
