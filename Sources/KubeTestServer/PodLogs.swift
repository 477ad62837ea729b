import Foundation

/// Container logs, fed by tests through ``KubeCluster/appendLog(namespace:pod:container:line:)``
/// and served by `GET .../pods/NAME/log` (with `follow=true` streaming new lines).
struct PodLogs {
    struct Line: Sendable {
        var time: Date
        var text: String
    }

    struct Key: Hashable {
        var namespace: String
        var pod: String
        var container: String
    }

    private var lines: [Key: [Line]] = [:]
    private var followers: [Key: [Int: AsyncStream<Line>.Continuation]] = [:]
    private var closed: Set<Key> = []
    private var nextID = 0

    mutating func append(_ line: Line, to key: Key) {
        lines[key, default: []].append(line)
        for follower in followers[key, default: [:]].values { follower.yield(line) }
    }

    func lines(of key: Key) -> [Line] { lines[key] ?? [] }

    func isClosed(_ key: Key) -> Bool { closed.contains(key) }

    mutating func follow(_ key: Key, continuation: AsyncStream<Line>.Continuation) -> Int {
        nextID += 1
        followers[key, default: [:]][nextID] = continuation
        return nextID
    }

    mutating func unfollow(_ key: Key, id: Int) {
        followers[key]?[id] = nil
    }

    /// Ends every follower of the matching containers (`container == nil`: all of the pod's).
    /// Returns the continuations to finish, which the caller finishes outside its lock.
    mutating func close(
        namespace: String,
        pod: String,
        container: String?,
        forget: Bool
    ) -> [AsyncStream<Line>.Continuation] {
        var ended: [AsyncStream<Line>.Continuation] = []
        for key in Set(followers.keys).union(lines.keys)
        where key.namespace == namespace && key.pod == pod && (container == nil || key.container == container) {
            ended.append(contentsOf: followers[key, default: [:]].values)
            followers[key] = nil
            if forget {
                lines[key] = nil
                closed.remove(key)
            } else {
                closed.insert(key)
            }
        }
        if let container, !forget { closed.insert(Key(namespace: namespace, pod: pod, container: container)) }
        return ended
    }
}
