//! Reading RON with positions: the line, the column and the field path of the first problem.

use serde::de::DeserializeOwned;

/// A scenario the parser could not read: the reason and where.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("line {line}, column {column}{}: {message}", field.as_ref().map(|f| format!(", field {f}")).unwrap_or_default())]
pub struct ParseError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// Path of the field being read, e.g. `agents[0].count`, when known.
    pub field: Option<String>,
    /// What the parser expected or found.
    pub message: String,
}

impl ParseError {
    fn at(e: ron::error::SpannedError, field: Option<String>) -> Self {
        Self {
            line: e.position.line,
            column: e.position.col,
            field,
            message: e.code.to_string(),
        }
    }
}

/// Parses RON text of at most `max_bytes` into `T` with `extensions` on by default. Errors
/// carry the line, the column and, when it can be told, the path of the field being read.
pub fn parse_ron<T: DeserializeOwned>(
    text: &str,
    extensions: ron::extensions::Extensions,
    max_bytes: usize,
) -> Result<T, ParseError> {
    if text.len() > max_bytes {
        return Err(ParseError {
            line: 1,
            column: 1,
            field: None,
            message: format!("file is larger than {max_bytes} bytes"),
        });
    }
    let options = ron::Options::default().with_default_extension(extensions);
    let mut de = ron::Deserializer::from_str_with_options(text, options)
        .map_err(|e| ParseError::at(e, None))?;
    match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => {
            de.end()
                .map_err(|e| ParseError::at(de.span_error(e), None))?;
            Ok(value)
        }
        Err(e) => {
            let field = field_path(&e.path().to_string());
            let err = ParseError::at(de.span_error(e.into_inner()), field);
            let near = err
                .field
                .clone()
                .or_else(|| field_before(text, err.line, err.column));
            Err(ParseError { field: near, ..err })
        }
    }
}

/// A serde path as the user writes it: `agents[0].Noise.count` → `agents[0].count`.
fn field_path(raw: &str) -> Option<String> {
    let kept: Vec<&str> = raw
        .split('.')
        .filter(|seg| {
            !seg.is_empty() && !seg.starts_with(|c: char| c.is_ascii_uppercase()) && *seg != "?"
        })
        .collect();
    if kept.is_empty() {
        None
    } else {
        Some(kept.join("."))
    }
}

/// The name of the field whose value starts before (line, column): the identifier in front of
/// the nearest preceding `:`. Used when serde could not say which field it was reading.
fn field_before(text: &str, line: usize, column: usize) -> Option<String> {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let offset = (line_start + column.saturating_sub(1)).min(text.len());
    let head = text.get(..offset)?;
    let colon = head.rfind(':')?;
    let before = head[..colon].trim_end();
    let start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map_or(0, |i| i + 1);
    let name = &before[start..];
    (!name.is_empty() && name.starts_with(|c: char| c.is_ascii_lowercase()))
        .then(|| name.to_string())
}
