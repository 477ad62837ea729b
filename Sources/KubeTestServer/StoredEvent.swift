/// One change to the cluster, as kept in the bounded watch history.
public struct StoredEvent: Sendable, Hashable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        case bookmark = "BOOKMARK"
        case error = "ERROR"
    }

    public var resourceVersion: Int64
    public var type: EventType
    /// ``ResourceType/storageKey`` of the changed object's resource.
    public var storageKey: String
    public var namespace: String
    /// The object after the change (for `DELETED`, its last state, stamped with the deletion's version).
    public var object: JSONValue
    /// The object before the change; `nil` for `ADDED`. Lets watchers with selectors see an object
    /// leave their selection, and lets old list snapshots be rebuilt.
    public var previous: JSONValue?
}

/// A storage key and namespace/name; identifies an object across versions of its resource.
struct ObjectKey: Hashable, Comparable, Sendable {
    var namespace: String
    var name: String

    static func < (lhs: ObjectKey, rhs: ObjectKey) -> Bool {
        (lhs.namespace, lhs.name) < (rhs.namespace, rhs.name)
    }
}
