//! Decoding of revert data into readable reasons: custom errors by name with their arguments (from the
//! compiled ABIs), `Error(string)` and `Panic(uint256)`.

use std::collections::HashMap;

use alloy_dyn_abi::{DynSolValue, JsonAbiExt};
use alloy_json_abi::Error as AbiError;
use alloy_primitives::{hex, Selector};

use crate::compile::Artifacts;

/// Maps revert data to a readable reason using every custom error of the compiled suite.
#[derive(Debug, Clone, Default)]
pub struct RevertDecoder {
    errors: HashMap<Selector, AbiError>,
}

impl RevertDecoder {
    /// Collects the custom errors of every compiled contract.
    pub fn from_artifacts(artifacts: &Artifacts) -> Self {
        let mut errors = HashMap::new();
        for artifact in artifacts.iter() {
            for error in artifact.abi.errors() {
                errors
                    .entry(error.selector())
                    .or_insert_with(|| error.clone());
            }
        }
        Self { errors }
    }

    /// A readable reason for `data`: `Name(arg, …)`, the revert string, `panic 0x11 (arithmetic overflow)`,
    /// `empty revert data`, or the raw hex when nothing matches.
    pub fn decode(&self, data: &[u8]) -> String {
        if data.is_empty() {
            return "empty revert data".to_string();
        }
        if data.len() >= 4 {
            let selector = Selector::from_slice(&data[..4]);
            if let Some(error) = self.errors.get(&selector) {
                return match error.abi_decode_input(&data[4..]) {
                    Ok(values) => format!("{}({})", error.name, format_values(&values)),
                    Err(_) => format!(
                        "{}(<undecodable {}>)",
                        error.name,
                        hex::encode_prefixed(&data[4..])
                    ),
                };
            }
        }
        alloy_sol_types::decode_revert_reason(data).unwrap_or_else(|| hex::encode_prefixed(data))
    }

    /// The custom error's name only (no arguments), if `data` is a known custom error.
    pub fn error_name(&self, data: &[u8]) -> Option<&str> {
        (data.len() >= 4)
            .then(|| self.errors.get(&Selector::from_slice(&data[..4])))
            .flatten()
            .map(|error| error.name.as_str())
    }
}

/// Formats decoded values compactly, for traces and reports.
pub fn format_values(values: &[DynSolValue]) -> String {
    values
        .iter()
        .map(format_value)
        .collect::<Vec<_>>()
        .join(", ")
}

fn format_value(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(w, size) => hex::encode_prefixed(&w[..*size]),
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Function(f) => hex::encode_prefixed(f.as_slice()),
        DynSolValue::Bytes(b) => hex::encode_prefixed(b),
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
            format!("[{}]", format_values(items))
        }
        DynSolValue::Tuple(items) => format!("({})", format_values(items)),
        #[allow(unreachable_patterns)]
        other => format!("{other:?}"),
    }
}
