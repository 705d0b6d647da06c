import Testing

@testable import KaibanServer

/// RFC 3986 §6.2.2.2: percent-encoded unreserved characters are decoded before routing, nothing
/// else is.
@Suite struct PathNormalizationTests {
    @Test func decodesOnlyUnreservedCharactersOfThePath() {
        #expect(PathNormalization.normalized("/%68ealthz") == "/healthz")
        #expect(PathNormalization.normalized("/cases/510811%2d20261126%2D0001") == "/cases/510811-20261126-0001")
        #expect(PathNormalization.normalized("/a%7E%5F%2E%30") == "/a~_.0")
        // Reserved characters, spaces, other bytes and broken escapes stay as written.
        #expect(PathNormalization.normalized("/cases/a%2Fb") == nil)
        #expect(PathNormalization.normalized("/find/%E5%BC%A0%20x") == nil)
        #expect(PathNormalization.normalized("/x%ZZ%4") == nil)
        #expect(PathNormalization.normalized("/x%6") == nil)
        #expect(PathNormalization.normalized("/x%41%") == "/xA%")
        // The query is left alone; a path without escapes is not copied.
        #expect(PathNormalization.normalized("/cases?q=%41") == nil)
        #expect(PathNormalization.normalized("/%41?q=%41") == "/A?q=%41")
        #expect(PathNormalization.normalized("/healthz") == nil)
    }
}
