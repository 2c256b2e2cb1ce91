# bench/bench.mk - `make bench` runs bench/run.sh against the default build.
bench: all
	sh bench/run.sh
bench-peers: all
	sh bench/run.sh --peers
