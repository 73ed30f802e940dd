/// The built-in provisioners, after every repository's own: one per resource type a Score user meets in
/// score-compose and score-k8s. Databases and brokers get a StatefulSet, a Service and a Secret for the
/// generated credentials; the password is generated once into the resource's state and kept from then on.
public enum DefaultProvisioners {
    /// The type whose outputs are the target environment's values (`ProvisionedResource.environment`).
    public static let environmentType = "environment"

    /// The built-in provisioners file, as `ProvisionerLoader` reads it.
    public static let text = DefaultProvisionerTexts.databases + "\n" + DefaultProvisionerTexts.platform

    /// Parsed once; the text is covered by tests, so a failure here is a bug in this file.
    public static let definitions: [ProvisionerDefinition] = {
        do {
            return try ProvisionerLoader().load(Array(text.utf8), file: "built-in", folder: nil)
                .map { var definition = $0; definition.origin = "built-in"; definition.repositoryFiles = []; return definition }
        } catch {
            fatalError("the built-in provisioners do not parse: \(error)")
        }
    }()
}
