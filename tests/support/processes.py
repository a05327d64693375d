"""How long tests wait for the processes they start (briefly's CLI, a server, a Ray run)."""

# A process that has not done its part by then is hung, not slow. At least ten times the
# longest such wait on a quiet 2-core machine, so a busy machine (a CI runner shared with
# other jobs) slows the suite down without failing it.
PROCESS_TIMEOUT_S = 900
