//! Reports for any region the caller may see, one level of drill-down at a time, as a table
//! (and, in `api`, CSV, XLSX and a chart shape). Household figures come from the rollups the
//! households trigger keeps (`household_counts`), or — as of a past date — from the history
//! snapshots. Aggregates seen above the county hide cells smaller than
//! `reports.min_cell_people`.

use chrono::NaiveDate;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Integer, Text, Timestamptz};
use domain::authz::perm;
use domain::cases::{Attribute, Status};
use domain::{DomainError, Level, RegionCode};
use serde::Serialize;

use super::Ctx;
use crate::db::DbResultExt as _;
use crate::schema::regions;

mod privacy;
use privacy::{counts_people, hide_complements, hide_derived};

/// The privacy rules for aggregates of people seen above the county (reports, household counts
/// and every other count open there): the one place they live.
///
/// - a count of fewer than `min_cell` people or households (but not zero) is suppressed
///   ([`AggregateRules::hides`]);
/// - a household count filtered by income takes only whole bands of `income_band_fen`
///   ([`AggregateRules::check_income_range`]), so halving a range cannot find one income.
///
/// Both thresholds are the province's (`reports.min_cell_people`, `reports.income_band_fen`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregateRules {
    /// Counts below this (and above zero) are suppressed.
    pub min_cell: i64,
    /// Width of an income band, fen.
    pub income_band_fen: i64,
}

impl AggregateRules {
    /// The rules that apply to the caller's aggregates: the province's settings above the
    /// county; `None` at the county and below, where the caller may read the records anyway.
    ///
    /// # Errors
    /// Database failures.
    pub fn for_caller(conn: &mut PgConnection, ctx: &Ctx) -> Result<Option<Self>, DomainError> {
        if ctx.caller.org.level() >= Level::County {
            return Ok(None);
        }
        let r = super::settings::get(conn, ctx, ctx.caller.org.ancestor_at(Level::Province))?
            .effective
            .reports;
        Ok(Some(Self {
            min_cell: r.min_cell_people,
            income_band_fen: r.income_band_fen,
        }))
    }

    /// Whether a cell counting `n` people or households is suppressed.
    pub fn hides(self, n: i64) -> bool {
        n > 0 && n < self.min_cell
    }

    /// `n`, or `None` when suppressed.
    pub fn shown(self, n: i64) -> Option<i64> {
        (!self.hides(n)).then_some(n)
    }

    /// Refuses an income range that is not made of whole bands: `min` must be a multiple of
    /// the band and `max + 1` a multiple of it (so bands never overlap and a difference of two
    /// counts is never narrower than a band).
    ///
    /// # Errors
    /// 422 naming `income_min` or `income_max`.
    pub fn check_income_range(self, min: Option<i64>, max: Option<i64>) -> Result<(), DomainError> {
        let b = self.income_band_fen;
        let mut errs = Vec::new();
        if min.is_some_and(|m| m.rem_euclid(b) != 0) {
            errs.push(domain::FieldError::new(
                "income_min",
                domain::Rule::other(
                    format!(
                        "singles out people: above the county without household access, income ranges are whole bands of {b} fen (reports.income_band_fen); income_min must be a multiple of {b}"
                    ),
                    format!(
                        "会识别到个人:县级以上且无户级访问权限时,收入区间须为整档(每档 {b} 分,reports.income_band_fen);income_min 须为 {b} 的倍数"
                    ),
                ),
            ));
        }
        if max.is_some_and(|m| m.checked_add(1).is_none_or(|m1| m1.rem_euclid(b) != 0)) {
            errs.push(domain::FieldError::new(
                "income_max",
                domain::Rule::other(
                    format!(
                        "singles out people: above the county without household access, income ranges are whole bands of {b} fen (reports.income_band_fen); income_max + 1 must be a multiple of {b}"
                    ),
                    format!(
                        "会识别到个人:县级以上且无户级访问权限时,收入区间须为整档(每档 {b} 分,reports.income_band_fen);income_max + 1 须为 {b} 的倍数"
                    ),
                ),
            ));
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(errs))
        }
    }
}

/// A column of a report.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Column {
    /// Stable code.
    pub code: String,
    /// Label in Chinese.
    pub label: String,
}

/// A line of a report: one region.
#[derive(Debug, Clone, Serialize)]
pub struct Line {
    /// Region code (12 digits).
    pub region_code: String,
    /// Name.
    pub name: String,
    /// One value per column; `null` where suppressed (or not applicable).
    pub values: Vec<Option<i64>>,
}

/// A report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Kind.
    pub kind: String,
    /// Grouping (`status`, `attribute`, `cause` for households).
    pub by: Option<String>,
    /// The region.
    pub region_code: String,
    /// The date reported on (absent: now).
    pub as_of: Option<NaiveDate>,
    /// The year reported on, for yearly kinds.
    pub year: Option<i32>,
    /// Columns.
    pub columns: Vec<Column>,
    /// The region itself.
    pub total: Line,
    /// Each region one level down.
    pub rows: Vec<Line>,
    /// Cells hidden because they count fewer than `min_cell` (callers above the county).
    pub suppressed_cells: usize,
    /// The threshold applied, when suppression applies.
    pub min_cell: Option<i64>,
}

/// What to report.
#[derive(Debug, Clone)]
pub struct Request {
    /// Kind: `households`, `exits`, `monitoring`, `key_villages`, `coverage`, `funds`, `rangers`.
    pub kind: String,
    /// Region.
    pub region: RegionCode,
    /// Households: `status`, `attribute` or `cause`.
    pub by: String,
    /// A past date (households, monitoring, coverage).
    pub as_of: Option<NaiveDate>,
    /// Year (exits, key villages, funds, rangers).
    pub year: i32,
}

/// The kinds and the permission each needs.
pub const KINDS: &[(&str, &str)] = &[
    ("households", perm::CASES_READ),
    ("exits", perm::WORKFLOW_READ),
    ("monitoring", perm::WORKFLOW_READ),
    ("key_villages", perm::VILLAGES_READ),
    ("coverage", perm::VILLAGES_READ),
    ("funds", perm::FUNDS_READ),
    ("rangers", perm::FUNDS_READ),
];

struct Children {
    unit: i64,
    names: Vec<(i64, String)>,
    own: String,
}

fn children(conn: &mut PgConnection, region: RegionCode) -> Result<Children, DomainError> {
    let unit = Level::from_number(region.level().number() + 1)
        .map_or(1, |l| 10_i64.pow(12 - l.significant_digits()));
    let names: Vec<(i64, String)> = regions::table
        .filter(
            regions::parent_code
                .eq(region.as_i64())
                .or(regions::code.eq(region.as_i64())),
        )
        .order(regions::code)
        .select((regions::code, regions::name))
        .load(conn)
        .db()?;
    let own = names
        .iter()
        .find(|(c, _)| *c == region.as_i64())
        .map(|(_, n)| n.clone())
        .unwrap_or_default();
    Ok(Children {
        unit,
        names: names
            .into_iter()
            .filter(|(c, _)| *c != region.as_i64())
            .collect(),
        own,
    })
}

#[derive(QueryableByName)]
struct Cell {
    #[diesel(sql_type = BigInt)]
    child: i64,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = BigInt)]
    households: i64,
    #[diesel(sql_type = BigInt)]
    people: i64,
}

use domain::calendar::end_of_day;

/// The registry's households only, for the reports by attribute and by cause (一般贫困户, 低保,
/// 特困; the causes of poverty): an ordinary household opened for monitoring carries an
/// attribute and causes too, and a household vetoed out of the registry keeps its own, but
/// neither is a registered poor household. The report by status shows every status.
const REGISTRY_ONLY: &str = " AND status NOT IN ('non_poor', 'removed')";

fn household_cells(
    conn: &mut PgConnection,
    region: RegionCode,
    unit: i64,
    by: &str,
    as_of: Option<NaiveDate>,
) -> Result<Vec<Cell>, DomainError> {
    let scope = region.subtree();
    let category = match by {
        "attribute" => "attribute",
        "cause" => "cause",
        _ => "status",
    };
    match as_of {
        None => {
            // Township rows above the township, village rows at and below it.
            let grain = if region.level() <= Level::County {
                "region_code % 1000 = 0"
            } else {
                "region_code % 1000 <> 0"
            };
            let cause = if category == "cause" {
                "cause <> ''"
            } else {
                "cause = ''"
            };
            let registry = if category == "status" {
                ""
            } else {
                REGISTRY_ONLY
            };
            diesel::sql_query(format!(
                "SELECT (region_code / $3) * $3 AS child, {category} AS category, \
                        sum(households)::bigint AS households, sum(people)::bigint AS people \
                   FROM (SELECT region_code, status, attribute, cause, households, people FROM household_counts \
                         UNION ALL \
                         SELECT region_code, status, attribute, cause, households, people FROM household_count_deltas) AS hc \
                  WHERE region_code BETWEEN $1 AND $2 AND {grain} AND {cause}{registry} \
                  GROUP BY 1, 2"
            ))
            .bind::<BigInt, _>(scope.lo())
            .bind::<BigInt, _>(scope.hi())
            .bind::<BigInt, _>(unit)
            .load(conn)
            .db()
        }
        Some(d) => {
            let pick = match category {
                "attribute" => "e.snapshot->>'attribute'",
                "cause" => "c.cause",
                _ => "e.snapshot->>'status'",
            };
            let join = if category == "cause" {
                "CROSS JOIN LATERAL jsonb_array_elements_text(e.snapshot->'poverty_causes') AS c (cause)"
            } else {
                ""
            };
            let registry = if category == "status" {
                ""
            } else {
                "WHERE e.snapshot->>'status' NOT IN ('non_poor', 'removed')"
            };
            diesel::sql_query(format!(
                "SELECT (e.region_code / $3) * $3 AS child, {pick} AS category, count(*)::bigint AS households, \
                        coalesce(sum(jsonb_array_length(e.snapshot->'members')), 0)::bigint AS people \
                   FROM ({last}) AS e {join} {registry} \
                  GROUP BY 1, 2",
                last = super::cases::snapshots_before_sql("snapshot", "$1", "$2", "$4")
            ))
            .bind::<BigInt, _>(scope.lo())
            .bind::<BigInt, _>(scope.hi())
            .bind::<BigInt, _>(unit)
            .bind::<Timestamptz, _>(end_of_day(d))
            .load(conn)
            .db()
        }
    }
}

fn lines_from(
    kids: &Children,
    region: RegionCode,
    columns: usize,
    value: impl Fn(i64, usize) -> Option<i64>,
    total: impl Fn(usize) -> Option<i64>,
) -> (Line, Vec<Line>) {
    let rows = kids
        .names
        .iter()
        .map(|(c, n)| Line {
            region_code: format!("{c:012}"),
            name: n.clone(),
            values: (0..columns).map(|i| value(*c, i)).collect(),
        })
        .collect();
    (
        Line {
            region_code: region.to_code_string(),
            name: kids.own.clone(),
            values: (0..columns).map(total).collect(),
        },
        rows,
    )
}

fn households(
    conn: &mut PgConnection,
    region: RegionCode,
    by: &str,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<Column>, Line, Vec<Line>), DomainError> {
    let kids = children(conn, region)?;
    let cells = household_cells(conn, region, kids.unit, by, as_of)?;
    let categories: Vec<(String, String)> = match by {
        "attribute" => Attribute::ALL
            .iter()
            .map(|a| (a.as_str().into(), a.label().into()))
            .collect(),
        "cause" => super::cases::cause_catalog(conn)?,
        _ => Status::ALL
            .iter()
            .map(|s| (s.as_str().into(), s.label().into()))
            .collect(),
    };
    let mut columns = Vec::new();
    for (code, label) in &categories {
        columns.push(Column {
            code: format!("{code}.households"),
            label: format!("{label}户数"),
        });
        columns.push(Column {
            code: format!("{code}.people"),
            label: format!("{label}人数"),
        });
    }
    let pick = |cells: &mut dyn Iterator<Item = &Cell>, i: usize| -> i64 {
        let (code, _) = &categories[i / 2];
        cells
            .filter(|c| &c.category == code)
            .map(|c| {
                if i.is_multiple_of(2) {
                    c.households
                } else {
                    c.people
                }
            })
            .sum()
    };
    let (total, rows) = lines_from(
        &kids,
        region,
        columns.len(),
        |child, i| Some(pick(&mut cells.iter().filter(|c| c.child == child), i)),
        |i| Some(pick(&mut cells.iter(), i)),
    );
    Ok((columns, total, rows))
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    child: i64,
    #[diesel(sql_type = Text)]
    category: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn monitoring(
    conn: &mut PgConnection,
    ctx: &Ctx,
    region: RegionCode,
    as_of: Option<NaiveDate>,
) -> Result<(Vec<Column>, Line, Vec<Line>), DomainError> {
    let kids = children(conn, region)?;
    let scope = region.subtree();
    let day = as_of.unwrap_or_else(|| ctx.today());
    // Each case as it stood at the end of the day: its last event then.
    let counts: Vec<Count> = diesel::sql_query(
        "WITH c AS ( \
           SELECT m.region_code, m.kind, m.risk_types, m.deadline, e.stage AS stage \
             FROM monitoring_cases m \
             JOIN LATERAL (SELECT CASE WHEN x.kind = 'closed_by_veto' AND x.stage_from = 'monitored' \
                                       THEN 'vetoed' ELSE x.stage_to END AS stage \
                             FROM monitoring_events x \
                            WHERE x.county_code = m.county_code AND x.case_id = m.id AND x.at < $5 \
                            ORDER BY x.at DESC, x.id DESC LIMIT 1) e ON true \
            WHERE m.region_code BETWEEN $1 AND $2) \
         SELECT (region_code / $3) * $3 AS child, stage AS category, count(*)::bigint AS n FROM c GROUP BY 1, 2 \
         UNION ALL \
         SELECT (region_code / $3) * $3, 'kind:' || kind, count(*)::bigint FROM c \
          WHERE stage IN ('identified', 'township_reviewed', 'monitored') GROUP BY 1, 2 \
         UNION ALL \
         SELECT (region_code / $3) * $3, 'risk:' || r, count(*)::bigint FROM c CROSS JOIN LATERAL unnest(risk_types) AS r \
          WHERE stage IN ('identified', 'township_reviewed', 'monitored') GROUP BY 1, 2 \
         UNION ALL \
         SELECT (region_code / $3) * $3, 'overdue', count(*)::bigint FROM c \
          WHERE stage IN ('identified', 'township_reviewed') AND deadline < $4 GROUP BY 1, 2 \
         UNION ALL \
         SELECT (region_code / $3) * $3, 'leads', count(*)::bigint FROM monitoring_leads \
          WHERE region_code BETWEEN $1 AND $2 AND raised_at < $5 AND (resolved_at IS NULL OR resolved_at >= $5) GROUP BY 1, 2",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<BigInt, _>(kids.unit)
    .bind::<Date, _>(day)
    .bind::<Timestamptz, _>(end_of_day(day))
    .load(conn)
    .db()?;
    let risks: Vec<(String, String)> = domain::monitoring::RiskType::ALL
        .iter()
        .map(|r| (format!("risk:{}", r.as_str()), r.label().to_string()))
        .collect();
    let mut cols: Vec<(&str, &str)> = vec![
        ("identified", "村已识别"),
        ("township_reviewed", "镇已审核"),
        ("monitored", "监测中"),
        ("risk_eliminated", "风险已消除"),
        ("returned", "返贫致贫"),
        ("dismissed", "不纳入监测"),
        // A monitored case a one-vote veto closed: it was in monitoring (its stage is
        // `dismissed`, as the household left the registry), not refused it.
        ("vetoed", "一票否决终止监测"),
        ("kind:unstable_exited", "脱贫不稳定户"),
        ("kind:marginal", "边缘易致贫户"),
        ("kind:sudden_hardship", "突发严重困难户"),
        ("overdue", "识别逾期"),
        ("leads", "待核实预警"),
    ];
    cols.extend(risks.iter().map(|(c, l)| (c.as_str(), l.as_str())));
    let columns = cols
        .iter()
        .map(|(c, l)| Column {
            code: (*c).into(),
            label: (*l).into(),
        })
        .collect();
    let get = |child: Option<i64>, i: usize| {
        Some(
            counts
                .iter()
                .filter(|c| c.category == cols[i].0 && child.is_none_or(|k| c.child == k))
                .map(|c| c.n)
                .sum(),
        )
    };
    let (total, rows) = lines_from(
        &kids,
        region,
        cols.len(),
        |c, i| get(Some(c), i),
        |i| get(None, i),
    );
    Ok((columns, total, rows))
}

fn rangers(
    conn: &mut PgConnection,
    region: RegionCode,
    year: i32,
) -> Result<(Vec<Column>, Line, Vec<Line>), DomainError> {
    let kids = children(conn, region)?;
    let scope = region.subtree();
    let counts: Vec<Count> = diesel::sql_query(
        "SELECT (region_code / $3) * $3 AS child, 'contracts' AS category, count(*)::bigint AS n FROM ranger_contracts \
          WHERE region_code BETWEEN $1 AND $2 AND extract(year FROM start_date) <= $4 \
            AND extract(year FROM least(end_date, coalesce(terminated_on, end_date))) >= $4 GROUP BY 1 \
         UNION ALL \
         SELECT (region_code / $3) * $3, 'terminated', count(*)::bigint FROM ranger_contracts \
          WHERE region_code BETWEEN $1 AND $2 AND extract(year FROM terminated_on) = $4 GROUP BY 1 \
         UNION ALL \
         SELECT (region_code / $3) * $3, 'paid_fen', coalesce(sum(total_fen), 0)::bigint FROM ranger_payouts \
          WHERE region_code BETWEEN $1 AND $2 AND month LIKE $5 GROUP BY 1",
    )
    .bind::<BigInt, _>(scope.lo())
    .bind::<BigInt, _>(scope.hi())
    .bind::<BigInt, _>(kids.unit)
    .bind::<Integer, _>(year)
    .bind::<Text, _>(format!("{year:04}-%"))
    .load(conn)
    .db()?;
    let cols = [
        ("contracts", "护林员合同数"),
        ("terminated", "解除合同数"),
        ("paid_fen", "发放补助(分)"),
    ];
    let columns = cols
        .iter()
        .map(|(c, l)| Column {
            code: (*c).into(),
            label: (*l).into(),
        })
        .collect();
    let get = |child: Option<i64>, i: usize| {
        Some(
            counts
                .iter()
                .filter(|c| c.category == cols[i].0 && child.is_none_or(|k| c.child == k))
                .map(|c| c.n)
                .sum(),
        )
    };
    let (total, rows) = lines_from(
        &kids,
        region,
        cols.len(),
        |c, i| get(Some(c), i),
        |i| get(None, i),
    );
    Ok((columns, total, rows))
}

fn cols(list: &[(&str, &str)]) -> Vec<Column> {
    list.iter()
        .map(|(c, l)| Column {
            code: (*c).into(),
            label: (*l).into(),
        })
        .collect()
}

/// Folds the pending rollup deltas into the counts (every instance calls it every few
/// seconds; one runs at a time, the others return 0). Returns how many deltas were folded.
///
/// # Errors
/// Database failures.
pub fn compact(db: &crate::db::Db) -> Result<i64, DomainError> {
    #[derive(QueryableByName)]
    struct Folded {
        #[diesel(sql_type = BigInt)]
        folded: i64,
    }
    db.unscoped_conn(|c| {
        diesel::sql_query("SELECT zx_compact_household_counts() AS folded")
            .get_result::<Folded>(c)
            .db()
            .map(|f| f.folded)
    })
}

/// The permission a report kind needs (`None` for an unknown kind).
pub fn permission_of(kind: &str) -> Option<&'static str> {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, p)| *p)
}

/// Builds a report.
///
/// # Errors
/// `Forbidden` without the kind's permission; `Validation` for a region outside scope, an
/// unknown kind or grouping.
pub fn report(conn: &mut PgConnection, ctx: &Ctx, r: &Request) -> Result<Report, DomainError> {
    let Some((_, permission)) = KINDS.iter().find(|(k, _)| *k == r.kind) else {
        return Err(DomainError::field(
            "kind",
            domain::Rule::one_of(KINDS.iter().map(|k| k.0)),
        ));
    };
    if !ctx.caller.has_permission(permission) {
        return Err(DomainError::Forbidden(format!(
            "you need the permission {permission}"
        )));
    }
    if !ctx.caller.scope().contains(r.region) {
        return Err(DomainError::field("region", domain::Rule::OutsideScope));
    }
    if !["status", "attribute", "cause"].contains(&r.by.as_str()) {
        return Err(DomainError::field(
            "by",
            domain::Rule::one_of(["status", "attribute", "cause"]),
        ));
    }
    if r.as_of.is_some() && !["households", "monitoring", "coverage"].contains(&r.kind.as_str()) {
        return Err(DomainError::field(
            "as_of",
            domain::Rule::other(
                "applies to households, monitoring and coverage; other kinds take a year",
                "仅适用于户、监测和覆盖情况;其他类型须指定年份",
            ),
        ));
    }
    let region = r.region;
    let (columns, total, rows, people_like) = match r.kind.as_str() {
        "households" => {
            let (c, t, rows) = households(conn, region, &r.by, r.as_of)?;
            (c, t, rows, true)
        }
        "monitoring" => {
            let (c, t, rows) = monitoring(conn, ctx, region, r.as_of)?;
            (c, t, rows, true)
        }
        "rangers" => {
            let (c, t, rows) = rangers(conn, region, r.year)?;
            (c, t, rows, true)
        }
        "exits" => {
            let (t, kids) = super::exit::progress(conn, ctx, region, r.year)?;
            let line = |p: super::exit::Progress| Line {
                region_code: p.region_code,
                name: p.name,
                values: vec![
                    p.target_people,
                    Some(p.exited_people),
                    Some(p.exited_households),
                    Some(p.in_progress_people),
                ],
            };
            (
                cols(&[
                    ("target_people", "目标人数"),
                    ("exited_people", "已退出人数"),
                    ("exited_households", "已退出户数"),
                    ("in_progress_people", "退出程序中人数"),
                ]),
                line(t),
                kids.into_iter().map(line).collect(),
                true,
            )
        }
        "coverage" => {
            let c =
                super::teams::coverage(conn, ctx, region, r.as_of.unwrap_or_else(|| ctx.today()))?;
            let line = |p: super::teams::CoverageCounts| Line {
                region_code: p.region_code,
                name: p.name,
                values: vec![
                    Some(p.key_villages),
                    Some(p.key_villages_without_first_secretary),
                    Some(p.households),
                    Some(p.households_without_cadre),
                    Some(p.households_unvisited),
                ],
            };
            (
                cols(&[
                    ("key_villages", "重点帮扶村"),
                    ("key_villages_without_first_secretary", "无在岗第一书记"),
                    ("households", "应结对户数"),
                    ("households_without_cadre", "无帮扶责任人户数"),
                    ("households_unvisited", "逾期未走访户数"),
                ]),
                line(c.total),
                c.children.into_iter().map(line).collect(),
                true,
            )
        }
        "funds" => {
            let (t, kids) = super::funds::execution(conn, ctx, region, r.year)?;
            let line = |e: super::funds::Execution| Line {
                region_code: e.region_code,
                name: e.name,
                values: vec![
                    Some(e.received_fen),
                    Some(e.allocated_fen),
                    Some(e.disbursed_fen),
                    Some(e.execution_bp),
                ],
            };
            (
                cols(&[
                    ("received_fen", "到位资金(分)"),
                    ("allocated_fen", "分配资金(分)"),
                    ("disbursed_fen", "拨付资金(分)"),
                    ("execution_bp", "执行率(万分比)"),
                ]),
                line(t),
                kids.into_iter().map(line).collect(),
                false,
            )
        }
        _ => {
            // The villages that were key in the report's year (designated for it, not yet
            // out), not those that are key today.
            let mut list = super::villages::list(conn, ctx, region.subtree(), r.year, None, false)?;
            list.retain(|v| {
                let k = &v.village;
                domain::villages::key_in(k.from_year, k.to_year, k.exit_decided_on, r.year)
            });
            let kids = children(conn, region)?;
            let statuses = ["met", "on_track", "at_risk", "missed", "no_data"];
            let count = |inside: &dyn Fn(i64) -> bool, i: usize| -> Option<i64> {
                let vs = list.iter().filter(|v| inside(v.village.region_code));
                Some(if i == 0 {
                    vs.count() as i64
                } else {
                    vs.flat_map(|v| v.targets.iter())
                        .filter(|t| t.status.as_str() == statuses[i - 1])
                        .count() as i64
                })
            };
            let (t, rows) = lines_from(
                &kids,
                region,
                6,
                |c, i| {
                    let s = RegionCode::from_i64(c).map_or(region.subtree(), RegionCode::subtree);
                    count(&|x| (s.lo()..=s.hi()).contains(&x), i)
                },
                |i| count(&|_| true, i),
            );
            (
                cols(&[
                    ("key_villages", "重点帮扶村"),
                    ("targets_met", "已达标目标"),
                    ("targets_on_track", "按进度目标"),
                    ("targets_at_risk", "有风险目标"),
                    ("targets_missed", "未达标目标"),
                    ("targets_no_data", "无数据目标"),
                ]),
                t,
                rows,
                false,
            )
        }
    };
    // Privacy by level: above the county, small counts of people are hidden.
    let mut suppressed = 0;
    let mut min_cell = None;
    let (mut total, mut rows) = (total, rows);
    if people_like && let Some(rule) = AggregateRules::for_caller(conn, ctx)? {
        min_cell = Some(rule.min_cell);
        let people: Vec<bool> = columns
            .iter()
            .map(|c| counts_people(&r.kind, &c.code))
            .collect();
        for line in rows.iter_mut().chain(std::iter::once(&mut total)) {
            for (v, _) in line.values.iter_mut().zip(&people).filter(|(_, p)| **p) {
                if v.is_some_and(|n| rule.hides(n)) {
                    *v = None;
                    suppressed += 1;
                }
            }
        }
        // Each hiding can make another cell derivable: until nothing more is hidden.
        for _ in 0..=rows.len() + columns.len() {
            let mut hid = 0;
            for line in rows.iter_mut().chain(std::iter::once(&mut total)) {
                hid += hide_derived(&r.kind, &columns, line);
            }
            hid += hide_complements(&mut total, &mut rows, &people);
            suppressed += hid;
            if hid == 0 {
                break;
            }
        }
    }
    Ok(Report {
        kind: r.kind.clone(),
        by: (r.kind == "households").then(|| r.by.clone()),
        region_code: region.to_code_string(),
        as_of: r.as_of,
        year: (!["households", "monitoring", "coverage"].contains(&r.kind.as_str()))
            .then_some(r.year),
        columns,
        total,
        rows,
        suppressed_cells: suppressed,
        min_cell,
    })
}
