import MeshLoad
import NIOCore
import Testing

@Suite struct LoadTargetTests {
    @Test func readsHostPortAndPath() throws {
        let target = try LoadTarget(url: "http://127.0.0.1:8080/a/b?c=1")
        #expect(target.connectHost == "127.0.0.1")
        #expect(target.connectPort == 8080)
        #expect(target.requestTarget == "/a/b?c=1")
        #expect(target.authority == "127.0.0.1:8080")
    }

    @Test func defaultsToPort80AndSlash() throws {
        let target = try LoadTarget(url: "http://recommendation")
        #expect(target.connectPort == 80)
        #expect(target.requestTarget == "/")
    }

    @Test func sendsAbsoluteFormThroughAProxy() throws {
        let target = try LoadTarget(url: "http://recommendation:8080/x", proxy: ("127.0.0.1", 15001))
        #expect(target.connectHost == "127.0.0.1")
        #expect(target.connectPort == 15001)
        #expect(target.requestTarget == "http://recommendation:8080/x")
    }

    @Test func readsBracketedIPv6() throws {
        let target = try LoadTarget(url: "http://[::1]:9000/")
        #expect(target.connectHost == "::1")
        #expect(target.connectPort == 9000)
    }

    @Test(arguments: ["https://a/", "ftp://a", "http://", "http://a:99999/", "http://a:x/", "http://[::1/"])
    func refusesWhatItCannotLoad(_ url: String) {
        #expect(throws: LoadTarget.Invalid.self) { try LoadTarget(url: url) }
    }

    @Test func framesTheRequestOnce() throws {
        var plan = LoadPlan(target: try LoadTarget(url: "http://127.0.0.1:1/p"))
        plan.headers = [("host", "recommendation:8080"), ("x-a", "b")]
        let text = String(buffer: plan.requestBytes)
        #expect(text.hasPrefix("GET /p HTTP/1.1\r\n"))
        #expect(text.contains("host: recommendation:8080\r\n"))
        #expect(!text.contains("host: 127.0.0.1:1"))
        #expect(text.hasSuffix("x-a: b\r\n\r\n"))
    }
}
