//! The edit model: what an edit asks for, and what it changed.

use crate::scalar::ValueType;

/// What an edit does at its path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditOp {
    /// Set the value (a scalar, or with [`ValueType::Yaml`] any YAML).
    Set {
        /// The new value, as text.
        value: String,
        /// How the value is typed.
        ty: ValueType,
    },
    /// Remove the key (or sequence item) and its lines.
    Remove,
    /// Append an item to the sequence at the path.
    Append {
        /// The new item, as text.
        value: String,
        /// How the item is typed.
        ty: ValueType,
    },
}

/// One requested change to a YAML text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The key path (see the crate docs for the grammar).
    pub path: String,
    /// What to do there.
    pub op: EditOp,
    /// Create missing keys (and `[key=value]` items) on the way.
    pub create: bool,
    /// Allow the path to match several nodes and change them all.
    pub all: bool,
    /// Document selector for multi-document files (`kind=Deployment,metadata.name=api` or an index).
    pub select: Option<String>,
}

impl Edit {
    /// An edit that sets `path` to `value`: a string, unless it replaces a plain int or bool
    /// with the canonical text of the same type (see [`ValueType::Auto`]).
    pub fn set(path: impl Into<String>, value: impl Into<String>) -> Self {
        Edit {
            path: path.into(),
            op: EditOp::Set {
                value: value.into(),
                ty: ValueType::Auto,
            },
            create: false,
            all: false,
            select: None,
        }
    }

    /// An edit that removes `path`.
    pub fn remove(path: impl Into<String>) -> Self {
        Edit {
            path: path.into(),
            op: EditOp::Remove,
            create: false,
            all: false,
            select: None,
        }
    }

    /// The same edit with value type `ty`.
    pub fn typed(mut self, t: ValueType) -> Self {
        if let EditOp::Set { ty, .. } | EditOp::Append { ty, .. } = &mut self.op {
            *ty = t;
        }
        self
    }

    /// The same edit, creating what is missing.
    pub fn creating(mut self) -> Self {
        self.create = true;
        self
    }

    /// The same edit, allowing several matches.
    pub fn all(mut self) -> Self {
        self.all = true;
        self
    }

    /// The same edit, narrowed to documents matching `selector`.
    pub fn select(mut self, selector: impl Into<String>) -> Self {
        self.select = Some(selector.into());
        self
    }
}

/// What happened at one place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    /// An existing value was replaced.
    Set,
    /// The value already was the requested one; nothing was written.
    Unchanged,
    /// A key or item was added.
    Insert,
    /// A key or item was removed.
    Remove,
}

impl ChangeKind {
    /// `set`, `unchanged`, `insert` or `remove`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Set => "set",
            ChangeKind::Unchanged => "unchanged",
            ChangeKind::Insert => "insert",
            ChangeKind::Remove => "remove",
        }
    }
}

/// One change an edit made (or found already made).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The concrete path changed, such as `spec.containers[0].image`.
    pub path: String,
    /// 0-based document index.
    pub doc: usize,
    /// 1-based line of the new value in the new text (for a removal, of the place it was).
    pub line: usize,
    /// 1-based column (characters) of the new value in the new text.
    pub column: usize,
    /// UTF-8 byte offset of `line`:`column` in the new text.
    pub offset: usize,
    /// The previous value (plain scalar value, or YAML source of a collection).
    pub old: Option<String>,
    /// The new value as written: a typed value in its canonical form (`true` for `yes`).
    pub new: Option<String>,
    /// What happened.
    pub kind: ChangeKind,
    /// The type the old value had (`string`, `int`, `float`, `bool`, `null`, `map`, `seq`).
    pub old_type: Option<&'static str>,
    /// The type the new value has, as readers resolve it.
    pub new_type: Option<&'static str>,
    /// Other paths that read the changed value through an alias of an anchor on its way
    /// (`b` for `a: &t 1` and `b: *t`): they change with it.
    pub aliases: Vec<String>,
}

impl Change {
    /// Whether the value's type changed, such as `int` to `string`.
    pub fn type_changed(&self) -> bool {
        matches!((self.old_type, self.new_type), (Some(a), Some(b)) if a != b)
    }
}

/// The result of applying edits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The new text (equal to the input when nothing changed).
    pub text: String,
    /// Every change, in edit order.
    pub changes: Vec<Change>,
}

impl Outcome {
    /// Whether any byte changed.
    pub fn changed(&self) -> bool {
        self.changes.iter().any(|c| c.kind != ChangeKind::Unchanged)
    }
}
