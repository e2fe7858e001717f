//! Hints that name an option. The core does not know which front end shows its errors (the
//! command line, the Action, the orb, the playground), so a hint names an option by its id in
//! a placeholder, and each front end words it in its own vocabulary: `{id}` or `{id=value}`
//! is the option's name (with a value), `{+id}` or `{+id=value}` the phrase that turns it on
//! ("pass --all" on the command line, "tick “All matches”" in the playground). The core's own
//! rendering, used by [`crate::Error`]'s display and `help()`, is the command line's.

/// The ids of the options a hint can name: `all` (change every match), `create` (build what
/// is missing), `select` (a document selector), `type` (the value's type) and `force` (skip
/// the overlay check).
pub const HINT_OPTIONS: &[&str] = &["all", "create", "select", "type", "force"];

/// One placeholder of a hint template: the option's id, its value and whether the phrase
/// turning it on is meant.
struct Placeholder<'a> {
    id: &'static str,
    value: Option<&'a str>,
    on: bool,
}

/// The placeholder in `inner` (the text between `{` and `}`), when it names a known option.
fn placeholder(inner: &str) -> Option<Placeholder<'_>> {
    let (on, rest) = match inner.strip_prefix('+') {
        Some(r) => (true, r),
        None => (false, inner),
    };
    let (id, value) = match rest.split_once('=') {
        Some((id, v)) => (id, Some(v)),
        None => (rest, None),
    };
    let id = HINT_OPTIONS.iter().copied().find(|o| *o == id)?;
    Some(Placeholder { id, value, on })
}

/// Renders `template`, asking `word(id, value, on)` for each placeholder; any other text,
/// braces included, stays as it is.
pub fn render_hint(
    template: &str,
    mut word: impl FnMut(&str, Option<&str>, bool) -> String,
) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after
            .find('}')
            .and_then(|close| Some((close, placeholder(&after[..close])?)))
        {
            Some((close, p)) => {
                out.push_str(&word(p.id, p.value, p.on));
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The ids of the options `template` names, in order, each once.
pub fn hint_options(template: &str) -> Vec<&'static str> {
    let mut ids = Vec::new();
    render_hint(template, |id, _, _| {
        if let Some(known) = HINT_OPTIONS.iter().copied().find(|o| *o == id) {
            if !ids.contains(&known) {
                ids.push(known);
            }
        }
        String::new()
    });
    ids
}

/// The command line's words for a placeholder: `--all`, `--type yaml`, `pass --all`.
pub(crate) fn cli_words(id: &str, value: Option<&str>, on: bool) -> String {
    let name = match value {
        Some(v) => format!("--{id} {v}"),
        None => format!("--{id}"),
    };
    match (on, id) {
        (false, _) => name,
        (true, "force") => format!("use {name}"),
        (true, _) => format!("pass {name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_render_in_the_command_lines_words() {
        let t = "narrow it with {select=kind=…,metadata.name=…}, or {+all}; {+force} to skip it";
        assert_eq!(
            render_hint(t, cli_words),
            "narrow it with --select kind=…,metadata.name=…, or pass --all; use --force to skip it"
        );
        assert_eq!(hint_options(t), ["select", "all", "force"]);
    }

    #[test]
    fn other_braces_stay() {
        let t = "write `{}` or {name} or {+nope=1} or `{` alone";
        assert_eq!(render_hint(t, cli_words), t);
        assert!(hint_options(t).is_empty());
    }
}
