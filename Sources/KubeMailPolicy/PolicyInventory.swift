import KubeMailAPI

/// The cluster objects a policy decision reads. The relay fills it from informers or manifest
/// files; `kubemailctl lint` and `simulate` from the files they are given.
public protocol PolicyInventory: Sendable {
    /// Every EmailPolicy of a namespace, in any order.
    func policies(inNamespace namespace: String) -> [EmailPolicy]
    func server(named name: String, namespace: String) -> SMTPServer?
    func secret(named name: String, namespace: String) -> CoreV1.Secret?
    /// The labels of a namespace, or nil when the namespace object is not known.
    func namespaceLabels(_ namespace: String) -> [String: String]?
}

/// An inventory held in memory, indexed by namespace and name.
public struct InMemoryInventory: PolicyInventory {
    private var policiesByNamespace: [String: [EmailPolicy]] = [:]
    private var servers: [ObjectKey: SMTPServer] = [:]
    private var secrets: [ObjectKey: CoreV1.Secret] = [:]
    private var namespaces: [String: [String: String]] = [:]
    /// The namespace of objects that do not name one, as `kubectl apply` without `-n` does.
    public let defaultNamespace: String

    struct ObjectKey: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    public init(defaultNamespace: String = "default") {
        self.defaultNamespace = defaultNamespace
    }

    public mutating func add(_ policy: EmailPolicy) {
        var policy = policy
        policy.metadata.namespace = namespace(of: policy.metadata)
        policiesByNamespace[policy.metadata.namespace!, default: []].append(policy)
    }

    public mutating func add(_ server: SMTPServer) {
        var server = server
        server.metadata.namespace = namespace(of: server.metadata)
        servers[ObjectKey(namespace: server.metadata.namespace!, name: server.metadata.name ?? "")] = server
    }

    public mutating func add(_ secret: CoreV1.Secret) {
        var secret = secret
        secret.metadata.namespace = namespace(of: secret.metadata)
        secrets[ObjectKey(namespace: secret.metadata.namespace!, name: secret.metadata.name ?? "")] = secret
    }

    public mutating func add(_ namespace: CoreV1.Namespace) {
        namespaces[namespace.metadata.name ?? ""] = namespace.metadata.labels ?? [:]
    }

    public func namespace(of metadata: ObjectMeta) -> String {
        metadata.namespace.flatMap { $0.isEmpty ? nil : $0 } ?? defaultNamespace
    }

    public func policies(inNamespace namespace: String) -> [EmailPolicy] {
        policiesByNamespace[namespace] ?? []
    }

    public func server(named name: String, namespace: String) -> SMTPServer? {
        servers[ObjectKey(namespace: namespace, name: name)]
    }

    public func secret(named name: String, namespace: String) -> CoreV1.Secret? {
        secrets[ObjectKey(namespace: namespace, name: name)]
    }

    public func namespaceLabels(_ namespace: String) -> [String: String]? {
        namespaces[namespace]
    }
}
