import ArgumentParser
import GitKit
import Glibc
import ProcessSupport

// Steps (and the network helper) are processes of the same user at times; none may read this one's
// environment or memory through /proc.
ProcessHardening.closeProcessFiles()

// GitKit runs fetch and push in a child process of this same binary, so that a hung transfer can be killed.
NetworkHelper.runIfRequested()

// A closed pipe on stdout or stderr (`innominatus … | head`) must fail a write, not kill a pass midway.
signal(SIGPIPE, SIG_IGN)

/// Runs an async subcommand through its async `run()`: called on the concrete type, overload resolution
/// picks the async requirement (on an existential it picks ParsableCommand's synchronous one).
func runAsync<Command: AsyncParsableCommand>(_ command: Command) async throws {
    var command = command
    try await command.run()
}

func dispatch(_ command: any ParsableCommand) async throws {
    if let asyncCommand = command as? any AsyncParsableCommand {
        try await runAsync(asyncCommand)
    } else {
        var command = command
        try command.run()
    }
}

do {
    try await dispatch(try Innominatus.parseAsRoot())
} catch {
    // Usage errors exit 2 (docs/ARCHITECTURE.md §6), not ArgumentParser's 64.
    if Innominatus.exitCode(for: error) == .validationFailure {
        let message = Array((Innominatus.fullMessage(for: error) + "\n").utf8)
        _ = write(2, message, message.count)
        exit(2)
    }
    Innominatus.exit(withError: error)
}
