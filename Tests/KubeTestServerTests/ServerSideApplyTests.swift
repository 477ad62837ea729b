import Testing

@testable import KubeTestServer

@Suite struct ServerSideApplyTests {
    @Test func applyCreatesAndRecordsManagedFields() throws {
        var store = ClusterStore()
        let config: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg", "labels": ["app": "web"]],
            "data": ["a": "1"],
        ]
        let result = try store.patch(
            config,
            type: .apply,
            resource: BuiltinResources.configMap,
            namespace: "default",
            name: "cfg",
            manager: "alice"
        )
        #expect(result.created)
        let entries = try #require(result.object[path: ["metadata", "managedFields"]]?.arrayValue)
        #expect(entries.count == 1)
        #expect(entries[0]["manager"] == "alice")
        #expect(entries[0]["operation"] == "Apply")
        #expect(entries[0]["fieldsType"] == "FieldsV1")
        #expect(entries[0]["fieldsV1"] == ["f:data": ["f:a": [:]], "f:metadata": ["f:labels": ["f:app": [:]]]])
    }

    @Test func conflictingApplyFailsUnlessForced() throws {
        var store = ClusterStore()
        let config: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "1", "b": "x"],
        ]
        _ = try store.patch(
            config,
            type: .apply,
            resource: BuiltinResources.configMap,
            namespace: "default",
            name: "cfg",
            manager: "alice"
        )
        let other: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "2"],
        ]
        let error = #expect(throws: APIError.self) {
            try store.patch(
                other,
                type: .apply,
                resource: BuiltinResources.configMap,
                namespace: "default",
                name: "cfg",
                manager: "bob"
            )
        }
        #expect(error?.code == 409)
        #expect(error?.message == "Apply failed with 1 conflict: conflict with \"alice\": .data.a")
        #expect(
            error?.details?["causes"] == [
                ["reason": "FieldManagerConflict", "message": "conflict with \"alice\"", "field": ".data.a"]
            ]
        )

        // Applying the same value shares ownership without a conflict.
        let same: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["b": "x"],
        ]
        _ = try store.patch(
            same,
            type: .apply,
            resource: BuiltinResources.configMap,
            namespace: "default",
            name: "cfg",
            manager: "carol"
        )

        let forced = try store.patch(
            other,
            type: .apply,
            resource: BuiltinResources.configMap,
            namespace: "default",
            name: "cfg",
            manager: "bob",
            force: true
        ).object
        #expect(forced[path: ["data", "a"]] == "2")
        let alice = forced[path: ["metadata", "managedFields"]]?.arrayValue?.first { $0["manager"] == "alice" }
        #expect(alice?["fieldsV1"] == ["f:data": ["f:b": [:]]])
    }

    @Test func updateManagersAppearInConflicts() throws {
        var store = ClusterStore()
        _ = try store.create(
            TestFixtures.configMap("cfg", data: ["a": "1"]),
            resource: BuiltinResources.configMap,
            namespace: "default",
            manager: "kubectl-create"
        )
        let config: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "2"],
        ]
        let error = #expect(throws: APIError.self) {
            try store.patch(
                config,
                type: .apply,
                resource: BuiltinResources.configMap,
                namespace: "default",
                name: "cfg",
                manager: "kubectl"
            )
        }
        #expect(error?.message == "Apply failed with 1 conflict: conflict with \"kubectl-create\" using v1: .data.a")
    }

    @Test func droppingAFieldFromTheConfigRemovesIt() throws {
        var store = ClusterStore()
        let first: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "1", "b": "2"],
        ]
        _ = try store.patch(
            first,
            type: .apply,
            resource: BuiltinResources.configMap,
            namespace: "default",
            name: "cfg",
            manager: "alice"
        )
        let second: JSONValue = [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "cfg"], "data": ["a": "1"],
        ]
        let result = try store.patch(
            second,
            type: .apply,
            resource: BuiltinResources.configMap,
            namespace: "default",
            name: "cfg",
            manager: "alice"
        ).object
        #expect(result["data"] == ["a": "1"])
    }

    @Test func listMapItemsAreKeyed() throws {
        var store = ClusterStore()
        func deployment(_ container: String) -> JSONValue {
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "d"],
                "spec": ["template": ["spec": ["containers": [["name": .string(container), "image": "busybox"]]]]],
            ]
        }
        let created = try store.patch(
            deployment("app"),
            type: .apply,
            resource: BuiltinResources.deployment,
            namespace: "default",
            name: "d",
            manager: "alice"
        ).object
        let fields = try #require(created[path: ["metadata", "managedFields"]]?.arrayValue?.first?["fieldsV1"])
        #expect(
            fields[path: ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"app"}"#]] == [
                ".": [:], "f:image": [:], "f:name": [:],
            ]
        )
        let merged = try store.patch(
            deployment("sidecar"),
            type: .apply,
            resource: BuiltinResources.deployment,
            namespace: "default",
            name: "d",
            manager: "bob"
        ).object
        #expect(
            merged[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap { $0["name"]?.stringValue }
                == ["app", "sidecar"]
        )
        // alice stops applying her container; bob's stays.
        let dropped = try store.patch(
            deployment("other"),
            type: .apply,
            resource: BuiltinResources.deployment,
            namespace: "default",
            name: "d",
            manager: "alice"
        ).object
        #expect(
            dropped[path: ["spec", "template", "spec", "containers"]]?.arrayValue?.compactMap {
                $0["name"]?.stringValue
            } == ["sidecar", "other"]
        )
    }

    @Test func missingFieldManagerIsRejected() throws {
        var store = ClusterStore()
        let error = #expect(throws: APIError.self) {
            try store.patch(
                TestFixtures.configMap("cfg"),
                type: .apply,
                resource: BuiltinResources.configMap,
                namespace: "default",
                name: "cfg",
                manager: nil
            )
        }
        #expect(error?.code == 400)
    }

    @Test func fieldSetRoundTrip() throws {
        let json = try JSONParser.parse(
            #"{"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:containers":{"k:{\"name\":\"app\"}":{".":{},"f:image":{}}}}}"#
        )
        let set = FieldSet(fieldsV1: json)
        #expect(set.fieldsV1 == json)
        #expect(set.contains(["f:metadata", "f:labels", "f:app"]))
        #expect(
            FieldSet.render(["f:spec", "f:containers", #"k:{"name":"app"}"#, "f:image"])
                == #".spec.containers[name="app"].image"#
        )
    }
}
