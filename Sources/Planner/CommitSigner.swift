/// Who a commit's signature says signed it, as the verifier found it (docs/ARCHITECTURE.md §9, trust).
public enum CommitSigner: Sendable, Hashable, CustomStringConvertible {
    /// A signature that verifies, made by a key these signers list (sorted names).
    case signed(by: [String])
    /// A signature by a key no signer of the trust file lists; the words name the key.
    case unknownKey(String)
    case unsigned
    /// A signature that does not verify, or a listed key that expired or was revoked; the words say which.
    case invalid(String)

    /// The signer names, when the signature verified.
    public var names: [String] {
        if case .signed(let names) = self { return names }
        return []
    }

    /// What a note says was found: the signer names, "unknown key", "unsigned" or "invalid signature".
    public var description: String {
        switch self {
        case .signed(let names): names.joined(separator: ", ")
        case .unknownKey: "unknown key"
        case .unsigned: "unsigned"
        case .invalid: "invalid signature"
        }
    }

    /// The end of a refusal's sentence: how the commit is signed.
    var clause: String {
        switch self {
        case .signed(let names): "it is signed by \(names.joined(separator: ", "))"
        case .unknownKey(let key): "it is signed by a key no signer of the trust file lists (\(key))"
        case .unsigned: "it is not signed"
        case .invalid(let why): "its signature is not valid: \(why)"
        }
    }
}
