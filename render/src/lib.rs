//! Printed documents of Zhenxing: one small document model and three writers for it.
//!
//! The use cases fill a [`Doc`] — title, addressee, paragraphs, headings, tables, attachments
//! line, signature organ and date — and never write HTML, PDF or DOCX themselves. The writers
//! lay it out the way Chinese official documents are laid out (GB/T 9704-2012: A4, 37 mm top
//! and 28 mm left margins, a 156 × 225 mm type area, 16 pt body in a serif face, 22 pt bold
//! title, "— 1 —" page numbers alternating right and left) and tables the way forms are
//! printed (A4 landscape when wide, the header row repeated on every page, totals last,
//! numbers right-aligned).
//!
//! This crate knows nothing of the database or HTTP; `infra` builds documents and `api` picks a
//! writer from `?format=` or `Accept`.

mod docx;
mod fonts;
mod html;
mod pdf;

pub use docx::docx_text;
pub use fonts::{DEFAULT_FONT_DIR, FONT_DIR_ENV, Fonts};
pub use html::esc;

/// What can go wrong while writing a document.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// A font file is missing or unreadable.
    #[error("font {path}: {reason}")]
    Font {
        /// The file.
        path: String,
        /// Why it could not be used.
        reason: String,
    },
    /// The PDF or DOCX writer failed.
    #[error("writing the document: {0}")]
    Write(String),
}

/// The language of a document (the HTML `lang`, the DOCX language, the PDF's metadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Simplified Chinese, the official form.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 tag.
    #[must_use]
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A printable HTML page.
    Html,
    /// PDF with the CJK font embedded (subset): real, searchable text.
    Pdf,
    /// Word (Office Open XML).
    Docx,
}

impl Format {
    /// The media type of the output.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Html => "text/html; charset=utf-8",
            Self::Pdf => "application/pdf",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        }
    }

    /// The file name extension.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Html => "html",
            Self::Pdf => "pdf",
            Self::Docx => "docx",
        }
    }

    /// `html`, `pdf` or `docx`; anything else is `None`.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "html" => Some(Self::Html),
            "pdf" => Some(Self::Pdf),
            "docx" => Some(Self::Docx),
            _ => None,
        }
    }

    /// The format an `Accept` header prefers among the three (highest q, then the order
    /// given); `None` when it names none of them (or only `*/*`).
    #[must_use]
    pub fn from_accept(accept: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in accept.split(',') {
            let mut it = part.split(';');
            let media = it.next().unwrap_or_default().trim().to_ascii_lowercase();
            let q = it
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let f = match media.as_str() {
                "text/html" | "application/xhtml+xml" => Self::Html,
                "application/pdf" => Self::Pdf,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
                    Self::Docx
                }
                _ => continue,
            };
            if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
                best = Some((q, f));
            }
        }
        best.map(|(_, f)| f)
    }
}

/// A document: one or more sections, each starting on a new page.
#[derive(Debug, Clone, Default)]
pub struct Doc {
    /// The document's title (metadata, the HTML `<title>`, the file name).
    pub title: String,
    /// Its language.
    pub lang: Lang,
    /// The sections.
    pub sections: Vec<Section>,
}

/// A part of a document that starts on a new page (one household's application, one copy of a
/// contract).
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The blocks, in order.
    pub blocks: Vec<Block>,
}

/// One block of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// The issuing organ's header (版头): the organ's name in red, centred, over a red rule.
    Issuer(String),
    /// The title, split into lines by sense; 22 pt bold, centred.
    Title(Vec<String>),
    /// A line under the title (the copy a contract is, a document number), centred.
    Subtitle(String),
    /// The addressee (主送机关), flush left, ending with a full-width colon.
    Addressee(String),
    /// A paragraph indented two characters.
    Para(String),
    /// A line flush left (a form's labelled field: "时间：…").
    Line(String),
    /// A heading in the body: level 1 "一、" (sans bold), 2 "（一）", 3 "1.".
    Heading(u8, String),
    /// A table.
    Table(Table),
    /// The attachments line: "附件：1. …".
    Attachments(Vec<String>),
    /// The signature: organ (or signer) over the date, right-indented four characters, with
    /// room for the seal (印章) overlapping both.
    Signature {
        /// The signing organ or person.
        organ: String,
        /// The date, as printed ("2026年12月4日").
        date: String,
    },
    /// Two signature blocks side by side (a contract's parties: 甲方 and 乙方), each with lines
    /// for the signature, the seal and the date.
    Parties(Vec<Party>),
}

/// One party of a contract's signature blocks.
#[derive(Debug, Clone)]
pub struct Party {
    /// "甲方（盖章）": the label.
    pub label: String,
    /// Lines under it ("法定代表人（签字）：", "日期：").
    pub lines: Vec<String>,
}

/// A table: a header row repeated on every page, body rows, an optional totals row.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// The header row.
    pub header: Vec<String>,
    /// Which columns are numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// The body rows.
    pub rows: Vec<Vec<String>>,
    /// The totals row, printed last.
    pub totals: Option<Vec<String>>,
}

impl Table {
    /// A table with these headers; `numeric` marks the columns to right-align.
    #[must_use]
    pub fn new(header: &[&str], numeric: &[bool]) -> Self {
        Self {
            header: header.iter().map(|s| (*s).to_string()).collect(),
            numeric: numeric.to_vec(),
            rows: Vec::new(),
            totals: None,
        }
    }

    fn is_numeric(&self, col: usize) -> bool {
        self.numeric.get(col).copied().unwrap_or(false)
    }

    /// Relative column widths in ems (a CJK character is 1, other characters about half),
    /// each column as wide as its widest cell up to a cap, at least its header's longest word.
    fn widths(&self) -> Vec<f32> {
        let n = self.header.len();
        let mut w = vec![2.0_f32; n];
        let all = std::iter::once(&self.header)
            .chain(self.rows.iter())
            .chain(self.totals.iter());
        for row in all {
            for (i, cell) in row.iter().enumerate().take(n) {
                w[i] = w[i].max(ems(cell).min(16.0) + 1.0);
            }
        }
        w
    }

    /// Whether the table is too wide for a portrait page at table size (12 pt in a 156 mm
    /// type area: about 36 ems).
    #[must_use]
    pub fn is_wide(&self) -> bool {
        self.widths().iter().sum::<f32>() > 36.0
    }
}

impl Section {
    /// Landscape when a table in it is wide.
    #[must_use]
    pub fn landscape(&self) -> bool {
        self.blocks
            .iter()
            .any(|b| matches!(b, Block::Table(t) if t.is_wide()))
    }
}

/// The width of `s` in ems, without a font: CJK and full-width characters are one em, others
/// about half. Used for column widths and orientation, the same in every writer.
#[must_use]
pub fn ems(s: &str) -> f32 {
    s.chars()
        .map(|c| if (c as u32) < 0x2E80 { 0.55 } else { 1.0 })
        .sum()
}

impl Doc {
    /// A document of one section.
    #[must_use]
    pub fn new(title: &str, lang: Lang, blocks: Vec<Block>) -> Self {
        Self {
            title: title.to_string(),
            lang,
            sections: vec![Section { blocks }],
        }
    }

    /// The document as a printable HTML page.
    #[must_use]
    pub fn html(&self) -> String {
        html::write(self)
    }

    /// The document as PDF, with the fonts embedded as subsets.
    ///
    /// # Errors
    /// When the PDF writer fails.
    pub fn pdf(&self, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
        pdf::write(self, fonts)
    }

    /// The document as DOCX.
    ///
    /// # Errors
    /// When the zip writer fails.
    pub fn docx(&self) -> Result<Vec<u8>, RenderError> {
        docx::write(self)
    }

    /// All the text of the document, in reading order (what a text extraction must find).
    #[must_use]
    pub fn plain_text(&self) -> Vec<String> {
        let mut out = Vec::new();
        for s in &self.sections {
            for b in &s.blocks {
                match b {
                    Block::Issuer(t)
                    | Block::Subtitle(t)
                    | Block::Addressee(t)
                    | Block::Para(t)
                    | Block::Line(t)
                    | Block::Heading(_, t) => out.push(t.clone()),
                    Block::Title(lines) => out.extend(lines.iter().cloned()),
                    Block::Table(t) => {
                        out.extend(t.header.iter().cloned());
                        for r in t.rows.iter().chain(t.totals.iter()) {
                            out.extend(r.iter().cloned());
                        }
                    }
                    Block::Attachments(a) => out.extend(a.iter().cloned()),
                    Block::Signature { organ, date } => {
                        out.push(organ.clone());
                        out.push(date.clone());
                    }
                    Block::Parties(ps) => {
                        for p in ps {
                            out.push(p.label.clone());
                            out.extend(p.lines.iter().cloned());
                        }
                    }
                }
            }
        }
        out
    }
}

/// "附件：" or "Attachments:" — the attachments line's label.
fn attachments_label(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "附件：",
        Lang::En => "Attachments: ",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_picks_the_preferred_known_format() {
        assert_eq!(Format::from_accept("application/pdf"), Some(Format::Pdf));
        assert_eq!(
            Format::from_accept(
                "text/html;q=0.5, application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            ),
            Some(Format::Docx)
        );
        assert_eq!(Format::from_accept("*/*"), None);
        assert_eq!(Format::from_accept("application/pdf;q=0"), None);
        assert_eq!(Format::parse("PDF"), Some(Format::Pdf));
        assert_eq!(Format::parse("odt"), None);
    }

    #[test]
    fn wide_tables_turn_the_page() {
        let mut t = Table::new(&["序号", "户主"], &[true, false]);
        t.rows.push(vec!["1".into(), "张三".into()]);
        assert!(!t.is_wide());
        let mut w = Table::new(
            &[
                "序号",
                "乡镇",
                "村",
                "户编号",
                "户主姓名",
                "身份证号",
                "人口",
                "收入",
                "措施",
            ],
            &[],
        );
        w.rows.push(vec![
            "1".into(),
            "泉林镇".into(),
            "卞桥二村村民委员会".into(),
            "370882001001".into(),
            "张三".into(),
            "370882********0012".into(),
            "3".into(),
            "12345.00".into(),
            "产业扶持、教育资助".into(),
        ]);
        assert!(w.is_wide());
    }
}
