import Foundation
import Testing

@testable import KubeTestServer

@Suite struct TableConverterTests {
    static let object: JSONValue = [
        "metadata": ["name": "p", "creationTimestamp": "2024-01-01T00:00:00Z"],
        "spec": ["containers": [["name": "a"], ["name": "b"]], "sink": ["smtp": ["server": ["name": "relay"]]]],
        "status": [
            "conditions": [["type": "Accepted", "status": "True"], ["type": "Ready", "status": "False"]],
            "containerStatuses": [
                ["name": "a", "ready": true, "restartCount": 2],
                ["name": "b", "ready": false, "restartCount": 1, "state": ["waiting": ["reason": "CrashLoopBackOff"]]],
            ],
            "phase": "Running",
        ],
    ]

    static let paths: [(String, [JSONValue])] = [
        (".spec.sink.smtp.server.name", ["relay"]),
        (".status.conditions[?(@.type==\"Ready\")].status", ["False"]),
        (".status.conditions[?(@.type!=\"Ready\")].type", ["Accepted"]),
        (".spec.containers[1].name", ["b"]),
        (".spec.containers[-1].name", ["b"]),
        (".spec.containers[*].name", ["a", "b"]),
        ("{.metadata.name}", ["p"]),
        (".missing.path", []),
    ]

    @Test(arguments: paths)
    func jsonPath(expression: String, expected: [JSONValue]) throws {
        #expect(try JSONPathQuery(expression).evaluate(Self.object) == expected)
    }

    static let durations: [(Double, String)] = [
        (0.0, "0s"), (59, "59s"), (119, "119s"), (120, "2m"), (150, "2m30s"), (600, "10m"), (3 * 3600, "3h"),
        (3 * 3600 + 60, "3h1m"), (9 * 3600, "9h"), (3 * 86400, "3d"), (3 * 86400 + 3600, "3d1h"), (30 * 86400, "30d"),
        (800 * 86400, "2y70d"),
        (-5, "<invalid>"),
    ]

    @Test(arguments: durations)
    func humanDuration(seconds: Double, expected: String) {
        #expect(TableConverter.humanDuration(seconds) == expected)
    }

    @Test func podColumnsLikeKubectl() {
        let converter = TableConverter(
            resource: BuiltinResources.pod,
            now: Date(timeIntervalSince1970: 1_704_067_200 + 90)
        )
        let table = converter.table([Self.object])
        #expect(
            table["columnDefinitions"]?.arrayValue?.prefix(5).compactMap { $0["name"]?.stringValue } == [
                "Name", "Ready", "Status", "Restarts", "Age",
            ]
        )
        #expect(
            table["rows"]?.arrayValue?.first?["cells"]?.arrayValue?.prefix(5).map { $0 } == [
                "p", "1/2", "CrashLoopBackOff", 3, "90s",
            ]
        )
        #expect(table["rows"]?.arrayValue?.first?[path: ["object", "kind"]] == "PartialObjectMetadata")
    }
}
