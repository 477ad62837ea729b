/// JSON patch (RFC 6902, `application/json-patch+json`): `add`, `remove`, `replace`, `move`,
/// `copy` and `test`, addressed by JSON pointers (RFC 6901).
public enum JSONPatch {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public static func apply(_ patch: JSONValue, to target: JSONValue) throws(Failure) -> JSONValue {
        guard case .array(let operations) = patch else {
            throw Failure(description: "json patch must be an array of operations")
        }
        var document = target
        for operation in operations {
            guard let op = operation["op"]?.stringValue else {
                throw Failure(description: "missing 'op' in operation \(JSONWriter.string(operation))")
            }
            guard let path = operation["path"]?.stringValue else {
                throw Failure(description: "missing 'path' in \(op) operation")
            }
            let pointer = try parsePointer(path)
            switch op {
            case "add":
                guard let value = operation["value"] else {
                    throw Failure(description: "missing 'value' in add operation")
                }
                document = try add(value, at: pointer[...], in: document, path: path)
            case "remove":
                document = try remove(at: pointer[...], in: document, path: path).document
            case "replace":
                guard let value = operation["value"] else {
                    throw Failure(description: "missing 'value' in replace operation")
                }
                _ = try get(pointer, in: document, path: path)
                document = try remove(at: pointer[...], in: document, path: path).document
                document = try add(value, at: pointer[...], in: document, path: path)
            case "move", "copy":
                guard let from = operation["from"]?.stringValue else {
                    throw Failure(description: "missing 'from' in \(op) operation")
                }
                let source = try parsePointer(from)
                let value = try get(source, in: document, path: from)
                if op == "move" { document = try remove(at: source[...], in: document, path: from).document }
                document = try add(value, at: pointer[...], in: document, path: path)
            case "test":
                guard let expected = operation["value"] else {
                    throw Failure(description: "missing 'value' in test operation")
                }
                let actual = try? get(pointer, in: document, path: path)
                guard let actual, actual.semanticallyEquals(expected) else {
                    throw Failure(description: "testing value \(path) failed: test failed")
                }
            default:
                throw Failure(description: "Unexpected kind: \(op)")
            }
        }
        return document
    }

    static func parsePointer(_ path: String) throws(Failure) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else {
            throw Failure(description: "JSON pointer must be empty or start with a \"/\": \(path)")
        }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingAll("~1", with: "/").replacingAll("~0", with: "~")
        }
    }

    static func get(_ pointer: [String], in document: JSONValue, path: String) throws(Failure) -> JSONValue {
        var current = document
        for token in pointer {
            switch current {
            case .object(let members):
                guard let next = members[token] else {
                    throw Failure(description: "unable to find path \(path): missing member \(token)")
                }
                current = next
            case .array(let elements):
                guard let index = Int(token), elements.indices.contains(index) else {
                    throw Failure(description: "unable to access invalid index: \(token)")
                }
                current = elements[index]
            default:
                throw Failure(description: "unable to find path \(path)")
            }
        }
        return current
    }

    static func add(
        _ value: JSONValue,
        at pointer: ArraySlice<String>,
        in document: JSONValue,
        path: String
    ) throws(Failure) -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = pointer.dropFirst()
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[token] = value
            } else {
                guard let child = members[token] else {
                    throw Failure(
                        description: "add operation does not apply: doc is missing path: \"\(path)\": missing value"
                    )
                }
                members[token] = try add(value, at: rest, in: child, path: path)
            }
            return .object(members)
        case .array(var elements):
            let index = token == "-" ? elements.count : Int(token) ?? -1
            if rest.isEmpty {
                guard index >= 0, index <= elements.count else {
                    throw Failure(description: "add operation does not apply: index out of bounds: \(token)")
                }
                elements.insert(value, at: index)
            } else {
                guard elements.indices.contains(index) else {
                    throw Failure(description: "unable to access invalid index: \(token)")
                }
                elements[index] = try add(value, at: rest, in: elements[index], path: path)
            }
            return .array(elements)
        default:
            throw Failure(description: "add operation does not apply: doc is missing path: \"\(path)\": missing value")
        }
    }

    static func remove(
        at pointer: ArraySlice<String>,
        in document: JSONValue,
        path: String
    ) throws(Failure) -> (document: JSONValue, removed: JSONValue) {
        guard let token = pointer.first else { throw Failure(description: "cannot remove the document root") }
        let rest = pointer.dropFirst()
        switch document {
        case .object(var members):
            guard let child = members[token] else {
                throw Failure(description: "unable to remove nonexistent key: \(token): missing value")
            }
            if rest.isEmpty {
                members[token] = nil
                return (.object(members), child)
            }
            let result = try remove(at: rest, in: child, path: path)
            members[token] = result.document
            return (.object(members), result.removed)
        case .array(var elements):
            guard let index = Int(token), elements.indices.contains(index) else {
                throw Failure(description: "unable to access invalid index: \(token)")
            }
            if rest.isEmpty {
                let removed = elements.remove(at: index)
                return (.array(elements), removed)
            }
            let result = try remove(at: rest, in: elements[index], path: path)
            elements[index] = result.document
            return (.array(elements), result.removed)
        default:
            throw Failure(description: "unable to find path \(path)")
        }
    }
}

extension StringProtocol {
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return String(self) }
        var result = ""
        var remainder = Substring(self)
        while let range = remainder.firstRange(of: target) {
            result += remainder[..<range.lowerBound]
            result += replacement
            remainder = remainder[range.upperBound...]
        }
        result += remainder
        return result
    }
}
