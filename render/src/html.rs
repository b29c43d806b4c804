//! The printable HTML page.

use crate::{Block, Doc, Lang, attachments_label};

/// Escapes text for HTML.
#[must_use]
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            _ => o.push(c),
        }
    }
    o
}

pub(crate) fn write(doc: &Doc) -> String {
    let mut body = String::new();
    let many = doc.sections.len() > 1;
    for s in &doc.sections {
        if many {
            body.push_str("<section>");
        }
        for b in &s.blocks {
            block(&mut body, b, doc.lang);
        }
        if many {
            body.push_str("</section>");
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"{l}\"><head><meta charset=\"utf-8\"><title>{t}</title>\
         <style>body{{font-family:\"FangSong\",\"仿宋_GB2312\",\"Noto Serif CJK SC\",serif;font-size:16pt;max-width:210mm;margin:20mm auto;line-height:1.8}}\
         h1{{text-align:center;font-size:22pt;font-weight:bold}}.issuer{{color:#c00;text-align:center;font-size:30pt;border-bottom:2px solid #c00}}\
         .sub{{text-align:center}}p.para{{text-indent:2em}}p.line,p.addr{{margin:0}}\
         table{{border-collapse:collapse;width:100%;font-size:12pt}}thead{{display:table-header-group}}\
         td,th{{border:1px solid #000;padding:4px 6px;text-align:center}}td.num{{text-align:right}}tr.total td{{font-weight:bold}}\
         .sign{{text-align:right;margin:3em 4em 0 0}}.parties{{display:flex;justify-content:space-between;margin-top:3em}}\
         section{{page-break-after:always}}@media print{{body{{margin:0}}}}</style></head>\
         <body>{body}</body></html>\n",
        t = esc(&doc.title),
        l = if doc.lang == Lang::En { "en" } else { "zh-CN" }
    )
}

fn block(o: &mut String, b: &Block, lang: Lang) {
    match b {
        Block::Issuer(t) => o.push_str(&format!("<div class=\"issuer\">{}</div>", esc(t))),
        Block::Title(lines) => o.push_str(&format!(
            "<h1>{}</h1>",
            lines
                .iter()
                .map(|l| esc(l))
                .collect::<Vec<_>>()
                .join("<br>")
        )),
        Block::Subtitle(t) => o.push_str(&format!("<p class=\"sub\">{}</p>", esc(t))),
        Block::Addressee(t) => o.push_str(&format!("<p class=\"addr\">{}</p>", esc(t))),
        Block::Para(t) => o.push_str(&format!("<p class=\"para\">{}</p>", esc(t))),
        Block::Line(t) => o.push_str(&format!("<p class=\"line\">{}</p>", esc(t))),
        Block::Heading(level, t) => {
            let n = (*level).clamp(1, 3) + 1;
            o.push_str(&format!("<h{n}>{}</h{n}>", esc(t)));
        }
        Block::Table(t) => {
            o.push_str("<table><thead><tr>");
            for h in &t.header {
                o.push_str(&format!("<th>{}</th>", esc(h)));
            }
            o.push_str("</tr></thead><tbody>");
            let row = |o: &mut String, r: &Vec<String>, class: &str| {
                o.push_str(&format!("<tr{class}>"));
                for (i, c) in r.iter().enumerate() {
                    if t.is_numeric(i) {
                        o.push_str(&format!("<td class=\"num\">{}</td>", esc(c)));
                    } else {
                        o.push_str(&format!("<td>{}</td>", esc(c)));
                    }
                }
                o.push_str("</tr>");
            };
            for r in &t.rows {
                row(o, r, "");
            }
            if let Some(tot) = &t.totals {
                row(o, tot, " class=\"total\"");
            }
            o.push_str("</tbody></table>");
        }
        Block::Attachments(a) => o.push_str(&format!(
            "<p class=\"para\">{}{}</p>",
            attachments_label(lang),
            a.iter()
                .enumerate()
                .map(|(i, x)| format!("{}. {}", i + 1, esc(x)))
                .collect::<Vec<_>>()
                .join("<br>")
        )),
        Block::Signature { organ, date } => o.push_str(&format!(
            "<p class=\"sign\">{}<br>{}</p>",
            esc(organ),
            esc(date)
        )),
        Block::Parties(ps) => {
            o.push_str("<div class=\"parties\">");
            for p in ps {
                o.push_str(&format!("<p>{}", esc(&p.label)));
                for l in &p.lines {
                    o.push_str(&format!("<br>{}", esc(l)));
                }
                o.push_str("</p>");
            }
            o.push_str("</div>");
        }
    }
}
