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

/* posix_spawn_file_actions_addclosefrom_np: the child keeps only descriptors 0-2 (none of the parent's
   other files, such as a script another thread is still writing, which would then stay busy). */
int innominatus_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest);

/* Starts a workflow step behind a guard process and returns the guard's pid (-1 and errno on failure).
   The guard (a small /bin/sh script, started with vfork + exec so the reconciler's memory is never copied)
   leads a new process group, so a timeout can signal the whole step; the kernel signals it when the calling
   thread dies (PR_SET_PDEATHSIG), and it then SIGKILLs its whole group, so no step outlives the reconciler
   even when the reconciler is SIGKILLed. It runs `path` with `argv` (argv[0] is not passed on) — or, when
   `path` is NULL, evaluates the shell script argv[0] in a subshell as `sh -c` would — with `envp` in
   `directory`, with `stdin_fd`/`stdout_fd`/`stderr_fd` as 0/1/2, every other descriptor closed, an empty
   signal mask and default signal handlers; it outlives a SIGTERM to the group and exits with the step's exit
   status, or 128 + the signal that ended it. The calling thread must outlive the step. Unless `uid` is
   (uid_t)-1, the guard (and so the step) runs as `uid` with `gid` as its only group, changed before `directory`
   is entered, so the directory must be reachable by that user; this needs root. */
pid_t innominatus_spawn_guarded(const char *path, char *const argv[], char *const envp[], const char *directory,
                                int stdin_fd, int stdout_fd, int stderr_fd, uid_t uid, gid_t gid);

/* PR_SET_DUMPABLE 0: this process's /proc files (environ, mem, fds) become root's, unreadable by other
   processes of the same user (such as the steps it starts), and it leaves no core dump. */
int innominatus_set_not_dumpable(void);

/* pidfd_open(2): a descriptor that polls readable when `pid` exits (-1 and errno when unsupported). */
int innominatus_pidfd_open(pid_t pid);

#endif
