//! The console's two loops: a line editor on the terminal (history, completion of commands, ops, actors, pools
//! and functions) and `--script FILE`, the same commands read from a file.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _};
use rustyline::completion::{Completer, Pair};
use rustyline::error::ReadlineError;
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::Validator;
use rustyline::{CompletionType, Config, Context, Editor, Helper};

use super::{Flow, Session};

/// Completes the word under the cursor from the session's vocabulary.
struct Completion {
    words: Vec<String>,
}

impl Completer for Completion {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let start = line[..pos]
            .rfind(|c: char| c.is_whitespace() || "([,=".contains(c))
            .map_or(0, |i| i + 1);
        let partial = &line[start..pos];
        let lower = partial.to_ascii_lowercase();
        let candidates = self
            .words
            .iter()
            .filter(|w| w.to_ascii_lowercase().starts_with(&lower))
            .map(|w| Pair {
                display: w.clone(),
                replacement: w.clone(),
            })
            .collect();
        Ok((start, candidates))
    }
}

impl Hinter for Completion {
    type Hint = String;
}

impl Highlighter for Completion {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Borrowed(prompt)
    }
}

impl Validator for Completion {}

impl Helper for Completion {}

fn history_file() -> Option<PathBuf> {
    std::env::var_os("HOME").map(|home| Path::new(&home).join(".poolguard_console_history"))
}

/// Reads commands from the terminal until `quit` or end of input. A command's error is printed and the
/// session goes on.
pub fn interactive(session: &mut Session) -> anyhow::Result<()> {
    let config = Config::builder()
        .completion_type(CompletionType::List)
        .auto_add_history(true)
        .build();
    let mut editor: Editor<Completion, DefaultHistory> =
        Editor::with_config(config).context("cannot start the line editor")?;
    editor.set_helper(Some(Completion {
        words: session.vocabulary(),
    }));
    let history = history_file();
    if let Some(file) = &history {
        // A first session has no history yet.
        let _ = editor.load_history(file);
    }
    println!("poolguard console: `help` lists the commands, Tab completes, Ctrl-D leaves");
    loop {
        let prompt = format!("poolguard[{}]> ", session.steps.len());
        match editor.readline(&prompt) {
            Ok(line) => match session.command(&line) {
                Ok(reply) => {
                    if !reply.text.is_empty() {
                        println!("{}", reply.text);
                    }
                    if reply.flow == Flow::Quit {
                        break;
                    }
                }
                Err(e) => println!("error: {e}"),
            },
            Err(ReadlineError::Interrupted) => continue,
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e).context("reading the terminal"),
        }
    }
    if let Some(file) = &history {
        let _ = editor.save_history(file);
    }
    Ok(())
}

/// Runs the commands of `file`, one per line (a line starting with `#` is a comment), echoing each; stops at the first command
/// that fails, naming its line (exit 2).
pub fn script(session: &mut Session, file: &Path) -> anyhow::Result<()> {
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    for (n, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        println!("> {line}");
        match session.command(line) {
            Ok(reply) => {
                if !reply.text.is_empty() {
                    println!("{}", reply.text);
                }
                if reply.flow == Flow::Quit {
                    break;
                }
            }
            Err(e) => bail!("{}:{}: {e}", file.display(), n + 1),
        }
    }
    Ok(())
}
