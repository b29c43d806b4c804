//! The PDF writer: lays the document out on A4 pages (GB/T 9704-2012) and writes it with
//! krilla, which embeds the fonts as CID subsets with a ToUnicode map, so the text is real
//! (searchable, copyable, extractable).
//!
//! Layout is done first into pages of drawing operations, then emitted.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{GlyphId, KrillaGlyph, TextDirection};

use crate::fonts::Face;
use crate::{Block, Doc, Fonts, Lang, Party, RenderError, Table, attachments_label};

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// Body size: 三号.
const BODY: f32 = 16.0;
/// Title size: 二号.
const TITLE: f32 = 22.0;
/// Page number size: 四号.
const FOLIO: f32 = 14.0;
/// Table text: 小四.
const CELL: f32 = 12.0;
/// Body line pitch: 22 lines in the 225 mm type area.
const PITCH: f32 = 225.0 * MM / 22.0;
/// A body character's pitch: 28 to a line of the 156 mm type area (GB/T 9704-2012 7.1: 一般每
/// 行排 28 个字), a little less than the 16 pt face, as Word's document grid sets it.
const GRID: f32 = 156.0 * MM / 28.0;

/// How a run of text is set: its size, and the space added after each character. Body text of
/// a Chinese document is set on the grid (each character `GRID` wide); titles, tables, folios
/// and English documents keep their face's advances.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Set {
    size: f32,
    track: f32,
}

impl Set {
    /// At `size`, as the face sets it.
    const fn plain(size: f32) -> Self {
        Self { size, track: 0.0 }
    }

    /// Body text on the 28-characters-a-line grid.
    const GRID: Self = Self {
        size: BODY,
        track: GRID - BODY,
    };
}

/// The advance of each character of `s` as laid out (the face's, tracked).
fn advances(face: &Face, s: &str, set: Set) -> Vec<f32> {
    face.advances(s, set.size)
        .into_iter()
        .map(|a| a + set.track)
        .collect()
}

/// The width of `s` as laid out.
fn width(face: &Face, s: &str, set: Set) -> f32 {
    advances(face, s, set).iter().sum()
}

#[derive(Debug, Clone, Copy)]
enum FaceId {
    Serif,
    SerifBold,
    SansBold,
}

#[derive(Debug)]
enum Op {
    Text {
        x: f32,
        y: f32,
        face: FaceId,
        set: Set,
        text: String,
        red: bool,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        red: bool,
    },
}

#[derive(Debug)]
struct PageOut {
    landscape: bool,
    ops: Vec<Op>,
}

/// The type area of a page: portrait 156 × 225 mm from 28 mm left and 37 mm top; landscape
/// the same area turned, centred.
#[derive(Debug, Clone, Copy)]
struct Area {
    left: f32,
    top: f32,
    width: f32,
    height: f32,
}

fn area(landscape: bool) -> Area {
    if landscape {
        Area {
            left: 36.0 * MM,
            top: 27.0 * MM,
            width: 225.0 * MM,
            height: 156.0 * MM,
        }
    } else {
        Area {
            left: 28.0 * MM,
            top: 37.0 * MM,
            width: 156.0 * MM,
            height: 225.0 * MM,
        }
    }
}

struct Layout<'f> {
    fonts: &'f Fonts,
    lang: Lang,
    pages: Vec<PageOut>,
    landscape: bool,
    /// The top of the next line, from the top of the page.
    y: f32,
}

impl Layout<'_> {
    fn face(&self, f: FaceId) -> &Face {
        match f {
            FaceId::Serif => &self.fonts.serif,
            FaceId::SerifBold => &self.fonts.serif_bold,
            FaceId::SansBold => &self.fonts.sans_bold,
        }
    }

    fn area(&self) -> Area {
        area(self.landscape)
    }

    /// How body text is set: on the grid in Chinese (GB/T 9704-2012 7.1, a Chinese rule), as the
    /// face sets it in English.
    fn body(&self) -> Set {
        match self.lang {
            Lang::Zh => Set::GRID,
            Lang::En => Set::plain(BODY),
        }
    }

    fn new_page(&mut self) {
        self.pages.push(PageOut {
            landscape: self.landscape,
            ops: Vec::new(),
        });
        self.y = self.area().top;
    }

    fn bottom(&self) -> f32 {
        let a = self.area();
        a.top + a.height
    }

    /// Starts a new page unless `h` more fits on this one (or the page is still empty).
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom() + 0.5 && self.y > self.area().top + 0.5 {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.ops.push(op);
        }
    }

    fn text(&mut self, x: f32, baseline: f32, face: FaceId, set: Set, text: &str, red: bool) {
        if text.is_empty() {
            return;
        }
        self.op(Op::Text {
            x,
            y: baseline,
            face,
            set,
            text: text.to_string(),
            red,
        });
    }

    fn line(&mut self, (x1, y1): (f32, f32), (x2, y2): (f32, f32), width: f32) {
        self.op(Op::Line {
            x1,
            y1,
            x2,
            y2,
            width,
            red: false,
        });
    }

    /// Writes lines of text set as `set` with `pitch`, each placed by `place(line width) -> x`.
    fn lines(
        &mut self,
        lines: &[String],
        face: FaceId,
        set: Set,
        pitch: f32,
        place: &dyn Fn(usize, f32) -> f32,
    ) {
        for (i, l) in lines.iter().enumerate() {
            self.ensure(pitch);
            let w = width(self.face(face), l, set);
            let x = place(i, w);
            let baseline = self.y + (pitch + set.size * 0.7) / 2.0;
            self.text(x, baseline, face, set, l, false);
            self.y += pitch;
        }
    }

    /// A body paragraph: the first line indented `indent` points, the rest `hang`.
    fn para(&mut self, text: &str, face: FaceId, indent: f32, hang: f32) {
        let a = self.area();
        let f = self.face(face).clone();
        let body = self.body();
        let lines = wrap(&f, text, body, a.width, indent, hang);
        self.lines(&lines, face, body, PITCH, &|i, _| {
            a.left + if i == 0 { indent } else { hang }
        });
    }

    fn block(&mut self, b: &Block) {
        let a = self.area();
        match b {
            Block::Issuer(t) => {
                let set = Set::plain(30.0);
                let w = width(&self.fonts.serif_bold, t, set);
                self.ensure(PITCH * 3.0);
                let baseline = self.y + set.size * 1.2;
                self.text(
                    a.left + (a.width - w) / 2.0,
                    baseline,
                    FaceId::SerifBold,
                    set,
                    t,
                    true,
                );
                let rule = baseline + 4.0 * MM + set.size * 0.2;
                self.op(Op::Line {
                    x1: a.left,
                    y1: rule,
                    x2: a.left + a.width,
                    y2: rule,
                    width: 2.0,
                    red: true,
                });
                self.y = rule + PITCH;
            }
            Block::Title(lines) => {
                let f = self.fonts.serif_bold.clone();
                let lines: Vec<String> = lines
                    .iter()
                    .flat_map(|l| wrap(&f, l, Set::plain(TITLE), a.width, 0.0, 0.0))
                    .collect();
                let title = Set::plain(TITLE);
                self.lines(&lines, FaceId::SerifBold, title, TITLE * 1.5, &|_, w| {
                    a.left + (a.width - w) / 2.0
                });
                self.y += PITCH * 0.5;
            }
            Block::Subtitle(t) => {
                self.lines(
                    std::slice::from_ref(t),
                    FaceId::Serif,
                    self.body(),
                    PITCH,
                    &|_, w| a.left + (a.width - w) / 2.0,
                );
            }
            Block::Addressee(t) | Block::Line(t) => self.para(t, FaceId::Serif, 0.0, 0.0),
            Block::Para(t) => self.para(t, FaceId::Serif, 2.0 * GRID, 0.0),
            Block::Heading(1, t) => self.para(t, FaceId::SansBold, 2.0 * GRID, 0.0),
            Block::Heading(_, t) => self.para(t, FaceId::Serif, 2.0 * GRID, 0.0),
            Block::Attachments(items) => {
                let label = attachments_label(self.lang);
                let lw = width(&self.fonts.serif, label, self.body());
                for (i, item) in items.iter().enumerate() {
                    let text = format!("{}{}. {item}", if i == 0 { label } else { "" }, i + 1);
                    let indent = 2.0 * GRID + if i == 0 { 0.0 } else { lw };
                    self.para(&text, FaceId::Serif, indent, 2.0 * GRID + lw);
                }
            }
            Block::Signature { organ, date } => self.signature(organ, date),
            Block::Parties(ps) => self.parties(ps),
            Block::Table(t) => self.table(t),
        }
    }

    /// Organ over date, the date right-indented four characters, the organ centred over it;
    /// two blank lines above leave room for the seal, which overlaps both.
    fn signature(&mut self, organ: &str, date: &str) {
        let a = self.area();
        self.y += PITCH * 2.0;
        self.ensure(PITCH * 2.0);
        let right = a.left + a.width - 4.0 * GRID;
        let body = self.body();
        let dw = width(&self.fonts.serif, date, body);
        let ow = width(&self.fonts.serif, organ, body);
        let centre = right - dw / 2.0;
        let ox = (centre - ow / 2.0).min(a.left + a.width - ow).max(a.left);
        self.lines(&[organ.to_string()], FaceId::Serif, body, PITCH, &|_, _| ox);
        self.lines(&[date.to_string()], FaceId::Serif, body, PITCH, &|_, _| {
            right - dw
        });
    }

    /// Signature blocks side by side.
    fn parties(&mut self, ps: &[Party]) {
        let a = self.area();
        self.y += PITCH;
        let rows = ps.iter().map(|p| p.lines.len() + 1).max().unwrap_or(1);
        self.ensure(PITCH * rows as f32 * 1.5);
        let top = self.y;
        let n = ps.len().max(1) as f32;
        let mut end = top;
        for (i, p) in ps.iter().enumerate() {
            self.y = top;
            let x = a.left + a.width / n * i as f32;
            let mut all = vec![p.label.clone()];
            all.extend(p.lines.iter().cloned());
            for l in &all {
                let baseline = self.y + (PITCH * 1.5 + BODY * 0.7) / 2.0;
                self.text(x, baseline, FaceId::Serif, self.body(), l, false);
                self.y += PITCH * 1.5;
            }
            end = end.max(self.y);
        }
        self.y = end;
    }

    fn table(&mut self, t: &Table) {
        let a = self.area();
        let n = t.header.len().max(1);
        let ems = t.widths();
        let total: f32 = ems.iter().sum::<f32>().max(1.0);
        let widths: Vec<f32> = ems.iter().map(|w| w / total * a.width).collect();
        // 小四 (12 pt) when the columns fit, smaller down to 9 pt when they would not.
        let size = (a.width / total).clamp(9.0, CELL);
        let set = Set::plain(size);
        let pad = 3.0;
        let pitch = size * 1.4;
        let lay = |face: &Face, row: &[String]| -> Vec<Vec<String>> {
            (0..n)
                .map(|i| {
                    let cell = row.get(i).map(String::as_str).unwrap_or_default();
                    wrap(face, cell, set, widths[i] - 2.0 * pad, 0.0, 0.0)
                })
                .collect()
        };
        let height = |cells: &[Vec<String>]| -> f32 {
            cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f32 * pitch + 2.0 * pad
        };
        let serif = self.fonts.serif.clone();
        let bold = self.fonts.serif_bold.clone();
        let header = lay(&bold, &t.header);
        let hh = height(&header);
        self.y += PITCH * 0.25;
        let draw = |me: &mut Self, cells: &[Vec<String>], face: FaceId, centre: bool, h: f32| {
            let top = me.y;
            let mut x = a.left;
            me.line((a.left, top), (a.left + a.width, top), 0.5);
            me.line((a.left, top + h), (a.left + a.width, top + h), 0.5);
            me.line((a.left, top), (a.left, top + h), 0.5);
            for (i, lines) in cells.iter().enumerate() {
                let w = widths[i];
                let lines_h = lines.len() as f32 * pitch;
                let mut ly = top + (h - lines_h) / 2.0;
                for l in lines {
                    let lw = width(me.face(face), l, set);
                    let lx = if t.is_numeric(i) && !centre {
                        x + w - pad - lw
                    } else if centre || lines.len() == 1 {
                        x + (w - lw) / 2.0
                    } else {
                        x + pad
                    };
                    let baseline = ly + (pitch + size * 0.7) / 2.0;
                    me.text(lx, baseline, face, set, l, false);
                    ly += pitch;
                }
                x += w;
                me.line((x, top), (x, top + h), 0.5);
            }
            me.y = top + h;
        };
        self.ensure(hh + pitch + 2.0 * pad);
        draw(self, &header, FaceId::SerifBold, true, hh);
        let body = t.rows.iter().map(|r| (r, FaceId::Serif));
        let totals = t.totals.iter().map(|r| (r, FaceId::SerifBold));
        for (row, face) in body.chain(totals) {
            let cells = lay(
                if matches!(face, FaceId::Serif) {
                    &serif
                } else {
                    &bold
                },
                row,
            );
            let h = height(&cells);
            if self.y + h > self.bottom() {
                // The header row again at the top of the next page.
                self.new_page();
                draw(self, &header, FaceId::SerifBold, true, hh);
            }
            draw(self, &cells, face, false, h);
        }
        self.y += PITCH * 0.25;
    }

    /// "— 1 —" 7 mm below the type area; odd pages right, even pages left, one character in.
    fn folios(&mut self) {
        let face = self.fonts.serif.clone();
        for (i, p) in self.pages.iter_mut().enumerate() {
            let a = area(p.landscape);
            let text = format!("— {} —", i + 1);
            let w = width(&face, &text, Set::plain(FOLIO));
            let x = if i % 2 == 0 {
                a.left + a.width - FOLIO - w
            } else {
                a.left + FOLIO
            };
            p.ops.push(Op::Text {
                x,
                y: a.top + a.height + 7.0 * MM + FOLIO * 0.8,
                face: FaceId::Serif,
                set: Set::plain(FOLIO),
                text,
                red: false,
            });
        }
    }
}

/// Closing punctuation that must not start a line (避头): the full-width marks of Chinese text
/// (，。、；：？！）％ and the closing quotes and brackets) and their half-width forms.
fn no_start(c: char) -> bool {
    "，。、；：？！）」』》〉〗】〕”’…—％,.;:?!)]%".contains(c)
}

/// Breaks `text` into lines no wider than `width` (the first `indent` points in, the others
/// `hang`): between any two CJK characters, at spaces between other words, never before
/// closing punctuation (it hangs in the margin instead).
fn wrap(face: &Face, text: &str, set: Set, width: f32, indent: f32, hang: f32) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let adv = advances(face, text, set);
    let mut out = Vec::new();
    let mut start = 0;
    let mut w = 0.0;
    // The last place the line may end (exclusive index) and the width up to it.
    let mut last_break: Option<usize> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let room = width - if out.is_empty() { indent } else { hang };
        if c == '\n' {
            out.push(chars[start..i].iter().collect::<String>());
            start = i + 1;
            w = 0.0;
            last_break = None;
            i += 1;
            continue;
        }
        // A hair of tolerance: 28 grid characters fill the line exactly.
        if w + adv[i] > room + 0.01 && i > start && !no_start(c) {
            let end = last_break.filter(|b| *b > start).unwrap_or(i);
            out.push(
                chars[start..end]
                    .iter()
                    .collect::<String>()
                    .trim_end()
                    .to_string(),
            );
            start = end;
            while start < chars.len() && chars[start] == ' ' {
                start += 1;
            }
            w = adv[start..i].iter().sum();
            last_break = None;
            if start > i {
                i = start;
                continue;
            }
        }
        w += adv[i];
        let next = chars.get(i + 1).copied();
        let cjk = |c: char| (c as u32) >= 0x2E80;
        if (c == ' ' || cjk(c) || next.is_some_and(cjk)) && next.is_none_or(|n| !no_start(n)) {
            last_break = Some(i + 1);
        }
        i += 1;
    }
    if start < chars.len() || out.is_empty() {
        out.push(chars[start..].iter().collect());
    }
    out
}

pub(crate) fn write(doc: &Doc, fonts: &Fonts) -> Result<Vec<u8>, RenderError> {
    let mut l = Layout {
        fonts,
        lang: doc.lang,
        pages: Vec::new(),
        landscape: false,
        y: 0.0,
    };
    for s in &doc.sections {
        l.landscape = s.landscape();
        l.new_page();
        for b in &s.blocks {
            l.block(b);
        }
    }
    if l.pages.is_empty() {
        l.new_page();
    }
    l.folios();

    let mut pdf = Document::new();
    pdf.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language(doc.lang.tag().to_string())
            .creator("Zhenxing".to_string()),
    );
    let black = rgb::Color::new(0, 0, 0);
    let red = rgb::Color::new(0xCC, 0, 0);
    for p in &l.pages {
        let (w, h) = if p.landscape {
            (297.0 * MM, 210.0 * MM)
        } else {
            (210.0 * MM, 297.0 * MM)
        };
        let settings =
            PageSettings::from_wh(w, h).ok_or_else(|| RenderError::Write("page size".into()))?;
        let mut page = pdf.start_page_with(settings);
        let mut s = page.surface();
        for op in &p.ops {
            match op {
                Op::Text {
                    x,
                    y,
                    face,
                    set,
                    text,
                    red: r,
                } => {
                    s.set_stroke(None);
                    s.set_fill(Some(Fill {
                        paint: if *r { red } else { black }.into(),
                        ..Fill::default()
                    }));
                    let f = l.face(*face);
                    let (size, t) = (set.size, set.track);
                    if t == 0.0 {
                        s.draw_text(
                            Point::from_xy(*x, *y),
                            f.font.clone(),
                            size,
                            text,
                            false,
                            TextDirection::Auto,
                        );
                    } else {
                        // Placed as laid out: each character's advance plus the tracking.
                        let glyphs: Vec<KrillaGlyph> = text
                            .char_indices()
                            .zip(f.glyphs(text))
                            .map(|((at, c), (id, adv))| {
                                KrillaGlyph::new(
                                    GlyphId::new(id),
                                    adv + t / size,
                                    0.0,
                                    0.0,
                                    0.0,
                                    at..at + c.len_utf8(),
                                    None,
                                )
                            })
                            .collect();
                        s.draw_glyphs(
                            Point::from_xy(*x, *y),
                            &glyphs,
                            f.font.clone(),
                            text,
                            size,
                            false,
                        );
                    }
                }
                Op::Line {
                    x1,
                    y1,
                    x2,
                    y2,
                    width,
                    red: r,
                } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(path) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: if *r { red } else { black }.into(),
                            width: *width,
                            ..Stroke::default()
                        }));
                        s.draw_path(&path);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    pdf.finish()
        .map_err(|e| RenderError::Write(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fonts() -> Option<Fonts> {
        Fonts::load(&Fonts::dir_from_env()).ok()
    }

    #[test]
    fn lines_break_between_characters_and_never_before_closing_punctuation() {
        let Some(f) = fonts() else {
            return;
        };
        let w = f.serif.width("一二三四五", BODY) + 1.0;
        for mark in ["，", "：", "；", "）", "？", "！", "。", ","] {
            let text = format!("一二三四五{mark}六七八九十。");
            let lines = wrap(&f.serif, &text, Set::GRID, w, 0.0, 0.0);
            assert_eq!(lines[0], format!("一二三四五{mark}"));
            assert_eq!(lines.concat(), text);
        }
        let en = wrap(
            &f.serif,
            "one two three four",
            Set::plain(BODY),
            f.serif.width("three four ", BODY),
            0.0,
            0.0,
        );
        assert_eq!(en, vec!["one two", "three four"]);
    }

    /// GB/T 9704-2012 7.1: body text sets 28 characters a line of the 156 mm type area (the
    /// 16 pt face alone would fit 27); a paragraph's first line, indented two, holds 26.
    #[test]
    fn body_lines_hold_twenty_eight_characters() {
        let Some(f) = fonts() else {
            return;
        };
        let text = "国".repeat(80);
        let lines = wrap(&f.serif, &text, Set::GRID, 156.0 * MM, 2.0 * GRID, 0.0);
        let counts: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert_eq!(counts, vec![26, 28, 26]);
        // The face's own advance would give 27: the grid is what makes it 28.
        assert!(f.serif.width(&"国".repeat(28), BODY) > 156.0 * MM);
        // The same grid is what is drawn: 28 characters span the type area exactly.
        assert!((width(&f.serif, &"国".repeat(28), Set::GRID) - 156.0 * MM).abs() < 0.01);
    }

    /// The sets of the texts a one-section document lays out, with the first characters of each.
    fn sets(f: &Fonts, lang: Lang, blocks: Vec<Block>) -> Vec<(String, Set)> {
        let mut l = Layout {
            fonts: f,
            lang,
            pages: Vec::new(),
            landscape: false,
            y: 0.0,
        };
        l.new_page();
        for b in &blocks {
            l.block(b);
        }
        l.pages[0]
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Text { set, text, .. } => Some((text.chars().take(2).collect(), *set)),
                Op::Line { .. } => None,
            })
            .collect()
    }

    /// The grid is a role, not a size: a Chinese document's body text (paragraphs, the
    /// subtitle, the signature) is on it; its title and table cells are not; an English
    /// document is not on it at all (GB/T 9704's 28 characters are a Chinese rule).
    #[test]
    fn body_text_of_chinese_documents_is_on_the_grid_and_nothing_else() {
        let Some(f) = fonts() else {
            return;
        };
        let mut t = Table::new(&["名称"], &[false]);
        t.rows.push(vec!["表中".into()]);
        let blocks = || {
            vec![
                Block::Title(vec!["标题".into()]),
                Block::Subtitle("副题".into()),
                Block::Para("正文".into()),
                Block::Table(t.clone()),
                Block::Signature {
                    organ: "机关".into(),
                    date: "日期".into(),
                },
            ]
        };
        let zh = sets(&f, Lang::Zh, blocks());
        let on: Vec<&str> = zh
            .iter()
            .filter(|(_, s)| *s == Set::GRID)
            .map(|(t, _)| t.as_str())
            .collect();
        assert_eq!(on, ["副题", "正文", "机关", "日期"], "{zh:?}");
        assert!(
            zh.iter().all(|(_, s)| *s == Set::GRID || s.track == 0.0),
            "{zh:?}"
        );
        let en = sets(&f, Lang::En, blocks());
        assert_eq!(en.len(), zh.len());
        assert!(en.iter().all(|(_, s)| s.track == 0.0), "{en:?}");
    }
}
