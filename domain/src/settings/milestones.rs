//! Seed 4's remaining key-village targets (issue 22): the living-environment and governance
//! milestones with their deadline years, the industry plan, stable work for every household with
//! labour and hardened roads to every natural village (group) of 30+ households.

use serde::{Deserialize, Serialize};

use super::YearTarget;
use crate::error::FieldError;

/// Deadlines (years) of seed 4's milestones and its two "every …" targets, as the county sets
/// them (`key_village.milestones`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MilestoneTargets {
    /// 到2022年底,完成产业规划方案编制: the year by which the industry plan is adopted.
    pub industry_plan_year: i32,
    /// 到2021年底,生活垃圾、污水治理工作体系基本建成.
    pub garbage_sewage_year: i32,
    /// 到2021年底,村规民约等制度进一步健全.
    pub village_rules_year: i32,
    /// 到2021年底,村民委员会换届工作顺利完成.
    pub committee_election_year: i32,
    /// 到2023年,文化院坝等阵地全面建成.
    pub cultural_courtyard_year: i32,
    /// 到2023年,"定向议事代表会议"制度全面推行 (村民议事会).
    pub deliberation_council_year: i32,
    /// 到2025年,所有重点帮扶村新时代文明实践站全面建成.
    pub civilization_station_year: i32,
    /// 确保重点帮扶村有劳动力的家庭至少有一人实现稳定就业: percent of households with labour
    /// having someone in stable work. The seed gives no year; 2025, the end of the transition
    /// period (过渡期 2021-2025), is the project's reading.
    pub stable_work_target: YearTarget,
    /// 实现30户以上自然村(组)通硬化路: percent of such groups reached. No year in the seed;
    /// 2025 (the plan's horizon) is the project's reading.
    pub group_roads_target: YearTarget,
}

impl Default for MilestoneTargets {
    fn default() -> Self {
        Self {
            industry_plan_year: 2022,
            garbage_sewage_year: 2021,
            village_rules_year: 2021,
            committee_election_year: 2021,
            cultural_courtyard_year: 2023,
            deliberation_council_year: 2023,
            civilization_station_year: 2025,
            stable_work_target: YearTarget {
                year: 2025,
                value: 100,
            },
            group_roads_target: YearTarget {
                year: 2025,
                value: 100,
            },
        }
    }
}

impl MilestoneTargets {
    /// What is wrong with them, named by path.
    pub fn problems(&self) -> Vec<FieldError> {
        let p = "key_village.milestones";
        let mut errs = Vec::new();
        for (f, y) in [
            ("industry_plan_year", self.industry_plan_year),
            ("garbage_sewage_year", self.garbage_sewage_year),
            ("village_rules_year", self.village_rules_year),
            ("committee_election_year", self.committee_election_year),
            ("cultural_courtyard_year", self.cultural_courtyard_year),
            ("deliberation_council_year", self.deliberation_council_year),
            ("civilization_station_year", self.civilization_station_year),
            ("stable_work_target.year", self.stable_work_target.year),
            ("group_roads_target.year", self.group_roads_target.year),
        ] {
            if !(2000..=2100).contains(&y) {
                errs.push(FieldError::new(
                    format!("{p}.{f}"),
                    crate::Rule::YearRange {
                        min: 2000,
                        max: 2100,
                    },
                ));
            }
        }
        for (f, t) in [
            ("stable_work_target.value", &self.stable_work_target),
            ("group_roads_target.value", &self.group_roads_target),
        ] {
            if !(0..=100).contains(&t.value) {
                errs.push(FieldError::new(
                    format!("{p}.{f}"),
                    crate::Rule::range(0, 100),
                ));
            }
        }
        errs
    }
}
