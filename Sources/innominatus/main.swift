import ArgumentParser
import GitKit

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
    Innominatus.exit(withError: error)
}
