#ifndef INNOMINATUS_CPROCESS_H
#define INNOMINATUS_CPROCESS_H

#include <sys/types.h>
#include <spawn.h>

/* Calls Swift cannot make directly (variadic prctl), kept to the few a process supervisor needs. */

/* Ask the kernel to send `signal` to this process when its parent thread exits (PR_SET_PDEATHSIG). */
int innominatus_set_parent_death_signal(int signal);

/* Make this process a child subreaper (PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented to it. */
int innominatus_set_child_subreaper(void);

/* pipe2(fds, O_CLOEXEC): a pipe no concurrently spawned child inherits. */
int innominatus_pipe_cloexec(int fds[2]);

/* posix_spawn_file_actions_addchdir_np: the child starts in `path`. */
int innominatus_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path);

#endif
