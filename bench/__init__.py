"""`make bench` (issue 10): load from wrk on loopback against gunicorn, in-process timings, results.json."""
