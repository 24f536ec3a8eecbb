import Testing

@testable import EnvoyConfig
import MeshYAML

/// Go's text/tabwriter, sort.Slice and the Go JSON/YAML printers, checked against what the Go
/// programs print for the same input (outputs taken from Go 1.19's standard library).
@Suite struct TabWriterTests {
    @Test func padsColumnsAndKeepsTrailingEmptyCells() {
        var w = TabWriter(minWidth: 0, tabWidth: 5, padding: 5)
        w.writeRow(["RESOURCE NAME", "TYPE", "STATUS", "VALID CERT", "SERIAL NUMBER", "NOT AFTER", "NOT BEFORE"])
        w.writeRow(["configmap://some/thing", "", "WARMING", "false", "", "", ""])
        w.writeRow(["default", "Cert Chain", "ACTIVE", "false", "6fbee254", "2023-05-16T01:32:52Z", "2023-05-15T01:30:52Z"])
        #expect(
            w.finish() == """
                RESOURCE NAME              TYPE           STATUS      VALID CERT     SERIAL NUMBER     NOT AFTER                NOT BEFORE
                configmap://some/thing                    WARMING     false                                                     \("")
                default                    Cert Chain     ACTIVE      false          6fbee254          2023-05-16T01:32:52Z     2023-05-15T01:30:52Z

                """)
    }

    @Test func aLineWithoutTabsEndsTheColumnBlock() {
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 1)
        w.write("a\tbb\tc\nccc\td\te\nno tabs here\nx\ty\n")
        #expect(w.finish() == "a   bb c\nccc d  e\nno tabs here\nx y\n")
    }

    @Test func cellsShorterThanMinWidthArePadded() {
        var w = TabWriter(minWidth: 6, tabWidth: 8, padding: 1)
        w.write("a\tb\n")
        #expect(w.finish() == "a     b\n")
    }

    @Test func widthsCountCharactersNotBytes() {
        var w = TabWriter(minWidth: 0, tabWidth: 8, padding: 1)
        w.write("é\tx\nab\ty\n")
        #expect(w.finish() == "é  x\nab y\n")
    }
}

@Suite struct GoSortTests {
    @Test func tiesEndWhereGosSortSliceLeavesThem() {
        var items = Array(0..<70)
        GoSort.slice(&items) { $0 * 7 % 5 < $1 * 7 % 5 }
        #expect(
            items == [
                60, 15, 65, 25, 35, 5, 30, 40, 10, 55, 20, 45, 50, 0, 58, 48, 13, 53, 18, 43, 8, 28, 38, 23, 63, 3, 33, 68, 16,
                46,
                1, 31, 66, 26, 61, 6, 36, 56, 11, 51, 21, 41, 49, 9, 44, 69, 64, 4, 14, 29, 34, 39, 24, 59, 54, 19, 62, 37, 7, 22,
                52, 12, 57, 47, 32, 2, 42, 67, 27, 17,
            ])
        var small = Array(0..<10)
        GoSort.slice(&small) { $0 % 3 < $1 % 3 }
        #expect(small == [0, 3, 6, 9, 1, 4, 7, 2, 5, 8])
    }
}

@Suite struct GoPrinterTests {
    @Test func floatsAsGoWritesThem() {
        let cases: [(Double, String, String)] = [
            (1e8, "1e+08", "100000000"), (123456, "123456", "123456"), (1234567.5, "1.2345675e+06", "1234567.5"),
            (0.0001, "0.0001", "0.0001"), (0.00001, "1e-05", "0.00001"), (1e21, "1e+21", "1e+21"), (1e-7, "1e-07", "1e-7"),
            (0.5, "0.5", "0.5"), (2.5e-5, "2.5e-05", "0.000025"),
        ]
        for (value, g, json) in cases {
            #expect(GoFloat.shortestG(value) == g)
            #expect(GoFloat.json(value) == json)
        }
    }

    @Test func jsonEscapesAsEncodingJSON() {
        #expect(GoJSON.indented(["a": "<b>&\u{1}"]) == "{\n    \"a\": \"\\u003cb\\u003e\\u0026\\u0001\"\n}")
        #expect(GoJSON.indented(["a": [:], "b": []]) == "{\n    \"a\": {},\n    \"b\": []\n}")
        #expect(GoJSON.jsonpbIndented(["ads": [:]]) == "{\n    \"ads\": {\n\n    }\n}")
    }

    @Test func yamlQuotesWhatWouldReadBackAsAnotherType() {
        let doc: JSONValue = [
            "s": "*", "t": "true", "n": "1024", "z": "2023-05-16T01:32:52Z", "plain": "outbound|80||a.b", "empty": "",
            "colon": "a: b", "multi": "a\nb\n", "list": ["x", ["y": 1]], "obj": [:],
        ]
        #expect(
            GoYAML.document(doc) == """
                colon: 'a: b'
                empty: ""
                list:
                - x
                - "y": 1
                multi: |
                  a
                  b
                "n": "1024"
                obj: {}
                plain: outbound|80||a.b
                s: '*'
                t: "true"
                z: "2023-05-16T01:32:52Z"

                """)
    }

    @Test func yamlKeyOrderIsGoYAMLs() {
        let keys = ["b10", "b9", "a", "B", "_x", "a1", "a01"]
        #expect(keys.sorted(by: GoYAML.keyLess) == ["_x", "B", "a", "a1", "a01", "b9", "b10"])
    }
}
