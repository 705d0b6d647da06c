import Foundation

extension CaseApplication {
    /// Every problem that keeps the application from being taken in on `day` (the intake's date in
    /// Asia/Shanghai), each naming its field. `knownTasks` are the start-up task ids the workflow
    /// offers. The people's rules are ``peopleProblems(on:)``; the name's characters and length
    /// are ``EnterpriseNameText/problems(_:)``, the rule `check name` applies too.
    public func problems(knownTasks: Set<String>, on day: CivilDate) -> [FieldProblem] {
        var found: [FieldProblem] = []
        func require(_ ok: Bool, _ field: String, _ zh: String, _ en: String) {
            if !ok { found.append(FieldProblem(field: field, reason: LocalizedText(zh: zh, en: en))) }
        }
        func blank(_ s: String) -> Bool { s.isBlank }

        func text(_ value: String, _ field: String, _ limit: Int) {
            if let problem = FreeText.problem(value, limit: limit) {
                found.append(FieldProblem(field: field, reason: problem))
            }
        }
        func name(_ value: String, _ field: String, _ limit: Int, person: Bool = true) {
            guard !value.isBlank else { return }
            if let problem = FreeText.problem(value, limit: limit)
                ?? (person ? FreeText.personNameProblem(value) : FreeText.nameSpacingProblem(value))
            {
                found.append(FieldProblem(field: field, reason: problem))
            }
        }
        text(domicile, "domicile", FreeText.addressLimit)
        text(businessScope, "businessScope", FreeText.scopeLimit)
        name(legalRepresentative.name, "legalRepresentative.name", FreeText.nameLimit)
        name(contact.name, "contact.name", FreeText.nameLimit)
        for (index, investor) in investors.enumerated() {
            name(investor.name, "investors[\(index + 1)].name", FreeText.addressLimit, person: investor.kind == .person)
            text(investor.form, "investors[\(index + 1)].form", FreeText.nameLimit)
        }
        found += EnterpriseNameText.problems(proposedName).map { FieldProblem(field: "proposedName", reason: $0) }
        require(!blank(domicile), "domicile", "住所不能为空", "the domicile is empty")
        require(
            domicileDivision.count == 6 && domicileDivision.allSatisfy { $0.isASCII && $0.isNumber },
            "domicileDivision", "住所行政区划代码应为6位数字", "the domicile division code must be 6 digits")
        if let mailingAddress {
            text(mailingAddress, "mailingAddress", FreeText.addressLimit)
            require(!blank(mailingAddress), "mailingAddress", "邮寄地址不能为空", "the mailing address is empty")
        } else {
            require(
                channel != .mail, "mailingAddress", "寄递办须填写邮寄地址（营业执照、通知书寄往此处）",
                "a mail application needs a mailing address (the licence and notices are posted there)")
        }
        require(!blank(businessScope), "businessScope", "经营范围不能为空", "the business scope is empty")
        found += representativeProblems(on: day)
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
        found += investorProblems(on: day)
        found += special?.problems ?? []
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
        } else {
            // Refused, not dropped: a type without registered capital has none to record.
            require(
                registeredCapital == .zero, "registeredCapital",
                "\(enterpriseType.name.zh)不登记注册资本（出资额按出资人分别填写）",
                "a \(enterpriseType.name.en) has no registered capital (give each investor's contribution instead)")
        }
        // Each task named once, however often it is repeated.
        var seen: Set<String> = []
        var repeated: Set<String> = []
        for task in requestedTasks {
            if seen.insert(task).inserted {
                require(
                    knownTasks.contains(task), "requestedTasks",
                    "未知的开办事项“\(task)”（可选：\(knownTasks.sorted().joined(separator: "、"))）",
                    "unknown start-up task \"\(task)\" (known: \(knownTasks.sorted().joined(separator: ", ")))")
            } else {
                require(
                    !repeated.insert(task).inserted, "requestedTasks", "开办事项“\(task)”重复",
                    "start-up task \"\(task)\" is listed twice")
            }
        }
        return found
    }
}
