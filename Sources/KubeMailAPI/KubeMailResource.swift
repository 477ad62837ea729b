/// The API group and version of every kube-mail resource.
public enum KubeMailGroup {
    public static let name = "kube-mail.helmich.me"
    public static let version = "v1alpha1"
    public static let apiVersion = "\(name)/\(version)"
    /// The `kubectl get kube-mail` category.
    public static let category = "kube-mail"
    /// The annotation on a Secret that lets policies of other namespaces use it.
    public static let allowedNamespacesAnnotation = "\(name)/allowed-namespaces"
}

/// The names under which the API serves a kind (`CustomResourceDefinitionNames`).
public struct ResourceNames: Hashable, Sendable {
    public var kind: String
    public var plural: String
    public var singular: String
    public var shortNames: [String]

    public var listKind: String { kind + "List" }
}

/// A column of `kubectl get` output (`additionalPrinterColumns`).
public struct PrinterColumn: Hashable, Sendable {
    public var name: String
    public var type: String
    public var jsonPath: String
    public var description: String
    public var priority: Int?

    public init(_ name: String, type: String, jsonPath: String, description: String, priority: Int? = nil) {
        self.name = name
        self.type = type
        self.jsonPath = jsonPath
        self.description = description
        self.priority = priority
    }

    static func condition(_ type: String, _ description: String) -> PrinterColumn {
        PrinterColumn(
            type,
            type: "string",
            jsonPath: ".status.conditions[?(@.type==\"\(type)\")].status",
            description: description
        )
    }

    static let age = PrinterColumn(
        "Age",
        type: "date",
        jsonPath: ".metadata.creationTimestamp",
        description: "Time since the object was created."
    )
}

/// The top-level fields every kind has.
public enum ResourceFieldKeys: String, CodingKey, CaseIterable {
    case apiVersion, kind, metadata, spec, status
}

/// One of kube-mail's custom resources. Its Swift type is the single source of its CRD.
public protocol KubeMailResource: Codable, Hashable, Sendable {
    associatedtype Spec: Codable, Hashable, Sendable, SchemaDescribed
    associatedtype Status: Codable, Hashable, Sendable, SchemaDescribed

    static var names: ResourceNames { get }
    /// What the kind is for; the CRD's top-level description.
    static var summary: String { get }
    static var printerColumns: [PrinterColumn] { get }
    /// The spec of an object written without one; nil when `spec` is required.
    static var defaultSpec: Spec? { get }

    var apiVersion: String { get set }
    var kind: String { get set }
    var metadata: ObjectMeta { get set }
    var spec: Spec { get set }
    var status: Status? { get set }

    init(metadata: ObjectMeta, spec: Spec, status: Status?)

    /// Every problem of the spec, with field paths. Metadata is checked by `validate()`.
    func validateSpec() -> [FieldError]
}

extension KubeMailResource {
    public static var defaultSpec: Spec? { nil }
    static var specIsOptional: Bool { defaultSpec != nil }

    /// Lenient about what the API server may leave out (the type metadata of list items,
    /// metadata); `validate()` reports what a manifest must have.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: ResourceFieldKeys.self)
        let metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        let spec: Spec
        if let defaultSpec = Self.defaultSpec {
            spec = try container.decodeIfPresent(Spec.self, forKey: .spec) ?? defaultSpec
        } else {
            spec = try container.decode(Spec.self, forKey: .spec)
        }
        self.init(metadata: metadata, spec: spec, status: try container.decodeIfPresent(Status.self, forKey: .status))
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? KubeMailGroup.apiVersion
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? Self.names.kind
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: ResourceFieldKeys.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        try container.encode(metadata, forKey: .metadata)
        try container.encode(spec, forKey: .spec)
        try container.encodeIfPresent(status, forKey: .status)
    }

    /// Every problem of the object: type metadata, object metadata and spec.
    public func validate() -> [FieldError] {
        var errors: [FieldError] = []
        if apiVersion != KubeMailGroup.apiVersion {
            errors.append(.notSupported("apiVersion", apiVersion, supported: [KubeMailGroup.apiVersion]))
        }
        if kind != Self.names.kind {
            errors.append(.notSupported("kind", kind, supported: [Self.names.kind]))
        }
        return errors + metadata.validate() + validateSpec()
    }

    /// `namespace/name`, the way kube-mail names objects in messages and logs.
    public var qualifiedName: String {
        "\(metadata.namespace ?? "default")/\(metadata.name ?? "")"
    }
}

/// A string enumeration of a manifest. Decoding an unknown value fails with the supported values
/// in the message, which is what a person editing the manifest needs.
public protocol ManifestEnum: RawRepresentable, CaseIterable, Codable, Hashable, Sendable
where RawValue == String {}

extension ManifestEnum {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = Self(rawValue: raw) else {
            throw FieldError.notSupported(
                ManifestCodec.path(decoder.codingPath),
                raw,
                supported: Self.allCases.map(\.rawValue)
            )
        }
        self = value
    }
}

/// A reference to an object by name, in the referrer's namespace unless `namespace` is set.
public struct ResourceReference: Codable, Hashable, Sendable, SchemaDescribed {
    public var name: String
    public var namespace: String?

    public init(name: String, namespace: String? = nil) {
        self.name = name
        self.namespace = namespace
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, namespace
    }

    public static let schema = JSONSchema.object(
        "A reference to an object by name and namespace.",
        keys: CodingKeys.self,
        required: [.name]
    ) {
        switch $0 {
        case .name: .string("Name of the referenced object.", minLength: 1, maxLength: 253)
        case .namespace:
            .string(
                "Namespace of the referenced object; defaults to the namespace of the referring object.",
                maxLength: 63
            )
        }
    }

    /// The namespace the reference points into, given the referrer's namespace.
    public func resolvedNamespace(from referrerNamespace: String) -> String {
        namespace.flatMap { $0.isEmpty ? nil : $0 } ?? referrerNamespace
    }

    public func validate(at path: FieldPath) -> [FieldError] {
        var errors: [FieldError] = []
        if name.isEmpty {
            errors.append(.required(path.child("name")))
        } else {
            errors += NameValidation.dnsSubdomain(name).map { .invalid(path.child("name"), name, $0) }
        }
        if let namespace, !namespace.isEmpty {
            errors += NameValidation.dnsLabel(namespace).map { .invalid(path.child("namespace"), namespace, $0) }
        }
        return errors
    }
}

/// A Kubernetes `resource.Quantity` (`500m`, `128Mi`, `2`), kept in its written form.
public struct Quantity: Codable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    public var description: String

    /// The API server's quantity grammar.
    public static let pattern =
        #"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"#

    public init(_ text: String) { self.description = text }
    public init(stringLiteral value: String) { self.description = value }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Int.self) {
            description = String(number)
        } else {
            description = try container.decode(String.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Whether the text follows the quantity grammar (checked without regular expressions).
    public var isValid: Bool {
        var rest = Substring(description)
        if rest.first == "+" || rest.first == "-" { rest = rest.dropFirst() }
        let number = rest.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard !number.isEmpty, number != ".", number.filter({ $0 == "." }).count <= 1 else { return false }
        let suffix = rest.dropFirst(number.count)
        let binary: Set<Substring> = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
        let decimal: Set<Substring> = ["", "n", "u", "m", "k", "M", "G", "T", "P", "E"]
        if binary.contains(suffix) || decimal.contains(suffix) { return true }
        guard let marker = suffix.first, marker == "e" || marker == "E" else { return false }
        var exponent = suffix.dropFirst()
        if exponent.first == "+" || exponent.first == "-" { exponent = exponent.dropFirst() }
        return Quantity(String(exponent)).isValid && exponent.allSatisfy { $0.isASCII && ($0.isNumber || $0 == ".") }
    }
}

extension LabelSelector: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case matchLabels, matchExpressions
    }

    public static let schema = JSONSchema.object(
        "A label query over a set of objects. The result of matchLabels and matchExpressions are ANDed. "
            + "An empty label selector matches all objects.",
        keys: CodingKeys.self
    ) {
        switch $0 {
        case .matchLabels:
            .map(
                "A map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element "
                    + "of matchExpressions whose key field is \"key\", the operator is \"In\", and the values array "
                    + "contains only \"value\". The requirements are ANDed.",
                values: JSONSchema(type: .string)
            )
        case .matchExpressions:
            .array(
                "A list of label selector requirements. The requirements are ANDed.",
                of: .ref(LabelSelectorRequirement.self, "A selector that contains values, a key, and an operator."),
                listType: "atomic"
            )
        }
    }.mapTypeAtomic()
}

extension LabelSelectorRequirement: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case key, `operator`, values
    }

    public static let schema = JSONSchema.object(
        "A selector that contains values, a key, and an operator that relates the key and values.",
        keys: CodingKeys.self,
        required: [.key, .operator]
    ) {
        switch $0 {
        case .key: .string("The label key that the selector applies to.")
        case .operator:
            {
                var schema = JSONSchema.string(
                    "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."
                )
                schema.enumValues = Operator.allCases.map { .string($0.rawValue) }
                return schema
            }()
        case .values:
            .array(
                "An array of string values. If the operator is In or NotIn, the values array must be non-empty. "
                    + "If the operator is Exists or DoesNotExist, the values array must be empty.",
                of: JSONSchema(type: .string),
                listType: "atomic"
            )
        }
    }
}

extension JSONSchema {
    fileprivate func mapTypeAtomic() -> JSONSchema {
        var copy = self
        copy.mapType = "atomic"
        return copy
    }
}

extension Condition: SchemaDescribed {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case type, status, observedGeneration, lastTransitionTime, reason, message
    }

    public static let schema = JSONSchema.object(
        "Condition contains details for one aspect of the current state of this API Resource.",
        keys: CodingKeys.self,
        required: [.type, .status, .lastTransitionTime, .reason, .message]
    ) {
        switch $0 {
        case .type:
            .string(
                "Type of condition in CamelCase.",
                pattern:
                    #"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"#,
                maxLength: Condition.maximumTypeLength
            )
        case .status: .enumeration(Status.self, "Status of the condition, one of True, False, Unknown.")
        case .observedGeneration:
            .integer(
                "The .metadata.generation that the condition was set based upon.",
                minimum: 0,
                format: "int64"
            )
        case .lastTransitionTime:
            .string("The last time the condition transitioned from one status to another.", format: "date-time")
        case .reason:
            .string(
                "A programmatic identifier indicating the reason for the condition's last transition, in CamelCase.",
                pattern: Condition.reasonPattern,
                minLength: 1,
                maxLength: Condition.maximumReasonLength
            )
        case .message:
            .string(
                "A human readable message indicating details about the transition.",
                maxLength: Condition.maximumMessageLength
            )
        }
    }

    /// The schema of a `conditions` list: a map keyed by `type`, as in every Kubernetes API.
    static func listSchema(_ description: String) -> JSONSchema {
        .array(description, of: schema, listType: "map", mapKeys: ["type"])
    }
}

extension Condition.Status: ManifestEnum {}
