import Yams

/// Any kube-mail object, told apart by `apiVersion` and `kind`.
public enum KubeMailObject: Hashable, Sendable {
    case smtpServer(SMTPServer)
    case emailPolicy(EmailPolicy)
    case mailRelay(MailRelay)

    /// `apiVersion` and `kind`, the part of an object that tells its type.
    public struct TypeMeta: Codable, Hashable, Sendable {
        public var apiVersion: String?
        public var kind: String?
    }

    /// The kinds kube-mail serves.
    public enum Kind: String, CaseIterable, Sendable {
        case smtpServer = "SMTPServer"
        case emailPolicy = "EmailPolicy"
        case mailRelay = "MailRelay"
    }

    /// Decodes one document. Returns nil for objects of other API groups (a Secret, a Pod), which
    /// manifests mix freely with ours.
    public static func decode(yamlNode node: Node) throws(FieldError) -> KubeMailObject? {
        let typeMeta = try ManifestCodec.decode(TypeMeta.self, yamlNode: node)
        switch try kind(of: typeMeta) {
        case nil: return nil
        case .smtpServer: return .smtpServer(try ManifestCodec.decode(SMTPServer.self, yamlNode: node))
        case .emailPolicy: return .emailPolicy(try ManifestCodec.decode(EmailPolicy.self, yamlNode: node))
        case .mailRelay: return .mailRelay(try ManifestCodec.decode(MailRelay.self, yamlNode: node))
        }
    }

    /// Every kube-mail object of a multi-document YAML stream, in order.
    public static func decodeAll(yaml: String) throws(FieldError) -> [KubeMailObject] {
        var objects: [KubeMailObject] = []
        for node in try ManifestCodec.documents(yaml: yaml) {
            if let object = try decode(yamlNode: node) { objects.append(object) }
        }
        return objects
    }

    /// The kind named by the type metadata: nil for another API group; an error for a kind or
    /// version of ours that does not exist.
    public static func kind(of typeMeta: TypeMeta) throws(FieldError) -> Kind? {
        guard let apiVersion = typeMeta.apiVersion, !apiVersion.isEmpty else { throw .required("apiVersion") }
        guard let kind = typeMeta.kind, !kind.isEmpty else { throw .required("kind") }
        let group = apiVersion.split(separator: "/").first.map(String.init) ?? apiVersion
        guard group == KubeMailGroup.name else { return nil }
        guard apiVersion == KubeMailGroup.apiVersion else {
            throw .notSupported("apiVersion", apiVersion, supported: [KubeMailGroup.apiVersion])
        }
        guard let known = Kind(rawValue: kind) else {
            throw .notSupported("kind", kind, supported: Kind.allCases.map(\.rawValue))
        }
        return known
    }

    public var resource: any KubeMailResource {
        switch self {
        case .smtpServer(let object): object
        case .emailPolicy(let object): object
        case .mailRelay(let object): object
        }
    }

    public func validate() -> [FieldError] { resource.validate() }
}
