/// Strategic merge patch (`application/strategic-merge-patch+json`) for built-in kinds.
///
/// Like a merge patch, except that lists with a merge key (containers by `name`, container ports by
/// `containerPort`, `env` by `name`, `conditions` by `type`, `ownerReferences` by `uid`, ...)
/// merge item by item, `finalizers` merges as a set, and the directives `$patch: delete|replace`,
/// `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` and `$retainKeys` are honoured.
public enum StrategicMergePatch {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func apply(
        _ patch: JSONValue,
        to target: JSONValue,
        resource: ResourceType
    ) throws(Failure) -> JSONValue {
        try merge(patch, into: target, path: [], resource: resource) ?? .null
    }

    /// Returns `nil` when the patch deletes the target (`$patch: delete` on a map).
    static func merge(
        _ patch: JSONValue,
        into target: JSONValue,
        path: [String],
        resource: ResourceType
    ) throws(Failure) -> JSONValue? {
        guard case .object(var patchMembers) = patch else { return patch }
        if let directive = patchMembers.removeValue(forKey: "$patch")?.stringValue {
            switch directive {
            case "delete": return nil
            case "replace": return .object(patchMembers.filter { !$0.key.hasPrefix("$") })
            case "merge": break
            default: throw Failure(description: "Unknown patch type: \(directive)")
            }
        }
        var result = target.objectValue ?? [:]
        var retainKeys: [String]?
        if let retained = patchMembers.removeValue(forKey: "$retainKeys") {
            retainKeys = retained.arrayValue?.compactMap(\.stringValue)
        }
        for (key, value) in patchMembers.sorted(by: { $0.key < $1.key }) {
            if key.hasPrefix("$setElementOrder/") { continue }
            if key.hasPrefix("$deleteFromPrimitiveList/") {
                let field = String(key.dropFirst("$deleteFromPrimitiveList/".count))
                let removed = value.arrayValue ?? []
                if let existing = result[field]?.arrayValue {
                    result[field] = .array(existing.filter { !removed.contains($0) })
                }
                continue
            }
            if value.isNull {
                result[key] = nil
                continue
            }
            let childPath = path + [key]
            if case .array(let patchItems) = value {
                result[key] = try mergeList(
                    patchItems,
                    into: result[key]?.arrayValue ?? [],
                    path: childPath,
                    resource: resource
                )
            } else if case .object = value {
                result[key] = try merge(value, into: result[key] ?? .object([:]), path: childPath, resource: resource)
            } else {
                result[key] = value
            }
        }
        if let retainKeys {
            result = result.filter { retainKeys.contains($0.key) }
        }
        return .object(result)
    }

    static func mergeList(
        _ patchItems: [JSONValue],
        into current: [JSONValue],
        path: [String],
        resource: ResourceType
    ) throws(Failure) -> JSONValue {
        switch ListTypes.listType(at: path, in: resource) {
        case .atomic:
            return .array(patchItems.filter { $0["$patch"] == nil })
        case .set:
            var merged = current
            for item in patchItems where !merged.contains(item) { merged.append(item) }
            return .array(merged)
        case .map(let keys):
            if patchItems.contains(where: { $0["$patch"]?.stringValue == "replace" }) {
                return .array(patchItems.filter { $0["$patch"] == nil })
            }
            var merged = current
            for item in patchItems {
                guard let key = ListTypes.key(of: item, keys: keys) else {
                    throw Failure(
                        description:
                            "map: \(JSONWriter.string(item)) does not contain declared merge key: \(keys.first ?? "")"
                    )
                }
                let index = merged.firstIndex { existing in key.allSatisfy { existing[$0.key] == $0.value } }
                if item["$patch"]?.stringValue == "delete" {
                    if let index { merged.remove(at: index) }
                    continue
                }
                if let index {
                    if let updated = try merge(item, into: merged[index], path: path, resource: resource) {
                        merged[index] = updated
                    } else {
                        merged.remove(at: index)
                    }
                } else if let created = try merge(item, into: .object([:]), path: path, resource: resource) {
                    merged.append(created)
                }
            }
            return .array(merged)
        }
    }
}
