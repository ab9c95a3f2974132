//! A small well-formedness check for generated HTML: every element opened is closed, in order, quotes
//! in tags are balanced, and the document has one `<html>` root. Not a validator: enough to catch a
//! broken template before it is sent to thousands of inboxes.

/// Elements that have no closing tag.
const VOID: &[&str] =
    &["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"];

/// Checks that `html` is a well-formed document; the error names the first problem and its byte offset.
pub fn check_html(html: &str) -> Result<(), String> {
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut i = 0;
    let bytes = html.as_bytes();
    while let Some(rel) = html[i..].find('<') {
        let start = i + rel;
        let rest = &html[start..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").ok_or(format!("unclosed comment at {start}"))?;
            i = start + end + 3;
            continue;
        }
        // Find the end of the tag, skipping `>` inside quoted attribute values.
        let mut quote: Option<u8> = None;
        let mut end = None;
        for (k, &b) in bytes[start + 1..].iter().enumerate() {
            match (quote, b) {
                (Some(q), b) if b == q => quote = None,
                (Some(_), _) => {}
                (None, b'"' | b'\'') => quote = Some(b),
                (None, b'<') => return Err(format!("`<` inside a tag at {}", start + 1 + k)),
                (None, b'>') => {
                    end = Some(start + 1 + k);
                    break;
                }
                _ => {}
            }
        }
        let end = end.ok_or(format!("unterminated tag at {start}"))?;
        let inner = &html[start + 1..end];
        i = end + 1;
        if inner.starts_with('!') || inner.starts_with('?') {
            continue; // <!DOCTYPE html>, processing instructions
        }
        let closing = inner.starts_with('/');
        let name: String = inner
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("a tag without a name at {start}"));
        }
        if closing {
            match stack.pop() {
                Some(open) if open == name => {}
                Some(open) => return Err(format!("`</{name}>` at {start} closes `<{open}>`")),
                None => return Err(format!("`</{name}>` at {start} closes nothing")),
            }
        } else if !VOID.contains(&name.as_str()) && !inner.trim_end().ends_with('/') {
            if stack.is_empty() {
                roots += 1;
                if name != "html" {
                    return Err(format!("`<{name}>` at {start} is outside `<html>`"));
                }
            }
            stack.push(name);
        }
    }
    if let Some(open) = stack.last() {
        return Err(format!("`<{open}>` is never closed"));
    }
    if roots != 1 {
        return Err(format!("expected one `<html>` root, found {roots}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_html;

    #[test]
    fn accepts_well_formed_and_rejects_broken_documents() {
        let ok = r#"<!DOCTYPE html><html><head><meta charset="utf-8"><title>a > b</title></head>
<body><!-- <p> --><table><tr><td title="x>y">1<br></td></tr></table><img src="a" /></body></html>"#;
        assert_eq!(check_html(ok), Ok(()));
        assert!(check_html("<html><body><table><tr><td>x</tr></table></body></html>").is_err());
        assert!(check_html("<html><body><p>x</body></html>").is_err());
        assert!(check_html("<html><body></body>").is_err());
        assert!(check_html("<html></html><html></html>").is_err());
        assert!(check_html(r#"<html><a href="x></html>"#).is_err());
    }
}
