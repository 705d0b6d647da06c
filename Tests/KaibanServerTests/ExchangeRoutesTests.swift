import Foundation
import KaibanCore
import KaibanCrypto
import KaibanDesk
import KaibanExchange
import KaibanServer
import KaibanTestSupport
import Testing

/// `POST /exchange/messages` on the real server over HTTP: a partner's signed message answered by
/// this hall's signed receipt, the same receipt for the same octets, refusals as problems.
@Suite struct ExchangeRoutesTests {
    static let zhaohua = Authority(code: "11510811MB1530521R", name: "广元市昭化区市场监督管理局")
    static let yuzhong = Authority(code: "11500103MB164887X0", name: "重庆市渝中区市场监督管理局")

    static func statusUpdate() -> ExchangeMessage {
        ExchangeMessage(
            header: MessageHeader(
                messageID: "5d0c7a52-3f1e-4c8b-9a6d-2e4f8b1c0a93", type: .statusUpdate, sender: yuzhong,
                receiver: zhaohua, collaborationNumber: "CY510811202611260007", caseReference: "500103-0015",
                sendTime: Fixtures.at(14, 36), test: false),
            body: .statusUpdate([StatusChange(recordID: "s1", status: 3, time: Fixtures.at(14, 20))]))
    }

    @Test func aSignedMessageIsAnsweredWithASignedReceiptAndTheSameOneAgain() async throws {
        let desk = try await Fixtures.desk()
        let own = try ExchangeKeys.generate(desk.settings, replacing: false)
        let partnerKey = try SM2.PrivateKey.generate()
        _ = try await desk.addExchangePartner(
            code: Self.yuzhong.code, name: Self.yuzhong.name, endpoint: nil,
            publicKeyPEM: Data(partnerKey.publicKey.pem.utf8), as: .clerk(Fixtures.supervisor.id))
        let server = try await TestServer.start(desk: desk)
        let codec = ExchangeCodec(schema: try desk.forms().exchangeSchema)
        let message = try codec.write(Self.statusUpdate(), signedWith: partnerKey)
        let answer = try await server.send(
            "POST", "/exchange/messages", headers: ["Content-Type": "application/xml"], body: message)
        #expect(answer.status == 200, "\(answer)")
        #expect(answer.header("Content-Type")?.hasPrefix("application/xml") == true)
        let receipt = try codec.open(answer.body, source: "receipt")
        let ownKey = try KeyFiles.readPublicKey(from: own.publicKey)
        #expect(receipt.verifies(with: [ownKey]))
        guard case .receipt(let body) = receipt.message.body else {
            Issue.record("no receipt")
            return
        }
        #expect(body.requestDigest == SM3.hex(message))
        // The hall holds no such case: the record is rejected, and nothing is applied.
        #expect(body.firstCode == "case.unknown")
        let again = try await server.send(
            "POST", "/exchange/messages", headers: ["Content-Type": "application/xml; charset=utf-8"], body: message)
        #expect(again.body == answer.body)
        let json = try await server.send(
            "POST", "/exchange/messages", headers: ["Content-Type": "application/json"], body: Data("{}".utf8))
        #expect(json.status == 415)
        let garbage = try await server.send(
            "POST", "/exchange/messages", headers: ["Content-Type": "application/xml"],
            body: Data("<!DOCTYPE x [<!ENTITY a \"b\">]><x>&a;</x>".utf8))
        #expect(garbage.status == 400)
        #expect(garbage.problem?.code == "message.unreadable")
        let huge = try await server.send(
            "POST", "/exchange/messages", headers: ["Content-Type": "application/xml"],
            body: Data(repeating: 0x20, count: 1_048_577))
        #expect(huge.status == 413)
        let letters = try await desk.exchangeDeadLetters()
        #expect(letters.map(\.code).contains("message.unreadable"))
        try await server.stop()
    }

    @Test func withoutAnExchangeKeyTheRouteIs503() async throws {
        try await TestServer.with { server in
            let answer = try await server.send(
                "POST", "/exchange/messages", headers: ["Content-Type": "application/xml"], body: Data("<x/>".utf8))
            #expect(answer.status == 503)
            #expect(answer.problem?.code == "exchange.not-configured")
        }
    }
}
