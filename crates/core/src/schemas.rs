//! The JSON schemas of the newtypes whose JSON form is not their Rust shape (feature `openapi`,
//! for the web crate's API description): a region code is a string of 12 digits, money integer fen,
//! an ID number a (masked) string. The other types derive theirs beside their definitions
//! (`cfg_attr(feature = "openapi", derive(utoipa::ToSchema))`), from the same serde attributes
//! that shape their JSON. Written by hand here rather than with `#[schema(value_type = …)]` on every
//! field that holds one, so that each is said once.

use crate::id_number::IdNumber;
use crate::money::{Fen, PerCapita};
use crate::regions::RegionCode;
use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

fn string(description: &str, pattern: Option<&str>, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .pattern(pattern)
        .examples([example])
        .into()
}

fn fen(description: &str, example: i64) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .description(Some(description))
        .examples([example])
        .into()
}

/// Accepted as 2, 4, 6, 9 or 12 digits (shorter codes are padded with zeros, as some lists write
/// them); always answered with 12.
impl PartialSchema for RegionCode {
    fn schema() -> RefOr<Schema> {
        string(
            "12 位统计用区划代码（省 2 + 市 2 + 县 2 + 乡 3 + 村 3）；输入时 2、4、6、9 位的代码以 0 补足。 \
             A 12-digit statistical division code (province 2, city 2, county 2, township 3, \
             village 3); a code of 2, 4, 6 or 9 digits is padded with zeros on input.",
            Some("^([0-9]{2}|[0-9]{4}|[0-9]{6}|[0-9]{9}|[0-9]{12})$"),
            "110101001001",
        )
    }
}
impl ToSchema for RegionCode {}

impl PartialSchema for Fen {
    fn schema() -> RefOr<Schema> {
        fen(
            "金额，以分为单位的整数（1 元 = 100 分）。 An amount in integer fen (1 yuan = 100 fen).",
            350_000,
        )
    }
}
impl ToSchema for Fen {}

impl PartialSchema for PerCapita {
    fn schema() -> RefOr<Schema> {
        fen(
            "人均金额，以分为单位的整数（四舍五入到分）。 An amount per person in integer fen \
             (rounded half away from zero).",
            421_050,
        )
    }
}
impl ToSchema for PerCapita {}

/// Only answered (requests carry ID numbers as plain strings, checked by the rules).
impl PartialSchema for IdNumber {
    fn schema() -> RefOr<Schema> {
        string(
            "18 位身份证号（末位校验码可为 X）；默认脱敏：只显示前 4 位和后 4 位。 An 18-character ID \
             number (the check character may be X); masked by default: only the first and last four \
             characters shown.",
            None,
            "3601**********0012",
        )
    }
}
impl ToSchema for IdNumber {}
