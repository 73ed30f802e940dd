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
