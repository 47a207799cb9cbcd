"""What to tell whom, and when, through which channels: in-app notices and e-mail over SMTP."""
