import Foundation

extension CaseApplication {
    /// Every problem that keeps the application from being taken in, each naming its field.
    /// `knownTasks` are the start-up task ids the workflow offers.
    public func problems(knownTasks: Set<String>) -> [FieldProblem] {
        var found: [FieldProblem] = []
        func require(_ ok: Bool, _ field: String, _ zh: String, _ en: String) {
            if !ok { found.append(FieldProblem(field: field, reason: LocalizedText(zh: zh, en: en))) }
        }
        func blank(_ s: String) -> Bool { s.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        func checkID(_ number: String, _ field: String) {
            do {
                _ = try CitizenID(number)
            } catch {
                found.append(
                    FieldProblem(
                        field: field,
                        reason: LocalizedText(
                            zh: "身份证号码\(number)无效：\(error.message(.zh))",
                            en: "ID number \(number) is not valid: \(error.message(.en))")))
            }
        }

        func text(_ value: String, _ field: String, _ limit: Int) {
            if let problem = FreeText.problem(value, limit: limit) {
                found.append(FieldProblem(field: field, reason: problem))
            }
        }
        text(domicile, "domicile", FreeText.addressLimit)
        text(businessScope, "businessScope", FreeText.scopeLimit)
        text(legalRepresentative.name, "legalRepresentative.name", FreeText.nameLimit)
        text(contact.name, "contact.name", FreeText.nameLimit)
        for (index, investor) in investors.enumerated() {
            text(investor.name, "investors[\(index + 1)].name", FreeText.addressLimit)
            text(investor.form, "investors[\(index + 1)].form", FreeText.nameLimit)
        }
        require(!blank(proposedName), "proposedName", "拟申请名称不能为空", "the proposed name is empty")
        require(proposedName.count <= 100, "proposedName", "名称过长（最多100字）", "the name is longer than 100 characters")
        require(!blank(domicile), "domicile", "住所不能为空", "the domicile is empty")
        require(
            domicileDivision.count == 6 && domicileDivision.allSatisfy { $0.isASCII && $0.isNumber },
            "domicileDivision", "住所行政区划代码应为6位数字", "the domicile division code must be 6 digits")
        require(!blank(businessScope), "businessScope", "经营范围不能为空", "the business scope is empty")
        require(
            !blank(legalRepresentative.name), "legalRepresentative.name", "法定代表人（负责人）姓名不能为空",
            "the legal representative's name is empty")
        checkID(legalRepresentative.idNumber, "legalRepresentative.idNumber")
        require(!blank(contact.name), "contact.name", "联系人姓名不能为空", "the contact's name is empty")
        let phoneDigits = contact.phone.filter { $0 != "-" && $0 != " " }
        require(
            (7...12).contains(phoneDigits.count) && phoneDigits.allSatisfy { $0.isASCII && $0.isNumber },
            "contact.phone", "联系电话格式不正确", "the contact phone number is not a phone number")

        let range = enterpriseType.investorRange
        require(
            range.contains(investors.count), "investors",
            "\(enterpriseType.name.zh)的出资人应为\(range.lowerBound)至\(range.upperBound)人，实际\(investors.count)人",
            "a \(enterpriseType.name.en) needs \(range.lowerBound) to \(range.upperBound) investors, has \(investors.count)"
        )
        for (index, investor) in investors.enumerated() {
            let path = "investors[\(index + 1)]"
            require(!blank(investor.name), "\(path).name", "出资人姓名（名称）不能为空", "the investor's name is empty")
            switch investor.kind {
            case .person:
                checkID(investor.idNumber, "\(path).idNumber")
            case .company, .institution:
                do {
                    _ = try CreditCode(investor.idNumber)
                } catch {
                    found.append(
                        FieldProblem(
                            field: "\(path).idNumber",
                            reason: LocalizedText(
                                zh: "统一社会信用代码\(investor.idNumber)无效：\(error.message(.zh))",
                                en:
                                    "unified social credit code \(investor.idNumber) is not valid: \(error.message(.en))"
                            )))
                }
            }
            require(investor.contribution.fen >= 0, "\(path).contribution", "出资额不能为负", "the contribution is negative")
        }
        if enterpriseType.hasRegisteredCapital {
            require(
                registeredCapital.fen > 0, "registeredCapital", "注册资本应大于零", "the registered capital must be above zero")
            if let subscribed = Money.total(investors.map(\.contribution)) {
                require(
                    subscribed == registeredCapital, "investors",
                    "股东认缴出资合计\(subscribed.yuanText)元，与注册资本\(registeredCapital.yuanText)元不符",
                    "the investors subscribe \(subscribed.yuanText) yuan in all, not the registered capital of \(registeredCapital.yuanText) yuan"
                )
            } else {
                require(
                    false, "investors", "认缴出资合计数额过大，请核对各出资额",
                    "the contributions add up to an amount too large; check each one")
            }
        }
        var seen: Set<String> = []
        for task in requestedTasks {
            require(
                knownTasks.contains(task), "requestedTasks",
                "未知的开办事项“\(task)”（可选：\(knownTasks.sorted().joined(separator: "、"))）",
                "unknown start-up task \"\(task)\" (known: \(knownTasks.sorted().joined(separator: ", ")))")
            require(
                seen.insert(task).inserted, "requestedTasks", "开办事项“\(task)”重复",
                "start-up task \"\(task)\" is listed twice")
        }
        return found
    }
}
