/// Generated secrets for `random.*` template values and cmd provisioners' defaults, from the system's
/// cryptographic generator.
public enum RandomValue {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")

    @Sendable public static func generate(_ kind: Template.RandomKind) -> String {
        var generator = SystemRandomNumberGenerator()
        switch kind {
        case .password: return String((0..<24).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
        case .id: return String((0..<8).map { _ in alphabet[Int.random(in: 0..<26, using: &generator)] })
        }
    }
}
