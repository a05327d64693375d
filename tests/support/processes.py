"""How long tests wait for the processes they start (briefly's CLI, a server, a Ray run)."""

# A process that has not done its part by then is hung, not slow. At least ten times the
# longest such wait on a quiet 2-core machine: even at load 15 on two cores, the longest
# measured (the first server start, tiny models built included) took 98 s. A busy machine
# such as a shared CI runner then slows the suite down without failing it.
PROCESS_TIMEOUT_S = 900
