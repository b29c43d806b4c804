//! The DOCX writer: WordprocessingML written directly (a handful of parts in a zip), so every
//! GB/T 9704 setting is ours to state: A4 sections (landscape where a table is wide) with the
//! 37/28 mm margins, 16 pt body on an exact 22-lines-a-page pitch, repeated table header rows
//! (`tblHeader`), and "— PAGE —" footers, right on odd pages and left on even ones.
//!
//! Fonts are named, not embedded: 仿宋_GB2312 for the body, 方正小标宋简体 for the title, 黑体 for
//! first-level headings (what county offices have installed); Word substitutes when absent.

use std::fmt::Write as _;
use std::io::Write as _;

use crate::{Block, Doc, Lang, Party, RenderError, Table, attachments_label, ems};

/// Twips per millimetre.
const TW: f32 = 1440.0 / 25.4;
/// One body character in twips: 28 to a line of the 156 mm type area (GB/T 9704-2012 7.1), a
/// little less than the 16 pt face.
const CH: f32 = 156.0 * TW / 28.0;
/// The character grid's extra pitch for that, in 4096ths of a point (ECMA-376 `charSpace`, added
/// to the 16 pt default size): (CH − 320 twips) / 20 × 4096 ≈ −848.
const CHAR_SPACE: i32 = -848;
/// The exact body pitch: 225 mm / 22 lines.
const PITCH: u32 = 579;
/// A run kept off the character grid.
const NO_GRID: &str = "<w:snapToGrid w:val=\"off\"/>";

/// Escapes text for XML.
fn x(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            // Characters XML 1.0 forbids (controls, and U+FFFE and U+FFFF; a Rust char is
            // never a surrogate): Word refuses a document holding one.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            _ => o.push(c),
        }
    }
    o
}

#[derive(Clone, Copy)]
enum Font {
    Body,
    Title,
    Hei,
}

/// A run of text. `grid`: on the section's character grid (body text); titles, table cells
/// and folios are not (`snapToGrid` off), as in the PDF writer.
fn run(text: &str, font: Font, half_points: u32, bold: bool, red: bool, grid: bool) -> String {
    let east = match font {
        Font::Body => "仿宋_GB2312",
        Font::Title => "方正小标宋简体",
        Font::Hei => "黑体",
    };
    let mut o = format!(
        "<w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"{east}\"/>"
    );
    if bold {
        o.push_str("<w:b/>");
    }
    // The schema's order: b, snapToGrid, color, sz.
    if !grid {
        o.push_str(NO_GRID);
    }
    if red {
        o.push_str("<w:color w:val=\"CC0000\"/>");
    }
    let _ = write!(
        o,
        "<w:sz w:val=\"{half_points}\"/><w:szCs w:val=\"{half_points}\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        x(text)
    );
    o
}

/// A paragraph with properties `ppr` (inside `<w:pPr>`) and runs.
fn para(ppr: &str, runs: &str) -> String {
    format!("<w:p><w:pPr>{ppr}</w:pPr>{runs}</w:p>")
}

fn body_spacing() -> String {
    format!("<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"{PITCH}\" w:lineRule=\"exact\"/>")
}

/// A section's properties. Chinese documents set body text on a grid of 28 characters a line
/// (GB/T 9704-2012 7.1, a Chinese rule); English ones keep the line pitch only.
fn sect_pr(landscape: bool, lang: Lang) -> String {
    let (w, h, orient) = if landscape {
        (16838, 11906, " w:orient=\"landscape\"")
    } else {
        (11906, 16838, "")
    };
    let mm = |v: f32| (v * TW).round() as u32;
    let (top, bottom, left, right) = if landscape {
        (mm(27.0), mm(27.0), mm(36.0), mm(36.0))
    } else {
        (mm(37.0), mm(35.0), mm(28.0), mm(26.0))
    };
    // The folio sits 7 mm below the type area.
    let footer = bottom.saturating_sub(mm(7.0) + 280);
    let grid = match lang {
        Lang::Zh => format!(
            "<w:docGrid w:type=\"linesAndChars\" w:linePitch=\"{PITCH}\" w:charSpace=\"{CHAR_SPACE}\"/>"
        ),
        Lang::En => format!("<w:docGrid w:type=\"lines\" w:linePitch=\"{PITCH}\"/>"),
    };
    format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooterOdd\"/>\
         <w:footerReference w:type=\"even\" r:id=\"rIdFooterEven\"/>\
         <w:type w:val=\"nextPage\"/><w:pgSz w:w=\"{w}\" w:h=\"{h}\"{orient}/>\
         <w:pgMar w:top=\"{top}\" w:right=\"{right}\" w:bottom=\"{bottom}\" w:left=\"{left}\" w:header=\"851\" w:footer=\"{footer}\" w:gutter=\"0\"/>\
         {grid}</w:sectPr>"
    )
}

fn block(o: &mut String, b: &Block, lang: Lang, landscape: bool) {
    let sp = body_spacing();
    let body = |t: &str| run(t, Font::Body, 32, false, false, true);
    match b {
        Block::Issuer(t) => o.push_str(&para(
            "<w:jc w:val=\"center\"/><w:pBdr><w:bottom w:val=\"single\" w:sz=\"18\" w:space=\"4\" w:color=\"CC0000\"/></w:pBdr><w:spacing w:after=\"600\"/>",
            &run(t, Font::Title, 60, true, true, false),
        )),
        Block::Title(lines) => {
            for l in lines {
                o.push_str(&para(
                    "<w:jc w:val=\"center\"/><w:spacing w:before=\"0\" w:after=\"0\" w:line=\"660\" w:lineRule=\"exact\"/>",
                    &run(l, Font::Title, 44, true, false, false),
                ));
            }
            o.push_str(&para(&sp, ""));
        }
        Block::Subtitle(t) => o.push_str(&para(&format!("<w:jc w:val=\"center\"/>{sp}"), &body(t))),
        Block::Addressee(t) | Block::Line(t) => o.push_str(&para(&sp, &body(t))),
        Block::Para(t) => o.push_str(&para(
            &format!("{sp}<w:ind w:firstLineChars=\"200\" w:firstLine=\"632\"/><w:jc w:val=\"both\"/>"),
            &body(t),
        )),
        Block::Heading(level, t) => {
            let font = if *level <= 1 { Font::Hei } else { Font::Body };
            o.push_str(&para(
                &format!("{sp}<w:ind w:firstLineChars=\"200\" w:firstLine=\"632\"/>"),
                &run(t, font, 32, false, false, true),
            ));
        }
        Block::Attachments(items) => {
            let label = attachments_label(lang);
            let hang = (2.0 + ems(label)) * CH;
            for (i, item) in items.iter().enumerate() {
                let text = format!("{}{}. {item}", if i == 0 { label } else { "" }, i + 1);
                let ind = if i == 0 {
                    "<w:ind w:firstLine=\"632\"/>".to_string()
                } else {
                    format!("<w:ind w:left=\"{}\"/>", hang.round() as u32)
                };
                o.push_str(&para(&format!("{sp}{ind}"), &body(&text)));
            }
        }
        Block::Signature { organ, date } => {
            o.push_str(&para(&sp, ""));
            o.push_str(&para(&sp, ""));
            // The date right-indented four characters; the organ centred over it.
            let right = 4.0 * CH;
            let shift = (ems(date) - ems(organ)) / 2.0 * CH;
            let organ_right = (right + shift).max(0.0);
            o.push_str(&para(
                &format!("{sp}<w:jc w:val=\"right\"/><w:ind w:right=\"{}\"/>", organ_right.round() as u32),
                &body(organ),
            ));
            o.push_str(&para(
                &format!("{sp}<w:jc w:val=\"right\"/><w:ind w:right=\"{}\"/>", right.round() as u32),
                &body(date),
            ));
        }
        Block::Parties(ps) => parties(o, ps),
        Block::Table(t) => table(o, t, landscape),
    }
}

fn parties(o: &mut String, ps: &[Party]) {
    o.push_str(&para(&body_spacing(), ""));
    o.push_str("<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/><w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders></w:tblPr><w:tblGrid>");
    for _ in ps {
        o.push_str("<w:gridCol/>");
    }
    o.push_str("</w:tblGrid><w:tr>");
    for p in ps {
        o.push_str("<w:tc><w:tcPr><w:tcW w:w=\"0\" w:type=\"auto\"/></w:tcPr>");
        for l in std::iter::once(&p.label).chain(p.lines.iter()) {
            o.push_str(&para(
                "<w:spacing w:before=\"120\" w:after=\"120\"/>",
                &run(l, Font::Body, 32, false, false, true),
            ));
        }
        o.push_str("</w:tc>");
    }
    o.push_str("</w:tr></w:tbl>");
    o.push_str(&para("", ""));
}

fn table(o: &mut String, t: &Table, landscape: bool) {
    let width = if landscape { 225.0 } else { 156.0 } * TW;
    let ems = t.widths();
    let total: f32 = ems.iter().sum::<f32>().max(1.0);
    let cols: Vec<u32> = ems
        .iter()
        .map(|w| (w / total * width).round() as u32)
        .collect();
    o.push_str(
        "<w:tbl><w:tblPr><w:tblW w:w=\"5000\" w:type=\"pct\"/><w:jc w:val=\"center\"/><w:tblBorders>\
         <w:top w:val=\"single\" w:sz=\"4\"/><w:left w:val=\"single\" w:sz=\"4\"/><w:bottom w:val=\"single\" w:sz=\"4\"/>\
         <w:right w:val=\"single\" w:sz=\"4\"/><w:insideH w:val=\"single\" w:sz=\"4\"/><w:insideV w:val=\"single\" w:sz=\"4\"/>\
         </w:tblBorders><w:tblLayout w:type=\"fixed\"/><w:tblCellMar><w:left w:w=\"60\" w:type=\"dxa\"/><w:right w:w=\"60\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr><w:tblGrid>",
    );
    for c in &cols {
        let _ = write!(o, "<w:gridCol w:w=\"{c}\"/>");
    }
    o.push_str("</w:tblGrid>");
    let row = |o: &mut String, cells: &[String], header: bool, bold: bool| {
        o.push_str("<w:tr>");
        if header {
            // Repeated at the top of every page.
            o.push_str("<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
        } else {
            o.push_str("<w:trPr><w:cantSplit/></w:trPr>");
        }
        for (i, w) in cols.iter().enumerate() {
            let cell = cells.get(i).map(String::as_str).unwrap_or_default();
            let jc = if !header && t.is_numeric(i) {
                "right"
            } else {
                "center"
            };
            let _ = write!(
                o,
                "<w:tc><w:tcPr><w:tcW w:w=\"{w}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>{}</w:tc>",
                para(
                    &format!("<w:jc w:val=\"{jc}\"/><w:spacing w:before=\"40\" w:after=\"40\"/>"),
                    &run(cell, Font::Body, 24, bold, false, false)
                )
            );
        }
        o.push_str("</w:tr>");
    };
    row(o, &t.header, true, true);
    for r in &t.rows {
        row(o, r, false, false);
    }
    if let Some(tot) = &t.totals {
        row(o, tot, false, true);
    }
    o.push_str("</w:tbl>");
    o.push_str(&para(&body_spacing(), ""));
}

fn document_xml(doc: &Doc) -> String {
    let mut o = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:document \
         xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>",
    );
    let n = doc.sections.len();
    for (i, s) in doc.sections.iter().enumerate() {
        let landscape = s.landscape();
        for b in &s.blocks {
            block(&mut o, b, doc.lang, landscape);
        }
        if i + 1 < n {
            o.push_str(&format!(
                "<w:p><w:pPr>{}</w:pPr></w:p>",
                sect_pr(landscape, doc.lang)
            ));
        } else {
            o.push_str(&sect_pr(landscape, doc.lang));
        }
    }
    if n == 0 {
        o.push_str(&para("", ""));
        o.push_str(&sect_pr(false, doc.lang));
    }
    o.push_str("</w:body></w:document>");
    o
}

fn footer(align: &str) -> String {
    let r = |inner: &str| {
        format!(
            "<w:r><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"宋体\"/>{NO_GRID}<w:sz w:val=\"28\"/></w:rPr>{inner}</w:r>"
        )
    };
    let ind = if align == "right" {
        "<w:ind w:right=\"280\"/>"
    } else {
        "<w:ind w:left=\"280\"/>"
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:ftr xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:p><w:pPr><w:jc w:val=\"{align}\"/>{ind}</w:pPr>{}{}{}{}{}{}{}</w:p></w:ftr>",
        r("<w:t xml:space=\"preserve\">— </w:t>"),
        r("<w:fldChar w:fldCharType=\"begin\"/>"),
        r("<w:instrText xml:space=\"preserve\"> PAGE </w:instrText>"),
        r("<w:fldChar w:fldCharType=\"separate\"/>"),
        r("<w:t>1</w:t>"),
        r("<w:fldChar w:fldCharType=\"end\"/>"),
        r("<w:t xml:space=\"preserve\"> —</w:t>"),
    )
}

pub(crate) fn write(doc: &Doc) -> Result<Vec<u8>, RenderError> {
    let lang = doc.lang.tag();
    let content_types = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
        <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
        <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
        <Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
        <Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
        <Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
        <Override PartName=\"/word/footer1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
        <Override PartName=\"/word/footer2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.footer+xml\"/>\
        <Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/></Types>";
    let rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
        <Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/></Relationships>";
    let doc_rels = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
        <Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
        <Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
        <Relationship Id=\"rIdFooterOdd\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer1.xml\"/>\
        <Relationship Id=\"rIdFooterEven\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/footer\" Target=\"footer2.xml\"/></Relationships>";
    let styles = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:styles xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
         <w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"仿宋_GB2312\" w:cs=\"Times New Roman\"/>\
         <w:sz w:val=\"32\"/><w:szCs w:val=\"32\"/><w:lang w:val=\"{lang}\" w:eastAsia=\"zh-CN\"/></w:rPr></w:rPrDefault>\
         <w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"{PITCH}\" w:lineRule=\"exact\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/></w:style></w:styles>"
    );
    let settings = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
        <w:evenAndOddHeaders/><w:defaultTabStop w:val=\"420\"/><w:characterSpacingControl w:val=\"compressPunctuation\"/></w:settings>";
    let core = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{}</dc:title><dc:language>{lang}</dc:language><dc:creator>Zhenxing</dc:creator></cp:coreProperties>",
        x(&doc.title)
    );
    let parts: [(&str, String); 8] = [
        ("[Content_Types].xml", content_types.to_string()),
        ("_rels/.rels", rels.to_string()),
        ("docProps/core.xml", core),
        ("word/_rels/document.xml.rels", doc_rels.to_string()),
        ("word/document.xml", document_xml(doc)),
        ("word/styles.xml", styles),
        ("word/settings.xml", settings.to_string()),
        ("word/footer1.xml", footer("right")),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let err = |e: &dyn std::fmt::Display| RenderError::Write(e.to_string());
    for (name, body) in parts
        .iter()
        .map(|(n, b)| (*n, b.clone()))
        .chain(std::iter::once(("word/footer2.xml", footer("left"))))
    {
        zip.start_file(name, opts).map_err(|e| err(&e))?;
        zip.write_all(body.as_bytes()).map_err(|e| err(&e))?;
    }
    let out = zip.finish().map_err(|e| err(&e))?;
    Ok(out.into_inner())
}

/// The text of `word/document.xml`, paragraph by paragraph (for tests and for anyone checking
/// what a DOCX says).
///
/// # Errors
/// When the bytes are not a DOCX.
pub fn docx_text(bytes: &[u8]) -> Result<Vec<String>, RenderError> {
    use std::io::Read as _;
    let err = |e: &dyn std::fmt::Display| RenderError::Write(e.to_string());
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).map_err(|e| err(&e))?;
    let mut xml = String::new();
    z.by_name("word/document.xml")
        .map_err(|e| err(&e))?
        .read_to_string(&mut xml)
        .map_err(|e| err(&e))?;
    let mut out = Vec::new();
    for p in xml.split("</w:p>") {
        let mut line = String::new();
        for piece in p.split("<w:t").skip(1) {
            if !(piece.starts_with('>') || piece.starts_with(' ')) {
                continue;
            }
            let Some(start) = piece.find('>') else {
                continue;
            };
            let rest = &piece[start + 1..];
            if let Some(end) = rest.find("</w:t>") {
                line.push_str(&unx(&rest[..end]));
            }
        }
        if !line.is_empty() {
            out.push(line);
        }
    }
    Ok(out)
}

fn unx(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_what_xml_forbids_is_dropped() {
        assert_eq!(x("议\u{FFFF}<a&b>\u{1}\u{FFFE}\t"), "议&lt;a&amp;b&gt;\t");
    }

    /// Word lays 28 body characters on a line when the grid's extra pitch makes each character
    /// 156/28 mm: 28 of them fit the type area and 29 do not, and every section carries it.
    #[test]
    fn sections_set_a_grid_of_twenty_eight_characters_a_line() {
        let pitch = 16.0 + CHAR_SPACE as f32 / 4096.0;
        let area = 156.0 * 72.0 / 25.4;
        assert!(28.0 * pitch <= area + 0.05, "{pitch}");
        assert!(29.0 * pitch > area, "{pitch}");
        // The face alone would not: 28 × 16 pt is wider than the area.
        assert!(28.0 * 16.0 > area);
        for landscape in [false, true] {
            let s = sect_pr(landscape, Lang::Zh);
            assert!(
                s.contains("w:type=\"linesAndChars\"")
                    && s.contains(&format!("w:charSpace=\"{CHAR_SPACE}\"")),
                "{s}"
            );
            // English documents keep the line pitch, not the Chinese character grid.
            let s = sect_pr(landscape, Lang::En);
            assert!(
                s.contains("w:type=\"lines\"") && !s.contains("charSpace"),
                "{s}"
            );
        }
    }

    /// Body runs are on the grid; the title, the issuer and table cells are kept off it, as
    /// the PDF writer sets them (the grid's pitch would otherwise shrink them too).
    #[test]
    fn only_body_runs_are_on_the_grid() {
        let mut t = Table::new(&["名称"], &[false]);
        t.rows.push(vec!["表中".into()]);
        let mut o = String::new();
        for b in [
            Block::Issuer("机关".into()),
            Block::Title(vec!["标题".into()]),
            Block::Para("正文".into()),
            Block::Table(t),
        ] {
            block(&mut o, &b, Lang::Zh, false);
        }
        let runs: Vec<&str> = o.split("<w:r>").skip(1).collect();
        let off = |text: &str| {
            let r = runs
                .iter()
                .find(|r| r.contains(&format!(">{text}</w:t>")))
                .unwrap_or_else(|| panic!("no run of {text} in {o}"));
            r.contains(NO_GRID)
        };
        for text in ["机关", "标题", "名称", "表中"] {
            assert!(off(text), "{text} should be off the grid");
        }
        assert!(!off("正文"), "body text is on the grid");
        assert!(footer("right").contains(NO_GRID));
    }
}
