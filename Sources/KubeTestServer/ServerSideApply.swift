import Foundation

/// Field ownership (`metadata.managedFields`) and server-side apply.
///
/// Every write records which manager set which fields: `Update` entries for create, update and
/// patch (the fields the request changed move to its manager), one `Apply` entry per applier.
/// An apply merges the applied configuration into the live object, removes fields the applier
/// stopped applying that nobody else owns, and fails with a 409 naming each field another manager
/// owns with a different value, unless `force` transfers them.
public struct ServerSideApply {
    /// One `managedFields` entry.
    public struct Entry: Sendable, Hashable {
        public var manager: String
        public var operation: String
        public var apiVersion: String
        public var time: String
        public var subresource: String
        public var fields: FieldSet

        init(json: JSONValue) {
            manager = json["manager"]?.stringValue ?? ""
            operation = json["operation"]?.stringValue ?? "Update"
            apiVersion = json["apiVersion"]?.stringValue ?? ""
            time = json["time"]?.stringValue ?? ""
            subresource = json["subresource"]?.stringValue ?? ""
            fields = FieldSet(fieldsV1: json["fieldsV1"] ?? .object([:]))
        }

        init(
            manager: String,
            operation: String,
            apiVersion: String,
            time: String,
            subresource: String,
            fields: FieldSet
        ) {
            self.manager = manager
            self.operation = operation
            self.apiVersion = apiVersion
            self.time = time
            self.subresource = subresource
            self.fields = fields
        }

        var json: JSONValue {
            var entry: JSONValue = [
                "manager": .string(manager), "operation": .string(operation), "apiVersion": .string(apiVersion),
                "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fields.fieldsV1,
            ]
            if !subresource.isEmpty { entry["subresource"] = .string(subresource) }
            return entry
        }

        func isSameOwner(as other: Entry) -> Bool {
            manager == other.manager && operation == other.operation && subresource == other.subresource
        }

        /// `"kubectl"` for appliers, `"kubectl-patch" using v1` for updaters, as in conflict messages.
        var displayName: String {
            var text = JSONWriter.string(.string(manager))
            if !subresource.isEmpty { text += " with subresource \(JSONWriter.string(.string(subresource)))" }
            if operation == "Update" { text += " using \(apiVersion)" }
            return text
        }
    }

    public struct Conflict: Sendable, Hashable {
        public var manager: String
        public var path: String
    }

    let resource: ResourceType
    let now: String

    init(resource: ResourceType, now: String) {
        self.resource = resource
        self.now = now
    }

    /// The portion of an object whose fields are tracked for a request on `subresource`.
    func tracked(_ object: JSONValue, subresource: String) -> JSONValue {
        var copy = object
        copy["apiVersion"] = nil
        copy["kind"] = nil
        for key in [
            "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields",
            "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink",
        ] {
            copy[path: ["metadata", key]] = nil
        }
        if copy["metadata"]?.objectValue?.isEmpty == true { copy["metadata"] = nil }
        if subresource == "status" {
            return copy["status"].map { ["status": $0] } ?? .object([:])
        }
        if resource.hasStatus { copy["status"] = nil }
        return copy
    }

    static func entries(of object: JSONValue?) -> [Entry] {
        object?[path: ["metadata", "managedFields"]]?.arrayValue?.map(Entry.init(json:)) ?? []
    }

    static func store(_ entries: [Entry], in object: inout JSONValue) {
        let kept = entries.filter { !$0.fields.isEmpty }
        object[path: ["metadata", "managedFields"]] = kept.isEmpty ? nil : .array(kept.map(\.json))
    }

    /// Records an `Update` by `manager`: the fields it changed become its own and leave every other
    /// manager; fields the write removed leave everyone.
    func recordUpdate(old: JSONValue?, new: inout JSONValue, manager: String, subresource: String) {
        let paths = FieldPaths(resource: resource)
        let oldTracked = old.map { tracked($0, subresource: subresource) } ?? .object([:])
        let newTracked = tracked(new, subresource: subresource)
        let oldSet = paths.set(of: oldTracked)
        let newSet = paths.set(of: newTracked)
        var changed = FieldSet()
        for path in newSet.memberPaths {
            let before = FieldPaths.value(at: path, in: oldTracked)
            let after = FieldPaths.value(at: path, in: newTracked)
            let isInner = !(Self.node(at: path, in: newSet)?.children.isEmpty ?? true)
            if before == nil || (!isInner && !(before!.semanticallyEquals(after ?? .null))) {
                changed.insert(path)
            }
        }
        let removed = oldSet.subtracting(newSet)
        var entries = Self.entries(of: old)
        if new[path: ["metadata", "managedFields"]]?.arrayValue?.isEmpty == true {
            entries = []  // An explicit empty list resets ownership, as on the real server.
        }
        let mine = Entry(
            manager: manager,
            operation: "Update",
            apiVersion: resource.apiVersion,
            time: now,
            subresource: subresource,
            fields: FieldSet()
        )
        var found = false
        for index in entries.indices {
            entries[index].fields = entries[index].fields.subtracting(removed)
            if entries[index].isSameOwner(as: mine) {
                entries[index].fields = entries[index].fields.union(changed)
                entries[index].time = now
                found = true
            } else {
                entries[index].fields = entries[index].fields.subtracting(changed)
            }
        }
        if !found && !changed.isEmpty {
            var entry = mine
            entry.fields = changed
            entries.append(entry)
        }
        Self.store(entries, in: &new)
    }

    /// Applies `config` as `manager` onto `live` (nil: the object does not exist yet) and returns
    /// the new object with updated `managedFields`, or throws the conflicts.
    func apply(
        config: JSONValue,
        to live: JSONValue?,
        manager: String,
        force: Bool,
        subresource: String
    ) throws(APIError) -> JSONValue {
        let paths = FieldPaths(resource: resource)
        let appliedConfig = tracked(config, subresource: subresource)
        let appliedSet = paths.set(of: appliedConfig)
        var entries = Self.entries(of: live)
        let me = Entry(
            manager: manager,
            operation: "Apply",
            apiVersion: resource.apiVersion,
            time: now,
            subresource: subresource,
            fields: appliedSet
        )

        var merged: JSONValue
        if let live {
            merged = merge(config: appliedConfig, into: live, path: [])
        } else {
            merged = config
        }

        // Conflicts: fields this apply changes that another manager owns.
        var conflicts: [Conflict] = []
        var conflictSet = FieldSet()
        if let live {
            let liveTracked = tracked(live, subresource: subresource)
            for path in appliedSet.memberPaths {
                let isInner = !(Self.node(at: path, in: appliedSet)?.children.isEmpty ?? true)
                if isInner { continue }
                guard let current = FieldPaths.value(at: path, in: liveTracked) else { continue }
                let desired = FieldPaths.value(at: path, in: appliedConfig) ?? .null
                if current.semanticallyEquals(desired) { continue }
                for entry in entries where !entry.isSameOwner(as: me) && entry.fields.contains(path) {
                    conflicts.append(Conflict(manager: entry.displayName, path: FieldSet.render(path)))
                    conflictSet.insert(path)
                }
            }
        }
        if !conflicts.isEmpty && !force {
            throw Self.conflictError(conflicts)
        }

        // Fields this manager stopped applying, and nobody else owns, are removed.
        let previous = entries.first(where: { $0.isSameOwner(as: me) })?.fields ?? FieldSet()
        var othersOwn = FieldSet()
        for entry in entries where !entry.isSameOwner(as: me) { othersOwn = othersOwn.union(entry.fields) }
        let stale = previous.subtracting(appliedSet).subtracting(othersOwn)
        for path in stale.memberPaths.reversed() {
            merged = FieldPaths.remove(path, from: merged)
        }

        for index in entries.indices where !entries[index].isSameOwner(as: me) {
            entries[index].fields = entries[index].fields.subtracting(conflictSet)
        }
        if let index = entries.firstIndex(where: { $0.isSameOwner(as: me) }) {
            entries[index] = me
        } else {
            entries.append(me)
        }
        Self.store(entries, in: &merged)
        return merged
    }

    /// Merges an applied configuration into the live object: maps member by member, list-maps item
    /// by item, sets by union, everything else replaced.
    func merge(config: JSONValue, into live: JSONValue, path: [String]) -> JSONValue {
        switch (config, live) {
        case (.object(let applied), .object(var current)):
            for (key, value) in applied {
                current[key] = current[key].map { merge(config: value, into: $0, path: path + [key]) } ?? value
            }
            return .object(current)
        case (.array(let applied), .array(let current)):
            switch ListTypes.listType(at: path, in: resource) {
            case .atomic: return config
            case .set:
                var result = current
                for item in applied where !result.contains(item) { result.append(item) }
                return .array(result)
            case .map(let keys):
                var result = current
                for item in applied {
                    guard let key = ListTypes.key(of: item, keys: keys) else { continue }
                    if let index = result.firstIndex(where: { existing in
                        key.allSatisfy { existing[$0.key] == $0.value }
                    }) {
                        result[index] = merge(config: item, into: result[index], path: path)
                    } else {
                        result.append(item)
                    }
                }
                return .array(result)
            }
        default:
            return config
        }
    }

    static func node(at path: [String], in set: FieldSet) -> FieldSet? {
        var node = set
        for element in path {
            guard let child = node.children[element] else { return nil }
            node = child
        }
        return node
    }

    /// The 409 the real server sends for apply conflicts, message and causes alike.
    static func conflictError(_ conflicts: [Conflict]) -> APIError {
        let causes: [JSONValue] = conflicts.map {
            [
                "reason": "FieldManagerConflict", "message": .string("conflict with \($0.manager)"),
                "field": .string($0.path),
            ]
        }
        let message: String
        if conflicts.count == 1 {
            message = "Apply failed with 1 conflict: conflict with \(conflicts[0].manager): \(conflicts[0].path)"
        } else {
            var lines: [String] = []
            var managers: [String] = []
            for conflict in conflicts where !managers.contains(conflict.manager) { managers.append(conflict.manager) }
            for manager in managers.sorted() {
                lines.append("conflicts with \(manager):")
                for conflict in conflicts where conflict.manager == manager { lines.append("- \(conflict.path)") }
            }
            message = "Apply failed with \(conflicts.count) conflicts: " + lines.joined(separator: "\n")
        }
        return APIError(code: 409, reason: "Conflict", message: message, details: ["causes": .array(causes)])
    }
}
