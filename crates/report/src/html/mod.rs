//! `report.html`: one self-contained page per run folder or sweep folder, with interactive
//! charts (Apache ECharts, vendored under `assets/echarts/` and inlined), tables and the
//! manifest. Nothing is fetched: every script and style is inside the file, and the charts use
//! the browser's own sans-serif font, so the page opens the same with no network.
//!
//! The page is a function of the folder's files alone (no clock, no host name), so the same
//! folder always gives the same bytes. It is not listed in the run's manifest.json: it embeds
//! the manifest (every file's digest), so it cannot be listed in it, and replay verifies the
//! data the page is drawn from, not the page.

pub mod decimate;
pub mod run;
pub mod sweep;

use crate::ReportError;
use serde_json::Value;
use std::path::Path;

/// The file name of a report inside its folder.
pub const REPORT_FILE: &str = "report.html";

/// ECharts 6.1.0, `dist/echarts.min.js` from the npm registry (see assets/echarts/README.md).
const ECHARTS_JS: &str = include_str!("../../assets/echarts/echarts.min.js");
/// The page's look.
const REPORT_CSS: &str = include_str!("../../assets/report/report.css");
/// Shared page code: formatting, zoom links, the sortable table.
const COMMON_JS: &str = include_str!("../../assets/report/common.js");
/// The run page's charts.
const RUN_JS: &str = include_str!("../../assets/report/run.js");
/// The sweep page's charts.
const SWEEP_JS: &str = include_str!("../../assets/report/sweep.js");

/// Which page a report is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageKind {
    /// One run.
    Run,
    /// A sweep.
    Sweep,
}

/// The whole page: `data` is embedded as JSON and drawn by the page's script.
pub fn page(kind: PageKind, title: &str, data: &Value) -> Result<Vec<u8>, ReportError> {
    let json = serde_json::to_string(data)
        .map_err(|e| ReportError::Chart(format!("report data as JSON: {e}")))?;
    let script = match kind {
        PageKind::Run => RUN_JS,
        PageKind::Sweep => SWEEP_JS,
    };
    let mut out = String::with_capacity(ECHARTS_JS.len() + json.len() + 64 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    // No request may leave the file: the policy forbids every fetch, and the page makes none.
    out.push_str(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n",
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape_html(title)));
    out.push_str(&format!(
        "<style>\n{REPORT_CSS}\n</style>\n</head>\n<body>\n"
    ));
    out.push_str(&format!(
        "<header><h1>{}</h1><p id=\"subtitle\"></p></header>\n<main id=\"report\"></main>\n",
        escape_html(title)
    ));
    out.push_str(&format!(
        "<script type=\"application/json\" id=\"report-data\">{}</script>\n",
        escape_script(&json)
    ));
    for code in [ECHARTS_JS, COMMON_JS, script] {
        out.push_str("<script>\n");
        out.push_str(&escape_script(code));
        out.push_str("\n</script>\n");
    }
    out.push_str("</body>\n</html>\n");
    Ok(out.into_bytes())
}

/// Text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Script text that cannot end its `<script>` element early: every `</` becomes `<\/`, which
/// JSON and JavaScript strings read as the same two characters.
fn escape_script(s: &str) -> String {
    s.replace("</", "<\\/")
}

/// Writes `bytes` as `dir/report.html`, atomically.
pub fn write(dir: &Path, bytes: &[u8]) -> Result<(), ReportError> {
    crate::atomic::write_bytes(&dir.join(REPORT_FILE), bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_text_cannot_close_its_script_element() {
        let data = serde_json::json!({"name": "</script><script>alert(1)</script>"});
        let page = String::from_utf8(page(PageKind::Run, "a <b>", &data).unwrap()).unwrap();
        let data_start = page.find("id=\"report-data\">").unwrap();
        let data_end = data_start + page[data_start..].find("</script>").unwrap();
        let embedded = &page[data_start + "id=\"report-data\">".len()..data_end];
        let back: Value = serde_json::from_str(&embedded.replace("<\\/", "</")).unwrap();
        assert_eq!(back, data);
        assert!(page.contains("<title>a &lt;b&gt;</title>"));
    }

    #[test]
    fn the_page_inlines_every_script_and_fetches_nothing() {
        let page = String::from_utf8(page(PageKind::Sweep, "t", &Value::Null).unwrap()).unwrap();
        assert!(!page.contains("<script src") && !page.contains("<link"));
        assert!(page.contains("default-src 'none'"));
        // The vendored library is the pinned one (assets/echarts/README.md).
        let digest = crate::manifest::sha256_hex(ECHARTS_JS.as_bytes());
        assert_eq!(
            digest,
            "b66b25aeb4df84e33199dc21694014d336d222cbd9deb0e5a7c14bd6aa0d0fd0"
        );
        assert!(page.contains("echarts"));
    }
}
