# bench/bench.mk - `make bench` runs bench/run.sh against the default build;
# `make bench-peers` adds Go and tokio (../shared/peers) in the same call;
# `make bench-shapes` times the compiler on pathological programs.
# Every bench/runtime/NAME.c is one program, $(OBJ)/bench/NAME, linked with
# libvexrt of the same variant, at -O2 (a sanitized variant adds its flags;
# run.sh always builds and runs the default variant).
BENCH_SRC  := $(wildcard bench/runtime/*.c)
BENCH_PROG := $(BENCH_SRC:bench/runtime/%.c=$(OBJ)/bench/%)

$(OBJ)/bench/%: bench/runtime/%.c bench/runtime/bench.h $(RTLIB) $(RTHDR)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -O2 -I$(OUT)/lib/vex -o $@ $< $(RTLIB) $(LDFLAGS) $(RT_LIBS)

.PHONY: bench-progs
bench-progs: $(BENCH_PROG)

bench: all
	sh bench/run.sh
bench-peers: all
	sh bench/run.sh --peers
# compile time of pathological shapes (bench/compiler/shapes.sh): each
# command under a timeout and a 4 GB memory cap
.PHONY: bench-shapes
bench-shapes: all
	sh bench/compiler/shapes.sh
