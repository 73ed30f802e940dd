import CProcess
import Glibc
import ProcessSupport
import Specs

/// Runs one child process for a step: spawned behind a guard in its own process group (see
/// `innominatus_spawn_guarded`), its output streamed into a `StepLog`, killed as a group at its deadline
/// (SIGTERM, then SIGKILL after the grace period) or on cancellation. Leftover processes of the group are
/// killed when the step's main process ends, so nothing a step started outlives it.
enum StepProcess {
    static func run(_ spec: ProcessSpec) async -> ProcessEnd {
        let flag = CancellationFlag()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                OSThread.detach { continuation.resume(returning: runBlocking(spec, cancellation: flag)) }
            }
        } onCancel: {
            flag.cancel()
        }
    }

    /// Spawns and supervises on the calling thread, which must be a thread of its own.
    static func runBlocking(_ spec: ProcessSpec, cancellation: CancellationFlag) -> ProcessEnd {
        BrokenPipes.ignore()
        let log = StepLog(mask: spec.mask, path: spec.logPath, budget: spec.logBudget)
        var end = ProcessEnd()
        var input: [Int32] = [-1, -1], output: [Int32] = [-1, -1], errors: [Int32] = [-1, -1]
        guard innominatus_pipe_cloexec(&input) == 0, innominatus_pipe_cloexec(&output) == 0,
              !spec.separateStdout || innominatus_pipe_cloexec(&errors) == 0 else {
            for fd in input + output + errors where fd >= 0 { close(fd) }
            end.failure = "cannot create pipes: \(String(cString: strerror(errno)))"
            return end
        }
        if !spec.separateStdout { errors = output }
        let environment = spec.environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        let argv = spec.arguments.map { strdup($0) } + [nil]
        defer { (environment + argv).forEach { free($0) } }
        let uid = spec.user?.uid ?? uid_t.max, gid = spec.user?.gid ?? gid_t.max
        let pid = spec.isShellScript
            ? innominatus_spawn_guarded(nil, argv, environment, spec.directory, input[0], output[1], errors[1], uid, gid)
            : innominatus_spawn_guarded(spec.executable, argv, environment, spec.directory, input[0], output[1], errors[1], uid, gid)
        let spawnError = errno
        close(input[0]); close(output[1])
        if spec.separateStdout { close(errors[1]) }
        guard pid > 0 else {
            close(input[1]); close(output[0])
            if spec.separateStdout { close(errors[0]) }
            end.failure = "cannot start \(spec.executable)\(spec.user.map { " as \($0)" } ?? ""): "
                + "\(String(cString: strerror(spawnError)))"
                + (spawnError == EACCES && spec.user != nil ? "; that user must be able to enter \(spec.directory) and every folder above it" : "")
            return end
        }
        supervise(pid: pid, spec: spec, stdin: input[1], stdout: output[0],
                  stderr: spec.separateStdout ? errors[0] : -1, log: log, cancellation: cancellation, end: &end)
        if end.timedOut { log.note("timed out after \(describe(spec.timeout)); the step's process group was killed") }
        if end.cancelled { log.note("cancelled; the step's process group was killed") }
        end.log = log.finish()
        return end
    }

    private static func supervise(pid: pid_t, spec: ProcessSpec, stdin: Int32, stdout: Int32, stderr: Int32,
                                  log: StepLog, cancellation: CancellationFlag, end: inout ProcessEnd) {
        let exitWatch = innominatus_pidfd_open(pid)
        defer { if exitWatch >= 0 { close(exitWatch) } }
        var pendingInput = spec.input ?? []
        var inputFD: Int32 = stdin
        if pendingInput.isEmpty { close(inputFD); inputFD = -1 } else { _ = fcntl(inputFD, F_SETFL, O_NONBLOCK) }
        var readers = [stdout, stderr].filter { $0 >= 0 }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let deadline = now() + spec.timeout.wholeMilliseconds
        var killAt: Int64?
        var status: Int32 = 0
        var exited = false

        func consume(_ fd: Int32) -> Bool {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 { return errno == EINTR || errno == EAGAIN }
            if count == 0 { return false }
            if fd == stdout && spec.separateStdout {
                if end.stdout.count + count > spec.maxStdoutBytes { end.stdoutOverflowed = true } else { end.stdout += buffer[0..<count] }
            } else {
                buffer.withUnsafeBytes { log.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
            }
            return true
        }
        func stop(cancelled: Bool) {
            guard killAt == nil else { return }
            if cancelled { end.cancelled = true } else { end.timedOut = true }
            kill(-pid, SIGTERM)
            killAt = now() + spec.grace.wholeMilliseconds
        }

        while !exited {
            let current = now()
            if cancellation.isCancelled { stop(cancelled: true) }
            if current >= deadline { stop(cancelled: false) }
            if let killAt, current >= killAt { kill(-pid, SIGKILL) }
            var fds = readers.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if inputFD >= 0 { fds.append(pollfd(fd: inputFD, events: Int16(POLLOUT), revents: 0)) }
            if exitWatch >= 0 { fds.append(pollfd(fd: exitWatch, events: Int16(POLLIN), revents: 0)) }
            var wait = min(100, max(0, (killAt ?? deadline) - current))
            if exitWatch < 0 { wait = min(wait, 5) }
            let ready = poll(&fds, nfds_t(fds.count), Int32(wait))
            if ready < 0 && errno != EINTR { break }
            for entry in fds where entry.revents != 0 {
                if entry.fd == exitWatch {
                    exited = true
                } else if entry.fd == inputFD {
                    let written = pendingInput.withUnsafeBytes { write(inputFD, $0.baseAddress, $0.count) }
                    if written > 0 { pendingInput.removeFirst(written) }
                    if pendingInput.isEmpty || (written < 0 && errno != EAGAIN && errno != EINTR) {
                        close(inputFD)
                        inputFD = -1
                    }
                } else if !consume(entry.fd) {
                    readers.removeAll { $0 == entry.fd }
                    close(entry.fd)
                }
            }
            if exitWatch < 0, waitpid(pid, &status, WNOHANG) == pid { exited = true; status = -status - 1 }
        }
        if inputFD >= 0 { close(inputFD) }
        // The step's main process is done: whatever it left in its group goes too. The guard is a zombie
        // until reaped, so its pid (the group id) cannot have been reused yet.
        kill(-pid, SIGKILL)
        if status >= 0 {
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        } else {
            status = -(status + 1)
        }
        // Drain what is left; a process that escaped the group may hold a pipe open, so do not wait long.
        while !readers.isEmpty {
            var fds = readers.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            if poll(&fds, nfds_t(fds.count), 200) <= 0 { break }
            for entry in fds where entry.revents != 0 && !consume(entry.fd) {
                readers.removeAll { $0 == entry.fd }
                close(entry.fd)
            }
        }
        readers.forEach { close($0) }
        end.exitCode = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
    }

    static func now() -> Int64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Int64(time.tv_sec) * 1000 + Int64(time.tv_nsec) / 1_000_000
    }

    static func describe(_ duration: Duration) -> String { duration.brief }
}
