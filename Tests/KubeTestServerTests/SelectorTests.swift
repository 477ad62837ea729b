import Testing

@testable import KubeTestServer

@Suite struct SelectorTests {
    static let labels = ["app": "web", "tier": "frontend", "environment": "production"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app=api", false), ("app!=api", true), ("app!=web", false),
        ("missing!=x", true), ("environment in (production, qa)", true), ("environment in (qa)", false),
        ("environment notin (qa,dev)", true), ("environment notin (production)", false), ("missing notin (a)", true),
        ("tier", true), ("missing", false), ("!missing", true), ("!tier", false),
        ("app=web,tier=frontend", true), ("app=web,tier=backend", false),
        ("app=web, environment in (production),!legacy", true),
        ("", true),
    ])
    func labelSelector(query: String, matches: Bool) throws {
        let selector = try LabelSelectorQuery(parsing: query)
        #expect(selector.matches(Self.labels) == matches, "\(query)")
    }

    @Test func labelSelectorSyntaxErrorsAreBadRequests() {
        let error = #expect(throws: APIError.self) { try LabelSelectorQuery(parsing: "app in (a") }
        #expect(error?.code == 400)
    }

    @Test func labelSelectorFromObjectForm() throws {
        let selector = try LabelSelectorQuery(selector: [
            "matchLabels": ["app": "web"],
            "matchExpressions": [
                ["key": "legacy", "operator": "DoesNotExist"],
                ["key": "tier", "operator": "In", "values": ["frontend"]],
            ],
        ])
        #expect(selector.matches(Self.labels))
        #expect(!selector.matches(["app": "web"]))
    }

    @Test(arguments: [
        ("metadata.name=p1", true), ("metadata.name==p1", true), ("metadata.name!=p1", false),
        ("status.podIP=10.0.0.5", true), ("status.podIP=10.0.0.6", false),
        ("spec.nodeName=node-a,status.phase=Running", true),
        ("status.phase!=Running", false), ("metadata.namespace=default", true),
    ])
    func fieldSelector(query: String, matches: Bool) throws {
        let pod: JSONValue = [
            "metadata": ["name": "p1", "namespace": "default"], "spec": ["nodeName": "node-a"],
            "status": ["podIP": "10.0.0.5", "phase": "Running"],
        ]
        let selector = try FieldSelectorQuery(parsing: query, for: BuiltinResources.pod)
        #expect(selector.matches(pod) == matches, "\(query)")
    }

    @Test func unsupportedFieldIsRejected() {
        let error = #expect(throws: APIError.self) {
            try FieldSelectorQuery(parsing: "spec.foo=bar", for: BuiltinResources.configMap)
        }
        #expect(error?.message == "field label not supported: spec.foo")
    }

    @Test func listAppliesSelectors() throws {
        var store = ClusterStore()
        _ = try store.create(
            TestFixtures.configMap("a", labels: ["app": "web"]),
            resource: BuiltinResources.configMap,
            namespace: "default",
            manager: "t"
        )
        _ = try store.create(
            TestFixtures.configMap("b", labels: ["app": "api"]),
            resource: BuiltinResources.configMap,
            namespace: "default",
            manager: "t"
        )
        var options = ClusterStore.ListOptions()
        options.labelSelector = try LabelSelectorQuery(parsing: "app notin (api)")
        #expect(
            try store.list(BuiltinResources.configMap, namespace: "default", options: options)["items"]?.arrayValue?
                .map(\.name) == ["a"]
        )
        options.labelSelector = LabelSelectorQuery()
        options.fieldSelector = try FieldSelectorQuery(parsing: "metadata.name!=a", for: BuiltinResources.configMap)
        #expect(
            try store.list(BuiltinResources.configMap, namespace: nil, options: options)["items"]?.arrayValue?.map(
                \.name
            ) == ["b"]
        )
    }
}
