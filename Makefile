# Vex: compiler (compiler/, bin/vex) and runtime (runtime/, lib/vex/libvexrt.a).
#
#   make            build bin/vex and lib/vex/ (runtime library + vexrt.h)
#   make demo       build and run the flagship example
#   make test       every suite; prints "N passed, N failed" last
#   make asan       the same suites, compiler and programs under ASan+UBSan
#   make tsan       the same suites under ThreadSanitizer
#   make bench      benchmarks (bench/); make bench-peers adds Go and tokio
#   make fuzz       libFuzzer over `vex check` for a bounded time
#   make install PREFIX=/usr/local
#
# A build variant (VARIANT=default|asan|tsan) has its own output tree OUT:
# $(OUT)/bin/vex and $(OUT)/lib/vex/{libvexrt.a,vexrt.h}; objects go to
# build/obj-$(VARIANT). bin/vex finds lib/vex relative to its own path.

VARIANT ?= default
CC      ?= cc
PREFIX  ?= /usr/local

WARN    := -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
           -Wno-unused-parameter -Wpointer-arith -Wformat=2
CFLAGS  ?= -O2 -g
CFLAGS  += -std=c11 -D_GNU_SOURCE $(WARN) -pthread

ifeq ($(VARIANT),default)
OUT     := .
SANFLAGS :=
else ifeq ($(VARIANT),asan)
OUT     := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
else ifeq ($(VARIANT),tsan)
OUT     := build/tsan
SANFLAGS := -fsanitize=thread
else
$(error unknown VARIANT $(VARIANT))
endif
CFLAGS  += $(SANFLAGS)
LDFLAGS += $(SANFLAGS) -pthread
OBJ     := build/obj-$(VARIANT)

VEX     := $(OUT)/bin/vex
RTLIB   := $(OUT)/lib/vex/libvexrt.a
RTHDR   := $(OUT)/lib/vex/vexrt.h

.PHONY: all demo test asan tsan bench bench-peers fuzz install clean
all: $(VEX) $(RTLIB) $(RTHDR)

include runtime/runtime.mk
include compiler/compiler.mk
include bench/bench.mk
include fuzz/fuzz.mk

demo: all
	$(VEX) run examples/fetch_and_process.vx

# The test driver runs every tests/suites/*.sh against $(OUT); see tests/run-all.sh.
test: all
	@VEX_OUT=$(OUT) VARIANT=$(VARIANT) CC=$(CC) sh tests/run-all.sh

asan:
	@$(MAKE) --no-print-directory VARIANT=asan test
tsan:
	@$(MAKE) --no-print-directory VARIANT=tsan test

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/vex
	install -m 755 $(VEX) $(DESTDIR)$(PREFIX)/bin/vex
	install -m 644 $(RTLIB) $(RTHDR) $(DESTDIR)$(PREFIX)/lib/vex/

clean:
	rm -rf bin lib build .vex-cache
