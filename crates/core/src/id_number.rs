//! Resident ID numbers (公民身份号码, GB 11643-1999): check digit, birth date, sex, masking.
//!
//! An `IdNumber` is personal data. Its `Debug` and `Display` print the masked form, so it cannot end up
//! in a log or an error message by accident; the full number is only reachable through `expose()`.

use crate::error::{DomainError, DomainResult};
use serde::{Serialize, Serializer};
use std::fmt;
use time::{Date, Month};

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// Sex as encoded by the 17th digit (odd = male).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
    pub fn parse(s: &str) -> Option<Sex> {
        match s.trim() {
            "male" | "m" | "M" | "男" | "1" => Some(Sex::Male),
            "female" | "f" | "F" | "女" | "2" => Some(Sex::Female),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }
}

/// A validated 18-character ID number (upper-case `X`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// The MOD 11-2 check character for the first 17 digits.
pub fn check_char(body17: &[u8]) -> u8 {
    let s: u32 = body17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(s % 11) as usize]
}

impl IdNumber {
    /// Parse and validate an ID number; 15-digit legacy numbers are upgraded to 18.
    pub fn parse(text: &str) -> DomainResult<Self> {
        Self::parse_field("id_number", text)
    }

    pub fn parse_field(field: &str, text: &str) -> DomainResult<Self> {
        // typed as people type it: full-width digits and Ｘ (a Chinese input method's full-width
        // mode), a lower-case x, spaces around it (the ideographic space too)
        let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}');
        // (a number typed in half width, as nearly all are, needs no mapping character by
        // character: one upper-casing copy, as every member of an imported file is parsed)
        let t: String = if trimmed.is_ascii() {
            trimmed.to_ascii_uppercase()
        } else {
            trimmed
                .chars()
                .map(|c| match c {
                    '０'..='９' => char::from_digit(c as u32 - '０' as u32, 10).unwrap_or(c),
                    'Ｘ' | 'ｘ' => 'X',
                    c => c.to_ascii_uppercase(),
                })
                .collect()
        };
        let invalid =
            |code: &'static str, msg: &str| DomainError::invalid(field, code, msg.to_string());
        // lengths in characters, as a person counts them (a full-width digit is one, not three)
        let n = t.chars().count();
        if !t.is_ascii() && matches!(n, 15 | 18) {
            return Err(invalid(
                "invalid_id_number",
                "身份证号只能由数字和末位X组成",
            ));
        }
        let b = t.as_bytes();
        let full: Vec<u8> = match if t.is_ascii() { b.len() } else { n } {
            18 => {
                if !b[..17].iter().all(u8::is_ascii_digit)
                    || !(b[17].is_ascii_digit() || b[17] == b'X')
                {
                    return Err(invalid(
                        "invalid_id_number",
                        "身份证号只能由数字和末位X组成",
                    ));
                }
                b.to_vec()
            }
            15 => {
                if !b.iter().all(u8::is_ascii_digit) {
                    return Err(invalid("invalid_id_number", "15位身份证号只能由数字组成"));
                }
                let mut v = Vec::with_capacity(18);
                v.extend_from_slice(&b[..6]);
                v.extend_from_slice(b"19");
                v.extend_from_slice(&b[6..15]);
                let c = check_char(&v);
                v.push(c);
                v
            }
            n => {
                return Err(DomainError::invalid(
                    field,
                    "invalid_id_number",
                    format!("身份证号应为18位（或15位旧号），实际 {n} 位"),
                ))
            }
        };
        if birth_date_of(&full).is_none() {
            return Err(invalid(
                "invalid_birth_date",
                "身份证号中的出生日期不是有效日期",
            ));
        }
        if full[17] != check_char(&full[..17]) {
            return Err(invalid(
                "invalid_check_digit",
                "身份证号校验位错误（GB 11643 MOD 11-2）",
            ));
        }
        Ok(IdNumber(String::from_utf8(full).expect("ascii")))
    }

    /// The full number. Use only where the full value is needed (storage, an audited unmasked read).
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> Date {
        birth_date_of(self.0.as_bytes()).expect("validated on parse")
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// The 6-digit address code (county of registration).
    pub fn address_code(&self) -> &str {
        &self.0[..6]
    }

    /// Masked form: first 4 and last 4 characters, e.g. `3601**********0011`.
    pub fn masked(&self) -> String {
        mask_id(&self.0)
    }
}

/// The province codes of GB/T 2260 (the first two digits of every address code).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// What the division list says of an ID number's address code (its first six digits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressCodeListing {
    /// The code is a region of the list.
    Listed,
    /// The list holds the code's province but not the code.
    NotListed,
    /// The list does not hold the code's province (a deployment loads only its own provinces).
    ProvinceNotLoaded,
}

/// A warning on an ID number whose address code is not a known administrative code: not a
/// refusal, because the code is the county of first registration and a county abolished or
/// renumbered since (many were) still stands in the numbers issued there. `None` when nothing is
/// wrong as far as the list can tell.
pub fn address_code_warning(id: &IdNumber, listing: AddressCodeListing) -> Option<String> {
    let code = id.address_code();
    if !PROVINCES.contains(&&code[..2]) {
        return Some(format!(
            "身份证号前两位 {} 不是省级行政区划代码，请核对（不影响保存）",
            &code[..2]
        ));
    }
    (listing == AddressCodeListing::NotListed).then(|| {
        format!(
            "身份证号前六位 {code} 不在现行区划代码表中；若为已撤销或调整的旧县级代码属正常，否则请核对（不影响保存）"
        )
    })
}

/// Mask an ID-like string: keep the first 4 and last 4 characters.
pub fn mask_id(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let n = chars.len();
    format!(
        "{}{}{}",
        chars[..4].iter().collect::<String>(),
        "*".repeat(n - 8),
        chars[n - 4..].iter().collect::<String>()
    )
}

/// Mask a phone number: keep the first 3 and last 4 digits (`138****0011`).
pub fn mask_phone(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n <= 7 {
        return "*".repeat(n);
    }
    format!(
        "{}{}{}",
        chars[..3].iter().collect::<String>(),
        "*".repeat(n - 7),
        chars[n - 4..].iter().collect::<String>()
    )
}

/// Mask a bank account: keep only the last 4 characters.
pub fn mask_account(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n <= 4 {
        return "*".repeat(n);
    }
    format!(
        "{}{}",
        "*".repeat(n - 4),
        chars[n - 4..].iter().collect::<String>()
    )
}

fn birth_date_of(b: &[u8]) -> Option<Date> {
    let num = |r: std::ops::Range<usize>| std::str::from_utf8(&b[r]).ok()?.parse::<u32>().ok();
    let y = num(6..10)? as i32;
    let m = Month::try_from(num(10..12)? as u8).ok()?;
    let d = num(12..14)? as u8;
    if y < 1800 {
        return None;
    }
    Date::from_calendar_date(y, m, d).ok()
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// Serialises masked. A response that must carry the full number builds it from `expose()` on purpose.
impl Serialize for IdNumber {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_codes_unknown_to_the_list_warn() {
        let id = |body: &str| {
            IdNumber::parse(&format!("{body}{}", check_char(body.as_bytes()) as char)).unwrap()
        };
        let jx = id("36012419800101001");
        let zero = id("00000019800101001");
        let ninety = id("99000019800101001");
        use AddressCodeListing::*;
        // (id, listing, warns, fragment)
        let cases = [
            (&jx, Listed, false, ""),
            (&jx, ProvinceNotLoaded, false, ""),
            (&jx, NotListed, true, "360124"),
            (&zero, Listed, true, "前两位 00"),
            (&zero, ProvinceNotLoaded, true, "前两位 00"),
            (&ninety, ProvinceNotLoaded, true, "前两位 99"),
        ];
        for (i, (id, listing, warns, frag)) in cases.into_iter().enumerate() {
            let w = address_code_warning(id, listing);
            assert_eq!(w.is_some(), warns, "case {i}");
            assert!(w.unwrap_or_default().contains(frag), "case {i}");
        }
    }
    use time::macros::date;

    #[test]
    fn standard_examples_are_valid() {
        let a = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(a.birth_date(), date!(1949 - 12 - 31));
        assert_eq!(a.sex(), Sex::Female);
        assert_eq!(a.address_code(), "110105");
        let b = IdNumber::parse("440524188001010014").unwrap();
        assert_eq!(b.birth_date(), date!(1880 - 01 - 01));
        assert_eq!(b.sex(), Sex::Male);
        assert_eq!(check_char(b"34052419800101001"), b'X');
        // lower-case x is accepted and normalised
        assert_eq!(
            IdNumber::parse("11010519491231002x").unwrap().expose(),
            "11010519491231002X"
        );
    }

    #[test]
    fn wrong_check_digit_rejected() {
        assert_eq!(
            IdNumber::parse("110105194912310021").unwrap_err().code,
            "invalid_check_digit"
        );
        assert_eq!(
            IdNumber::parse("440524188001010015").unwrap_err().code,
            "invalid_check_digit"
        );
    }

    #[test]
    fn impossible_dates_rejected() {
        // 1900 is not a leap year: 1900-02-29 does not exist (check digit computed to isolate the date rule)
        let mut body = b"36012419000229001".to_vec();
        body.push(check_char(&body));
        let s = String::from_utf8(body).unwrap();
        assert_eq!(IdNumber::parse(&s).unwrap_err().code, "invalid_birth_date");
        let mut body = b"36012420001301001".to_vec();
        body.push(check_char(&body));
        assert_eq!(
            IdNumber::parse(std::str::from_utf8(&body).unwrap())
                .unwrap_err()
                .code,
            "invalid_birth_date"
        );
        // 2000-02-29 does exist
        let mut body = b"36012420000229001".to_vec();
        body.push(check_char(&body));
        assert!(IdNumber::parse(std::str::from_utf8(&body).unwrap()).is_ok());
    }

    #[test]
    fn malformed_rejected() {
        for bad in [
            "",
            "123",
            "1101051949123100XX",
            "11010519491231002Y",
            "1101051949123100２Y",
        ] {
            assert_eq!(
                IdNumber::parse(bad).unwrap_err().code,
                "invalid_id_number",
                "{bad}"
            );
        }
    }

    #[test]
    fn full_width_digits_are_the_same_number() {
        let ascii = IdNumber::parse("11010519491231002X").unwrap();
        for typed in [
            "１１０１０５１９４９１２３１００２Ｘ",
            "１１０１０５１９４９１２３１００２ｘ",
            "\u{3000}11010519491231002x ",
            "11010519491231002ｘ",
            // the input method switched half-way
            "1101051949123100２X",
        ] {
            assert_eq!(IdNumber::parse(typed).unwrap(), ascii, "{typed}");
        }
        // a full-width number is checked like any other: a wrong check digit is still refused
        let e = IdNumber::parse("１１０１０５１９４９１２３１００２１").unwrap_err();
        assert_eq!(e.code, "invalid_check_digit", "{}", e.message);
        // other characters than digits and X are refused whatever their width
        let e = IdNumber::parse("１１０１０５１９４９１２３１００２Ａ").unwrap_err();
        assert_eq!(e.code, "invalid_id_number");
    }

    #[test]
    fn lengths_are_counted_in_characters() {
        // 18 characters, some of them not digits (54 bytes in UTF-8 in full width)
        let e = IdNumber::parse("一一〇一〇五一九四九一二三一〇〇二Ｘ").unwrap_err();
        assert_eq!(e.code, "invalid_id_number");
        assert!(!e.message.contains("54"), "{}", e.message);
        let e = IdNumber::parse("１１０１０５１９４９").unwrap_err();
        assert!(e.message.contains("实际 10 位"), "{}", e.message);
        let e = IdNumber::parse("11010519491231002").unwrap_err();
        assert!(e.message.contains("实际 17 位"), "{}", e.message);
    }

    #[test]
    fn fifteen_digits_upgraded() {
        // 15-digit 110105491231002 → 11010519491231002 + check X
        let id = IdNumber::parse("110105491231002").unwrap();
        assert_eq!(id.expose(), "11010519491231002X");
    }

    #[test]
    fn masked_everywhere() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.masked(), "1101**********002X");
        assert_eq!(format!("{id:?}"), "IdNumber(1101**********002X)");
        assert_eq!(id.to_string(), "1101**********002X");
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            "\"1101**********002X\""
        );
        assert_eq!(mask_phone("13800138011"), "138****8011");
        assert_eq!(mask_account("6217001234567890"), "************7890");
    }
}
