import Foundation
import Testing

@testable import KubeMailAPI

struct TimestampTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", Int64(0)),
        ("2023-11-14T22:13:20Z", Int64(1_700_000_000)),
        ("2024-02-29T12:00:00Z", Int64(1_709_208_000)),
        ("2023-11-14T22:13:20.123456Z", Int64(1_700_000_000)),
        ("2023-11-14T23:13:20+01:00", Int64(1_700_000_000)),
        ("2023-11-14t22:13:20z", Int64(1_700_000_000)),
        ("1969-12-31T23:59:59Z", Int64(-1)),
    ])
    func parses(text: String, seconds: Int64) {
        #expect(Timestamp(text)?.secondsSinceEpoch == seconds)
    }

    @Test(arguments: [
        "", "2023-11-14", "2023-11-14T22:13:20", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-11-14T25:00:00Z",
        "2023-11-14T22:13:20.Z", "2023-11-14T22:13:20Zjunk",
    ])
    func rejects(text: String) {
        #expect(Timestamp(text) == nil)
    }

    @Test func formatsInUTCWholeSeconds() {
        #expect(Timestamp(secondsSinceEpoch: 1_709_208_000).description == "2024-02-29T12:00:00Z")
        #expect(Timestamp(secondsSinceEpoch: -1).description == "1969-12-31T23:59:59Z")
        #expect(Timestamp(Date(timeIntervalSince1970: 1.9)).secondsSinceEpoch == 1)
    }

    @Test func roundTripsOverFourCenturies() {
        var seconds: Int64 = -5_000_000_000
        while seconds < 10_000_000_000 {
            let timestamp = Timestamp(secondsSinceEpoch: seconds)
            #expect(Timestamp(timestamp.description) == timestamp)
            seconds += 86_399 * 97
        }
    }
}

struct GoDurationTests {
    @Test(arguments: [
        ("168h", 604_800.0), ("30m", 1800), ("1h30m", 5400), ("90s", 90), ("1.5h", 5400), ("500ms", 0.5),
        ("1h0m0s", 3600),
    ])
    func parses(text: String, seconds: Double) {
        #expect(GoDuration(text)?.seconds == seconds)
    }

    @Test(arguments: ["", "7days", "h", "1", "1.h", ".5h", "1hh", "-1h", "1 h", "1h 30m"])
    func rejects(text: String) {
        #expect(GoDuration(text) == nil)
    }
}

struct NameValidationTests {
    @Test(arguments: [
        ("smtp.example.com", true), ("mailhog.kubemail-system.svc.cluster.local", true), ("SMTP.Example.COM", true),
        ("localhost", true), ("10.0.0.25", true), ("2001:db8::25", true), ("::1", true), ("smtp.example.com.", true),
        ("smtp example com", false), ("-smtp.example.com", false), ("smtp..example.com", false),
        ("256.1.1.1.example", true),
        ("2001:db8:::25", false), ("smtp_relay.local", false), ("", false),
    ])
    func host(value: String, valid: Bool) {
        #expect(NameValidation.host(value).isEmpty == valid)
    }

    @Test(arguments: [
        ("default", true), ("kube-system", true), ("a", true), ("Default", false), ("-a", false), ("a-", false),
        ("a.b", false), (String(repeating: "a", count: 64), false),
    ])
    func dnsLabel(value: String, valid: Bool) {
        #expect(NameValidation.dnsLabel(value).isEmpty == valid)
    }

    @Test(arguments: [
        ("default-credentials", true), ("a.b.c", true), ("A", false), ("a..b", false), ("", false),
        (String(repeating: "a", count: 254), false),
    ])
    func dnsSubdomain(value: String, valid: Bool) {
        #expect(NameValidation.dnsSubdomain(value).isEmpty == valid)
    }
}
