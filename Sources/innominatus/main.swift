import ArgumentParser
import GitKit
import Glibc

// GitKit runs fetch and push in a child process of this same binary, so that a hung transfer can be killed.
NetworkHelper.runIfRequested()

do {
    var command = try Innominatus.parseAsRoot()
    if var asyncCommand = command as? any AsyncParsableCommand {
        try await asyncCommand.run()
    } else {
        try command.run()
    }
} catch {
    // Usage errors exit 2 (ARCHITECTURE.md §6), not ArgumentParser's 64.
    if Innominatus.exitCode(for: error) == .validationFailure {
        let message = Array((Innominatus.fullMessage(for: error) + "\n").utf8)
        _ = write(2, message, message.count)
        exit(2)
    }
    Innominatus.exit(withError: error)
}
