"""`make bench`: figures measured on this machine, in one run. Nothing here is a pass/fail test."""
