//! Mutation operators over solc's compact AST: each walks one source file's tree and proposes byte-range
//! replacements in that file's text. Positions come from the nodes' `src` (`start:length:file`), never from
//! matching text: where an operator needs a token the AST does not locate (a comparison's operator, the
//! `internal` keyword), it searches only the text between two located nodes.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A mutation operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Operator {
    /// Deletes a `require(...)`/`assert(...)` statement or an `if (...) revert ...;` guard.
    DeleteGuard,
    /// Deletes a modifier from a function.
    DeleteModifier,
    /// Flips or loosens a comparison (`<`↔`<=`, `>`↔`>=`, `==`↔`!=`).
    FlipComparison,
    /// Adds or subtracts one: a number literal, or the right operand of a comparison.
    OffByOne,
    /// Swaps `Rounding.Floor`↔`Ceil` (and `Trunc`↔`Expand`).
    SwapRounding,
    /// Swaps operands of `mulDiv(x, y, d)`: the multiplier with the divisor, or the first with the divisor.
    #[serde(rename = "swap-muldiv", alias = "swap-mul-div")]
    SwapMulDiv,
    /// Deletes an assignment, `++`/`--` or `delete` statement.
    DeleteAssignment,
    /// Deletes a call statement (an internal state update such as `_mint`, or an external call).
    DeleteCall,
    /// Moves an external call before the state updates that precede it in its block.
    ReorderCall,
    /// Swaps two arguments of the same type in a call.
    SwapArguments,
    /// Replaces `msg.sender` with another address in scope.
    ReplaceSender,
    /// Turns `+=`/`-=`/`*=`/`/=` into `=`.
    CompoundToAssign,
    /// Removes Solidity's overflow and underflow check from a statement (wraps it in `unchecked`).
    RemoveOverflowCheck,
    /// Makes an `internal` or `private` function `public`.
    WidenVisibility,
}

impl Operator {
    /// Every operator, in the order mutants are numbered.
    pub const ALL: [Operator; 14] = [
        Operator::DeleteGuard,
        Operator::DeleteModifier,
        Operator::FlipComparison,
        Operator::OffByOne,
        Operator::SwapRounding,
        Operator::SwapMulDiv,
        Operator::DeleteAssignment,
        Operator::DeleteCall,
        Operator::ReorderCall,
        Operator::SwapArguments,
        Operator::ReplaceSender,
        Operator::CompoundToAssign,
        Operator::RemoveOverflowCheck,
        Operator::WidenVisibility,
    ];

    /// The kebab-case name used in mutant ids and reports.
    pub fn name(self) -> &'static str {
        match self {
            Operator::DeleteGuard => "delete-guard",
            Operator::DeleteModifier => "delete-modifier",
            Operator::FlipComparison => "flip-comparison",
            Operator::OffByOne => "off-by-one",
            Operator::SwapRounding => "swap-rounding",
            Operator::SwapMulDiv => "swap-muldiv",
            Operator::DeleteAssignment => "delete-assignment",
            Operator::DeleteCall => "delete-call",
            Operator::ReorderCall => "reorder-call",
            Operator::SwapArguments => "swap-arguments",
            Operator::ReplaceSender => "replace-sender",
            Operator::CompoundToAssign => "compound-to-assign",
            Operator::RemoveOverflowCheck => "remove-overflow-check",
            Operator::WidenVisibility => "widen-visibility",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One proposed change to a file: replace the bytes `start..end` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The operator.
    pub operator: Operator,
    /// First byte replaced.
    pub start: usize,
    /// One past the last byte replaced.
    pub end: usize,
    /// The new text.
    pub replacement: String,
}

/// A node's `src` as a byte range, when it has one that lies in `text`.
fn span(node: &Value, text: &str) -> Option<(usize, usize)> {
    let src = node.get("src")?.as_str()?;
    let mut parts = src.split(':');
    let start: usize = parts.next()?.parse().ok()?;
    let len: usize = parts.next()?.parse().ok()?;
    (start + len <= text.len()).then_some((start, start + len))
}

/// A statement's byte range with its closing `;` (solc's `src` of a simple statement stops before it).
fn statement_span(node: &Value, text: &str) -> Option<(usize, usize)> {
    let (start, end) = span(node, text)?;
    let rest = &text[end..];
    let gap = rest.len() - rest.trim_start().len();
    Some(if rest[gap..].starts_with(';') {
        (start, end + gap + 1)
    } else {
        (start, end)
    })
}

fn node_type(node: &Value) -> &str {
    node.get("nodeType").and_then(Value::as_str).unwrap_or("")
}

fn type_string(node: &Value) -> &str {
    node.pointer("/typeDescriptions/typeString")
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// The name a call is made through: `f` of `f(...)`, `x.f(...)` or `f{value: v}(...)`.
fn callee_name(call: &Value) -> &str {
    let mut callee = call.get("expression").unwrap_or(&Value::Null);
    if node_type(callee) == "FunctionCallOptions" {
        callee = callee.get("expression").unwrap_or(&Value::Null);
    }
    match node_type(callee) {
        "Identifier" => callee.get("name").and_then(Value::as_str).unwrap_or(""),
        "MemberAccess" => callee
            .get("memberName")
            .and_then(Value::as_str)
            .unwrap_or(""),
        _ => "",
    }
}

/// Whether `call` calls another contract (or sends BERA through `.call`).
fn is_external_call(call: &Value) -> bool {
    if node_type(call) != "FunctionCall" {
        return false;
    }
    let mut callee = call.get("expression").unwrap_or(&Value::Null);
    if node_type(callee) == "FunctionCallOptions" {
        callee = callee.get("expression").unwrap_or(&Value::Null);
    }
    let ty = type_string(callee);
    // A view cannot change what a later update does, so moving it is no reentrancy.
    (ty.contains(" external") && !ty.contains(" view ") && !ty.contains(" pure "))
        || ty.starts_with("function (bytes memory) payable returns (bool,bytes")
}

/// The external call a statement makes at its top level, if any: `x.f(...);`, `(bool ok, ) = a.call{...}(...);`,
/// `uint v = x.f(...);`.
fn statement_external_call(statement: &Value) -> bool {
    match node_type(statement) {
        "ExpressionStatement" => {
            let e = &statement["expression"];
            is_external_call(e)
                || (node_type(e) == "Assignment" && is_external_call(&e["rightHandSide"]))
        }
        "VariableDeclarationStatement" => is_external_call(&statement["initialValue"]),
        _ => false,
    }
}

/// Whether a statement only updates state or locals: an assignment, `++`/`--`, `delete`.
fn is_update(statement: &Value) -> bool {
    if node_type(statement) != "ExpressionStatement" {
        return false;
    }
    let e = &statement["expression"];
    match node_type(e) {
        "Assignment" => !is_external_call(&e["rightHandSide"]),
        "UnaryOperation" => matches!(
            e.get("operator").and_then(Value::as_str),
            Some("++" | "--" | "delete")
        ),
        _ => false,
    }
}

/// Whether a statement is a guard that only reverts: `require(...)`, `assert(...)`, `if (c) revert ...;`.
fn is_guard(statement: &Value) -> bool {
    match node_type(statement) {
        "ExpressionStatement" => {
            let e = &statement["expression"];
            node_type(e) == "FunctionCall" && matches!(callee_name(e), "require" | "assert")
        }
        "IfStatement" => {
            if !statement["falseBody"].is_null() {
                return false;
            }
            let body = &statement["trueBody"];
            let only_revert = |s: &Value| {
                node_type(s) == "RevertStatement"
                    || (node_type(s) == "ExpressionStatement"
                        && node_type(&s["expression"]) == "FunctionCall"
                        && callee_name(&s["expression"]) == "revert")
            };
            match node_type(body) {
                "Block" => body["statements"]
                    .as_array()
                    .is_some_and(|s| s.len() == 1 && only_revert(&s[0])),
                _ => only_revert(body),
            }
        }
        _ => false,
    }
}

/// Whether any node under `node` does checked arithmetic that can overflow or underflow.
fn has_checked_arithmetic(node: &Value) -> bool {
    match node {
        Value::Object(map) => {
            let op = map.get("operator").and_then(Value::as_str);
            let arithmetic = match map.get("nodeType").and_then(Value::as_str) {
                Some("BinaryOperation") => matches!(op, Some("+" | "-" | "*" | "**")),
                Some("Assignment") => matches!(op, Some("+=" | "-=" | "*=")),
                Some("UnaryOperation") => matches!(op, Some("++" | "--")),
                _ => false,
            };
            // Constant folding and literal-only arithmetic are checked at compile time.
            let integer = map
                .get("typeDescriptions")
                .and_then(|t| t.get("typeString"))
                .and_then(Value::as_str)
                .is_some_and(|t| t.starts_with("uint") || t.starts_with("int"));
            (arithmetic && integer) || map.values().any(has_checked_arithmetic)
        }
        Value::Array(items) => items.iter().any(has_checked_arithmetic),
        _ => false,
    }
}

/// What the walk knows about where it is.
#[derive(Clone, Default)]
struct Scope {
    /// Inside a `library`.
    library: bool,
    /// Inside an `unchecked` block.
    unchecked: bool,
    /// Address-typed parameters of the enclosing function.
    address_params: Vec<String>,
}

/// Every replacement the operators propose for one file (`text` is its content, `ast` its compact AST), in
/// source order.
pub fn replacements(ast: &Value, text: &str) -> Vec<Replacement> {
    let mut out = Vec::new();
    walk(ast, text, &Scope::default(), &mut out);
    out.sort_by(|a, b| {
        (a.start, a.operator, a.end, &a.replacement).cmp(&(
            b.start,
            b.operator,
            b.end,
            &b.replacement,
        ))
    });
    out.dedup();
    out
}

fn walk(node: &Value, text: &str, scope: &Scope, out: &mut Vec<Replacement>) {
    match node {
        Value::Array(items) => {
            for item in items {
                walk(item, text, scope, out);
            }
        }
        Value::Object(map) => {
            let mut scope = scope.clone();
            match node_type(node) {
                "ContractDefinition" => {
                    scope.library =
                        map.get("contractKind").and_then(Value::as_str) == Some("library");
                }
                "FunctionDefinition" => {
                    scope.address_params = node
                        .pointer("/parameters/parameters")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter(|p| type_string(p).starts_with("address"))
                        .filter_map(|p| p.get("name").and_then(Value::as_str))
                        .filter(|n| !n.is_empty())
                        .map(str::to_owned)
                        .collect();
                    function(node, text, &scope, out);
                }
                "UncheckedBlock" => scope.unchecked = true,
                "Block" => block(node, text, &scope, out),
                "BinaryOperation" => binary(node, text, out),
                "Literal" => literal(node, text, out),
                "MemberAccess" => member_access(node, text, &scope, out),
                "FunctionCall" => call(node, text, &scope, out),
                "Assignment" => assignment(node, text, out),
                _ => {}
            }
            for value in map.values() {
                walk(value, text, &scope, out);
            }
        }
        _ => {}
    }
}

fn push(
    out: &mut Vec<Replacement>,
    operator: Operator,
    (start, end): (usize, usize),
    replacement: String,
) {
    out.push(Replacement {
        operator,
        start,
        end,
        replacement,
    });
}

/// Deletes modifiers; widens visibility.
fn function(node: &Value, text: &str, scope: &Scope, out: &mut Vec<Replacement>) {
    for modifier in node["modifiers"].as_array().into_iter().flatten() {
        // A base constructor's arguments look like a modifier but are not a check.
        if modifier.get("kind").and_then(Value::as_str) == Some("baseConstructorSpecifier") {
            continue;
        }
        if let Some(s) = span(modifier, text) {
            push(out, Operator::DeleteModifier, s, String::new());
        }
    }
    let visibility = node.get("visibility").and_then(Value::as_str).unwrap_or("");
    let is_function = node.get("kind").and_then(Value::as_str) == Some("function");
    // A library's public functions would need linking, which poolguard does not do.
    if is_function && !scope.library && matches!(visibility, "internal" | "private") {
        let (Some((start, _)), Some((body, _))) = (span(node, text), span(&node["body"], text))
        else {
            return;
        };
        if let Some(at) = find_token(text, start, body, visibility) {
            push(
                out,
                Operator::WidenVisibility,
                (at, at + visibility.len()),
                "public".to_owned(),
            );
        }
    }
}

/// The first occurrence of `token` as a whole word in `text[from..to]`, outside comments.
fn find_token(text: &str, from: usize, to: usize, token: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    let mut i = from;
    while i + token.len() <= to {
        if text[i..].starts_with("//") {
            i += text[i..].find('\n')?;
            continue;
        }
        if text[i..].starts_with("/*") {
            i += text[i..].find("*/")? + 2;
            continue;
        }
        if text[i..].starts_with(token)
            && (i == 0 || !word(bytes[i - 1]))
            && bytes.get(i + token.len()).is_none_or(|b| !word(*b))
        {
            return Some(i);
        }
        i += text[i..].chars().next().map_or(1, char::len_utf8);
    }
    None
}

/// The operator symbol between two operands, located in the text between them.
fn operator_between(
    text: &str,
    left: &Value,
    right: &Value,
    operator: &str,
) -> Option<(usize, usize)> {
    let (_, left_end) = span(left, text)?;
    let (right_start, _) = span(right, text)?;
    if left_end > right_start {
        return None;
    }
    let at = text[left_end..right_start].find(operator)? + left_end;
    Some((at, at + operator.len()))
}

/// Deletes guards, assignments and call statements; moves external calls before the updates that precede them;
/// removes overflow checks.
fn block(node: &Value, text: &str, scope: &Scope, out: &mut Vec<Replacement>) {
    let Some(statements) = node["statements"].as_array() else {
        return;
    };
    for (i, statement) in statements.iter().enumerate() {
        let Some(s) = statement_span(statement, text) else {
            continue;
        };
        if is_guard(statement) {
            push(out, Operator::DeleteGuard, s, String::new());
        } else if is_update(statement) {
            push(out, Operator::DeleteAssignment, s, String::new());
        } else if node_type(statement) == "ExpressionStatement"
            && node_type(&statement["expression"]) == "FunctionCall"
            && !matches!(callee_name(&statement["expression"]), "revert")
        {
            push(out, Operator::DeleteCall, s, String::new());
        }
        if statement_external_call(statement) {
            // The run of updates right before the call, which the call now precedes.
            let first = statements[..i]
                .iter()
                .rposition(|p| !is_update(p))
                .map_or(0, |p| p + 1);
            if first < i {
                if let Some((start, _)) = statement_span(&statements[first], text) {
                    let call = &text[s.0..s.1];
                    let updates = &text[start..s.0];
                    push(
                        out,
                        Operator::ReorderCall,
                        (start, s.1),
                        format!("{call}\n{}", updates.trim_end()),
                    );
                }
            }
        }
        if !scope.unchecked
            && node_type(statement) == "ExpressionStatement"
            && has_checked_arithmetic(statement)
        {
            push(
                out,
                Operator::RemoveOverflowCheck,
                s,
                format!("unchecked {{ {} }}", &text[s.0..s.1]),
            );
        }
    }
}

/// Flips comparisons; adds or subtracts one on a comparison's right operand.
fn binary(node: &Value, text: &str, out: &mut Vec<Replacement>) {
    let Some(operator) = node.get("operator").and_then(Value::as_str) else {
        return;
    };
    let flipped = match operator {
        "<" => "<=",
        "<=" => "<",
        ">" => ">=",
        ">=" => ">",
        "==" => "!=",
        "!=" => "==",
        _ => return,
    };
    let (left, right) = (&node["leftExpression"], &node["rightExpression"]);
    if let Some(at) = operator_between(text, left, right, operator) {
        push(out, Operator::FlipComparison, at, flipped.to_owned());
    }
    let numeric = type_string(right).starts_with("uint") || type_string(right).starts_with("int");
    if numeric && node_type(right) != "Literal" && !matches!(operator, "==" | "!=") {
        if let Some(s) = span(right, text) {
            let operand = &text[s.0..s.1];
            push(out, Operator::OffByOne, s, format!("({operand} + 1)"));
            push(out, Operator::OffByOne, s, format!("({operand} - 1)"));
        }
    }
}

/// Adds or subtracts one on a number literal.
fn literal(node: &Value, text: &str, out: &mut Vec<Replacement>) {
    if node.get("kind").and_then(Value::as_str) != Some("number") {
        return;
    }
    let Some(s) = span(node, text) else {
        return;
    };
    let literal = &text[s.0..s.1];
    // An address literal is not a number anyone counts with.
    if literal.starts_with("0x") && literal.len() == 42 {
        return;
    }
    push(out, Operator::OffByOne, s, format!("({literal} + 1)"));
    if node.get("value").and_then(Value::as_str) != Some("0") {
        push(out, Operator::OffByOne, s, format!("({literal} - 1)"));
    }
}

/// Swaps rounding directions; replaces `msg.sender`.
fn member_access(node: &Value, text: &str, scope: &Scope, out: &mut Vec<Replacement>) {
    let member = node.get("memberName").and_then(Value::as_str).unwrap_or("");
    let Some((start, end)) = span(node, text) else {
        return;
    };
    let swapped = match member {
        "Floor" => "Ceil",
        "Ceil" => "Floor",
        "Trunc" => "Expand",
        "Expand" => "Trunc",
        _ => "",
    };
    if !swapped.is_empty()
        && type_string(node).contains("Rounding")
        && text[start..end].ends_with(member)
    {
        push(
            out,
            Operator::SwapRounding,
            (end - member.len(), end),
            swapped.to_owned(),
        );
    }
    let base = &node["expression"];
    if member == "sender" && node_type(base) == "Identifier" && base["name"] == "msg" {
        for other in ["address(this)", "tx.origin"]
            .into_iter()
            .map(str::to_owned)
            .chain(scope.address_params.iter().cloned())
        {
            push(out, Operator::ReplaceSender, (start, end), other);
        }
    }
}

/// Swaps `mulDiv` operands and same-typed arguments.
fn call(node: &Value, text: &str, _scope: &Scope, out: &mut Vec<Replacement>) {
    if node.get("kind").and_then(Value::as_str) != Some("functionCall") {
        return;
    }
    let name = callee_name(node);
    if matches!(name, "require" | "assert" | "revert") {
        return;
    }
    let Some(args) = node["arguments"].as_array() else {
        return;
    };
    let spans: Vec<Option<(usize, usize)>> = args.iter().map(|a| span(a, text)).collect();
    let swap = |out: &mut Vec<Replacement>, operator, i: usize, j: usize| {
        let (Some(a), Some(b)) = (spans[i], spans[j]) else {
            return;
        };
        let (first, second) = (&text[a.0..a.1], &text[b.0..b.1]);
        if first == second || a.1 > b.0 {
            return;
        }
        push(
            out,
            operator,
            (a.0, b.1),
            format!("{second}{}{first}", &text[a.1..b.0]),
        );
    };
    if name == "mulDiv" && args.len() >= 3 {
        swap(out, Operator::SwapMulDiv, 1, 2);
        swap(out, Operator::SwapMulDiv, 0, 2);
        return;
    }
    for i in 0..args.len() {
        for j in i + 1..args.len() {
            let ty = type_string(&args[i]);
            if !ty.is_empty() && ty == type_string(&args[j]) && !ty.starts_with("literal") {
                swap(out, Operator::SwapArguments, i, j);
            }
        }
    }
}

/// Turns compound assignments into plain ones.
fn assignment(node: &Value, text: &str, out: &mut Vec<Replacement>) {
    let Some(operator) = node.get("operator").and_then(Value::as_str) else {
        return;
    };
    if !matches!(operator, "+=" | "-=" | "*=" | "/=") {
        return;
    }
    if let Some(at) = operator_between(
        text,
        &node["leftHandSide"],
        &node["rightHandSide"],
        operator,
    ) {
        push(out, Operator::CompoundToAssign, at, "=".to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_names_are_the_names_in_ids() {
        for op in Operator::ALL {
            assert_eq!(serde_json::to_value(op).unwrap(), op.name(), "{op:?}");
        }
    }

    #[test]
    fn find_token_skips_comments_and_partial_words() {
        let text = "function f() /* internal */ internalx internal view {";
        let at = find_token(text, 0, text.len(), "internal").unwrap();
        assert_eq!(&text[at..at + 14], "internal view ");
        assert_eq!(find_token("// internal\n", 0, 12, "internal"), None);
    }
}
