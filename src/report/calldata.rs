//! Calldata decoded against the suite's ABIs, for reproducers people read: `submit(address)` with its arguments
//! rather than hex.

use std::collections::HashMap;

use alloy_dyn_abi::{DynSolValue, JsonAbiExt};
use alloy_json_abi::Function;
use alloy_primitives::hex;

use crate::compile::Artifacts;

/// Every function of the suite's ABIs, by selector.
#[derive(Debug, Clone, Default)]
pub struct CalldataDecoder {
    functions: HashMap<[u8; 4], Function>,
}

/// One decoded call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodedCall {
    /// e.g. `submit(address)`.
    pub signature: String,
    /// Arguments in `cast`'s syntax: decimal integers, 0x-hex addresses and bytes, `(a,b)` tuples, `[a,b]`
    /// arrays.
    pub args: Vec<String>,
}

impl CalldataDecoder {
    /// Indexes the functions of every artifact.
    pub fn new(artifacts: &Artifacts) -> Self {
        let mut functions = HashMap::new();
        for artifact in artifacts.iter() {
            for f in artifact.abi.functions() {
                functions.entry(f.selector().0).or_insert_with(|| f.clone());
            }
        }
        Self { functions }
    }

    /// Decodes `data`; `None` for empty calldata, an unknown selector or arguments that do not decode.
    pub fn decode(&self, data: &[u8]) -> Option<DecodedCall> {
        let selector: [u8; 4] = data.get(..4)?.try_into().ok()?;
        let function = self.functions.get(&selector)?;
        let values = function.abi_decode_input(&data[4..]).ok()?;
        Some(DecodedCall {
            signature: function.signature(),
            args: values.iter().map(cast_literal).collect(),
        })
    }
}

/// `value` as `cast` reads it on the command line.
pub fn cast_literal(value: &DynSolValue) -> String {
    match value {
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::FixedBytes(word, size) => format!("0x{}", hex::encode(&word[..*size])),
        DynSolValue::Address(a) => a.to_checksum(None),
        DynSolValue::Function(f) => format!("0x{}", hex::encode(f.as_slice())),
        DynSolValue::Bytes(b) => format!("0x{}", hex::encode(b)),
        DynSolValue::String(s) => s.clone(),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
            format!(
                "[{}]",
                items.iter().map(cast_literal).collect::<Vec<_>>().join(",")
            )
        }
        DynSolValue::Tuple(items) => {
            format!(
                "({})",
                items.iter().map(cast_literal).collect::<Vec<_>>().join(",")
            )
        }
    }
}
