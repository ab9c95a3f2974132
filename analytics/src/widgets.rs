//! Custom dashboards: a name and a list of widgets, validated here before they are stored.
//!
//! Widget kinds: `kpi` (one KPI with its change), `trend` (KPIs over the period), `table` (KPIs
//! per agent or per day/week/month) and `market_chart` (a community's price index and forecast).
//! Each may carry `title`, `period` (7d/30d/90d/ytd, default 30d) and `filters` (`user_id`,
//! `team_id`). Every problem is reported with the widget's index.

use serde_json::{Map, Value};

use crate::kpi::Kpi;
use crate::period::Period;
use crate::{AnalyticsError, FieldError};

pub const MAX_WIDGETS: usize = 24;
pub const MAX_NAME_CHARS: usize = 120;
pub const KINDS: [&str; 4] = ["kpi", "trend", "table", "market_chart"];
pub const PROPERTY_TYPES: [&str; 3] = ["apartment", "villa", "hotel_apartment"];

#[derive(Debug, Clone, PartialEq)]
pub enum WidgetKind {
    Kpi(Kpi),
    Trend(Vec<Kpi>),
    Table { kpis: Vec<Kpi>, group_by: GroupBy },
    MarketChart { community: String, property_type: String, forecast_months: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupBy {
    Agent,
    Day,
    Week,
    Month,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Agent => "agent",
            GroupBy::Day => "day",
            GroupBy::Week => "week",
            GroupBy::Month => "month",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filters {
    pub user_id: Option<String>,
    pub team_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Widget {
    pub kind: WidgetKind,
    pub title: Option<String>,
    pub period: Period,
    pub filters: Filters,
}

impl Widget {
    pub fn kind_str(&self) -> &'static str {
        match self.kind {
            WidgetKind::Kpi(_) => "kpi",
            WidgetKind::Trend(_) => "trend",
            WidgetKind::Table { .. } => "table",
            WidgetKind::MarketChart { .. } => "market_chart",
        }
    }

    /// The title shown on the widget: the given one, or one made from its content.
    pub fn display_title(&self) -> String {
        if let Some(t) = &self.title {
            return t.clone();
        }
        match &self.kind {
            WidgetKind::Kpi(k) => k.label().to_string(),
            WidgetKind::Trend(ks) => ks.iter().map(|k| k.label()).collect::<Vec<_>>().join(", "),
            WidgetKind::Table { group_by, .. } => format!("KPIs by {}", group_by.as_str()),
            WidgetKind::MarketChart { community, property_type, .. } => {
                format!("{community} {} prices", property_type.replace('_', " "))
            }
        }
    }
}

/// Validates a dashboard's name.
pub fn validate_name(name: &str) -> Result<String, FieldError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS {
        return Err(FieldError::new("name", format!("must be 1 to {MAX_NAME_CHARS} characters")));
    }
    Ok(n.to_string())
}

/// Validates a widget list, reporting every problem with its widget index.
pub fn validate(widgets: &Value) -> Result<Vec<Widget>, AnalyticsError> {
    let Some(list) = widgets.as_array() else {
        return Err(AnalyticsError::Invalid(vec![FieldError::new("widgets", "must be an array of widgets")]));
    };
    if list.len() > MAX_WIDGETS {
        return Err(AnalyticsError::Invalid(vec![FieldError::new(
            "widgets",
            format!("at most {MAX_WIDGETS} widgets"),
        )]));
    }
    let mut errors = Vec::new();
    let mut out = Vec::new();
    for (i, w) in list.iter().enumerate() {
        match widget(i, w) {
            Ok(w) => out.push(w),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(AnalyticsError::Invalid(errors))
    }
}

fn kpis_field(i: usize, o: &Map<String, Value>, max: usize, errors: &mut Vec<FieldError>) -> Vec<Kpi> {
    let Some(list) = o.get("kpis").and_then(Value::as_array).filter(|l| !l.is_empty() && l.len() <= max) else {
        errors.push(FieldError::at(i, "kpis", format!("must be a list of 1 to {max} KPI keys")));
        return Vec::new();
    };
    let mut out = Vec::new();
    for k in list {
        match k.as_str().map(Kpi::parse) {
            Some(Ok(k)) => out.push(k),
            _ => errors.push(FieldError::at(i, "kpis", format!("unknown KPI {k}"))),
        }
    }
    out
}

fn widget(i: usize, w: &Value) -> Result<Widget, Vec<FieldError>> {
    let Some(o) = w.as_object() else {
        return Err(vec![FieldError::at(i, "kind", "a widget must be an object")]);
    };
    let mut errors = Vec::new();
    let kind = o.get("kind").and_then(Value::as_str).unwrap_or("");
    let allowed: &[&str] = match kind {
        "kpi" => &["kpi"],
        "trend" | "table" => &["kpis", "group_by"],
        "market_chart" => &["community", "property_type", "forecast_months"],
        _ => {
            return Err(vec![FieldError::at(
                i,
                "kind",
                format!("unknown widget kind `{kind}`; use one of {}", KINDS.join(", ")),
            )])
        }
    };
    for key in o.keys() {
        let common = ["kind", "title", "period", "filters"].contains(&key.as_str());
        let table_only = key == "group_by" && kind != "table";
        if (!common && !allowed.contains(&key.as_str())) || table_only {
            errors.push(FieldError::at(i, key.clone(), format!("unknown field for a {kind} widget")));
        }
    }
    let title = match o.get("title") {
        None | Some(Value::Null) => None,
        Some(Value::String(t)) if !t.trim().is_empty() && t.chars().count() <= MAX_NAME_CHARS => Some(t.clone()),
        Some(_) => {
            errors.push(FieldError::at(i, "title", format!("must be 1 to {MAX_NAME_CHARS} characters")));
            None
        }
    };
    let period = match o.get("period") {
        None | Some(Value::Null) => Period::Days30,
        Some(p) => match p.as_str().map(Period::parse) {
            Some(Ok(p)) => p,
            _ => {
                errors.push(FieldError::at(i, "period", "must be 7d, 30d, 90d or ytd"));
                Period::Days30
            }
        },
    };
    let mut filters = Filters::default();
    match o.get("filters") {
        None | Some(Value::Null) => {}
        Some(Value::Object(f)) => {
            for (key, v) in f {
                match (key.as_str(), v) {
                    ("user_id", Value::String(s)) => filters.user_id = Some(s.clone()),
                    ("team_id", Value::String(s)) => filters.team_id = Some(s.clone()),
                    ("user_id" | "team_id", _) => {
                        errors.push(FieldError::at(i, format!("filters.{key}"), "must be an id"))
                    }
                    _ => errors.push(FieldError::at(
                        i,
                        format!("filters.{key}"),
                        "unknown filter (use user_id, team_id)",
                    )),
                }
            }
            if filters.user_id.is_some() && filters.team_id.is_some() {
                errors.push(FieldError::at(i, "filters", "give user_id or team_id, not both"));
            }
        }
        Some(_) => errors.push(FieldError::at(i, "filters", "must be an object")),
    }
    let kind = match kind {
        "kpi" => match o.get("kpi").and_then(Value::as_str).map(Kpi::parse) {
            Some(Ok(k)) => Some(WidgetKind::Kpi(k)),
            _ => {
                errors.push(FieldError::at(i, "kpi", "must be a known KPI key"));
                None
            }
        },
        "trend" => Some(WidgetKind::Trend(kpis_field(i, o, 6, &mut errors))),
        "table" => {
            let kpis = kpis_field(i, o, 12, &mut errors);
            let group_by = match o.get("group_by").map(|g| g.as_str()) {
                None | Some(Some("agent")) => GroupBy::Agent,
                Some(Some("day")) => GroupBy::Day,
                Some(Some("week")) => GroupBy::Week,
                Some(Some("month")) => GroupBy::Month,
                _ => {
                    errors.push(FieldError::at(i, "group_by", "must be agent, day, week or month"));
                    GroupBy::Agent
                }
            };
            Some(WidgetKind::Table { kpis, group_by })
        }
        _ => {
            let community = o.get("community").and_then(Value::as_str).map(str::trim).unwrap_or("");
            if community.is_empty() {
                errors.push(FieldError::at(i, "community", "is required"));
            }
            let property_type = match o.get("property_type") {
                None | Some(Value::Null) => "apartment".to_string(),
                Some(Value::String(t)) if PROPERTY_TYPES.contains(&t.as_str()) => t.clone(),
                Some(_) => {
                    errors.push(FieldError::at(i, "property_type", "must be apartment, villa or hotel_apartment"));
                    String::new()
                }
            };
            let forecast_months = match o.get("forecast_months") {
                None | Some(Value::Null) => 6,
                Some(v) => match v.as_u64().filter(|m| *m <= 24) {
                    Some(m) => m as usize,
                    None => {
                        errors.push(FieldError::at(i, "forecast_months", "must be 0 to 24"));
                        0
                    }
                },
            };
            Some(WidgetKind::MarketChart { community: community.to_string(), property_type, forecast_months })
        }
    };
    match kind {
        Some(kind) if errors.is_empty() => Ok(Widget { kind, title, period, filters }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn valid_widgets_of_every_kind() {
        let w = validate(&json!([
            { "kind": "kpi", "kpi": "cmas_produced", "period": "7d" },
            { "kind": "trend", "kpis": ["leads_handled", "leads_converted"], "filters": { "user_id": "u1" } },
            { "kind": "table", "kpis": ["workflows_completed"], "group_by": "week", "title": "Weekly" },
            { "kind": "market_chart", "community": "Dubai Marina", "forecast_months": 3 },
        ]))
        .unwrap();
        assert_eq!(w.len(), 4);
        assert_eq!(w[0].kind, WidgetKind::Kpi(Kpi::CmasProduced));
        assert_eq!(w[0].period, Period::Days7);
        assert_eq!(w[1].filters.user_id.as_deref(), Some("u1"));
        assert_eq!(w[2].kind, WidgetKind::Table { kpis: vec![Kpi::WorkflowsCompleted], group_by: GroupBy::Week });
        assert_eq!(w[3].display_title(), "Dubai Marina apartment prices");
    }

    #[test]
    fn problems_name_the_widget_index() {
        let AnalyticsError::Invalid(e) = validate(&json!([
            { "kind": "kpi", "kpi": "cmas_produced" },
            { "kind": "pie", "kpi": "x" },
            { "kind": "trend", "kpis": ["nope"], "colour": "red", "period": "2w" },
        ]))
        .unwrap_err() else {
            panic!()
        };
        assert_eq!(e[0].index, Some(1));
        assert!(e[0].message.contains("unknown widget kind `pie`"), "{}", e[0]);
        let rest: Vec<(Option<usize>, &str)> = e[1..].iter().map(|e| (e.index, e.field.as_str())).collect();
        assert_eq!(rest, [(Some(2), "colour"), (Some(2), "period"), (Some(2), "kpis")]);
        assert!(validate(&json!({ "kind": "kpi" })).is_err());
        assert!(validate(&json!(vec![json!({ "kind": "kpi", "kpi": "cmas_produced" }); 25])).is_err());
    }
}
