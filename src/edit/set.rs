//! `set`: a value replaced in place, its quote or block style kept when the value allows.

use serde_yaml::Value;

use super::plan::{change, expected_value, old_value, shown_value, type_of, wrong_kind, Ctx};
use super::render::{block_for_value, column, in_flow, line_start, next_line, Style};
use super::ChangeKind;
use crate::error::{Error, ErrorKind};
use crate::locate::{steps_to_path, Match};
use crate::patch::Patch;
use crate::scalar::{
    render_block, render_flow_value, render_scalar, render_string, Context, ValueType,
};
use crate::tree::{Node, NodeKind, ScalarStyle};
use crate::verify::Mutation;

/// Whether node `n` already holds `value` of type `ty`.
pub(super) fn holds(n: &Node, value: &str, ty: ValueType) -> bool {
    let Some(cur) = n.scalar() else { return false };
    let t = n.type_name();
    match ty {
        ValueType::Auto | ValueType::String => t == "string" && cur == value,
        ValueType::Int => t == "int" && cur == value.trim(),
        ValueType::Float => {
            t == "float"
                && render_scalar(value, ty, None, Context::default()).is_ok_and(|r| r == cur)
        }
        ValueType::Bool => {
            t == "bool"
                && render_scalar(value, ty, None, Context::default())
                    .is_ok_and(|r| r == cur.to_ascii_lowercase())
        }
        ValueType::Null => t == "null",
        ValueType::Yaml => false,
    }
}

pub(super) fn set_node(
    cx: &mut Ctx<'_>,
    m: &Match<'_>,
    value: &str,
    ty: ValueType,
) -> Result<(), Error> {
    let n = m.node;
    let src = cx.src;
    let ty = ty.for_node(n, value);
    let old = Some(old_value(src, n));
    if holds(n, value, ty) || (ty == ValueType::Yaml && yaml_equal(src, n, value)) {
        let mut c = change(
            m,
            n.start,
            old,
            Some(shown_value(value, ty)),
            ChangeKind::Unchanged,
        );
        c.old_type = Some(n.type_name());
        c.new_type = c.old_type;
        cx.changes.push(c);
        return Ok(());
    }
    let flow = in_flow(&m.chain);
    if let Some(tag) = n.tag.as_deref() {
        let tagged = match tag {
            "!!str" => Some(ValueType::String),
            "!!int" => Some(ValueType::Int),
            "!!float" => Some(ValueType::Float),
            "!!bool" => Some(ValueType::Bool),
            "!!null" => Some(ValueType::Null),
            _ => None,
        };
        if tagged.is_some_and(|t| t != ty) {
            return Err(Error::new(
                ErrorKind::InvalidValue,
                format!("the value is tagged `{tag}`, which does not fit the requested type"),
            )
            .at(src, n.props_start..n.start.max(n.props_start + 1))
            .found(n.describe())
            .hint(format!(
                "{{+type}} matching `{tag}`, or remove the tag first"
            )));
        }
    }
    let expected = expected_value(value, ty)?;
    // Bytes before the value in the patch's text (` ` or `: ` after a key with no value).
    let mut lead = 0;
    let text = match &n.kind {
        NodeKind::Scalar {
            style, implicit, ..
        } => {
            let rendered = if ty == ValueType::String
                && matches!(style, ScalarStyle::Literal | ScalarStyle::Folded)
            {
                let indent = block_indent(src, n, m, &cx.style);
                let nl = cx.style.nl;
                render_block(value, *style, indent, nl).unwrap_or_else(|| {
                    render_string(
                        value,
                        Some(ScalarStyle::DoubleQuoted),
                        Context { flow, key: false },
                    )
                })
            } else if ty == ValueType::String
                && n.tag.as_deref() == Some("!!str")
                && *style == ScalarStyle::Plain
                && crate::scalar::plain_syntax_ok(value, flow)
            {
                // `!!str` already makes the value a string: no quotes needed for its type.
                value.to_string()
            } else if ty == ValueType::String {
                render_string(value, Some(*style), Context { flow, key: false })
            } else {
                render_scalar(value, ty, None, Context { flow, key: false })?
            };
            if *implicit {
                match src[..n.start].bytes().next_back() {
                    Some(b':' | b'-') => {
                        lead = 1;
                        format!(" {rendered}")
                    }
                    _ if flow => {
                        lead = 2;
                        format!(": {rendered}")
                    }
                    _ => {
                        return Err(Error::new(
                            ErrorKind::TypeMismatch,
                            "this key has no `:` and no value (an explicit `? key`)",
                        )
                        .at(src, n.start.saturating_sub(1)..n.start)
                        .hint("add `: value` to the file by hand first"))
                    }
                }
            } else {
                rendered
            }
        }
        NodeKind::Mapping { .. } | NodeKind::Sequence { .. } if ty == ValueType::Yaml => {
            if n.is_block_collection() && matches!(expected, Value::Mapping(_) | Value::Sequence(_))
            {
                let col = column(src, n.start);
                let block = block_for_value(&expected, col, &cx.style);
                block.join(cx.style.nl)[col..].to_string()
            } else {
                render_flow_value(&expected)
            }
        }
        NodeKind::Mapping { .. } | NodeKind::Sequence { .. } => {
            let (path, found) = (steps_to_path(&m.steps), n.describe());
            return Err(
                wrong_kind(src, n, format!("`{path}` is {found}, not a scalar"))
                    .hint("{+type=yaml} to replace the whole collection"),
            );
        }
        NodeKind::Alias { .. } => unreachable!("aliases are refused while resolving"),
    };
    let (start, end) = if n.is_block_collection()
        && !matches!(expected, Value::Mapping(_) | Value::Sequence(_))
        && !m.chain.is_empty()
    {
        // A scalar or flow value replacing a block collection goes after its key.
        let s = line_start(src, n.props_start);
        let key_end = src[..s].trim_end_matches(['\n', '\r', ' ', '\t']).len();
        (key_end, n.end)
    } else {
        (n.start, n.end)
    };
    let text = if start != n.start {
        lead += 1;
        format!(" {text}")
    } else {
        text
    };
    let new_type = type_of(&expected);
    cx.emit(
        m,
        Patch { start, end, text },
        Mutation::Set(m.steps.clone(), expected),
        lead,
        old,
        Some(shown_value(value, ty)),
        ChangeKind::Set,
    );
    cx.typed_last(Some(n.type_name()), Some(new_type));
    Ok(())
}

pub(super) fn yaml_equal(src: &str, n: &Node, value: &str) -> bool {
    match (
        crate::verify::parse_doc(&src[n.props_start..n.end]),
        serde_yaml::from_str::<Value>(value),
    ) {
        (Ok(a), Ok(b)) => n.anchor.is_none() && crate::verify::same(&a, &b),
        _ => false,
    }
}

/// Content indentation for a block scalar that replaces `n`.
pub(super) fn block_indent(src: &str, n: &Node, m: &Match<'_>, st: &Style) -> usize {
    let header_end = next_line(src, n.start);
    if header_end < n.end {
        let line = &src[header_end..n.end];
        for l in line.split('\n') {
            let t = l.trim_start_matches(' ');
            if !t.trim().is_empty() {
                return l.len() - t.len();
            }
        }
    }
    let parent_col = m.chain.last().map_or(0, |p| column(src, p.start));
    parent_col + st.step
}
