"""回头看: the survey forms in and out, their checks, the township processes, gaps found."""
