import Foundation

/// Runs a cmd provisioner's program: a JSON document on stdin, stdout and stderr captured.
///
/// Synchronous and built on posix_spawn with the streams in temporary files, so it needs no Dispatch
/// thread and no pipe can fill up and deadlock; the caller's own thread polls `waitpid` until the exit or the deadline.
struct CommandRunner {
    struct Result {
        var status: Int32
        var stdout: Data
        var stderr: Data
    }

    static func run(_ command: [String], input: Data, environment: [String: String],
                    timeout: Duration = .seconds(120)) throws(ProvisioningError) -> Result {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("innominatus-cmd-\(UUID().uuidString)").path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            try input.write(to: URL(fileURLWithPath: folder + "/stdin"))
        } catch {
            throw ProvisioningError("cannot prepare the provisioner's input in \(folder): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, folder + "/stdin", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, folder + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, folder + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = command.map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var pid = pid_t()
        let started = posix_spawnp(&pid, command[0], &actions, &attributes, argv, envp)
        guard started == 0 else {
            throw ProvisioningError("cannot start '\(command[0])': \(String(cString: strerror(started))); check the path "
                                    + "and that the file is executable")
        }
        // Polled rather than a blocking wait, so a provisioner that hangs is killed at the deadline
        // without a second thread.
        var status: Int32 = 0
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var timedOut = false
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { break }
            if !timedOut && ContinuousClock.now >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
            }
            usleep(5_000)
        }
        if timedOut {
            throw ProvisioningError("'\(command[0])' did not finish within \(timeout) and was killed; make it faster or raise the timeout")
        }
        let code = status & 0x7f == 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f)
        let stdout = FileManager.default.contents(atPath: folder + "/stdout") ?? Data()
        let stderr = FileManager.default.contents(atPath: folder + "/stderr") ?? Data()
        return Result(status: code, stdout: stdout, stderr: stderr)
    }
}
