import Testing

@testable import KubeTestServer

@Suite struct PatchTests {
    @Test func mergePatchFollowsRFC7386() throws {
        let target = try JSONParser.parse(#"{"a":"b","c":{"d":"e","f":"g"},"list":[1,2]}"#)
        let patch = try JSONParser.parse(#"{"a":"z","c":{"f":null,"h":1},"list":[3]}"#)
        #expect(
            MergePatch.apply(patch, to: target) == (try JSONParser.parse(#"{"a":"z","c":{"d":"e","h":1},"list":[3]}"#))
        )
    }

    @Test func jsonPatchOperations() throws {
        let target = try JSONParser.parse(#"{"spec":{"port":25,"list":["a","b"]}}"#)
        let patch = try JSONParser.parse(
            #"""
            [{"op":"test","path":"/spec/port","value":25},
             {"op":"replace","path":"/spec/port","value":587},
             {"op":"add","path":"/spec/list/-","value":"c"},
             {"op":"remove","path":"/spec/list/0"},
             {"op":"copy","from":"/spec/port","path":"/spec/copy"},
             {"op":"move","from":"/spec/copy","path":"/spec/moved"},
             {"op":"add","path":"/metadata","value":{"labels":{"a~b/c":"x"}}}]
            """#
        )
        let result = try JSONPatch.apply(patch, to: target)
        #expect(
            result
                == (try JSONParser.parse(
                    #"{"spec":{"port":587,"list":["b","c"],"moved":587},"metadata":{"labels":{"a~b/c":"x"}}}"#
                ))
        )
        let failing = try JSONParser.parse(#"[{"op":"test","path":"/spec/port","value":1}]"#)
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply(failing, to: target) }
    }

    @Test func strategicMergeByKeys() throws {
        let deployment = try JSONParser.parse(
            #"""
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","image":"a:1","ports":[{"containerPort":80,"name":"http"}],"env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},
              {"name":"sidecar","image":"s:1"}]}}},
             "metadata":{"finalizers":["x"],"ownerReferences":[{"uid":"u1","name":"o1"}]},
             "status":{"conditions":[{"type":"Ready","status":"False"},{"type":"Progressing","status":"True"}]}}
            """#
        )
        let patch = try JSONParser.parse(
            #"""
            {"spec":{"template":{"spec":{"containers":[
              {"name":"app","image":"a:2","ports":[{"containerPort":8080,"name":"alt"}],"env":[{"name":"B","value":"3"},{"name":"A","$patch":"delete"}]},
              {"name":"sidecar","$patch":"delete"}]}}},
             "metadata":{"finalizers":["y"],"ownerReferences":[{"uid":"u2","name":"o2"}]},
             "status":{"conditions":[{"type":"Ready","status":"True"}]}}
            """#
        )
        let result = try StrategicMergePatch.apply(patch, to: deployment, resource: BuiltinResources.deployment)
        let containers = try #require(result[path: ["spec", "template", "spec", "containers"]]?.arrayValue)
        #expect(containers.count == 1)
        #expect(containers[0]["image"] == "a:2")
        #expect(containers[0]["ports"]?.arrayValue?.compactMap { $0["containerPort"]?.intValue } == [80, 8080])
        #expect(containers[0]["env"] == [["name": "B", "value": "3"]])
        #expect(result[path: ["metadata", "finalizers"]] == ["x", "y"])
        #expect(result[path: ["metadata", "ownerReferences"]]?.arrayValue?.count == 2)
        #expect(
            result[path: ["status", "conditions"]] == [
                ["type": "Ready", "status": "True"], ["type": "Progressing", "status": "True"],
            ]
        )
    }

    @Test func strategicMergeReplacesListsWithoutKeys() throws {
        let pod = try JSONParser.parse(
            #"{"spec":{"tolerations":[{"key":"a"}],"containers":[{"name":"c","args":["1","2"]}]}}"#
        )
        let patch = try JSONParser.parse(
            #"{"spec":{"tolerations":[{"key":"b"}],"containers":[{"name":"c","args":["3"]}]}}"#
        )
        let result = try StrategicMergePatch.apply(patch, to: pod, resource: BuiltinResources.pod)
        #expect(result[path: ["spec", "tolerations"]] == [["key": "b"]])
        #expect(result[path: ["spec", "containers"]] == [["name": "c", "args": ["3"]]])
    }

    @Test func storePatchTypes() throws {
        var store = ClusterStore()
        _ = try store.create(
            TestFixtures.pod("p", labels: ["app": "web"]),
            resource: BuiltinResources.pod,
            namespace: "default",
            manager: "t"
        )
        let merged = try store.patch(
            ["metadata": ["labels": ["tier": "x"]]],
            type: .merge,
            resource: BuiltinResources.pod,
            namespace: "default",
            name: "p",
            manager: "t"
        ).object
        #expect(merged.labels == ["app": "web", "tier": "x"])
        let strategic = try store.patch(
            ["spec": ["containers": [["name": "app", "image": "busybox:2"]]]],
            type: .strategic,
            resource: BuiltinResources.pod,
            namespace: "default",
            name: "p",
            manager: "t"
        ).object
        #expect(strategic[path: ["spec", "containers"]] == [["name": "app", "image": "busybox:2"]])
        let immutable = #expect(throws: APIError.self) {
            try store.patch(
                ["spec": ["containers": [["name": "side", "image": "s"]]]],
                type: .strategic,
                resource: BuiltinResources.pod,
                namespace: "default",
                name: "p",
                manager: "t"
            )
        }
        #expect(immutable?.code == 422)
        #expect(
            immutable?.message.hasPrefix(
                "Pod \"p\" is invalid: spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`"
            ) == true
        )
        let json = try store.patch(
            [["op": "replace", "path": "/metadata/labels/app", "value": "api"]],
            type: .json,
            resource: BuiltinResources.pod,
            namespace: "default",
            name: "p",
            manager: "t"
        ).object
        #expect(json.labels["app"] == "api")
        let failed = #expect(throws: APIError.self) {
            try store.patch(
                [["op": "test", "path": "/metadata/labels/app", "value": "web"]],
                type: .json,
                resource: BuiltinResources.pod,
                namespace: "default",
                name: "p",
                manager: "t"
            )
        }
        #expect(failed?.code == 422)
        let stale = #expect(throws: APIError.self) {
            try store.patch(
                ["metadata": ["resourceVersion": "1", "labels": ["a": "b"]]],
                type: .merge,
                resource: BuiltinResources.pod,
                namespace: "default",
                name: "p",
                manager: "t"
            )
        }
        #expect(stale?.code == 409)
    }
}
