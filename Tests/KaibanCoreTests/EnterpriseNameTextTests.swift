import Foundation
import KaibanCore
import KaibanTestSupport
import Testing

/// The name rule in the core (issue 8, class 5; STANDARDS.md §10), on the committed name rules.
@Suite struct EnterpriseNameTextTests {
    let rules: NameRules
    let zhaohua = ["四川省", "广元市", "昭化区"]

    init() throws {
        rules = try Fixtures.forms().nameRules()
    }

    func analyze(_ name: String, _ type: EnterpriseType = .limitedLiabilityCompany) -> NameAnalysis {
        NameAnalysis(name: name, type: type, divisionNames: zhaohua, rules: rules)
    }

    @Test(arguments: [
        ("广元市昭化区青禾ā农业科技有限公司", "U+0101", "拼音"),
        ("广元市昭化区あお农业科技有限公司", "U+3042", "规范汉字"),
        ("广元市昭化区青禾Ⅷ农业科技有限公司", "U+2167", "外文字母"),
        ("广元市昭化区青禾①农业科技有限公司", "U+2460", "阿拉伯数字"),
        ("广元市昭化区青禾\u{FEFF}农业科技有限公司", "U+FEFF", "不可见"),
        ("广元市昭化区青禾\u{202E}农业科技有限公司", "U+202E", "不可见"),
    ])
    func eachCharacterIsNamedWithTheRuleItBreaks(name: String, code: String, rule: String) {
        let analysis = analyze(name)
        #expect(!analysis.isValid)
        #expect(analysis.problems.contains { $0.zh.contains(code) && $0.zh.contains(rule) }, "\(analysis.problems)")
    }

    @Test func aNameOfChineseCharactersIsAlreadyItsNormalisedForm() {
        // The shortcut for names of Chinese characters and full-width brackets gives what NFKC
        // with full-width brackets gives.
        for name in [
            "广元市昭化区青禾农业科技有限公司", "广元市昭化区盛源投资合伙企业（有限合伙）", "〇〇科技", "𠀀𪚥商贸有限公司", "（）",
        ] {
            let nfkc = name.precomposedStringWithCompatibilityMapping
                .replacingOccurrences(of: "(", with: "（").replacingOccurrences(of: ")", with: "）")
            #expect(EnterpriseNameText.normalized(name).unicodeScalars.elementsEqual(nfkc.unicodeScalars), "\(name)")
        }
        // Anything else still goes through NFKC: full-width Latin and compatibility ideographs.
        #expect(EnterpriseNameText.normalized(" 青禾ＡＢ(有限合伙) ") == "青禾AB（有限合伙）")
        #expect(EnterpriseNameText.normalized("\u{F900}山").unicodeScalars.first?.value == 0x8C48)
    }

    @Test func bracketsComeInPairsWithTextInside() {
        for name in ["广元市昭化区青禾（农业科技有限公司", "广元市昭化区青禾（）农业科技有限公司", "广元市昭化区青禾）（农业科技有限公司"] {
            let analysis = analyze(name)
            #expect(analysis.problems.contains { $0.zh.contains("括号") }, "\(name): \(analysis.problems)")
        }
        #expect(analyze("广元市昭化区盛源投资合伙企业(有限合伙)", .partnership).isValid)
    }

    @Test func bracketsAroundOrInsideATradeNameAreRefused() {
        // Else （青禾） would be a trade name other than 青禾, and a registered name could be taken again.
        for name in ["广元市昭化区（青禾）农业科技有限公司", "广元市昭化区青（禾）农业科技有限公司", "广元市昭化区青禾（农业）科技有限公司"] {
            let analysis = analyze(name)
            #expect(analysis.problems.contains { $0.zh.contains("字号和行业表述中不得使用括号") }, "\(name): \(analysis.problems)")
        }
        for name in ["广元市昭化区盛源投资合伙企业（有限合伙）", "广元市昭化区盛源咨询（普通合伙）"] {
            #expect(analyze(name, .partnership).isValid, "\(name): \(analyze(name, .partnership).problems)")
        }
        // Unpaired brackets are told once, as unpaired.
        let unpaired = analyze("广元市昭化区青禾（农业科技有限公司")
        #expect(unpaired.problems.filter { $0.zh.contains("括号") }.count == 1, "\(unpaired.problems)")
    }

    @Test func traditionalFormsAreRefusedWithTheStandardCharacterToWrite() {
        let analysis = analyze("广元市昭化区青禾農業科技有限公司")
        #expect(analysis.problems.contains { $0.zh.contains("繁体字“農”（U+8FB2）") && $0.zh.contains("写作“农”") })
        #expect(analysis.problems.contains { $0.zh.contains("繁体字“業”") && $0.en.contains("write \"业\"") })
        #expect(analysis.problems.count == 2, "\(analysis.problems)")
        // A compatibility ideograph is read as the unified one it stands for (U+F900 is 豈).
        #expect(analyze("广元市昭化区\u{F900}山商贸有限公司").problems.contains { $0.zh.contains("“豈”") })
        // A character outside the table that is no traditional form of one in it.
        let rare = analyze("广元市昭化区𠀀山商贸有限公司")
        #expect(rare.problems.contains { $0.zh.contains("U+20000") && $0.zh.contains("通用规范汉字表") }, "\(rare.problems)")
        // Characters that are both a traditional form and standard (乾 of 乾坤, 著 of 著作) are standard.
        #expect(analyze("广元市昭化区乾著商贸有限公司").isValid, "\(analyze("广元市昭化区乾著商贸有限公司").problems)")
    }

    @Test func theStandardTableHoldsItsCharactersAndTraditionalForms() {
        #expect(StandardCharacters.standard.count == 8_105)
        for character in "一农业乾著〇堃𬉼" {
            #expect(character.unicodeScalars.allSatisfy(StandardCharacters.contains), "\(character)")
        }
        for character in "農業華豐" {
            #expect(!character.unicodeScalars.allSatisfy(StandardCharacters.contains), "\(character)")
        }
        #expect(StandardCharacters.simplified("農") == "农")
        #expect(StandardCharacters.simplified("華") == "华")
        #expect(StandardCharacters.simplified("农") == nil)
        #expect(StandardCharacters.simplified("乾") == nil)
        #expect(StandardCharacters.simplifications.count > 2_000)
    }

    @Test func numbersWrittenInChineseCharactersAreCharacters() {
        let analysis = analyze("广元市昭化区三〇七科技有限公司")
        #expect(analysis.isValid, "\(analysis.problems)")
        #expect(analysis.tradeName == "三〇七")
    }

    @Test func aForbiddenWordSplitByABlankIsStillFound() {
        let analysis = analyze("广元市昭化区政\u{200B}府农业科技有限公司")
        #expect(analysis.problems.contains { $0.zh.contains("“政府”") }, "\(analysis.problems)")
        #expect(analysis.problems.contains { $0.zh.contains("U+200B") }, "\(analysis.problems)")
    }

    @Test func aJoinerAfterACharacterIsNamedAloneNotWithTheCharacter() {
        // 青 + U+200D is one Character: the fault is the joiner, not 青 (U+9752).
        let joined = analyze("广元市昭化区青\u{200D}禾农业科技有限公司")
        let invisible = joined.problems.first { $0.zh.contains("不可见字符") }
        #expect(invisible?.zh.contains("（U+200D）") == true, "\(joined.problems)")
        #expect(invisible?.zh.contains("U+9752") == false, "\(joined.problems)")
        // A space with a combining mark on it is one Character: the blank is named, not the mark.
        let spaced = analyze("广元市昭化区青禾 \u{0301}农业科技有限公司")
        #expect(spaced.problems.contains { $0.zh.contains("空白字符（U+0020）") }, "\(spaced.problems)")
    }
}

@Suite struct OldestBirthTests {
    @Test func aBirthDateMoreThan120YearsBeforeTheDayIsRefusedToTheDay() throws {
        let day = CivilDate(uncheckedYear: 2026, month: 11, day: 27)
        // 120 years and 364 days before: refused; exactly 120 years before: believed.
        #expect(!CitizenID.check("11010519051128001X", on: day).isValid)
        #expect(CitizenID.earliestBirth(on: day) == CivilDate(uncheckedYear: 1906, month: 11, day: 27))
        let leap = CivilDate(uncheckedYear: 2020, month: 2, day: 29)
        #expect(CitizenID.earliestBirth(on: leap) == CivilDate(uncheckedYear: 1900, month: 2, day: 28))
    }
}

@Suite struct HiddenTextTests {
    @Test func defaultIgnorableFillersAndTheBlankBraillePatternAreHidden() {
        // The combining grapheme joiner, the Hangul fillers, a tag, the blank Braille pattern:
        // each shows as nothing or a blank, so a reason of one of them is refused.
        for scalar: Unicode.Scalar in [
            "\u{034F}", "\u{115F}", "\u{1160}", "\u{3164}", "\u{FFA0}", "\u{E0041}", "\u{2800}",
        ] {
            #expect(FreeText.isHidden(scalar), "\(FreeText.codePoint(scalar))")
            #expect(FreeText.problem("\(scalar)", limit: FreeText.reasonLimit) != nil, "\(FreeText.codePoint(scalar))")
        }
        // Variation selectors choose a look: an emoji's, an ideograph's variant in a person's name.
        for text in ["好评👍\u{FE0F}", "葛\u{E0100}优"] {
            #expect(FreeText.problem(text, limit: FreeText.reasonLimit) == nil, "\(text)")
        }
        // Nothing but selectors or marks is no text.
        for text in ["\u{FE0F}", "\u{E0100}\u{E0101}", "\u{0301}", " \u{FE0E} "] {
            #expect(FreeText.problem(text, limit: FreeText.reasonLimit) != nil, "\(text.unicodeScalars.map(\.value))")
        }
        for text in ["申请人要求撤回", "Zhang Wei", "김민준", "Ünal", "Zoe\u{0308}", "〇\u{0301}"] {
            #expect(FreeText.problem(text, limit: FreeText.reasonLimit) == nil, "\(text)")
        }
    }

    /// An accent or an emoji selector on a Chinese character is refused: 张\u{301}伟 and
    /// 张伟\u{FE0F} were taken as names a search for 张伟 never finds. An ideographic variation
    /// selector is a variant, and is taken.
    @Test func marksAndEmojiSelectorsOnChineseCharactersAreRefused() {
        for text in ["张\u{0301}伟", "张伟\u{FE0F}", "张伟\u{FE0E}", "李\u{20DD}", "王\u{E0100}\u{0301}"] {
            let problem = FreeText.problem(text, limit: FreeText.nameLimit)
            #expect(problem?.zh.hasPrefix("汉字后带有附加符号") == true, "\(text.unicodeScalars.map(\.value))")
        }
        // A selector that follows no character, or a second one on a character, chooses nothing.
        for text in ["\u{E0100}张伟", "张\u{E0100}\u{E0101}伟", "张 \u{FE0F}伟"] {
            let problem = FreeText.problem(text, limit: FreeText.nameLimit)
            #expect(problem?.zh.hasPrefix("变体选择符") == true, "\(text.unicodeScalars.map(\.value))")
        }
        for text in ["葛\u{E0100}优", "邓\u{FE00}", "👍\u{FE0F}好"] {
            #expect(FreeText.problem(text, limit: FreeText.nameLimit) == nil, "\(text.unicodeScalars.map(\.value))")
        }
    }
}

@Suite struct LineSeparatorTests {
    @Test func lineAndParagraphSeparatorsAreRefusedLikeNewlines() {
        for separator in ["\u{2028}", "\u{2029}", "\n"] {
            let problem = FreeText.problem("撤回\(separator)第二行", limit: FreeText.reasonLimit)
            #expect(
                problem?.en.contains("invisible or control character") == true,
                "\(separator.unicodeScalars.first?.value ?? 0)")
        }
    }
}

@Suite struct EchoedTextTests {
    /// From a re-trial: ID numbers in a clerk's words written in groups, run on into other
    /// digits, or in full width are masked; a credit code, a tracking number or a bank account
    /// (which `maskingNumbers` masked as if they were ID numbers) stay as written.
    @Test func theClerksWordsHaveTheirIDNumbersMaskedAndNothingElse() {
        #expect(CitizenID.maskingIDs(inText: "李秀英5108 1119 8503 1201 78证件过期") == "李秀英5108 11** **** **01 78证件过期")
        #expect(CitizenID.maskingIDs(inText: "张伟110105-19491231-002X") == "张伟110105-********-002X")
        #expect(CitizenID.maskingIDs(inText: "连写510811198503120178138") == "连写510811********0178138")
        #expect(CitizenID.maskingIDs(inText: "证件５１０８１１１９８５０３１２０１７８") == "证件５１０８１１********０１７８")
        #expect(CitizenID.maskingIDs(inText: "旧证510811850312017") == "旧证510811*****2017")
        let kept = "信用代码915108112012340069，运单773012345678901，账户6222021234567890123，金额100000000000000.00元，电话13800000000"
        #expect(CitizenID.maskingIDs(inText: kept) == kept)
        #expect(CitizenID.maskingIDs(inText: "") == "")
        #expect(CitizenID.maskingIDs(inText: "1 2 3") == "1 2 3")
    }

    @Test func numbersThatLookLikeIDsAreMaskedAndHiddenCharactersShown() {
        #expect(
            CitizenID.maskingNumbers(in: "--legal-rep 李四:510811198001010016:x")
                == "--legal-rep 李四:510811********0016:x")
        #expect(CitizenID.maskingNumbers(in: "5108111980010100161") == "510811*********0161")
        // Full width, as an input method types them (from a hostile trial: printed in full).
        #expect(CitizenID.maskingNumbers(in: "证件５１０８１１１９８５０３１２０１７８过期") == "证件５１０８１１********０１７８过期")
        #expect(CitizenID.maskingNumbers(in: "第12个，电话13800000000") == "第12个，电话13800000000")
        // Numbers that are not ID numbers stay as they are: amounts, digests, long integers.
        let amounts = "出资合计4999999999999999.50元，与注册资本999999999999999.99元不符"
        #expect(CitizenID.maskingNumbers(in: amounts) == amounts)
        let digest = "摘要应为0123456789012345678901234567890123456789abcdef0123456789abcdef"
        #expect(CitizenID.maskingNumbers(in: digest) == digest)
        let zeros = "sha256 " + String(repeating: "0", count: 64)
        #expect(CitizenID.maskingNumbers(in: zeros) == zeros)
        #expect(CitizenID.maskingNumbers(in: "--offset 99999999999999999999999") == "--offset 99999999999999999999999")
        // A valid ID number is masked wherever it stands: after a list number, in a word or a
        // file name; an ID-like run after letters too.
        #expect(CitizenID.maskingNumbers(in: "1.510811198001010016证件过期") == "1.510811********0016证件过期")
        #expect(CitizenID.maskingNumbers(in: "sfz510811198001010016.jpg") == "sfz510811********0016.jpg")
        #expect(CitizenID.maskingNumbers(in: "ZhangSan5108111980010100") == "ZhangSan510811******0100")
        // An ID number at the end of a sentence, or in a list, still is one.
        #expect(
            CitizenID.maskingNumbers(in: "证件号码51081119800101001X.") == "证件号码510811********001X.")
        #expect(
            CitizenID.maskingNumbers(in: "110105194912310021, 510811198001010016")
                == "110105********0021, 510811********0016")
        #expect(FreeText.showingHidden("a\u{1B}[2J\tb\u{2028}") == "a<U+001B>[2J<U+0009>b<U+2028>")
    }
}
