//! Typed package parameters and the validation of trigger parameters against them.

use serde_json::{Map, Value};

#[derive(Debug, Clone)]
pub struct Parameter {
    pub name: String,
    pub kind: ParamKind,
    pub required: bool,
    pub default: Option<Value>,
    pub description: String,
}

#[derive(Debug, Clone)]
pub enum ParamKind {
    String { min_length: Option<u32>, max_length: Option<u32>, pattern: Option<regex::Regex> },
    Integer { min: Option<f64>, max: Option<f64> },
    Number { min: Option<f64>, max: Option<f64> },
    Boolean,
    Enum { values: Vec<String> },
    Array,
    Object,
}

impl ParamKind {
    pub fn type_name(&self) -> &'static str {
        match self {
            ParamKind::String { .. } => "string",
            ParamKind::Integer { .. } => "integer",
            ParamKind::Number { .. } => "number",
            ParamKind::Boolean => "boolean",
            ParamKind::Enum { .. } => "enum",
            ParamKind::Array => "array",
            ParamKind::Object => "object",
        }
    }
}

/// A trigger parameter that does not fit its declaration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct ParamError {
    pub field: String,
    pub message: String,
}

pub(crate) fn validate(declared: &[Parameter], given: &Value) -> Result<Value, Vec<ParamError>> {
    let empty = Map::new();
    let given = match given {
        Value::Object(map) => map,
        Value::Null => &empty,
        _ => return Err(vec![ParamError { field: "parameters".into(), message: "must be a JSON object".into() }]),
    };
    let mut errors = Vec::new();
    let mut out = Map::new();
    for name in given.keys() {
        if !declared.iter().any(|p| &p.name == name) {
            errors.push(ParamError { field: name.clone(), message: "unknown parameter".into() });
        }
    }
    for param in declared {
        match given.get(&param.name) {
            Some(Value::Null) | None => {
                if let Some(default) = &param.default {
                    out.insert(param.name.clone(), default.clone());
                } else if param.required {
                    errors.push(ParamError { field: param.name.clone(), message: "is required".into() });
                }
            }
            Some(value) => match check_value(&param.kind, value) {
                Ok(v) => {
                    out.insert(param.name.clone(), v);
                }
                Err(message) => errors.push(ParamError { field: param.name.clone(), message }),
            },
        }
    }
    if errors.is_empty() {
        Ok(Value::Object(out))
    } else {
        Err(errors)
    }
}

/// Checks one value; numbers given as strings are not coerced (clients must send JSON numbers).
pub(crate) fn check_value(kind: &ParamKind, value: &Value) -> Result<Value, String> {
    let range = |n: f64, min: &Option<f64>, max: &Option<f64>| -> Result<(), String> {
        if let Some(min) = min {
            if n < *min {
                return Err(format!("must be at least {min}"));
            }
        }
        if let Some(max) = max {
            if n > *max {
                return Err(format!("must be at most {max}"));
            }
        }
        Ok(())
    };
    match kind {
        ParamKind::String { min_length, max_length, pattern } => {
            let s = value.as_str().ok_or("must be a string")?;
            let len = s.chars().count() as u32;
            if min_length.is_some_and(|m| len < m) {
                return Err(format!("must be at least {} characters", min_length.unwrap_or(0)));
            }
            if max_length.is_some_and(|m| len > m) {
                return Err(format!("must be at most {} characters", max_length.unwrap_or(0)));
            }
            if let Some(re) = pattern {
                if !re.is_match(s) {
                    return Err(format!("must match the pattern {}", re.as_str()));
                }
            }
            Ok(value.clone())
        }
        ParamKind::Integer { min, max } => {
            let n = match value {
                Value::Number(n) if n.is_i64() || n.is_u64() => n.as_f64().unwrap_or(0.0),
                Value::Number(n) if n.as_f64().is_some_and(|f| f.fract() == 0.0) => n.as_f64().unwrap_or(0.0),
                _ => return Err("must be an integer".into()),
            };
            range(n, min, max)?;
            Ok(Value::from(n as i64))
        }
        ParamKind::Number { min, max } => {
            let n = value.as_f64().ok_or("must be a number")?;
            range(n, min, max)?;
            Ok(value.clone())
        }
        ParamKind::Boolean => value.as_bool().map(|_| value.clone()).ok_or_else(|| "must be true or false".into()),
        ParamKind::Enum { values } => match value.as_str() {
            Some(s) if values.iter().any(|v| v == s) => Ok(value.clone()),
            _ => Err(format!("must be one of: {}", values.join(", "))),
        },
        ParamKind::Array => value.as_array().map(|_| value.clone()).ok_or_else(|| "must be an array".into()),
        ParamKind::Object => value.as_object().map(|_| value.clone()).ok_or_else(|| "must be an object".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params() -> Vec<Parameter> {
        vec![
            Parameter {
                name: "property_id".into(),
                kind: ParamKind::String { min_length: Some(1), max_length: Some(64), pattern: None },
                required: true,
                default: None,
                description: String::new(),
            },
            Parameter {
                name: "listing_price".into(),
                kind: ParamKind::Number { min: Some(0.0), max: None },
                required: true,
                default: None,
                description: String::new(),
            },
            Parameter {
                name: "timeline".into(),
                kind: ParamKind::Enum { values: vec!["1_week".into(), "2_weeks".into()] },
                required: false,
                default: Some(json!("2_weeks")),
                description: String::new(),
            },
            Parameter {
                name: "count".into(),
                kind: ParamKind::Integer { min: Some(1.0), max: Some(10.0) },
                required: false,
                default: None,
                description: String::new(),
            },
        ]
    }

    #[test]
    fn fills_defaults() {
        let out = validate(&params(), &json!({"property_id": "p1", "listing_price": 2.5e6})).unwrap();
        assert_eq!(out, json!({"property_id": "p1", "listing_price": 2.5e6, "timeline": "2_weeks"}));
    }

    #[test]
    fn names_every_bad_field() {
        let errs =
            validate(&params(), &json!({"listing_price": -1, "timeline": "never", "count": 1.5, "x": 1})).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["x", "property_id", "listing_price", "timeline", "count"]);
    }

    #[test]
    fn rejects_non_object() {
        assert!(validate(&params(), &json!([1])).is_err());
    }
}
