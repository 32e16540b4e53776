//! Output convention of every command that reports figures: a readable table for people, and
//! with `--json` one JSON object as the last line of output, for scripts and CI.

use serde_json::{Map, Value};

/// Figures a command reports. Keys keep insertion order in the table and in JSON.
#[derive(Debug, Default)]
pub struct Report {
    title: String,
    fields: Vec<(String, Value)>,
}

impl Report {
    pub fn new(title: impl Into<String>) -> Self {
        Report {
            title: title.into(),
            fields: Vec::new(),
        }
    }

    /// Adds one figure (anything serialisable: numbers, strings, nested objects, arrays).
    pub fn field(&mut self, key: impl Into<String>, value: impl serde::Serialize) -> &mut Self {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.fields.push((key.into(), value));
        self
    }

    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        for (k, v) in &self.fields {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    }

    /// The human table: one figure per line, nested objects flattened with dotted keys.
    pub fn to_table(&self) -> String {
        let mut rows = Vec::new();
        for (k, v) in &self.fields {
            flatten(k, v, &mut rows);
        }
        let width = rows
            .iter()
            .map(|(k, _)| k.chars().count())
            .max()
            .unwrap_or(0);
        let mut out = format!(
            "{}\n{}\n",
            self.title,
            "─".repeat(self.title.chars().count().max(8))
        );
        for (k, v) in rows {
            let pad = width - k.chars().count();
            out.push_str(&format!("{k}{}  {v}\n", " ".repeat(pad)));
        }
        out
    }

    /// Prints the table, then (with `json`) the JSON object as the final line.
    pub fn print(&self, json: bool) {
        print!("{}", self.to_table());
        if json {
            println!("{}", self.to_json());
        }
    }
}

fn flatten(prefix: &str, v: &Value, rows: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                flatten(&format!("{prefix}.{k}"), v, rows);
            }
        }
        Value::String(s) => rows.push((prefix.to_string(), s.clone())),
        Value::Number(n) => rows.push((prefix.to_string(), format_number(n))),
        other => rows.push((prefix.to_string(), other.to_string())),
    }
}

fn format_number(n: &serde_json::Number) -> String {
    match n.as_f64() {
        Some(f) if n.is_f64() => {
            if f.abs() >= 100.0 {
                format!("{f:.1}")
            } else {
                format!("{f:.4}")
            }
        }
        _ => n.to_string(),
    }
}

/// `count` per second over `seconds` (0 when no time passed), for the `…_per_s` figures.
pub fn per_second(count: u64, seconds: f64) -> f64 {
    if seconds > 0.0 {
        count as f64 / seconds
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_every_field_and_table_flattens_nested() {
        let mut r = Report::new("import");
        r.field("read", 10)
            .field("quarantined", serde_json::json!({"bad_luhn": 2}));
        assert_eq!(
            r.to_json(),
            serde_json::json!({"read": 10, "quarantined": {"bad_luhn": 2}})
        );
        let t = r.to_table();
        assert!(t.contains("quarantined.bad_luhn  2"), "{t}");
    }
}
