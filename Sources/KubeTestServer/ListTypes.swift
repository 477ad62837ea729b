/// How a list field merges: by key (`x-kubernetes-list-type: map`, or a strategic-merge
/// `patchMergeKey`), as a set of scalars, or atomically (replaced as a whole).
///
/// Strategic merge patch and server-side apply both need this; built-in kinds take it from the
/// table below (the `patchMergeKey` tags of `k8s.io/api`), custom resources from their schema.
public enum ListType: Sendable, Hashable {
    case map(keys: [String])
    case set
    case atomic
}

public enum ListTypes {
    /// The list type of the field at `path` (member names only, list positions left out).
    public static func listType(at path: [String], in resource: ResourceType) -> ListType {
        if path.first == "metadata" {
            switch path.last {
            case "ownerReferences": return .map(keys: ["uid"])
            case "finalizers": return .set
            default: return .atomic
            }
        }
        if let schema = resource.schema {
            return schemaListType(at: path, schema: schema)
        }
        return builtinListType(at: path, kind: resource.kind)
    }

    static func builtinListType(at path: [String], kind: String) -> ListType {
        guard let field = path.last else { return .atomic }
        let parent = path.dropLast().last
        switch field {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets":
            return .map(keys: ["name"])
        case "ports":
            if kind == "Service" { return .map(keys: ["port", "protocol"]) }
            if parent == "containers" || parent == "initContainers" {
                return .map(keys: ["containerPort", "protocol"])
            }
            return .atomic
        case "volumeMounts": return .map(keys: ["mountPath"])
        case "volumeDevices": return .map(keys: ["devicePath"])
        case "conditions": return .map(keys: ["type"])
        case "hostAliases": return .map(keys: ["ip"])
        case "finalizers": return .set
        default: return .atomic
        }
    }

    static func schemaListType(at path: [String], schema: JSONValue) -> ListType {
        var current: JSONValue? = schema
        for name in path {
            if current?["type"]?.stringValue == "array" { current = current?["items"] }
            let next = current?[path: ["properties", name]] ?? current?["additionalProperties"]
            current = next.flatMap { $0.objectValue == nil ? nil : $0 }
        }
        guard let list = current else { return .atomic }
        switch list["x-kubernetes-list-type"]?.stringValue {
        case "map": return .map(keys: list["x-kubernetes-list-map-keys"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        case "set": return .set
        default: return .atomic
        }
    }

    /// The key of a list-map item, in declaration order of the keys, for matching items.
    static func key(of item: JSONValue, keys: [String]) -> [String: JSONValue]? {
        var result: [String: JSONValue] = [:]
        for key in keys {
            if let value = item[key] { result[key] = value }
        }
        // Keys such as `protocol` default on the server; an item is keyed by those present.
        return result.isEmpty ? nil : result
    }
}
