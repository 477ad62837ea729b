import Foundation
import Synchronization

/// The shared, thread-safe cluster behind a server: the ``ClusterStore``, its live watches, the
/// pod logs the tests feed, and the request log.
///
/// One lock guards all of it, so that a write, the delivery of its events to every watch and the
/// registration of a new watch are each atomic: watches never miss or reorder events.
public final class KubeCluster: Sendable {
    struct State {
        var store: ClusterStore
        var hub = WatchHub()
        var logs = PodLogs()
        var requests: [RequestRecord] = []
    }

    private let state: Mutex<State>

    public init(historySize: Int = 1000) {
        state = Mutex(State(store: ClusterStore(historySize: historySize)))
    }

    // MARK: Store access

    /// Runs a read-only closure against the current store.
    public func read<Result: Sendable>(_ body: (ClusterStore) throws(APIError) -> Result) throws(APIError) -> Result {
        try state.withLock { (state) throws(APIError) -> Result in try body(state.store) }
    }

    /// Runs a mutation and delivers its events to the live watches. With `dryRun` the mutation runs
    /// on a copy and nothing is committed.
    public func write<Result: Sendable>(
        dryRun: Bool = false,
        _ body: (inout ClusterStore) throws(APIError) -> Result
    ) throws(APIError) -> Result {
        let (result, ended) = try state.withLock {
            (state) throws(APIError) -> (Result, [AsyncStream<PodLogs.Line>.Continuation]) in
            if dryRun {
                var copy = state.store
                return (try body(&copy), [])
            }
            let result = try body(&state.store)
            let events = state.store.drainEvents()
            state.hub.deliver(events)
            var ended: [AsyncStream<PodLogs.Line>.Continuation] = []
            for event in events where event.type == .deleted && event.storageKey == BuiltinResources.pod.storageKey {
                ended += state.logs.close(
                    namespace: event.object.namespace,
                    pod: event.object.name,
                    container: nil,
                    forget: true
                )
            }
            return (result, ended)
        }
        for continuation in ended { continuation.finish() }
        return result
    }

    public var resourceVersion: Int64 { state.withLock { $0.store.resourceVersion } }

    public func setHistorySize(_ size: Int) {
        state.withLock { $0.store.setHistorySize(size) }
    }

    /// The served resource for a group, version and plural name (CRDs included once established).
    public func resource(group: String, version: String, plural: String) -> ResourceType? {
        state.withLock { $0.store.resource(group: group, version: version, plural: plural) }
    }

    // MARK: Convenience for tests

    /// Creates an object from its manifest, finding the resource by `apiVersion` and `kind`.
    @discardableResult
    public func create(_ object: JSONValue, manager: String = "kube-test-server") throws(APIError) -> JSONValue {
        try write { (store) throws(APIError) -> JSONValue in
            guard let resource = store.resource(apiVersion: object.apiVersion, kind: object.kind) else {
                throw APIError.notFoundPath("\(object.apiVersion) \(object.kind)")
            }
            let namespace = resource.namespaced ? (object.namespace.isEmpty ? "default" : object.namespace) : ""
            return try store.create(object, resource: resource, namespace: namespace, manager: manager).object
        }
    }

    public func get(_ resource: ResourceType, namespace: String = "", name: String) throws(APIError) -> JSONValue {
        try read { (store) throws(APIError) -> JSONValue in try store.get(resource, namespace: namespace, name: name) }
    }

    /// Replaces an object's status through the status subresource, as a controller would.
    @discardableResult
    public func updateStatus(
        _ resource: ResourceType,
        namespace: String = "",
        name: String,
        status: JSONValue,
        manager: String = "kube-test-server"
    ) throws(APIError) -> JSONValue {
        try write { (store) throws(APIError) -> JSONValue in
            var object = try store.get(resource, namespace: namespace, name: name)
            object["status"] = status
            object[path: ["metadata", "resourceVersion"]] = nil
            let subresource = resource.hasStatus ? "status" : ""
            return try store.update(
                object,
                resource: resource,
                namespace: namespace,
                name: name,
                subresource: subresource,
                manager: manager
            ).object
        }
    }

    // MARK: Watches

    /// Opens a watch. `resourceVersion` nil, empty or "0" starts with synthetic ADDED events for the
    /// existing objects; any other version replays the retained events after it (410 Expired if
    /// they are gone). The stream ends when the caller stops iterating it.
    public func watch(
        _ filter: WatchFilter,
        resourceVersion: String?,
        sendInitialEvents: Bool = false
    ) throws(APIError) -> (events: AsyncStream<WatchEvent>, id: Int) {
        let (stream, continuation) = AsyncStream<WatchEvent>.makeStream()
        let id = try state.withLock { (state) throws(APIError) -> Int in
            let version = resourceVersion.flatMap { Int64($0) } ?? 0
            if version == 0 || sendInitialEvents {
                for object in state.store.allObjects(filter.resource, namespace: filter.namespace)
                where filter.matches(object) {
                    continuation.yield(WatchEvent(type: .added, object: object))
                }
            }
            if version != 0 {
                for event in try state.store.events(after: version) {
                    if let translated = filter.translate(event) { continuation.yield(translated) }
                }
            }
            let id = state.hub.add(filter, continuation: continuation)
            if sendInitialEvents {
                continuation.yield(
                    WatchEvent(
                        type: .bookmark,
                        object: [
                            "kind": .string(filter.resource.kind), "apiVersion": .string(filter.resource.apiVersion),
                            "metadata": [
                                "resourceVersion": .string(String(state.store.resourceVersion)),
                                "annotations": ["k8s.io/initial-events-end": "true"],
                            ],
                        ]
                    )
                )
            }
            return id
        }
        continuation.onTermination = { [weak self] _ in self?.stopWatch(id) }
        return (stream, id)
    }

    /// Sends a BOOKMARK with the current resourceVersion to one watch.
    func bookmark(_ id: Int) {
        state.withLock { $0.hub.bookmark(id, resourceVersion: $0.store.resourceVersion) }
    }

    func stopWatch(_ id: Int) {
        state.withLock { $0.hub.remove(id) }
    }

    /// How many watches are open (tests use it to wait for a client's watch).
    public var activeWatchCount: Int { state.withLock { $0.hub.count } }

    // MARK: Pod logs

    /// Appends one line to a container's log; followers (`logs -f`) receive it at once.
    public func appendLog(namespace: String, pod: String, container: String, line: String) {
        state.withLock {
            $0.logs.append(
                PodLogs.Line(time: Date(), text: line),
                to: PodLogs.Key(namespace: namespace, pod: pod, container: container)
            )
        }
    }

    /// Ends the log of a container (or of every container of the pod): followers' streams close.
    public func closeLog(namespace: String, pod: String, container: String? = nil) {
        let ended = state.withLock {
            $0.logs.close(namespace: namespace, pod: pod, container: container, forget: false)
        }
        for continuation in ended { continuation.finish() }
    }

    func logLines(_ key: PodLogs.Key) -> [PodLogs.Line] { state.withLock { $0.logs.lines(of: key) } }

    /// The existing lines and a stream of the lines appended after them (nil when the log is closed).
    func followLog(_ key: PodLogs.Key) -> (existing: [PodLogs.Line], stream: AsyncStream<PodLogs.Line>?) {
        let (stream, continuation) = AsyncStream<PodLogs.Line>.makeStream()
        let (existing, id) = state.withLock { state -> ([PodLogs.Line], Int?) in
            let lines = state.logs.lines(of: key)
            if state.logs.isClosed(key) { return (lines, nil) }
            return (lines, state.logs.follow(key, continuation: continuation))
        }
        guard let id else {
            continuation.finish()
            return (existing, nil)
        }
        continuation.onTermination = { [weak self] _ in self?.state.withLock { $0.logs.unfollow(key, id: id) } }
        return (existing, stream)
    }

    // MARK: Request log

    func record(_ request: RequestRecord) {
        state.withLock { $0.requests.append(request) }
    }

    /// Every request served so far, oldest first.
    public var requests: [RequestRecord] { state.withLock { $0.requests } }

    public func clearRequestLog() {
        state.withLock { $0.requests.removeAll() }
    }
}
