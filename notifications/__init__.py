"""What to tell whom, and when, through which channels (in-app now; e-mail over SMTP next)."""
