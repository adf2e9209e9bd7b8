//! Cooperatives and enterprises (合作社, 龙头企业) of a village: their member households with their
//! shares, and the land they lease from households (土地流转) with its area and yearly rent.

use crate::error::{check_text, opt_text, DomainError, DomainResult};
use crate::money::Fen;
use crate::regions::RegionCode;
use crate::registry::HouseholdId;
use serde::{Deserialize, Serialize};
use time::Date;

/// Database id of a cooperative or enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct CooperativeId(pub i64);

/// A cooperative or an enterprise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CooperativeKind {
    /// 农民专业合作社
    Cooperative,
    /// 企业
    Enterprise,
}

impl CooperativeKind {
    pub const ALL: [CooperativeKind; 2] =
        [CooperativeKind::Cooperative, CooperativeKind::Enterprise];
    pub fn as_str(self) -> &'static str {
        match self {
            CooperativeKind::Cooperative => "cooperative",
            CooperativeKind::Enterprise => "enterprise",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            CooperativeKind::Cooperative => "合作社",
            CooperativeKind::Enterprise => "企业",
        }
    }
    pub fn parse(s: &str) -> Option<CooperativeKind> {
        let s = s.trim();
        CooperativeKind::ALL
            .into_iter()
            .find(|c| c.as_str() == s || c.label() == s)
    }
}

/// A member household and its shares (入股).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = CooperativeMember))]
#[serde(deny_unknown_fields)]
pub struct Member {
    pub household_id: HouseholdId,
    pub shares: i64,
    pub joined_on: Date,
}

/// Land leased from a household (土地流转): area in hundredths of a mu, yearly rent in fen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Lease {
    pub household_id: HouseholdId,
    /// Area in hundredths of a mu (亩 × 100): 2.5 mu is 250.
    pub area_centimu: i64,
    pub rent_fen_per_year: i64,
    pub from: Date,
    #[serde(default)]
    pub to: Option<Date>,
}

/// A cooperative or enterprise as sent by a client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CooperativeInput {
    pub village_code: String,
    pub name: String,
    /// `cooperative` or `enterprise` (合作社 / 企业).
    pub kind: String,
    /// The legal representative or person in charge.
    pub leader: String,
    pub founded_on: Date,
    /// Its production base (基地) in hundredths of a mu.
    #[serde(default)]
    pub base_centimu: i64,
    /// Investment (fen), for an enterprise.
    #[serde(default)]
    pub investment_fen: i64,
    #[serde(default)]
    pub members: Vec<Member>,
    #[serde(default)]
    pub leases: Vec<Lease>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked cooperative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CooperativeData {
    pub village_code: RegionCode,
    pub name: String,
    pub kind: CooperativeKind,
    pub leader: String,
    pub founded_on: Date,
    pub base_centimu: i64,
    pub investment_fen: i64,
    pub members: Vec<Member>,
    pub leases: Vec<Lease>,
    pub note: Option<String>,
}

fn area(field: String, v: i64) -> DomainResult<i64> {
    if !(0..=100_000_000).contains(&v) {
        return Err(DomainError::invalid(
            field.clone(),
            "out_of_range",
            format!("{field} 须在 0 到 100000000（百分之一亩）之间"),
        ));
    }
    Ok(v)
}

impl CooperativeInput {
    pub fn validate(&self) -> DomainResult<CooperativeData> {
        let village_code = RegionCode::parse_field("village_code", &self.village_code)?;
        if !village_code.is_village() {
            return Err(DomainError::invalid(
                "village_code",
                "not_a_village",
                format!("{} 不是村级区划代码", village_code.as_str()),
            ));
        }
        let kind = CooperativeKind::parse(&self.kind).ok_or_else(|| {
            DomainError::invalid(
                "kind",
                "unknown_cooperative_kind",
                format!("kind 的取值“{}”不是合作社或企业", self.kind),
            )
        })?;
        let mut members: Vec<Member> = Vec::with_capacity(self.members.len());
        for (i, m) in self.members.iter().enumerate() {
            if m.shares <= 0 || m.shares > 1_000_000_000 {
                return Err(DomainError::invalid(
                    format!("members[{i}].shares"),
                    "out_of_range",
                    format!("members[{i}].shares 须在 1 到 1000000000 之间"),
                ));
            }
            if members.iter().any(|x| x.household_id == m.household_id) {
                return Err(DomainError::invalid(
                    format!("members[{i}]"),
                    "repeated_member",
                    format!("户 {} 重复填写为成员", m.household_id.0),
                ));
            }
            members.push(m.clone());
        }
        let mut leases = Vec::with_capacity(self.leases.len());
        for (i, l) in self.leases.iter().enumerate() {
            let a = area(format!("leases[{i}].area_centimu"), l.area_centimu)?;
            if a == 0 {
                return Err(DomainError::invalid(
                    format!("leases[{i}].area_centimu"),
                    "out_of_range",
                    format!("leases[{i}].area_centimu 须大于 0"),
                ));
            }
            Fen::input(
                &format!("leases[{i}].rent_fen_per_year"),
                l.rent_fen_per_year,
            )?;
            if l.to.is_some_and(|t| t < l.from) {
                return Err(DomainError::invalid(
                    format!("leases[{i}].to"),
                    "end_before_start",
                    format!("leases[{i}].to 早于开始日期"),
                ));
            }
            leases.push(l.clone());
        }
        Ok(CooperativeData {
            village_code,
            name: check_text("name", &self.name, 200)?,
            kind,
            leader: check_text("leader", &self.leader, 100)?,
            founded_on: self.founded_on,
            base_centimu: area("base_centimu".into(), self.base_centimu)?,
            investment_fen: Fen::input("investment_fen", self.investment_fen)?.get(),
            members,
            leases,
            note: opt_text("note", &self.note, 1000)?,
        })
    }
}

/// A cooperative or enterprise as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Cooperative {
    pub id: CooperativeId,
    #[serde(flatten)]
    pub data: CooperativeData,
    pub kind_label: String,
    pub village_name: String,
    /// Σ shares of its members.
    pub total_shares: i64,
    /// Σ area leased from households (hundredths of a mu).
    pub leased_centimu: i64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn ok() -> CooperativeInput {
        CooperativeInput {
            village_code: "360124106204".into(),
            name: "塔岗果蔬种植专业合作社".into(),
            kind: "合作社".into(),
            leader: "李某".into(),
            founded_on: date!(2016 - 03 - 01),
            base_centimu: 5_000,
            investment_fen: 0,
            members: vec![Member {
                household_id: HouseholdId(1),
                shares: 1,
                joined_on: date!(2016 - 03 - 01),
            }],
            leases: vec![Lease {
                household_id: HouseholdId(1),
                area_centimu: 250,
                rent_fen_per_year: 100_000,
                from: date!(2016 - 03 - 01),
                to: None,
            }],
            note: None,
        }
    }

    #[test]
    fn cooperative_rules() {
        let d = ok().validate().unwrap();
        assert_eq!(d.kind, CooperativeKind::Cooperative);
        let mut bad = ok();
        bad.members.push(bad.members[0].clone());
        assert_eq!(bad.validate().unwrap_err().code, "repeated_member");
        let mut bad = ok();
        bad.leases[0].to = Some(date!(2015 - 01 - 01));
        assert_eq!(
            bad.validate().unwrap_err().field.as_deref(),
            Some("leases[0].to")
        );
        let mut bad = ok();
        bad.kind = "公司".into();
        assert_eq!(bad.validate().unwrap_err().code, "unknown_cooperative_kind");
        let mut bad = ok();
        bad.leases[0].area_centimu = 0;
        assert_eq!(bad.validate().unwrap_err().code, "out_of_range");
    }
}
