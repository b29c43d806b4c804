//! The fonts the PDF writer embeds: Noto Serif CJK SC (the 仿宋 and 小标宋 roles) and Noto Sans
//! CJK SC Bold (黑体), read once from a directory on this machine, never fetched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use skrifa::MetadataProvider as _;
use skrifa::instance::{LocationRef, Size};

use crate::RenderError;

/// The environment variable naming the font directory.
pub const FONT_DIR_ENV: &str = "ZX_DOC_FONT_DIR";
/// Where Debian's `fonts-noto-cjk` puts the fonts.
pub const DEFAULT_FONT_DIR: &str = "/usr/share/fonts/opentype/noto";

/// The face of Simplified Chinese in the Noto CJK collections (JP, KR, SC, TC, HK).
const SC: u32 = 2;

/// One face: its bytes (shared), its index in the collection, and krilla's handle.
#[derive(Clone)]
pub(crate) struct Face {
    data: Arc<Vec<u8>>,
    index: u32,
    pub(crate) font: krilla::text::Font,
}

impl std::fmt::Debug for Face {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Face({} bytes, #{})", self.data.len(), self.index)
    }
}

impl Face {
    fn load(path: &Path, index: u32) -> Result<Self, RenderError> {
        let err = |reason: String| RenderError::Font {
            path: path.display().to_string(),
            reason,
        };
        let data = Arc::new(std::fs::read(path).map_err(|e| err(e.to_string()))?);
        skrifa::FontRef::from_index(&data, index).map_err(|e| err(e.to_string()))?;
        let font = krilla::text::Font::new(data.clone().into(), index)
            .ok_or_else(|| err("not a font krilla can use".into()))?;
        Ok(Self { data, index, font })
    }

    /// The advance of each character of `s` at `size` points (0 for characters the face lacks).
    pub(crate) fn advances(&self, s: &str, size: f32) -> Vec<f32> {
        let Ok(f) = skrifa::FontRef::from_index(&self.data, self.index) else {
            return s.chars().map(|_| size).collect();
        };
        let cmap = f.charmap();
        let m = f.glyph_metrics(Size::new(size), LocationRef::default());
        s.chars()
            .map(|c| cmap.map(c).and_then(|g| m.advance_width(g)).unwrap_or(0.0))
            .collect()
    }

    /// Each character of `s` as a glyph id and its advance in ems, one glyph a character (the
    /// layout measures per character too; CJK text needs no shaping). A character the face
    /// lacks is glyph 0 with no advance.
    pub(crate) fn glyphs(&self, s: &str) -> Vec<(u32, f32)> {
        let Ok(f) = skrifa::FontRef::from_index(&self.data, self.index) else {
            return s.chars().map(|_| (0, 1.0)).collect();
        };
        let cmap = f.charmap();
        let m = f.glyph_metrics(Size::unscaled(), LocationRef::default());
        let upem = f32::from(
            f.metrics(Size::unscaled(), LocationRef::default())
                .units_per_em
                .max(1),
        );
        s.chars()
            .map(|c| {
                cmap.map(c).map_or((0, 0.0), |g| {
                    (g.to_u32(), m.advance_width(g).unwrap_or(0.0) / upem)
                })
            })
            .collect()
    }

    /// The width of `s` at `size` points (untracked: the layout's widths are `pdf::width`).
    #[cfg(test)]
    pub(crate) fn width(&self, s: &str, size: f32) -> f32 {
        self.advances(s, size).iter().sum()
    }
}

/// The fonts of the PDF writer.
#[derive(Debug, Clone)]
pub struct Fonts {
    pub(crate) serif: Face,
    pub(crate) serif_bold: Face,
    pub(crate) sans_bold: Face,
}

impl Fonts {
    /// Loads the Noto CJK SC faces from `dir` (`NotoSerifCJK-Regular.ttc`,
    /// `NotoSerifCJK-Bold.ttc`, `NotoSansCJK-Bold.ttc`).
    ///
    /// # Errors
    /// A file missing or not a font.
    pub fn load(dir: &Path) -> Result<Self, RenderError> {
        Ok(Self {
            serif: Face::load(&dir.join("NotoSerifCJK-Regular.ttc"), SC)?,
            serif_bold: Face::load(&dir.join("NotoSerifCJK-Bold.ttc"), SC)?,
            sans_bold: Face::load(&dir.join("NotoSansCJK-Bold.ttc"), SC)?,
        })
    }

    /// The directory [`FONT_DIR_ENV`] names, or [`DEFAULT_FONT_DIR`].
    #[must_use]
    pub fn dir_from_env() -> PathBuf {
        std::env::var_os(FONT_DIR_ENV)
            .filter(|v| !v.is_empty())
            .map_or_else(|| PathBuf::from(DEFAULT_FONT_DIR), PathBuf::from)
    }
}
