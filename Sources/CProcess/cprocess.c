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

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>

/* The guard's reaction to its parent's death: take the whole step down with it. */
static void innominatus_guard_parent_died(int signal) {
    (void)signal;
    kill(0, SIGKILL);
    _exit(137);
}

static void innominatus_close_from(int lowest) {
#ifdef SYS_close_range
    if (syscall(SYS_close_range, lowest, ~0U, 0) == 0) return;
#endif
    long maximum = sysconf(_SC_OPEN_MAX);
    if (maximum < 0 || maximum > 65536) maximum = 65536;
    for (int fd = lowest; fd < maximum; fd++) close(fd);
}

pid_t innominatus_spawn_guarded(const char *path, char *const argv[], char *const envp[], const char *directory,
                                int stdin_fd, int stdout_fd, int stderr_fd) {
    pid_t parent = getpid();
    pid_t guard = fork();
    if (guard != 0) {
        if (guard > 0) setpgid(guard, guard); /* also in the guard: whichever runs first wins the race */
        return guard;
    }
    /* The guard. */
    setpgid(0, 0);
    struct sigaction action;
    memset(&action, 0, sizeof action);
    sigemptyset(&action.sa_mask);
    action.sa_handler = innominatus_guard_parent_died;
    sigaction(SIGUSR1, &action, NULL);
    action.sa_handler = SIG_IGN;
    sigaction(SIGTERM, &action, NULL);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGHUP, &action, NULL);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0);
    if (getppid() != parent) innominatus_guard_parent_died(SIGUSR1);

    if (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0) _exit(126);
    /* Descriptors of other steps' pipes must not be held open by this guard: close everything else. */
    innominatus_close_from(3);

    /* The guard is single-threaded and only makes system calls here, so vfork is safe and spares a second
       copy of the reconciler's page tables. */
    pid_t child = vfork();
    if (child == 0) {
        action.sa_handler = SIG_DFL;
        for (int signal = 1; signal < NSIG; signal++) {
            if (signal != SIGKILL && signal != SIGSTOP) sigaction(signal, &action, NULL);
        }
        if (directory != NULL && chdir(directory) != 0) _exit(127);
        execve(path, argv, envp);
        _exit(127);
    }
    if (child < 0) _exit(126);
    int status = 0;
    for (;;) {
        pid_t reaped = waitpid(child, &status, 0);
        if (reaped == child) break;
        if (reaped < 0 && errno != EINTR) _exit(126);
    }
    if (WIFEXITED(status)) _exit(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) _exit(128 + WTERMSIG(status));
    _exit(126);
}

int innominatus_pidfd_open(pid_t pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, pid, 0);
#else
    errno = ENOSYS;
    return -1;
#endif
}
