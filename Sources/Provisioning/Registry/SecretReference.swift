import Foundation

/// score-k8s's reference to a value kept in a Kubernetes Secret, `🔐💬NAME_KEY💬🔐` (what
/// `encodeSecretRef NAME KEY` writes), turned into innominatus' form: a secret output.
///
/// A Go-template provisioner's outputs may hold such references to Secrets its own manifests create.
/// Each is replaced by the value that Secret holds, and the output becomes secret: it reaches
/// containers only through the app's Secret and `secretKeyRef`, is masked in logs and never listed in a
/// note (docs/ARCHITECTURE.md §10, "Nothing secret is written").
enum SecretReference {
    static let prefix = "🔐💬"
    static let suffix = "💬🔐"

    /// The outputs with every reference replaced, and the top-level keys that held one.
    static func resolve(_ outputs: ManifestValue, manifests: [ManifestValue]) throws(ProvisioningError) -> (ManifestValue, Set<String>) {
        var secret: Set<String> = []
        var resolved: [(String, ManifestValue)] = []
        for (key, value) in outputs.entries ?? [] {
            var found = false
            resolved.append((key, try resolve(value, field: "outputs.\(key)", manifests: manifests, found: &found)))
            if found { secret.insert(key) }
        }
        return (.map(resolved), secret)
    }

    private static func resolve(_ value: ManifestValue, field: String, manifests: [ManifestValue],
                                found: inout Bool) throws(ProvisioningError) -> ManifestValue {
        switch value {
        case .string(let text):
            guard text.contains(prefix) else { return value }
            var out = ""
            var rest = Substring(text)
            while let start = rest.range(of: prefix), let end = rest[start.upperBound...].range(of: suffix) {
                out += rest[..<start.lowerBound]
                out += try lookup(String(rest[start.upperBound..<end.lowerBound]), field: field, manifests: manifests)
                found = true
                rest = rest[end.upperBound...]
            }
            return .string(out + rest)
        case .list(let items):
            var out: [ManifestValue] = []
            for (index, item) in items.enumerated() { out.append(try resolve(item, field: "\(field)[\(index)]", manifests: manifests, found: &found)) }
            return .list(out)
        case .map(let entries):
            var out: [(String, ManifestValue)] = []
            for (key, item) in entries { out.append((key, try resolve(item, field: "\(field).\(key)", manifests: manifests, found: &found))) }
            return .map(out)
        default:
            return value
        }
    }

    private static func lookup(_ reference: String, field: String, manifests: [ManifestValue]) throws(ProvisioningError) -> String {
        guard let split = reference.firstIndex(of: "_") else {
            throw ProvisioningError("\(field): the secret reference '\(reference)' names no key; write encodeSecretRef NAME KEY")
        }
        let name = String(reference[..<split])
        let key = String(reference[reference.index(after: split)...])
        guard let secret = manifests.first(where: { $0["kind"]?.string == "Secret" && $0["metadata"]?["name"]?.string == name }) else {
            throw ProvisioningError("\(field): the secret reference names the Secret '\(name)', which this provisioner's manifests do not "
                                    + "create; innominatus reads a referenced value from the provisioner's own Secrets, so make the "
                                    + "Secret in its manifests")
        }
        if let text = secret["stringData"]?[key]?.string { return text }
        if let encoded = secret["data"]?[key]?.string {
            guard let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8) else {
                throw ProvisioningError("\(field): the key '\(key)' of the Secret '\(name)' is not base64 of UTF-8 text")
            }
            return text
        }
        throw ProvisioningError("\(field): the Secret '\(name)' has no key '\(key)' in data or stringData")
    }

    /// Every value the Secrets among `manifests` hold (decoded), at least `minimumLength` bytes long:
    /// an output that carries one is secret too (a password written as plain text beside its Secret).
    static func heldValues(_ manifests: [ManifestValue], minimumLength: Int) -> [String] {
        var values: [String] = []
        for secret in manifests where secret["kind"]?.string == "Secret" {
            for (_, value) in secret["stringData"]?.entries ?? [] {
                if let text = value.string { values.append(text) }
            }
            for (_, value) in secret["data"]?.entries ?? [] {
                if let encoded = value.string, let data = Data(base64Encoded: encoded), let text = String(data: data, encoding: .utf8) {
                    values.append(text)
                }
            }
        }
        return values.filter { $0.utf8.count >= minimumLength }
    }
}
