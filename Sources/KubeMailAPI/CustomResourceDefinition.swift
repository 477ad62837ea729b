/// Generates the `apiextensions.k8s.io/v1` CustomResourceDefinitions of kube-mail from its Swift types.
public enum CustomResourceDefinitions {
    /// Every kind kube-mail serves, in the order the CRDs are written.
    public static let kinds: [any KubeMailResource.Type] = [SMTPServer.self, EmailPolicy.self, MailRelay.self]

    /// The CRD of one kind.
    public static func definition<Resource: KubeMailResource>(for resource: Resource.Type) -> JSONValue {
        let names = Resource.names
        return [
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": [
                "name": .string("\(names.plural).\(KubeMailGroup.name)"),
                "labels": ["app.kubernetes.io/name": "kube-mail", "app.kubernetes.io/part-of": "kube-mail"],
            ],
            "spec": [
                "group": .string(KubeMailGroup.name),
                "scope": "Namespaced",
                "names": [
                    "kind": .string(names.kind),
                    "listKind": .string(names.listKind),
                    "plural": .string(names.plural),
                    "singular": .string(names.singular),
                    "shortNames": .array(names.shortNames.map(JSONValue.string)),
                    "categories": [.string(KubeMailGroup.category)],
                ],
                "versions": [
                    [
                        "name": .string(KubeMailGroup.version),
                        "served": true,
                        "storage": true,
                        "subresources": ["status": [:]],
                        "additionalPrinterColumns": .array(Resource.printerColumns.map(printerColumn)),
                        "schema": ["openAPIV3Schema": objectSchema(for: resource).crdValue],
                    ]
                ],
            ],
        ]
    }

    /// The schema of a whole object of the kind: type metadata, metadata, spec and status.
    public static func objectSchema<Resource: KubeMailResource>(for resource: Resource.Type) -> JSONSchema {
        var spec = Resource.Spec.schema
        if Resource.specIsOptional { spec.defaultValue = .object([:]) }
        return JSONSchema.object(
            Resource.summary,
            keys: ResourceFieldKeys.self,
            required: Resource.specIsOptional ? [] : [.spec]
        ) {
            switch $0 {
            case .apiVersion:
                .string(
                    "APIVersion defines the versioned schema of this representation of an object. Servers should "
                        + "convert recognized schemas to the latest internal value, and may reject unrecognized values."
                )
            case .kind:
                .string(
                    "Kind is a string value representing the REST resource this object represents. Servers may infer "
                        + "this from the endpoint the client submits requests to. In CamelCase."
                )
            case .metadata:
                {
                    var metadata = JSONSchema(type: .object, description: "Standard object metadata.")
                    metadata.isOpenObject = true
                    return metadata
                }()
            case .spec: spec
            case .status: Resource.Status.schema
            }
        }
    }

    /// A strict JSON Schema (draft 7) of one kind for standalone validators such as check-jsonschema
    /// and kubeconform: the CRD schema with unknown fields rejected and the type metadata pinned.
    public static func jsonSchema<Resource: KubeMailResource>(for resource: Resource.Type) -> JSONValue {
        guard case .object(var members) = objectSchema(for: resource).jsonSchemaValue,
            case .object(var properties) = members["properties"]
        else { return .null }
        properties["apiVersion"] = ["type": "string", "enum": [.string(KubeMailGroup.apiVersion)]]
        properties["kind"] = ["type": "string", "enum": [.string(Resource.names.kind)]]
        members["properties"] = .object(properties)
        members["required"] = .array(
            ["apiVersion", "kind", "metadata"] + (Resource.specIsOptional ? [] : ["spec"])
        )
        return .object(members)
    }

    /// The file name controller-gen would use: `kube-mail.helmich.me_emailpolicies.yaml`.
    public static func fileName<Resource: KubeMailResource>(for resource: Resource.Type) -> String {
        "\(KubeMailGroup.name)_\(Resource.names.plural).yaml"
    }

    /// The file name kubeconform looks up: `emailpolicy_v1alpha1.json`.
    public static func jsonSchemaFileName<Resource: KubeMailResource>(for resource: Resource.Type) -> String {
        "\(Resource.names.kind.lowercased())_\(KubeMailGroup.version).json"
    }

    private static func printerColumn(_ column: PrinterColumn) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(column.name), "type": .string(column.type), "jsonPath": .string(column.jsonPath),
            "description": .string(column.description),
        ]
        if let priority = column.priority { members["priority"] = .integer(priority) }
        return .object(members)
    }
}

extension CustomResourceDefinitions {
    /// A generated file: its name and its exact contents.
    public struct GeneratedFile: Hashable, Sendable {
        public var name: String
        public var contents: String
    }

    static let header =
        "# Generated by `kubemailctl crds` from the Swift types in Sources/KubeMailAPI. Do not edit by hand.\n"

    /// The CRD files, as `crds/` and the Helm chart hold them.
    public static func crdFiles() throws -> [GeneratedFile] {
        try [
            crdFile(for: SMTPServer.self), crdFile(for: EmailPolicy.self), crdFile(for: MailRelay.self),
        ]
    }

    /// Strict JSON Schemas of the kinds, named as kubeconform looks them up.
    public static func jsonSchemaFiles() throws -> [GeneratedFile] {
        try [
            jsonSchemaFile(for: SMTPServer.self), jsonSchemaFile(for: EmailPolicy.self),
            jsonSchemaFile(for: MailRelay.self),
        ]
    }

    private static func crdFile<Resource: KubeMailResource>(for resource: Resource.Type) throws -> GeneratedFile {
        let yaml = try ManifestCodec.encodeYAML(definition(for: resource))
        return GeneratedFile(name: fileName(for: resource), contents: header + "---\n" + yaml)
    }

    private static func jsonSchemaFile<Resource: KubeMailResource>(for resource: Resource.Type) throws -> GeneratedFile
    {
        let json = try ManifestCodec.encodeJSON(jsonSchema(for: resource), pretty: true)
        return GeneratedFile(
            name: jsonSchemaFileName(for: resource),
            contents: String(decoding: json, as: UTF8.self) + "\n"
        )
    }
}
