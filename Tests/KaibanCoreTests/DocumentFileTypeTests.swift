import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// A document's file is known by its first bytes, never by the type a sender states.
@Suite struct DocumentFileTypeTests {
    @Test func eachKindIsKnownByItsMagicBytes() {
        #expect(DocumentFileType.sniff(SampleFiles.pdf()) == .pdf)
        #expect(DocumentFileType.sniff(SampleFiles.png()) == .png)
        #expect(DocumentFileType.sniff(SampleFiles.jpeg()) == .jpeg)
        #expect(DocumentFileType.sniff(SampleFiles.ofd()) == .ofd)
    }

    @Test func otherContentIsNone() {
        #expect(DocumentFileType.sniff(Data()) == nil)
        #expect(DocumentFileType.sniff(Data("%PD".utf8)) == nil)
        #expect(DocumentFileType.sniff(Data("<html><body>%PDF-1.7</body></html>".utf8)) == nil)
        #expect(DocumentFileType.sniff(Data([0x89, 0x50, 0x4E, 0x47])) == nil)
        // A zip without OFD.xml at its root (a .docx, an OFD.xml in a folder) is no OFD.
        #expect(DocumentFileType.sniff(SampleFiles.zip([("word/document.xml", Array("<w/>".utf8))])) == nil)
        #expect(DocumentFileType.sniff(SampleFiles.zip([("Doc_0/OFD.xml", Array("<o/>".utf8))])) == nil)
        // A zip's first bytes with nothing of an archive after them.
        #expect(DocumentFileType.sniff(Data([0x50, 0x4B, 0x03, 0x04] + Array(repeating: 0, count: 40))) == nil)
    }

    @Test func aTruncatedOrLyingCentralDirectoryIsNoOFD() {
        var archive = [UInt8](SampleFiles.ofd())
        // The end record's directory offset pointing past the end.
        let end = archive.count - 22
        archive[end + 16] = 0xFF
        archive[end + 17] = 0xFF
        archive[end + 18] = 0xFF
        archive[end + 19] = 0x7F
        #expect(DocumentFileType.sniff(Data(archive)) == nil)
        #expect(DocumentFileType.sniff(SampleFiles.ofd().prefix(60)) == nil)
    }

    @Test func theStatedTypeIsReadWithoutParametersOrCase() {
        #expect(DocumentFileType(contentType: "application/pdf") == .pdf)
        #expect(DocumentFileType(contentType: "Application/PDF; name=x.pdf") == .pdf)
        #expect(DocumentFileType(contentType: "image/jpg") == .jpeg)
        #expect(DocumentFileType(contentType: "application/ofd") == .ofd)
        #expect(DocumentFileType(contentType: "application/json") == nil)
        #expect(DocumentFileType(contentType: "") == nil)
    }
}
