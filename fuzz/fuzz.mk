# fuzz/fuzz.mk - `make fuzz`: libFuzzer over the front end (vex check).
fuzz:
	sh fuzz/run.sh
