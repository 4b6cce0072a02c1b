//! Stable codes for every refusal, reason and requirement of the domain, with
//! their fixed bilingual text.
//!
//! A [`Code`] is a contract: the UI, `ehrctl`, the central service and
//! integrators switch on its dotted form (for example `id.check_digit`), so a
//! code is never renamed or reused. Every message is fixed text written for a
//! counter clerk, in English and in Traditional Chinese. A message never
//! contains the input that caused it: no document number, name or date of
//! birth ever ends up in an error, a log line or a slip by way of this module.

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $wire:literal, $en:literal, $zh:literal; )*) => {
        /// Every stable code of the domain crate.
        ///
        /// Serialised as its dotted wire form, for example `"id.check_digit"`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Code {
            $( $(#[$doc])* #[serde(rename = $wire)] $variant, )*
        }

        impl Code {
            /// Every code, in declaration order (for catalogues and tests).
            pub const ALL: &'static [Code] = &[ $( Code::$variant, )* ];

            /// The dotted wire form, for example `id.check_digit`.
            pub fn as_str(self) -> &'static str {
                match self { $( Code::$variant => $wire, )* }
            }

            /// The fixed message in English and in Traditional Chinese.
            pub fn messages(self) -> (&'static str, &'static str) {
                match self { $( Code::$variant => ($en, $zh), )* }
            }

            /// The code whose wire form is `s`, if any.
            pub fn from_wire(s: &str) -> Option<Code> {
                match s { $( $wire => Some(Code::$variant), )* _ => None }
            }
        }
    };
}

codes! {
    /// Nothing was entered for the document number.
    IdEmpty = "id.empty",
        "Enter the document number.",
        "請輸入證件號碼。";
    /// The number has characters no document number has.
    IdCharacters = "id.characters",
        "A document number has only letters and digits (spaces and brackets are ignored).",
        "證件號碼只可包含英文字母和數字（空格和括號會被略去）。";
    /// The number does not have the shape of this document type's numbers.
    IdFormat = "id.format",
        "The number does not have the format of this document type.",
        "號碼不符合此類證件的格式。";
    /// The number has no check digit.
    IdCheckDigitMissing = "id.check_digit_missing",
        "The check digit (the character in brackets) is missing.",
        "欠缺核對數字（括號內的字元）。";
    /// The check digit does not match the rest of the number.
    IdCheckDigit = "id.check_digit",
        "The check digit does not match the number. Check the number against the document.",
        "核對數字與號碼不符。請對照證件再核對號碼。";
    /// The document type is not on the reference list.
    IdUnknownType = "id.unknown_type",
        "This document type is not on the list of accepted identity documents.",
        "此證件類別不在認可身分證明文件的名單內。";
    /// A birth certificate number from before 1980 may not pass the check digit.
    IdPre1980Override = "id.pre_1980_override",
        "Birth certificates issued before 1980 may not pass the check digit. A supervisor must confirm the number against the certificate.",
        "1980年以前簽發的出生證明書號碼可能無法通過核對數字檢查。須由主管對照證明書確認號碼。";

    /// Nothing was entered for the English name.
    NameEmpty = "name.empty",
        "Enter the English name.",
        "請輸入英文姓名。";
    /// The English name has characters other than letters and separators.
    NameCharacters = "name.characters",
        "An English name has only letters, spaces, hyphens, apostrophes and full stops.",
        "英文姓名只可包含英文字母、空格、連字號、撇號及句號。";
    /// The English name is longer than the register allows.
    NameTooLong = "name.too_long",
        "The English name is too long (at most 40 characters for the surname and 80 for the given names).",
        "英文姓名過長（姓氏最多40個字元，名字最多80個字元）。";
    /// Given names were entered without a surname.
    NameSurnameMissing = "name.surname_missing",
        "Enter the surname. It comes before the comma, as printed on the identity card.",
        "請輸入姓氏。姓氏位於逗號之前，與身分證上所印的一樣。";
    /// The name has more than one comma.
    NameSeparator = "name.separator",
        "Use one comma only, between the surname and the given names.",
        "只可使用一個逗號，用以分隔姓氏和名字。";

    /// Nothing was entered for the Chinese name.
    ChineseNameEmpty = "chinese_name.empty",
        "Enter the Chinese name, or leave the field out.",
        "請輸入中文姓名，或不填此欄。";
    /// The Chinese name has characters that are not Chinese characters.
    ChineseNameCharacters = "chinese_name.characters",
        "A Chinese name has Chinese characters only.",
        "中文姓名只可包含中文字。";
    /// The Chinese name is longer than the register allows.
    ChineseNameTooLong = "chinese_name.too_long",
        "The Chinese name is too long (at most 20 characters).",
        "中文姓名過長（最多20個字）。";
    /// No Chinese Commercial Code was entered.
    CccEmpty = "ccc.empty",
        "Enter the Chinese Commercial Codes of the name.",
        "請輸入姓名的中文電碼。";
    /// A Chinese Commercial Code is not four digits.
    CccFormat = "ccc.format",
        "Each Chinese Commercial Code is four digits, separated by spaces.",
        "每個中文電碼由四位數字組成，以空格分隔。";
    /// A Chinese Commercial Code is not in the code table.
    CccUnknown = "ccc.unknown",
        "A Chinese Commercial Code is not in the code table. Key the Chinese name as characters instead.",
        "有中文電碼不在電碼表內。請改為直接輸入中文字。";
    /// More codes than a name has on the card.
    CccTooMany = "ccc.too_many",
        "A Chinese name has at most 6 Chinese Commercial Codes.",
        "中文姓名最多有6個中文電碼。";

    /// Nothing was entered for the date.
    DateEmpty = "date.empty",
        "Enter the date.",
        "請輸入日期。";
    /// The date is not in an accepted layout.
    DateFormat = "date.format",
        "Enter the date as DD/MM/YYYY (or MM/YYYY or YYYY for a date of birth), or as YYYY-MM-DD.",
        "請以「日/月/年」（出生日期亦可用「月/年」或「年」）或「年-月-日」格式輸入日期。";
    /// The day, month or year does not exist.
    DateOutOfRange = "date.out_of_range",
        "This date does not exist in the calendar, or is outside the years accepted.",
        "此日期不存在，或超出可接受的年份範圍。";
    /// The date of birth is after the day of the transaction.
    DateDobAfterTransaction = "date.dob_after_transaction",
        "The date of birth is after today's date.",
        "出生日期遲於今天的日期。";
    /// Nothing usable was entered for sex.
    SexFormat = "sex.format",
        "Enter the sex as M (male) or F (female).",
        "請輸入性別：M（男）或F（女）。";

    /// A person under 16 cannot register themselves.
    EligibilitySdmRequiredUnder16 = "eligibility.sdm_required_under_16",
        "A person under 16 is registered by a substitute decision maker, not in person.",
        "未滿16歲人士須由代決人代為登記，不可自行登記。";
    /// A person who cannot consent cannot register themselves.
    EligibilitySelfLacksCapacity = "eligibility.self_lacks_capacity",
        "A person recorded as unable to consent is registered by a substitute decision maker.",
        "已記錄為無能力給予同意的人士須由代決人代為登記。";
    /// An SDM for a capable person aged 16 or over.
    EligibilitySdmNeedsIncapacityGround = "eligibility.sdm_needs_incapacity_ground",
        "A person aged 16 or over registers in person, unless one of the four grounds of incapacity is recorded.",
        "年滿16歲人士須親自登記，除非已記錄四項無能力理由之一。";
    /// The relationship is not one that may act for this age group.
    EligibilityRelationshipNotForAge = "eligibility.relationship_not_for_age",
        "This relationship cannot act as substitute decision maker for a person of this age.",
        "此關係人士不可為此年齡的人士擔任代決人。";
    /// This SDM type must apply at a counter.
    EligibilitySdmTypeNotOnline = "eligibility.sdm_type_not_online",
        "Only a parent, a family member or a person residing with the patient may apply online as substitute decision maker. Others apply at a registration counter.",
        "只有父母、家人或與病人同住的人士可在網上以代決人身分申請。其他代決人須到登記櫃位辦理。";
    /// The transaction date is before the date of birth.
    EligibilityDobAfterTransaction = "eligibility.dob_after_transaction",
        "The date of birth is after the date of the transaction.",
        "出生日期遲於辦理日期。";

    /// Reason: a capable person aged 16 or over registers in person.
    ReasonSelf16Plus = "reason.self_16_plus",
        "The person is 16 or over and able to consent, so registers in person.",
        "此人士年滿16歲並有能力給予同意，可親自登記。";
    /// Reason: under 16, an SDM acts.
    ReasonUnder16 = "reason.under_16",
        "The person is under 16, so a substitute decision maker acts for them.",
        "此人士未滿16歲，須由代決人代為行事。";
    /// Reason: 16 or over with a ground of incapacity, an SDM acts.
    ReasonIncapable16Plus = "reason.incapable_16_plus",
        "The person is 16 or over and a ground of incapacity is recorded, so a substitute decision maker acts for them.",
        "此人士年滿16歲並已記錄無能力理由，須由代決人代為行事。";
    /// Reason: the date of birth is not precise, so the lower possible age is used.
    ReasonAgeUncertain = "reason.age_uncertain",
        "Only the month or year of birth is known, so the youngest possible age is used.",
        "只知道出生年份或月份，因此以最小可能年齡計算。";
    /// Reason: the SDM is in the first tiers (a to c).
    ReasonTierTop = "reason.tier_top",
        "This relationship is in the first tiers (a to c) and may act without further condition.",
        "此關係屬首三級（a至c），可直接擔任代決人。";
    /// Reason: the SDM is in tier d.
    ReasonTierD = "reason.tier_d",
        "A family member or a person residing with the patient (tier d) may act only if no tier a to c SDM exists.",
        "家人或同住人士（d級）只可在沒有a至c級代決人時擔任代決人。";
    /// Reason: the SDM is in tier e.
    ReasonTierE = "reason.tier_e",
        "A prescribed healthcare provider (tier e) may act only if no tier a to d SDM exists.",
        "訂明醫療服務提供者（e級）只可在沒有a至d級代決人時擔任代決人。";
    /// Reason: a parent of an adult acts as a family member.
    ReasonParentOfAdult = "reason.parent_of_adult",
        "For a person aged 16 or over, a parent acts as a family member (tier d), or as guardian if appointed.",
        "對於年滿16歲人士，父母以家人身分（d級）擔任代決人，或如獲委任則以監護人身分擔任。";
    /// Reason: names or date of birth differ between the read and the application.
    ReasonFieldsDiffer = "reason.fields_differ",
        "Some particulars differ between the document presented and the application.",
        "所出示證件與申請表上的部分資料不符。";

    /// Need: an image of the SDM's supporting document.
    NeedSupportingDocument = "need.supporting_document",
        "Capture an image of the document that appoints this substitute decision maker (guardianship or court order, or the healthcare provider's letter of declaration).",
        "請擷取委任此代決人的文件影像（監護令或法庭命令，或醫療服務提供者的聲明書）。";
    /// Need: the clerk declares that no higher-tier SDM exists.
    NeedNoHigherTierDeclaration = "need.no_higher_tier_declaration",
        "Declare that the applicant has confirmed that no substitute decision maker of a higher tier exists.",
        "請聲明申請人已確認沒有較高級別的代決人。";
    /// Need: an image of the patient's identity document (SDM applications).
    NeedPatientDocumentCopy = "need.patient_document_copy",
        "Capture an image of a copy of the patient's identity document.",
        "請擷取病人身分證明文件副本的影像。";
    /// Need: a supervisor signs off a mismatch between read and application.
    NeedSupervisorFieldMismatch = "need.supervisor.field_mismatch",
        "A supervisor must sign off before going ahead with particulars that differ from the application.",
        "資料與申請表不符，須經主管批准方可繼續。";
    /// Need: a supervisor signs off a pre-1980 birth certificate number.
    NeedSupervisorPre1980 = "need.supervisor.pre_1980_birth_certificate",
        "A supervisor must confirm this pre-1980 birth certificate number against the certificate.",
        "須由主管對照出生證明書確認此1980年以前的號碼。";

    /// The transition is not allowed from the current state.
    LifecycleIllegalTransition = "lifecycle.illegal_transition",
        "This step is not possible in the record's current state.",
        "記錄目前的狀態不可進行此步驟。";
    /// An event is dated before an earlier event of the same record.
    LifecycleDateOrder = "lifecycle.date_order",
        "This step is dated before an earlier step of the same record.",
        "此步驟的日期早於同一記錄較早的步驟。";
    /// The application has expired.
    ApplicationExpired = "application.expired",
        "The application has expired and cannot be activated. Register the person in person instead; the details can be copied from the application.",
        "申請已過期，不可啟動。請改為即場登記，可沿用申請表上的資料。";
    /// The document presented is not the one in the application.
    ActivationDifferentDocument = "activation.different_document",
        "The document presented is not the one used in the application. Activation needs the same document type and number.",
        "所出示的證件與申請時使用的不同。啟動須出示相同類別及號碼的證件。";
    /// Completion of a newborn record needs a verified birth certificate number.
    RegistrationNeedsBirthCertificate = "registration.needs_birth_certificate",
        "Completing a newborn record needs a Hong Kong birth certificate number that passes the check digit.",
        "完成新生嬰兒記錄須提供通過核對數字檢查的香港出生證明書號碼。";
    /// Public providers hold consent automatically.
    ConsentPublicFixed = "consent.public_fixed",
        "Public providers (HA, DH, the Primary Healthcare Commission, government and HA facilities) hold sharing consent automatically; it cannot be changed at the counter.",
        "公營機構（醫管局、衞生署、基層醫療署及政府和醫管局轄下設施）自動獲得互通同意，不可在櫃位更改。";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A code with its bilingual text: the shape in which every refusal, reason
/// and requirement crosses a boundary.
///
/// Built only from fixed text (see [`Message::new`] and
/// [`Message::with_hint`]), so it never holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// The stable code.
    pub code: Code,
    /// The text in English.
    pub message_en: String,
    /// The text in Traditional Chinese.
    pub message_zh: String,
}

impl Message {
    /// The code's own fixed text.
    pub fn new(code: Code) -> Self {
        let (en, zh) = code.messages();
        Message {
            code,
            message_en: en.to_owned(),
            message_zh: zh.to_owned(),
        }
    }

    /// The code's text followed by a fixed hint (for example the expected
    /// format of a document type).
    pub fn with_hint(code: Code, hint: (&'static str, &'static str)) -> Self {
        let (en, zh) = code.messages();
        Message {
            code,
            message_en: format!("{en} {}", hint.0),
            message_zh: format!("{zh}{}", hint.1),
        }
    }
}

impl From<Code> for Message {
    fn from(code: Code) -> Self {
        Message::new(code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_dotted_and_round_trip() {
        let mut seen = BTreeSet::new();
        for &c in Code::ALL {
            let s = c.as_str();
            assert!(seen.insert(s), "duplicate wire form {s}");
            assert!(s.contains('.'), "{s} is dotted");
            assert!(s.chars().all(|ch| ch.is_ascii_lowercase()
                || ch == '.'
                || ch == '_'
                || ch.is_ascii_digit()));
            assert_eq!(Code::from_wire(s), Some(c));
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{s}\""));
            assert_eq!(serde_json::from_str::<Code>(&json).unwrap(), c);
        }
        assert_eq!(Code::from_wire("id.nope"), None);
    }

    #[test]
    fn every_code_has_english_and_chinese_text() {
        for &c in Code::ALL {
            let (en, zh) = c.messages();
            assert!(en.ends_with('.'), "{c}: {en}");
            assert!(zh.ends_with('。'), "{c}: {zh}");
            assert!(
                zh.chars().any(|ch| ('\u{4E00}'..='\u{9FFF}').contains(&ch)),
                "{c}: {zh}"
            );
        }
    }

    #[test]
    fn with_hint_appends_fixed_text() {
        let m = Message::with_hint(
            Code::IdFormat,
            ("Example: A123456(3).", "例如：A123456(3)。"),
        );
        assert_eq!(m.code, Code::IdFormat);
        assert!(m.message_en.ends_with("Example: A123456(3)."));
        assert!(m.message_zh.ends_with("例如：A123456(3)。"));
    }
}
