/// `metav1.ObjectMeta`: the fields kube-mail reads or writes. Unknown fields are ignored on decode.
public struct ObjectMeta: Codable, Hashable, Sendable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var generation: Int64?
    public var creationTimestamp: Timestamp?
    public var deletionTimestamp: Timestamp?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var finalizers: [String]?
    public var ownerReferences: [OwnerReference]?

    public init(
        name: String? = nil,
        namespace: String? = nil,
        labels: [String: String]? = nil,
        annotations: [String: String]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.labels = labels
        self.annotations = annotations
    }

    /// Checks the name (a DNS subdomain), namespace (a DNS label), labels and annotation keys.
    public func validate(at path: FieldPath = "metadata", requireName: Bool = true) -> [FieldError] {
        var errors: [FieldError] = []
        if let name, !name.isEmpty {
            errors += NameValidation.dnsSubdomain(name).map { .invalid(path.child("name"), name, $0) }
        } else if requireName && (generateName ?? "").isEmpty {
            errors.append(.required(path.child("name"), "name or generateName is required"))
        }
        if let namespace {
            errors += NameValidation.dnsLabel(namespace).map { .invalid(path.child("namespace"), namespace, $0) }
        }
        for (key, value) in (labels ?? [:]).sorted(by: { $0.key < $1.key }) {
            errors += NameValidation.qualifiedName(key).map { .invalid(path.child("labels"), key, $0) }
            errors += NameValidation.labelValue(value).map { .invalid(path.child("labels").key(key), value, $0) }
        }
        for key in (annotations ?? [:]).keys.sorted() {
            errors += NameValidation.qualifiedName(key.lowercased()).map {
                .invalid(path.child("annotations"), key, $0)
            }
        }
        return errors
    }
}

/// `metav1.OwnerReference`: ties an object to its owner for garbage collection.
public struct OwnerReference: Codable, Hashable, Sendable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String,
        kind: String,
        name: String,
        uid: String,
        controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}
