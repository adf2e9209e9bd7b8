//! `fupin report measures|incidence|pairing|summary`: the reports of a region printed for a
//! terminal, and the work summary written to a file.

use fupin_core::store::Store;
use fupin_core::{Ctx, DomainError, RegionCode};
use std::process::ExitCode;
use std::sync::Arc;

fn run(r: Result<String, DomainError>) -> ExitCode {
    match r {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}

pub async fn measures(
    store: Arc<dyn Store>,
    region: &str,
    year: i32,
    line_fen: Option<i64>,
    config: Option<String>,
    k: Option<String>,
) -> ExitCode {
    run(async {
        let code = RegionCode::parse_field("region", region)?;
        let query = fupin_core::assessment::MeasuresQuery {
            line_fen,
            config,
            k: k.map(|k| fupin_core::assessment::counting::parse_k("k", &k))
                .transpose()?,
        };
        let m = store
            .measures(&Ctx::system("system:cli"), &code, year, &query)
            .await?;
        let mut out = format!(
            "{}（{}）{year} 年贫困测度：贫困线 {} 元（{}），{} 户 {} 人\n",
            m.region.name,
            m.region.code,
            fupin_core::Fen::new(m.line_fen).yuan_string(),
            if m.line_source == "request" {
                "指定"
            } else {
                "标准参数"
            },
            m.households,
            m.persons
        );
        out.push_str(&format!("  贫困发生率 H        {:.4}\n", m.headcount_ratio));
        out.push_str(&format!("  贫困距指数 FGT(1)   {:.4}\n", m.fgt1));
        out.push_str(&format!("  平方贫困距 FGT(2)   {:.4}\n", m.fgt2));
        out.push_str(&format!("  Watts 指数          {:.4}\n", m.watts));
        out.push_str(&format!("  Sen 指数            {:.4}\n", m.sen));
        out.push_str(&format!("  基尼系数            {:.4}\n", m.gini));
        let opt = |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.4}"));
        out.push_str(&format!(
            "  多维贫困 (Alkire–Foster, {} {}, k = {}): H = {:.4}, A = {:.4}, M0 = {:.4}, M1 = {}, M2 = {}\n",
            m.mpi.config,
            m.mpi.label,
            m.mpi.k,
            m.mpi.h,
            m.mpi.a,
            m.mpi.m0,
            opt(m.mpi.m1),
            opt(m.mpi.m2)
        ));
        out.push_str(&format!(
            "    完整个案 {} 人（共 {} 人；缺失值不计为被剥夺）\n",
            m.mpi.complete, m.mpi.persons
        ));
        for i in &m.mpi.indicators {
            out.push_str(&format!(
                "    {:<10} 有记录 {} 人  截断贫困率 {:.4}  贡献 {:.1}%\n",
                i.label, i.observed, i.censored_headcount, i.contribution_pct
            ));
        }
        Ok(out.trim_end().to_string())
    }
    .await)
}

pub async fn incidence(store: Arc<dyn Store>, region: &str, year: i32) -> ExitCode {
    run(async {
        let code = RegionCode::parse_field("region", region)?;
        let i = store
            .incidence(&Ctx::system("system:cli"), &code, year)
            .await?;
        Ok(format!(
            "{} {year} 年：未脱贫人口 {} 人，农村人口 {}，{}（{}）",
            i.region.name,
            i.poor_persons,
            i.rural_population
                .map(|p| p.to_string())
                .unwrap_or_else(|| "未登记".into()),
            i.check.reason,
            if i.check.passed {
                "达到退出标准"
            } else {
                "未达到退出标准"
            }
        ))
    }
    .await)
}

pub async fn pairing(store: Arc<dyn Store>, region: &str, from: &str, to: &str) -> ExitCode {
    run(async {
        let code = RegionCode::parse_field("region", region)?;
        let from = fupin_core::years::parse_date("from", from)?;
        let to = fupin_core::years::parse_date("to", to)?;
        let r = store.pairing_report(&Ctx::system("system:cli"), &code, from, to).await?;
        Ok(format!(
            "{} {from}—{to}：结对帮扶干部 {} 名，走访慰问 {} 人次（{} 次），慰问金 {} 元、慰问品 {} 元，微心愿 {} 个已实现（共提交 {} 个）；\
             走访未达标的结对 {} 条，无帮扶干部的户 {} 户，超出结对上限的干部 {} 名",
            r.region.name,
            r.cadres_total,
            r.visits_person_times,
            r.visits_total,
            fupin_core::Fen::new(r.condolence_money_fen).yuan_string(),
            fupin_core::Fen::new(r.goods_value_fen).yuan_string(),
            r.wishes_fulfilled,
            r.wishes_submitted,
            r.below_minimum_count,
            r.households_without_cadre_count,
            r.cadres_over_limit
                .as_ref()
                .map_or("—".to_string(), |c| c.len().to_string())
        ))
    }
    .await)
}

/// The work summary of a region and period, to `out` or standard output.
pub async fn summary(
    store: Arc<dyn Store>,
    region: &str,
    from: &str,
    to: &str,
    unit: Option<String>,
    format: &str,
    out: Option<&std::path::Path>,
) -> ExitCode {
    use fupin_io::summary::{self as doc, SummaryFormat};
    let r = async {
        let code = RegionCode::parse_field("region", region)?;
        let from = fupin_core::years::parse_date("from", from)?;
        let to = fupin_core::years::parse_date("to", to)?;
        let format = SummaryFormat::parse(format).ok_or_else(|| {
            DomainError::invalid(
                "format",
                "invalid_parameter",
                "format 须为 md、html、docx 或 json",
            )
        })?;
        if format == SummaryFormat::Docx && out.is_none() {
            return Err(DomainError::invalid(
                "out",
                "missing_parameter",
                "DOCX 须用 --out 指定文件",
            ));
        }
        let s = doc::summary(
            store.as_ref(),
            &Ctx::system("system:cli"),
            &code,
            from,
            to,
            unit.as_deref(),
            fupin_core::years::today(),
        )
        .await?;
        let bytes = match format {
            SummaryFormat::Json => {
                serde_json::to_vec_pretty(&s).map_err(|_| DomainError::internal())?
            }
            SummaryFormat::Markdown => s.to_markdown().into_bytes(),
            SummaryFormat::Html => doc::to_html(&s).into_bytes(),
            SummaryFormat::Docx => doc::to_docx(&s).map_err(|_| DomainError::internal())?,
        };
        Ok((bytes, s.figures.len()))
    }
    .await;
    match r {
        Ok((bytes, figures)) => match out {
            Some(path) => match std::fs::write(path, &bytes) {
                Ok(()) => {
                    println!("已写入 {}（{figures} 个数字，见附表）", path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("无法写入 {}：{e}", path.display());
                    ExitCode::FAILURE
                }
            },
            None => {
                use std::io::Write;
                let _ = std::io::stdout().write_all(&bytes);
                ExitCode::SUCCESS
            }
        },
        Err(e) => {
            super::report(&e);
            ExitCode::FAILURE
        }
    }
}
