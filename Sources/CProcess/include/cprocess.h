#ifndef INNOMINATUS_CPROCESS_H
#define INNOMINATUS_CPROCESS_H

#include <sys/types.h>

/* Calls Swift cannot make directly (variadic prctl), kept to the few a process supervisor needs. */

/* Ask the kernel to send `signal` to this process when its parent thread exits (PR_SET_PDEATHSIG). */
int innominatus_set_parent_death_signal(int signal);

/* Make this process a child subreaper (PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented to it. */
int innominatus_set_child_subreaper(void);

#endif
