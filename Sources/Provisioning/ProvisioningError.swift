/// Why provisioning or rendering an app failed, in a sentence that says what to change.
///
/// One error type for the whole module: callers show the message (it already names the file, the
/// resource or the provisioner) and the reconciler records it in the app's status.
public struct ProvisioningError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}
