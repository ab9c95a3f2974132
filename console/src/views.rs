//! The page templates (tera, compiled in; autoescaping on for every `.html` template) and the
//! context every page shares.

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::response::Html;
use serde_json::{json, Value};
use tera::{Context, Tera};

use crate::error::PageError;
use crate::session::Session;

macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

const TEMPLATES: &[(&str, &str)] = templates![
    "base.html",
    "error.html",
    "login.html",
    "runs.html",
    "run.html",
    "run_live.html",
    "dag.html",
    "packages.html",
    "package.html",
    "launch.html",
    "properties.html",
    "campaigns.html",
    "settings.html",
    "schedules.html",
    "leads.html",
    "analytics.html",
    "property.html",
];

static VIEWS: LazyLock<Tera> = LazyLock::new(|| {
    let mut tera = Tera::default();
    tera.add_raw_templates(TEMPLATES.iter().copied()).expect("the console's templates parse");
    tera.register_filter("when", when);
    tera.register_filter("secs", secs);
    tera.register_filter("short", short);
    tera.register_filter("local_time", local_time);
    tera
});

/// `2026-03-01T08:15:02.123456Z` as `2026-03-01 08:15:02 UTC`; anything else as it is.
fn when(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(match v.as_str() {
        Some(t) if t.len() >= 19 && t.as_bytes()[10] == b'T' => json!(format!("{} {} UTC", &t[..10], &t[11..19])),
        Some(t) => json!(t),
        None => json!(""),
    })
}

/// `2026-12-04T09:00:00+04:00` as `2026-12-04 09:00 (UTC+04:00)`: a local time that says its offset.
fn local_time(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(match v.as_str() {
        Some(t) if t.len() >= 25 && t.as_bytes()[10] == b'T' => {
            let offset = &t[t.len() - 6..];
            json!(format!("{} {} (UTC{offset})", &t[..10], &t[11..16]))
        }
        Some(t) => json!(t),
        None => json!(""),
    })
}

/// The first 8 characters of an id: enough to tell runs apart in a list.
fn short(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    Ok(json!(v.as_str().unwrap_or_default().chars().take(8).collect::<String>()))
}

/// Seconds as `1 h 02 m`, `3 m 05 s` or `4.2 s`.
fn secs(v: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    let Some(s) = v.as_f64() else { return Ok(json!("")) };
    let whole = s.round() as u64;
    Ok(json!(match whole {
        _ if s < 60.0 => format!("{s:.1} s"),
        w if w < 3600 => format!("{} m {:02} s", w / 60, w % 60),
        w => format!("{} h {:02} m", w / 3600, (w % 3600) / 60),
    }))
}

pub(crate) fn render(name: &str, ctx: &Context) -> Result<Html<String>, PageError> {
    VIEWS.render(name, ctx).map(Html).map_err(|e| {
        // Tera's own message is only "failed to render"; the cause is in the chain.
        let mut cause = String::new();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            cause.push_str(&format!(": {s}"));
            source = s.source();
        }
        tracing::error!(template = name, "render failed{cause}");
        PageError::Render(e)
    })
}

/// The context of a signed-in page: who is signed in, what they may do (so what they may not
/// do is not offered), and which menu entry is current.
pub(crate) fn page(session: &Session, section: &str) -> Context {
    let mut ctx = Context::new();
    ctx.insert("me", &session.me);
    let can: Value = json!({
        "execute": session.can("workflows:execute_package"),
        "system": session.can("workflows:system_management"),
        "approve": session.can("marketing:approve_campaigns"),
        "campaigns": session.can("marketing:create_campaign"),
        "team": session.can("workflows:manage_team_workflows"),
    });
    ctx.insert("can", &can);
    ctx.insert("section", section);
    ctx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_shorten_times_and_durations() {
        let none = HashMap::new();
        assert_eq!(when(&json!("2026-03-01T08:15:02.123456Z"), &none).unwrap(), "2026-03-01 08:15:02 UTC");
        assert_eq!(when(&Value::Null, &none).unwrap(), "");
        assert_eq!(local_time(&json!("2026-12-04T09:00:00+04:00"), &none).unwrap(), "2026-12-04 09:00 (UTC+04:00)");
        assert_eq!(secs(&json!(4.24), &none).unwrap(), "4.2 s");
        assert_eq!(secs(&json!(185), &none).unwrap(), "3 m 05 s");
        assert_eq!(secs(&json!(3720), &none).unwrap(), "1 h 02 m");
    }

    #[test]
    fn every_template_parses_and_escapes() {
        let mut ctx = tera::Context::new();
        ctx.insert(
            "problem",
            &serde_json::json!({ "status": 404, "code": "not_found", "title": "Not Found", "detail": "<script>x</script>", "errors": [] }),
        );
        let html = super::render("error.html", &ctx).unwrap().0;
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>x"), "{html}");
    }
}

#[cfg(test)]
mod pages {
    use super::*;

    fn signed_in() -> Context {
        let mut ctx = Context::new();
        ctx.insert("me", &json!({ "name": "Sara <Khan>", "role": "team_leader", "permissions": [] }));
        ctx.insert(
            "can",
            &json!({ "execute": true, "system": true, "approve": true, "campaigns": true, "team": true }),
        );
        ctx.insert("section", "runs");
        ctx
    }

    fn chain(e: &tera::Error) -> String {
        let mut out = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            out.push_str(&format!(": {s}"));
            source = s.source();
        }
        out
    }

    #[test]
    fn the_runs_page_renders() {
        let mut ctx = signed_in();
        ctx.insert("runs", &json!([{ "execution_id": "0198aaaa-bbbb", "package_name": "p", "package_version": 1, "status": "running", "created_at": "2026-03-01T08:15:02Z", "completed_at": null }]));
        ctx.insert("packages", &json!([{ "name": "p", "display_name": "P" }]));
        ctx.insert("statuses", &["running"]);
        ctx.insert("package", "");
        ctx.insert("status", "");
        ctx.insert("mine", &false);
        ctx.insert("from", "");
        ctx.insert("to", "");
        ctx.insert("param", "");
        ctx.insert("filtered", &false);
        ctx.insert("bulk", &Value::Null);
        ctx.insert("first_page", &true);
        ctx.insert("first_page_url", "/console/runs");
        let html = VIEWS.render("runs.html", &ctx).map_err(|e| chain(&e)).unwrap();
        assert!(html.contains("Sara &lt;Khan&gt;") && html.contains("0198aaaa"), "{html}");
    }

    #[test]
    fn the_launch_form_renders_each_parameter_type() {
        let mut ctx = signed_in();
        ctx.insert("package", &json!({ "name": "p", "display_name": "P", "parameters": [
            { "name": "work_ms", "type": "integer", "required": false, "default": 200, "min": 0, "max": 60000, "description": "ms", "values": null, "max_length": null },
            { "name": "flag", "type": "boolean", "required": false, "default": true, "description": null, "min": null, "max": null, "values": null, "max_length": null },
            { "name": "kind", "type": "enum", "required": true, "default": null, "values": ["a", "b"], "description": null, "min": null, "max": null, "max_length": null },
            { "name": "property_id", "type": "string", "required": true, "default": null, "max_length": 64, "description": null, "min": null, "max": null, "values": null },
        ]}));
        ctx.insert("values", &json!({}));
        ctx.insert("properties", &json!([{ "reference": "R1", "address": "Marina" }]));
        ctx.insert("launch_key", "k");
        ctx.insert("problem", &None::<()>);
        let html = VIEWS.render("launch.html", &ctx).map_err(|e| chain(&e)).unwrap();
        assert!(
            html.contains("name=\"work_ms\"")
                && html.contains("type=\"checkbox\"")
                && html.contains("list=\"my-properties\""),
            "{html}"
        );
    }
}
