#define _GNU_SOURCE
#include "cprocess.h"
#include <sys/prctl.h>
#include <fcntl.h>
#include <unistd.h>
#include <spawn.h>

int innominatus_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0);
}

int innominatus_set_child_subreaper(void) {
    return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

int innominatus_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

int innominatus_spawn_add_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int innominatus_spawn_add_closefrom(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <pthread.h>

/* The guard: a POSIX shell that starts the step as its only child and waits for it. It SIGKILLs its whole
   process group when the reconciler dies (the parent-death signal SIGUSR1, set before exec), and shrugs off
   SIGTERM/SIGINT/SIGHUP (a caught signal, so the step itself still gets the default action) so that it can
   report the step's exit status after a timeout's SIGTERM. fd 3 carries stdin past the rule that gives
   background commands /dev/null. */
static const char innominatus_guard_script[] =
    "trap 'kill -KILL 0' USR1\n"
    "trap : TERM INT HUP\n"
    "exec 3<&0\n"
    "if [ \"$1\" = exec ]; then shift; \"$@\" <&3 3<&- &\n"
    /* A shell step's script runs in a subshell of the guard: one exec fewer than `sh -c`, and the same shell. */
    "else ( trap - USR1 TERM HUP; __innominatus_step=$2; shift 2; eval \"$__innominatus_step\" ) <&3 3<&- &\n"
    "fi\n"
    "child=$!\n"
    "exec 3<&-\n"
    "while :; do\n"
    "  wait \"$child\"; status=$?\n"
    "  kill -0 \"$child\" 2>/dev/null || exit \"$status\"\n"
    "done\n";

static void innominatus_close_from(int lowest) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, lowest, ~0U, 0) == 0) return;
#endif
    long maximum = sysconf(_SC_OPEN_MAX);
    if (maximum < 0 || maximum > 65536) maximum = 65536;
    for (int fd = lowest; fd < maximum; fd++) close(fd);
}

pid_t innominatus_spawn_guarded(const char *path, char *const argv[], char *const envp[], const char *directory,
                                int stdin_fd, int stdout_fd, int stderr_fd, uid_t uid, gid_t gid) {
    /* Everything the child needs is prepared before vfork: after it, only system calls. */
    int count = 0;
    while (argv[count] != NULL) count++;
    const char *guard_argv[count + 7];
    guard_argv[0] = "sh";
    guard_argv[1] = "-c";
    guard_argv[2] = innominatus_guard_script;
    guard_argv[3] = "sh";
    if (path == NULL) {
        guard_argv[4] = "eval";
        guard_argv[5] = count > 0 ? argv[0] : "";
        guard_argv[6] = NULL;
    } else {
        guard_argv[4] = "exec";
        guard_argv[5] = path;
        for (int index = 1; index < count; index++) guard_argv[5 + index] = argv[index];
        guard_argv[5 + (count > 0 ? count : 1)] = NULL;
    }
    sigset_t all, previous, none;
    sigfillset(&all);
    sigemptyset(&none);
    /* No handler of this process may run in the vfork child, which shares its memory. */
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t parent = getpid();
    volatile int failure = 0;
    pid_t guard = vfork();
    if (guard == 0) {
        struct sigaction action;
        memset(&action, 0, sizeof action);
        action.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; signal++) {
            if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &action, NULL);
        }
        setpgid(0, 0);
        /* Raw system calls, not glibc's setuid family: those signal every thread of the process to change
           their credentials too, and this child shares the parent's memory and thread list until exec.
           The kernel's calls change only this single-threaded child. Groups first, then the group, then the
           user (after which nothing else could be changed). */
        if (uid != (uid_t)-1) {
            gid_t groups[1] = { gid };
            if (syscall(SYS_setgroups, 1, groups) != 0 || syscall(SYS_setresgid, gid, gid, gid) != 0
                || syscall(SYS_setresuid, uid, uid, uid) != 0) {
                failure = errno;
                _exit(127);
            }
        }
        /* Set after the credentials change, which clears it. */
        if (prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) != 0 || getppid() != parent) {
            failure = ESRCH;
            _exit(127);
        }
        if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) {
            failure = errno;
            _exit(127);
        }
        /* Other steps' pipes must not be held open by this one. */
        innominatus_close_from(3);
        if (directory != NULL && chdir(directory) != 0) {
            failure = errno;
            _exit(127);
        }
        sigprocmask(SIG_SETMASK, &none, NULL);
        execve("/bin/sh", (char *const *)guard_argv, envp);
        failure = errno;
        _exit(127);
    }
    int saved = errno;
    pthread_sigmask(SIG_SETMASK, &previous, NULL);
    if (guard < 0) {
        errno = saved;
        return -1;
    }
    if (failure != 0) {
        /* The child shared our memory until exec, so `failure` is what it saw. */
        waitpid(guard, NULL, 0);
        errno = failure;
        return -1;
    }
    setpgid(guard, guard); /* also done by the child: whichever runs first */
    return guard;
}

int innominatus_set_not_dumpable(void) {
    return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

int innominatus_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}
