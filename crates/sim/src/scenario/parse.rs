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
            let path = field_path(&e.path().to_string());
            let spanned = de.span_error(e.into_inner());
            if let ron::Error::MissingStructField { field, outer } = &spanned.code {
                // Reported where the struct closes, after its last field: name the missing one.
                let within = outer
                    .as_deref()
                    .map(|o| format!(" of {o}"))
                    .unwrap_or_default();
                let message = format!("missing field `{field}`{within}: expected a value for it");
                let field = Some(join(path.as_deref(), field));
                return Err(ParseError {
                    message,
                    field,
                    ..ParseError::at(spanned, None)
                });
            }
            let err = ParseError::at(spanned, path.clone());
            if let Some(number) = fraction_at(text, err.line, err.column) {
                // An integer field read the digits before the point and then met `.5`.
                let name = field_before(text, err.line, err.column);
                return Err(ParseError {
                    field: name.map(|n| join(path.as_deref(), &n)).or(path),
                    message: format!("expected an integer, found {number}"),
                    ..err
                });
            }
            let near = err
                .field
                .clone()
                .or_else(|| field_before(text, err.line, err.column));
            Err(ParseError { field: near, ..err })
        }
    }
}

/// `path.name`, or `name` at the top level.
fn join(path: Option<&str>, name: &str) -> String {
    match path {
        Some(p) => format!("{p}.{name}"),
        None => name.to_string(),
    }
}

/// The number with a fraction or an exponent whose integer part ends just before (line,
/// column), where the parser stopped: `200.5` when an integer field met `200.5`.
fn fraction_at(text: &str, line: usize, column: usize) -> Option<String> {
    let line_text = text.lines().nth(line.checked_sub(1)?)?;
    let at = column.checked_sub(1)?;
    let (head, tail) = (line_text.get(..at)?, line_text.get(at..)?);
    if !tail.starts_with(['.', 'e', 'E']) {
        return None;
    }
    let digits = head.len() - head.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    if digits == 0 {
        return None;
    }
    let rest = tail
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-' | '_')))
        .unwrap_or(tail.len());
    let number = format!("{}{}", &head[head.len() - digits..], &tail[..rest]);
    number.parse::<f64>().is_ok().then_some(number)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Group {
        name: String,
        count: u32,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Top {
        duration_s: f64,
        sample_interval_s: f64,
        groups: Vec<Group>,
    }

    fn err(text: &str) -> ParseError {
        parse_ron::<Top>(text, ron::extensions::Extensions::empty(), 1 << 20).unwrap_err()
    }

    #[test]
    fn a_fraction_in_an_integer_field_names_the_field_and_what_was_expected() {
        let e = err(
            "(duration_s: 1.0, sample_interval_s: 1.0,\n groups: [(name: \"a\", count: 200.5)])",
        );
        assert_eq!(e.field.as_deref(), Some("groups[0].count"), "{e}");
        assert_eq!(e.message, "expected an integer, found 200.5");
        assert_eq!(e.line, 2);
    }

    #[test]
    fn a_missing_field_is_named_itself_not_the_field_before_it() {
        let e = err("(duration_s: 1.0,\n groups: [])");
        assert_eq!(e.field.as_deref(), Some("sample_interval_s"), "{e}");
        assert!(
            e.message.contains("missing field `sample_interval_s`"),
            "{e}"
        );
        let e = err("(duration_s: 1.0, sample_interval_s: 1.0, groups: [(name: \"a\")])");
        assert_eq!(e.field.as_deref(), Some("groups[0].count"), "{e}");
    }
}
