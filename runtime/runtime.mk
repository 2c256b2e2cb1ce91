# runtime/runtime.mk - libvexrt: every runtime/*.c goes into $(RTLIB).
RT_SRC  := $(wildcard runtime/*.c)
RT_OBJ  := $(RT_SRC:runtime/%.c=$(OBJ)/runtime/%.o)

$(OBJ)/runtime/%.o: runtime/%.c runtime/vexrt.h $(wildcard runtime/*_impl.h runtime/rt.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -Iruntime -c -o $@ $<

$(RTLIB): $(RT_OBJ)
	@mkdir -p $(@D)
	rm -f $@ && ar rcs $@ $^

$(RTHDR): runtime/vexrt.h
	@mkdir -p $(@D)
	cp $< $@
