/// A `{"type": ..., "object": ...}` watch event as sent to one watcher.
public struct WatchEvent: Sendable, Hashable {
    public var type: StoredEvent.EventType
    public var object: JSONValue

    public var json: JSONValue { ["type": .string(type.rawValue), "object": object] }
}

/// What one watch asked for: a resource, optionally a namespace, and selectors.
public struct WatchFilter: Sendable {
    public var resource: ResourceType
    public var namespace: String?
    public var labelSelector: LabelSelectorQuery
    public var fieldSelector: FieldSelectorQuery

    public init(
        resource: ResourceType,
        namespace: String?,
        labelSelector: LabelSelectorQuery = LabelSelectorQuery(),
        fieldSelector: FieldSelectorQuery = FieldSelectorQuery()
    ) {
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
    }

    func matches(_ object: JSONValue) -> Bool {
        labelSelector.matches(object.labels) && fieldSelector.matches(object)
    }

    /// The event this watcher sees for a change, if any. An object that starts or stops matching
    /// the selectors is ADDED or DELETED for this watcher, as the real watch cache reports it.
    func translate(_ event: StoredEvent) -> WatchEvent? {
        guard event.storageKey == resource.storageKey else { return nil }
        if let namespace, event.namespace != namespace { return nil }
        var object = event.object
        object["apiVersion"] = .string(resource.apiVersion)
        object["kind"] = .string(resource.kind)
        let matchesNow = matches(event.object)
        let matchedBefore = event.previous.map(matches) ?? false
        switch event.type {
        case .added:
            return matchesNow ? WatchEvent(type: .added, object: object) : nil
        case .modified:
            switch (matchedBefore, matchesNow) {
            case (true, true): return WatchEvent(type: .modified, object: object)
            case (false, true): return WatchEvent(type: .added, object: object)
            case (true, false): return WatchEvent(type: .deleted, object: object)
            case (false, false): return nil
            }
        case .deleted:
            return (matchedBefore || matchesNow) ? WatchEvent(type: .deleted, object: object) : nil
        case .bookmark, .error:
            return nil
        }
    }
}

/// The live watches of a cluster and the delivery of committed events to them.
///
/// Not synchronized itself: ``KubeCluster`` owns it inside the same lock as the store, so that a
/// watch registers atomically with its replayed history and events are delivered in commit order.
struct WatchHub {
    private struct Watcher {
        var filter: WatchFilter
        var continuation: AsyncStream<WatchEvent>.Continuation
    }

    private var watchers: [Int: Watcher] = [:]
    private var nextID = 0

    var count: Int { watchers.count }

    mutating func add(_ filter: WatchFilter, continuation: AsyncStream<WatchEvent>.Continuation) -> Int {
        nextID += 1
        watchers[nextID] = Watcher(filter: filter, continuation: continuation)
        return nextID
    }

    mutating func remove(_ id: Int) {
        watchers[id] = nil
    }

    func deliver(_ events: [StoredEvent]) {
        for event in events {
            for watcher in watchers.values {
                if let translated = watcher.filter.translate(event) {
                    watcher.continuation.yield(translated)
                }
            }
        }
    }

    /// Sends a BOOKMARK carrying `resourceVersion` to one watcher, behind every event already sent.
    func bookmark(_ id: Int, resourceVersion: Int64) {
        guard let watcher = watchers[id] else { return }
        let object: JSONValue = [
            "kind": .string(watcher.filter.resource.kind), "apiVersion": .string(watcher.filter.resource.apiVersion),
            "metadata": ["resourceVersion": .string(String(resourceVersion))],
        ]
        watcher.continuation.yield(WatchEvent(type: .bookmark, object: object))
    }
}
