/// A set of field paths, in the tree shape of `metadata.managedFields[].fieldsV1`.
///
/// Children are keyed by their serialized path element exactly as Kubernetes writes them:
/// `f:name` (a member), `k:{"name":"app"}` (a list-map item, keys as compact sorted JSON),
/// `v:"x"` (a set element) and `i:0` (a list position). A node is a *member* of the set when the
/// node itself is owned: leaves always are; inner nodes are when `fieldsV1` lists `.` for them.
public struct FieldSet: Sendable, Hashable {
    public var isMember: Bool
    public var children: [String: FieldSet]

    public init(isMember: Bool = false, children: [String: FieldSet] = [:]) {
        self.isMember = isMember
        self.children = children
    }

    public var isEmpty: Bool { !isMember && children.values.allSatisfy(\.isEmpty) }

    // MARK: fieldsV1

    /// Reads a `fieldsV1` object.
    public init(fieldsV1: JSONValue) {
        var set = FieldSet()
        for (key, value) in fieldsV1.objectValue ?? [:] {
            if key == "." {
                set.isMember = true
                continue
            }
            var child = FieldSet(fieldsV1: value)
            if value.objectValue?.isEmpty ?? true { child.isMember = true }
            set.children[key] = child
        }
        self = set
    }

    /// The `fieldsV1` object for this set.
    public var fieldsV1: JSONValue {
        var members: [String: JSONValue] = [:]
        for (key, child) in children where !child.isEmpty {
            members[key] = child.childJSON
        }
        return .object(members)
    }

    private var childJSON: JSONValue {
        var members = fieldsV1.objectValue ?? [:]
        if isMember && !members.isEmpty { members["."] = .object([:]) }
        return .object(members)
    }

    // MARK: Set algebra

    public func union(_ other: FieldSet) -> FieldSet {
        var result = self
        result.isMember = isMember || other.isMember
        for (key, child) in other.children {
            result.children[key] = (result.children[key] ?? FieldSet()).union(child)
        }
        return result
    }

    public func subtracting(_ other: FieldSet) -> FieldSet {
        var result = self
        if other.isMember { result.isMember = false }
        for (key, child) in other.children {
            guard let mine = result.children[key] else { continue }
            let remaining = mine.subtracting(child)
            result.children[key] = remaining.isEmpty ? nil : remaining
        }
        return result
    }

    public func intersection(_ other: FieldSet) -> FieldSet {
        var result = FieldSet(isMember: isMember && other.isMember)
        for (key, child) in children {
            guard let theirs = other.children[key] else { continue }
            let common = child.intersection(theirs)
            if !common.isEmpty { result.children[key] = common }
        }
        return result
    }

    /// Every member as a path of serialized elements, sorted for stable messages.
    public var memberPaths: [[String]] {
        var paths: [[String]] = []
        func walk(_ set: FieldSet, _ prefix: [String]) {
            if set.isMember, !prefix.isEmpty { paths.append(prefix) }
            for key in set.children.keys.sorted() { walk(set.children[key]!, prefix + [key]) }
        }
        walk(self, [])
        return paths
    }

    public func contains(_ path: [String]) -> Bool {
        var node = self
        for element in path {
            guard let child = node.children[element] else { return false }
            node = child
        }
        return node.isMember
    }

    public mutating func insert(_ path: [String]) {
        guard let first = path.first else {
            isMember = true
            return
        }
        var child = children[first] ?? FieldSet()
        child.insert(Array(path.dropFirst()))
        children[first] = child
    }

    public func removing(_ path: [String]) -> FieldSet {
        var single = FieldSet()
        single.insert(path)
        return subtracting(single)
    }

    // MARK: Paths

    /// `.spec.containers[name="app"].image`, as conflict messages print a path.
    public static func render(_ path: [String]) -> String {
        var text = ""
        for element in path {
            let body = String(element.dropFirst(2))
            switch element.prefix(2) {
            case "f:": text += "." + body
            case "k:":
                let keys = (try? JSONParser.parse(body))?.objectValue ?? [:]
                text +=
                    "[" + keys.keys.sorted().map { "\($0)=\(JSONWriter.string(keys[$0]!))" }.joined(separator: ",")
                    + "]"
            case "v:": text += "[=" + body + "]"
            case "i:": text += "[" + body + "]"
            default: text += "." + element
            }
        }
        return text
    }

    static func keyElement(_ keys: [String: JSONValue]) -> String { "k:" + JSONWriter.string(.object(keys)) }
}

/// Computes, reads and edits the field paths of an object, typed by its list semantics.
struct FieldPaths {
    let resource: ResourceType

    /// The set of every field present in `value`: leaves, atomic lists, empty maps, and list-map
    /// items (which are members themselves, as `.`).
    func set(of value: JSONValue, path: [String] = []) -> FieldSet {
        var set = FieldSet()
        guard case .object(let members) = value else { return set }
        for (key, child) in members {
            set.children["f:" + key] = node(for: child, path: path + [key])
        }
        return set
    }

    private func node(for value: JSONValue, path: [String]) -> FieldSet {
        switch value {
        case .object(let members):
            if members.isEmpty || isAtomicMap(path) { return FieldSet(isMember: true) }
            return set(of: value, path: path)
        case .array(let items):
            switch ListTypes.listType(at: path, in: resource) {
            case .atomic: return FieldSet(isMember: true)
            case .set:
                var set = FieldSet()
                for item in items { set.children["v:" + JSONWriter.string(item)] = FieldSet(isMember: true) }
                return set.children.isEmpty ? FieldSet(isMember: true) : set
            case .map(let keys):
                var set = FieldSet()
                for item in items {
                    guard let key = ListTypes.key(of: item, keys: keys) else { continue }
                    var itemSet = self.set(of: item, path: path)
                    itemSet.isMember = true
                    set.children[FieldSet.keyElement(key)] = itemSet
                }
                return set.children.isEmpty ? FieldSet(isMember: true) : set
            }
        default:
            return FieldSet(isMember: true)
        }
    }

    private func isAtomicMap(_ path: [String]) -> Bool {
        guard var schema = resource.schema else { return false }
        for name in path {
            if schema["type"]?.stringValue == "array", let items = schema["items"] { schema = items }
            guard let next = schema[path: ["properties", name]] ?? schema["additionalProperties"],
                next.objectValue != nil
            else { return false }
            schema = next
        }
        return schema["x-kubernetes-map-type"]?.stringValue == "atomic"
    }

    /// The value at a serialized path, or `nil` when absent.
    static func value(at path: [String], in object: JSONValue) -> JSONValue? {
        var current = object
        for element in path {
            let body = String(element.dropFirst(2))
            switch element.prefix(2) {
            case "f:":
                guard let next = current[body] else { return nil }
                current = next
            case "k:":
                let keys = (try? JSONParser.parse(body))?.objectValue ?? [:]
                guard
                    let item = current.arrayValue?.first(where: { item in keys.allSatisfy { item[$0.key] == $0.value } }
                    )
                else { return nil }
                current = item
            case "v:":
                guard let wanted = try? JSONParser.parse(body), current.arrayValue?.contains(wanted) == true else {
                    return nil
                }
                current = wanted
            case "i:":
                guard let index = Int(body), let items = current.arrayValue, items.indices.contains(index) else {
                    return nil
                }
                current = items[index]
            default:
                return nil
            }
        }
        return current
    }

    /// Removes the field, list item or set element at a serialized path.
    static func remove(_ path: [String], from object: JSONValue) -> JSONValue {
        guard let element = path.first else { return object }
        let rest = Array(path.dropFirst())
        let body = String(element.dropFirst(2))
        switch (element.prefix(2), object) {
        case ("f:", .object(var members)):
            if rest.isEmpty {
                members[body] = nil
            } else if let child = members[body] {
                members[body] = remove(rest, from: child)
            }
            return .object(members)
        case ("k:", .array(var items)):
            let keys = (try? JSONParser.parse(body))?.objectValue ?? [:]
            guard let index = items.firstIndex(where: { item in keys.allSatisfy { item[$0.key] == $0.value } }) else {
                return object
            }
            if rest.isEmpty {
                items.remove(at: index)
            } else {
                items[index] = remove(rest, from: items[index])
            }
            return .array(items)
        case ("v:", .array(let items)):
            guard let wanted = try? JSONParser.parse(body) else { return object }
            return .array(items.filter { $0 != wanted })
        default:
            return object
        }
    }
}
