/// The legacy (unaggregated) discovery documents: `/api`, `/apis`, `/apis/GROUP`,
/// `/api/v1` and `/apis/GROUP/VERSION`. kubectl asks for aggregated discovery first and falls
/// back to these when the server answers with plain `application/json`.
public struct Discovery: Sendable {
    public let resources: [ResourceType]
    let serverAddress: String

    public init(resources: [ResourceType], serverAddress: String) {
        self.resources = resources
        self.serverAddress = serverAddress
    }

    public static let version: JSONValue = [
        "major": "1", "minor": "32", "gitVersion": "v1.32.0-kube-test-server",
        "gitCommit": "0000000000000000000000000000000000000000",
        "gitTreeState": "clean", "buildDate": "2024-12-11T00:00:00Z", "goVersion": "go1.23.0", "compiler": "gc",
        "platform": "linux/amd64",
    ]

    public var apiVersions: JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    /// Groups (other than core) in order of first appearance, each with its versions.
    var groups: [(name: String, versions: [String])] {
        var result: [(name: String, versions: [String])] = []
        for resource in resources where !resource.group.isEmpty {
            if let index = result.firstIndex(where: { $0.name == resource.group }) {
                if !result[index].versions.contains(resource.version) {
                    result[index].versions.append(resource.version)
                }
            } else {
                result.append((resource.group, [resource.version]))
            }
        }
        return result
    }

    func groupJSON(_ group: (name: String, versions: [String])) -> JSONValue {
        let versions: [JSONValue] = group.versions.map {
            ["groupVersion": .string("\(group.name)/\($0)"), "version": .string($0)]
        }
        return ["name": .string(group.name), "versions": .array(versions), "preferredVersion": versions[0]]
    }

    public var apiGroupList: JSONValue {
        ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups.map(groupJSON))]
    }

    public func apiGroup(_ name: String) -> JSONValue? {
        guard let group = groups.first(where: { $0.name == name }) else { return nil }
        var json = groupJSON(group)
        json["kind"] = "APIGroup"
        json["apiVersion"] = "v1"
        return json
    }

    public func resourceList(group: String, version: String) -> JSONValue? {
        let matching = resources.filter { $0.group == group && $0.version == version }
        guard !matching.isEmpty else { return nil }
        var entries: [JSONValue] = []
        for resource in matching.sorted(by: { $0.plural < $1.plural }) {
            var entry: JSONValue = [
                "name": .string(resource.plural), "singularName": .string(resource.singular),
                "namespaced": .bool(resource.namespaced),
                "kind": .string(resource.kind), "verbs": .array(ResourceType.standardVerbs.map(JSONValue.string)),
            ]
            if !resource.shortNames.isEmpty { entry["shortNames"] = .array(resource.shortNames.map(JSONValue.string)) }
            if !resource.categories.isEmpty { entry["categories"] = .array(resource.categories.map(JSONValue.string)) }
            entries.append(entry)
            if resource.hasStatus {
                entries.append([
                    "name": .string("\(resource.plural)/status"), "singularName": "",
                    "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind),
                    "verbs": ["get", "patch", "update"],
                ])
            }
            if resource.hasLog {
                entries.append([
                    "name": .string("\(resource.plural)/log"), "singularName": "",
                    "namespaced": .bool(resource.namespaced), "kind": .string(resource.kind), "verbs": ["get"],
                ])
            }
        }
        let groupVersion = group.isEmpty ? version : "\(group)/\(version)"
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion),
            "resources": .array(entries),
        ]
    }
}
