import Foundation
import KaibanCrypto
import KaibanExchange
import KaibanTestSupport
import KaibanXML

/// Messages of every type on fictitious Zhaohua ↔ Chongqing data, the example files, and the
/// codec over the committed schema.
enum SampleMessages {
    static let zhaohua = Authority(code: "11510811MB1530521R", name: "广元市昭化区市场监督管理局")
    static let yuzhong = Authority(code: "11500103MB164887X0", name: "重庆市渝中区市场监督管理局")
    static let examplesFolder = Fixtures.formsRoot.appendingPathComponent("exchange/examples")
    static let examples = [
        "01-case-transfer.xml", "02-receipt.xml", "03-status-update.xml", "04-result.xml", "05-withdrawal.xml",
        "06-receipt-rejecting.xml", "07-case-transfer-to-zhaohua.xml",
    ]

    static func codec() throws -> ExchangeCodec {
        ExchangeCodec(
            schema: try XMLSchema(contentsOf: Fixtures.formsRoot.appendingPathComponent("exchange/exchange-1.xsd")))
    }

    static func example(_ name: String) throws -> Data {
        try Data(contentsOf: examplesFolder.appendingPathComponent(name))
    }

    static func exampleKey(_ code: String) throws -> SM2.PublicKey {
        try SM2.PublicKey(pem: try Data(contentsOf: examplesFolder.appendingPathComponent("keys/\(code).pem")))
    }

    /// A header of Yuzhong's to Zhaohua about case `number`.
    static func partnerHeader(_ type: MessageType, id: String, number: String, caseReference: String?)
        -> MessageHeader
    {
        var header = header(type, id: id, from: yuzhong, to: zhaohua, caseReference: caseReference)
        header.collaborationNumber = number
        return header
    }

    static func header(
        _ type: MessageType, id: String = "5d0c7a52-3f1e-4c8b-9a6d-2e4f8b1c0a93", from sender: Authority = zhaohua,
        to receiver: Authority = yuzhong, caseReference: String? = "510811-20261126-0007"
    ) -> MessageHeader {
        MessageHeader(
            messageID: id, type: type, sender: sender, receiver: receiver, collaborationNumber: "CY510811202611260007",
            caseReference: caseReference, sendTime: Fixtures.at(10, 41), test: false)
    }

    static let transfer = TransferredCase(
        mode: .remoteIntake, itemCode: "11500103MB164887X04000110000001", itemName: "有限责任公司设立登记",
        receivingAuthority: CaseAuthority(code: zhaohua.code, name: zhaohua.name, division: "510811"),
        decidingAuthority: CaseAuthority(code: yuzhong.code, name: yuzhong.name, division: "500103"),
        receivedTime: Fixtures.at(10, 5), promisedLimit: "3", resultDelivery: "post-to-applicant",
        application: TransferredApplication(
            enterpriseType: "llc", proposedName: "重庆青禾农业科技有限公司", registeredCapital: "500000.00",
            domicile: TransferredDomicile(address: "重庆市渝中区民族路188号8楼801室 <A&B>", division: "500103", tenure: "declared"),
            businessScope: "农业技术推广服务；\n农产品销售",
            legalRepresentative: Party(
                name: "张伟", idType: "resident-id", idNumber: "510811197809031413", phone: "13890001234"),
            investors: [
                TransferredInvestor(
                    party: Party(name: "张伟", idType: "resident-id", idNumber: "510811197809031413"), kind: "person",
                    contribution: "300000.00", contributionForm: "货币", contributionDate: "2031-11-25"),
                TransferredInvestor(
                    party: Party(name: "青禾控股有限公司", idType: "credit-code", idNumber: "91500103MA5U8XKQ3L"),
                    kind: "company", contribution: "200000", contributionForm: "货币", contributionDate: nil),
            ],
            agent: Party(name: "王静", idType: "resident-id", idNumber: "510811199204160043"),
            contact: TransferredContact(name: "王静", phone: "139 9000 5678"), mailingAddress: "四川省广元市昭化区元坝镇中街12号"),
        documents: [
            ManifestDocument(
                number: 1, title: "公司登记（备案）申请书", checklistCode: "application-form", fileName: "01.pdf",
                mediaType: "application/pdf", size: 184_320, sm3: String(repeating: "ab", count: 32)),
            ManifestDocument(
                number: 2, title: "公司章程", checklistCode: nil, fileName: "02 章程.ofd", mediaType: "application/ofd",
                size: 1, sm3: String(repeating: "0", count: 64)),
        ],
        paperFilePost: PostRecord(carrier: "EMS", trackingNumber: "1173652890412", recipient: "deciding-window"))

    /// One message of each type.
    static var everyType: [ExchangeMessage] {
        [
            ExchangeMessage(header: header(.caseTransfer), body: .caseTransfer(transfer)),
            ExchangeMessage(
                header: header(.receipt, from: yuzhong, to: zhaohua, caseReference: nil),
                body: .receipt(
                    Receipt(
                        requestMessageID: "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81",
                        requestDigest: String(repeating: "1f", count: 32), receivedTime: Fixtures.at(10, 41),
                        outcome: .messageRejected(
                            Rejection(
                                code: "message.schema-invalid", message: "报文不符合 exchange-1.xsd",
                                details: [
                                    Rejection.Detail(line: 12, text: "Element 'Mode': 'remote' is not valid"),
                                    Rejection.Detail(text: "no line"),
                                ]))))),
            ExchangeMessage(
                header: header(.receipt, from: yuzhong, to: zhaohua, caseReference: "500103-0015"),
                body: .receipt(
                    Receipt(
                        requestMessageID: "3f6c2a9e-8d41-4b7a-9e15-c07d2b5a4e81",
                        requestDigest: String(repeating: "2e", count: 32), receivedTime: Fixtures.at(10, 42),
                        outcome: .records([
                            RecordResult(recordID: "s1"),
                            RecordResult(
                                recordID: "s2",
                                rejection: Rejection(code: "status.not-allowed", message: "办件已办结")),
                        ])))),
            ExchangeMessage(
                header: header(.statusUpdate, from: yuzhong, to: zhaohua, caseReference: "500103-0015"),
                body: .statusUpdate([
                    StatusChange(recordID: "s1", status: 3, time: Fixtures.at(14, 20)),
                    StatusChange(recordID: "s2", status: 8, time: Fixtures.at(14, 35), reason: "转登记科审查"),
                ])),
            ExchangeMessage(
                header: header(.result, from: yuzhong, to: zhaohua, caseReference: "500103-0015"),
                body: .result(
                    LicenceResult(
                        status: 11, completedTime: Fixtures.at(16, 0), enterpriseName: "重庆青禾农业科技有限公司",
                        creditCode: "91500103MA5U8XKQ3L", licenceNumber: "500103000123456", issueDate: "2026-11-26",
                        post: PostRecord(carrier: "EMS", trackingNumber: "1173652890429", recipient: "applicant")))),
            ExchangeMessage(
                header: header(.withdrawal),
                body: .withdrawal(
                    WithdrawalRequest(withdrawnBy: "applicant", requestedTime: Fixtures.at(11, 0), reason: "申请人撤回申请"))),
        ]
    }
}
