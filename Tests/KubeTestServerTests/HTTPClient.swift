import Foundation

@testable import KubeTestServer

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal HTTP client for the tests (plain HTTP only; HTTPS is exercised through kubectl).
struct HTTPClient {
    struct Response {
        var status: Int
        var headers: [String: String]
        var body: Data
        var json: JSONValue { (try? JSONParser.parse(Array(body))) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// The lines of a watch stream, each parsed.
        var events: [JSONValue] { text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)) } }
    }

    let baseURL: String

    func send(
        _ method: String,
        _ path: String,
        body: JSONValue? = nil,
        contentType: String = "application/json",
        headers: [String: String] = [:]
    ) async throws -> Response {
        var request = URLRequest(url: URL(string: baseURL + path)!)
        request.httpMethod = method
        request.timeoutInterval = 20
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = Data(JSONWriter.bytes(body))
            request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            fields[String(describing: key).lowercased()] = String(describing: value)
        }
        return Response(status: http.statusCode, headers: fields, body: data)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> Response {
        try await send("GET", path, headers: headers)
    }
}
