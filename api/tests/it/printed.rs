//! Reading generated documents back: the text of a PDF (`pdftotext` from poppler-utils) and of
//! a DOCX (`word/document.xml`), and one page of each PDF kept as a PNG in `target/documents/`
//! (`pdftoppm`) for people to look at (CI keeps them as artefacts).

use std::path::PathBuf;
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("zx-printed-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir.join(name)
}

/// The text of a PDF with all whitespace removed (lines break anywhere in Chinese text).
pub fn pdf_text(pdf: &[u8], name: &str) -> String {
    assert!(pdf.starts_with(b"%PDF-"), "{name} is not a PDF");
    let path = scratch(&format!("{name}.pdf"));
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils) is needed: {e}"));
    assert!(out.status.success(), "pdftotext failed on {name}");
    // One page as a PNG for review.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/documents");
    let _ = std::fs::create_dir_all(&dir);
    let _ = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&path)
        .arg(dir.join(name))
        .status();
    let _ = std::fs::remove_file(&path);
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect()
}

/// The lines of a PDF's first page as poppler sees them (`pdftotext -bbox-layout`): each line's
/// text (words joined, whitespace removed) and its left and right edges in points.
pub fn pdf_lines(pdf: &[u8], name: &str) -> Vec<(String, f32, f32)> {
    let path = scratch(&format!("{name}-lines.pdf"));
    std::fs::write(&path, pdf).unwrap_or_else(|e| panic!("{e}"));
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8", "-bbox-layout", "-f", "1", "-l", "1"])
        .arg(&path)
        .arg("-")
        .output()
        .unwrap_or_else(|e| panic!("pdftotext (poppler-utils) is needed: {e}"));
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "pdftotext -bbox-layout failed on {name}"
    );
    let xml = String::from_utf8_lossy(&out.stdout);
    let attr = |tag: &str, key: &str| -> f32 {
        tag.split(&format!("{key}=\""))
            .nth(1)
            .and_then(|r| r.split('"').next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(f32::NAN)
    };
    xml.split("<line ")
        .skip(1)
        .map(|l| {
            let head = l.split('>').next().unwrap_or_default();
            let body = l.split("</line>").next().unwrap_or_default();
            let text: String = body
                .split("<word ")
                .skip(1)
                .filter_map(|w| w.split_once('>').map(|(_, r)| r))
                .filter_map(|r| r.split("</word>").next())
                .collect();
            (text, attr(head, "xMin"), attr(head, "xMax"))
        })
        .collect()
}

/// The text of a DOCX's `word/document.xml`, whitespace removed.
pub fn docx_text(docx: &[u8]) -> String {
    render::docx_text(docx)
        .unwrap_or_else(|e| panic!("not a DOCX: {e}"))
        .concat()
        .split_whitespace()
        .collect()
}
