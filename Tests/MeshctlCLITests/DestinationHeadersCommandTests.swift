import Foundation
import Testing

/// A destination's own `headers` and a redirect's Location, as `proxy-config` renders them and
/// `simulate` reports them (the proxy's side is tested through live sockets).
@Suite struct DestinationHeadersCommandTests {
    static let routes = """
        apiVersion: networking.istio.io/v1
        kind: VirtualService
        metadata: {name: recommendation}
        spec:
          hosts: [recommendation]
          http:
          - match: [{uri: {prefix: /old}}]
            redirect: {uri: /new}
          - match: [{headers: {x-split: {exact: "yes"}}}]
            route:
            - destination: {host: recommendation, subset: version-v1}
              weight: 50
              headers: {request: {set: {x-to: v1}}}
            - destination: {host: recommendation, subset: version-v2}
              weight: 50
              headers: {response: {remove: [x-internal]}}
          - route:
            - destination: {host: recommendation, subset: version-v1}
              headers:
                request: {set: {x-added: "yes"}, remove: [x-secret]}
                response: {add: {x-seen: "yes"}}
        """

    static func files() throws -> [String] {
        let directory = try CLI.temporaryDirectory()
        let path = try CLI.write(routes, to: "routes.yaml", in: directory)
        return ["-f", "samples/tutorial/registry.yaml", "-f", "samples/tutorial/destination-rules.yaml", "-f", path]
    }

    @Test func renderedRoutesCarryDestinationHeaders() throws {
        let result = try CLI.run(["proxy-config", "all"] + Self.files() + ["-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let dump = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let text = String(decoding: try JSONSerialization.data(withJSONObject: dump, options: [.sortedKeys]), as: UTF8.self)
        // On each weighted cluster, as Istio renders a destination's headers.
        #expect(
            text.contains(
                #"{"name":"outbound|8080|version-v1|recommendation.default.svc.cluster.local","request_headers_to_add":[{"append_action":"OVERWRITE_IF_EXISTS_OR_ADD","header":{"key":"x-to","value":"v1"}}],"weight":50}"#
            ), "\(text)")
        #expect(text.contains(#""response_headers_to_remove":["x-internal"]"#))
        // Folded into the route for a single destination.
        #expect(text.contains(#""request_headers_to_remove":["x-secret"]"#))
        #expect(text.contains(#"{"append_action":"APPEND_IF_EXISTS_OR_ADD","header":{"key":"x-seen","value":"yes"}}"#))
    }

    @Test func simulateKeepsTheRequestsPortInARedirect() throws {
        let result = try CLI.run(["simulate"] + Self.files() + ["--host", "recommendation:8080", "--path", "/old", "-o", "json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["location"] as? String == "http://recommendation:8080/new")
        #expect(json["status"] as? Int == 301)
    }
}
