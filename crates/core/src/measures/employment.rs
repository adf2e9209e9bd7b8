//! Employment (务工就业): its forms, and where the work is (县内 / 县外省内 / 跨省), derived from the
//! employer's region against the household's village, never typed in.

use crate::error::{DomainError, DomainResult};
use crate::regions::{Level, RegionCode};
use serde::{Deserialize, Serialize};

/// How a person is employed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EmploymentForm {
    /// 外出务工
    MigrantWork,
    /// 扶贫车间
    Workshop,
    /// 公益性岗位
    PublicWelfarePost,
    /// 自主创业
    SelfEmployed,
    /// 灵活就业
    Flexible,
}

impl EmploymentForm {
    pub const ALL: [EmploymentForm; 5] = [
        EmploymentForm::MigrantWork,
        EmploymentForm::Workshop,
        EmploymentForm::PublicWelfarePost,
        EmploymentForm::SelfEmployed,
        EmploymentForm::Flexible,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentForm::MigrantWork => "migrant_work",
            EmploymentForm::Workshop => "workshop",
            EmploymentForm::PublicWelfarePost => "public_welfare_post",
            EmploymentForm::SelfEmployed => "self_employed",
            EmploymentForm::Flexible => "flexible",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            EmploymentForm::MigrantWork => "外出务工",
            EmploymentForm::Workshop => "扶贫车间",
            EmploymentForm::PublicWelfarePost => "公益性岗位",
            EmploymentForm::SelfEmployed => "自主创业",
            EmploymentForm::Flexible => "灵活就业",
        }
    }
    /// By identifier or Chinese label.
    pub fn parse(s: &str) -> Option<EmploymentForm> {
        let s = s.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s || f.label() == s)
    }
}

/// Where the work is, seen from the household's village.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Destination {
    /// 县内
    InCounty,
    /// 县外省内
    InProvince,
    /// 跨省
    CrossProvince,
}

impl Destination {
    pub const ALL: [Destination; 3] = [
        Destination::InCounty,
        Destination::InProvince,
        Destination::CrossProvince,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Destination::InCounty => "in_county",
            Destination::InProvince => "in_province",
            Destination::CrossProvince => "cross_province",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Destination::InCounty => "县内",
            Destination::InProvince => "县外省内",
            Destination::CrossProvince => "跨省",
        }
    }
    pub fn parse(s: &str) -> Option<Destination> {
        Self::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// Where an employer in `employer` lies from a household in `village`. The employer's code must
    /// be precise enough to tell: another province may be named by its province code alone, but
    /// work in the household's own province needs the county (or, for another city, the city).
    /// A city without counties (东莞) counts as one county: its code prefix is the county prefix.
    pub fn derive(
        field: &str,
        employer: &RegionCode,
        village: &RegionCode,
    ) -> DomainResult<Destination> {
        let (e, v) = (employer.as_str(), village.as_str());
        if e[..2] != v[..2] {
            return Ok(Destination::CrossProvince);
        }
        let level = employer.level();
        if level >= Level::County || employer.skips_county() {
            return Ok(if e[..6] == v[..6] {
                Destination::InCounty
            } else {
                Destination::InProvince
            });
        }
        if level == Level::City && e[..4] != v[..4] {
            return Ok(Destination::InProvince);
        }
        Err(DomainError::invalid(
            field,
            "region_too_coarse",
            format!("{field} 须填写到县级区划，才能判断是县内还是县外省内就业"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn destination_by_region() {
        let tagang = c("360124106204");
        let d = |e: &str| Destination::derive("employer_region_code", &c(e), &tagang);
        // the same county: a village, a township, the county itself
        assert_eq!(d("360124106205").unwrap(), Destination::InCounty);
        assert_eq!(d("360124100000").unwrap(), Destination::InCounty);
        assert_eq!(d("360124000000").unwrap(), Destination::InCounty);
        // another county of the same city, another city of the province
        assert_eq!(d("360121000000").unwrap(), Destination::InProvince);
        assert_eq!(d("360700000000").unwrap(), Destination::InProvince);
        // another province, however coarse
        assert_eq!(d("440000000000").unwrap(), Destination::CrossProvince);
        assert_eq!(d("441900003000").unwrap(), Destination::CrossProvince);
        // the own province or city alone cannot tell county from province
        for coarse in ["360000000000", "360100000000"] {
            let e = d(coarse).unwrap_err();
            assert_eq!(
                (e.code, e.field.as_deref()),
                ("region_too_coarse", Some("employer_region_code"))
            );
        }
        // a city without counties is one county
        let dongguan = c("441900003001");
        assert_eq!(
            Destination::derive("x", &c("441900101000"), &dongguan).unwrap(),
            Destination::InCounty
        );
        assert_eq!(
            Destination::derive("x", &c("440300000000"), &dongguan).unwrap(),
            Destination::InProvince
        );
    }

    #[test]
    fn forms_by_label() {
        assert_eq!(
            EmploymentForm::parse("扶贫车间"),
            Some(EmploymentForm::Workshop)
        );
        assert_eq!(
            EmploymentForm::parse("flexible"),
            Some(EmploymentForm::Flexible)
        );
        assert_eq!(EmploymentForm::parse("种地"), None);
    }
}
