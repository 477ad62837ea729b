/// One request as the server saw it, for tests that count API calls (for example writes).
public struct RequestRecord: Sendable, Hashable {
    public var method: String
    public var path: String
    public var query: [String: String]
    /// Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection, or
    /// `nil` for non-resource paths such as discovery.
    public var verb: String?
    public var resource: String?
    public var subresource: String?
    public var namespace: String?
    public var name: String?
    public var userAgent: String
    public var user: String
    public var statusCode: Int

    public var isWrite: Bool { ["create", "update", "patch", "delete", "deletecollection"].contains(verb ?? "") }
}
