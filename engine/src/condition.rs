//! Step `when` conditions: a tiny, side-effect-free boolean expression language.
//!
//! A workflow step may carry `when = "<expression>"` in its TOML definition.
//! The expression is parsed once with [`Condition::parse`] and evaluated with
//! [`Condition::eval`] against a JSON context such as
//! `{"params": {...}, "steps": {"score": {...}}}`; `false` means the step is
//! skipped.
//!
//! # Grammar
//!
//! ```text
//! condition  := or EOF
//! or         := and  ( ("||" | "or")  and )*
//! and        := unary ( ("&&" | "and") unary )*
//! unary      := ("!" | "not") unary | comparison
//! comparison := operand ( cmp_op operand
//!                       | "in" in_target
//!                       | "not" "in" in_target )?
//! cmp_op     := "==" | "!=" | "<" | "<=" | ">" | ">="
//! in_target  := array | path
//! operand    := literal | path | array | "(" or ")"
//! array      := "[" ( operand ( "," operand )* )? "]"
//! literal    := number | string | "true" | "false" | "null"
//! number     := "-"? digits ( "." digits )? ( ("e" | "E") ("+" | "-")? digits )?
//! string     := '...' | "..."   (escapes: \\ \' \" \n \t \r \0 \u{hex})
//! path       := ident ( "." ( ident | digits ) )*
//! ident      := [A-Za-z_][A-Za-z0-9_]*
//! ```
//!
//! Precedence, loosest first: `||` < `&&` < `!` < comparison / `in`. So
//! `!a == b` means `!(a == b)` and comparisons cannot be chained (`a < b < c`
//! is rejected rather than silently meaning something surprising).
//!
//! # Semantics
//!
//! * A bare operand used as a condition is tested for truthiness: `null`,
//!   `false`, `0`, `""`, `[]` and `{}` are false, everything else is true.
//!   `&&`, `||` and `!` always produce booleans.
//! * Numbers compare numerically whatever their JSON representation
//!   (`3000000 == 3e6`); strings compare lexicographically by code point;
//!   booleans, `null`, arrays and objects support only `==` / `!=`
//!   (arrays and objects compare structurally).
//! * Values of different types are never equal, so `==` is false, `!=` is
//!   true, and ordering comparisons are false.
//! * `x in target` is true when `target` is an array containing a value equal
//!   to `x`; a target that is not an array contains nothing. `not in` is the
//!   exact negation of `in`.
//! * A path segment selects an object field; a numeric segment (`items.0`)
//!   also indexes an array.
//!
//! # Why missing paths are `null`
//!
//! When a step is skipped it produces no output, so `steps.<id>` is absent
//! from the context of every step that depends on it. Treating any missing
//! path (or a path that walks through a non-container) as `null` keeps such
//! conditions well-defined instead of failing the run: `steps.score.score >= 70`
//! is simply false, and authors can test for the skip explicitly with
//! `steps.score.score == null`.

use std::borrow::Cow;
use std::cmp::Ordering;

use serde_json::{Number, Value};

/// Conditions are one-liners in TOML; a longer one is almost surely a mistake,
/// and the cap bounds parse work for hostile input.
const MAX_LEN: usize = 1000;

/// Bounds recursion in the parser and evaluator so no input can overflow the stack.
const MAX_DEPTH: usize = 32;

/// Target for paths that do not resolve; lets lookups return a plain reference.
static NULL: Value = Value::Null;

/// A parsed `when` condition, ready to be evaluated many times.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    source: String,
    root: Expr,
}

/// Why an expression was rejected, with the 1-based character column of the problem.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message} (at column {column})")]
pub struct ParseError {
    pub message: String,
    /// 1-based column in characters (not bytes) within the expression.
    pub column: usize,
}

impl ParseError {
    fn new(message: impl Into<String>, column: usize) -> Self {
        ParseError { message: message.into(), column }
    }
}

impl Condition {
    /// Parse `src`, rejecting anything that is not a complete, valid expression.
    ///
    /// # Errors
    ///
    /// Returns a [`ParseError`] pointing at the offending column for empty
    /// input, unknown characters, malformed literals or paths, unbalanced
    /// parentheses or brackets, trailing text, and inputs beyond the length
    /// or nesting limits.
    pub fn parse(src: &str) -> Result<Condition, ParseError> {
        if src.chars().count() > MAX_LEN {
            return Err(ParseError::new(format!("expression is longer than {MAX_LEN} characters"), MAX_LEN + 1));
        }
        let tokens = Lexer::new(src).tokenize()?;
        let root = Parser::new(tokens).parse_condition()?;
        Ok(Condition { source: src.to_owned(), root })
    }

    /// The expression text exactly as it was given to [`Condition::parse`].
    #[must_use]
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Every path the expression reads, e.g. `["params", "listing_price"]` or `["steps", "score", "score"]`.
    ///
    /// Paths appear once each, in order of first occurrence, so callers can use
    /// them directly to validate references or derive step dependencies.
    #[must_use]
    pub fn paths(&self) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        collect_paths(&self.root, &mut out);
        out
    }

    /// Evaluate against a JSON context object such as {"params": {...}, "steps": {"score": {...}}}.
    #[must_use]
    pub fn eval(&self, ctx: &Value) -> bool {
        truthy(&eval_expr(&self.root, ctx))
    }
}

// ---------------------------------------------------------------------------
// Syntax tree
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone, PartialEq)]
enum Expr {
    Literal(Value),
    Path(Vec<String>),
    Array(Vec<Expr>),
    Not(Box<Expr>),
    /// `a && b && ...`; kept n-ary so long chains do not build deep trees.
    All(Vec<Expr>),
    /// `a || b || ...`; n-ary for the same reason as `All`.
    Any(Vec<Expr>),
    Compare {
        op: CmpOp,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    In {
        negated: bool,
        needle: Box<Expr>,
        haystack: Box<Expr>,
    },
}

fn collect_paths(expr: &Expr, out: &mut Vec<Vec<String>>) {
    match expr {
        Expr::Literal(_) => {}
        Expr::Path(path) => {
            if !out.contains(path) {
                out.push(path.clone());
            }
        }
        Expr::Array(items) | Expr::All(items) | Expr::Any(items) => {
            for item in items {
                collect_paths(item, out);
            }
        }
        Expr::Not(inner) => collect_paths(inner, out),
        Expr::Compare { lhs, rhs, .. } => {
            collect_paths(lhs, out);
            collect_paths(rhs, out);
        }
        Expr::In { needle, haystack, .. } => {
            collect_paths(needle, out);
            collect_paths(haystack, out);
        }
    }
}

// ---------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Or,
    And,
    /// `!`; kept apart from `not` because only the keyword forms `not in`.
    Bang,
    NotKw,
    In,
    Cmp(CmpOp),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Lit(Value),
    Path(Vec<String>),
    Eof,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// 1-based character column of the token's first character.
    col: usize,
    /// Source text of the token, used only to quote it in error messages.
    text: String,
}

/// Works on chars rather than bytes so that error columns match what an
/// author sees in an editor even when strings contain non-ASCII text.
struct Lexer {
    chars: Vec<char>,
    pos: usize,
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn keyword(word: &str) -> Option<Tok> {
    match word {
        "and" => Some(Tok::And),
        "or" => Some(Tok::Or),
        "not" => Some(Tok::NotKw),
        "in" => Some(Tok::In),
        "true" => Some(Tok::Lit(Value::Bool(true))),
        "false" => Some(Tok::Lit(Value::Bool(false))),
        "null" => Some(Tok::Lit(Value::Null)),
        _ => None,
    }
}

/// Integers stay exact as i64 when they fit; everything else becomes f64.
/// Returns `None` for values JSON cannot hold (infinite after overflow).
fn number_value(text: &str, is_integer: bool) -> Option<Value> {
    if is_integer {
        if let Ok(int) = text.parse::<i64>() {
            return Some(Value::from(int));
        }
    }
    let float: f64 = text.parse().ok()?;
    Number::from_f64(float).map(Value::Number)
}

impl Lexer {
    fn new(src: &str) -> Self {
        Lexer { chars: src.chars().collect(), pos: 0 }
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn peek_second(&self) -> Option<char> {
        self.chars.get(self.pos + 1).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    /// Column of the character at the current position.
    fn col(&self) -> usize {
        self.pos + 1
    }

    fn take_while(&mut self, pred: impl Fn(char) -> bool) -> String {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
        self.chars[start..self.pos].iter().collect()
    }

    /// Produce all tokens, always terminated by exactly one `Eof`.
    fn tokenize(mut self) -> Result<Vec<Token>, ParseError> {
        let mut tokens = Vec::new();
        loop {
            self.take_while(char::is_whitespace);
            let start = self.pos;
            let tok = match self.peek() {
                None => Tok::Eof,
                Some(c) => self.lex_token(c)?,
            };
            let done = tok == Tok::Eof;
            tokens.push(Token { tok, col: start + 1, text: self.chars[start..self.pos].iter().collect() });
            if done {
                return Ok(tokens);
            }
        }
    }

    fn lex_token(&mut self, c: char) -> Result<Tok, ParseError> {
        let col = self.col();
        match c {
            '(' | ')' | '[' | ']' | ',' => {
                self.pos += 1;
                Ok(match c {
                    '(' => Tok::LParen,
                    ')' => Tok::RParen,
                    '[' => Tok::LBracket,
                    ']' => Tok::RBracket,
                    _ => Tok::Comma,
                })
            }
            '&' => self.lex_doubled('&', Tok::And),
            '|' => self.lex_doubled('|', Tok::Or),
            '=' => self.lex_doubled('=', Tok::Cmp(CmpOp::Eq)),
            '!' => Ok(self.lex_with_eq(Tok::Bang, Tok::Cmp(CmpOp::Ne))),
            '<' => Ok(self.lex_with_eq(Tok::Cmp(CmpOp::Lt), Tok::Cmp(CmpOp::Le))),
            '>' => Ok(self.lex_with_eq(Tok::Cmp(CmpOp::Gt), Tok::Cmp(CmpOp::Ge))),
            '\'' | '"' => self.lex_string(c).map(Tok::Lit),
            '-' if self.peek_second().is_some_and(|d| d.is_ascii_digit()) => self.lex_number().map(Tok::Lit),
            _ if c.is_ascii_digit() => self.lex_number().map(Tok::Lit),
            _ if is_ident_start(c) => self.lex_word(),
            _ => Err(ParseError::new(format!("unexpected character '{c}'"), col)),
        }
    }

    /// Operators spelled with a doubled character (`&&`, `||`, `==`); a lone
    /// one is a common typo, so say what was probably meant.
    fn lex_doubled(&mut self, c: char, tok: Tok) -> Result<Tok, ParseError> {
        let col = self.col();
        self.pos += 1;
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(tok)
        } else {
            Err(ParseError::new(format!("unexpected '{c}'; did you mean '{c}{c}'?"), col))
        }
    }

    /// One-character operator that becomes a different one when followed by `=`.
    fn lex_with_eq(&mut self, single: Tok, with_eq: Tok) -> Tok {
        self.pos += 1;
        if self.peek() == Some('=') {
            self.pos += 1;
            with_eq
        } else {
            single
        }
    }

    fn lex_string(&mut self, quote: char) -> Result<Value, ParseError> {
        let open_col = self.col();
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(ParseError::new("unterminated string", open_col)),
                Some(c) if c == quote => return Ok(Value::String(out)),
                Some('\\') => out.push(self.lex_escape(open_col)?),
                Some(c) => out.push(c),
            }
        }
    }

    /// Called just after a backslash has been consumed.
    fn lex_escape(&mut self, open_col: usize) -> Result<char, ParseError> {
        let backslash_col = self.pos; // the backslash sits one char back
        match self.bump() {
            Some('\\') => Ok('\\'),
            Some('\'') => Ok('\''),
            Some('"') => Ok('"'),
            Some('n') => Ok('\n'),
            Some('t') => Ok('\t'),
            Some('r') => Ok('\r'),
            Some('0') => Ok('\0'),
            Some('u') => self.lex_unicode_escape(backslash_col),
            Some(c) => Err(ParseError::new(format!("unknown escape '\\{c}'"), backslash_col)),
            None => Err(ParseError::new("unterminated string", open_col)),
        }
    }

    /// `\u{XXXX}`: braces make the length unambiguous, as in Rust and TOML-adjacent tools.
    fn lex_unicode_escape(&mut self, backslash_col: usize) -> Result<char, ParseError> {
        let invalid = || ParseError::new("invalid unicode escape; expected \\u{XXXX}", backslash_col);
        if self.bump() != Some('{') {
            return Err(invalid());
        }
        let hex = self.take_while(|c| c.is_ascii_hexdigit());
        if self.bump() != Some('}') || hex.is_empty() || hex.len() > 6 {
            return Err(invalid());
        }
        u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32).ok_or_else(invalid)
    }

    fn lex_number(&mut self) -> Result<Value, ParseError> {
        let start_col = self.col();
        let start = self.pos;
        if self.peek() == Some('-') {
            self.pos += 1;
        }
        self.take_while(|c| c.is_ascii_digit());
        let mut is_integer = true;
        if self.peek() == Some('.') {
            self.pos += 1;
            is_integer = false;
            self.expect_digits("expected digits after '.'")?;
        }
        if matches!(self.peek(), Some('e' | 'E')) {
            self.pos += 1;
            is_integer = false;
            if matches!(self.peek(), Some('+' | '-')) {
                self.pos += 1;
            }
            self.expect_digits("expected digits in exponent")?;
        }
        // `3abc` or `1.2.3` would otherwise lex as a number followed by junk,
        // giving a confusing error further along.
        if self.peek().is_some_and(|c| is_ident_char(c) || c == '.') {
            return Err(ParseError::new("invalid number literal", start_col));
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        number_value(&text, is_integer).ok_or_else(|| ParseError::new("number is out of range", start_col))
    }

    fn expect_digits(&mut self, message: &str) -> Result<(), ParseError> {
        let col = self.col();
        if self.take_while(|c| c.is_ascii_digit()).is_empty() {
            Err(ParseError::new(message, col))
        } else {
            Ok(())
        }
    }

    /// A keyword, or a whole dotted path. Paths are lexed as one token so that
    /// `items.0` is not mistaken for an identifier followed by the number `.0`.
    fn lex_word(&mut self) -> Result<Tok, ParseError> {
        let first = self.take_while(is_ident_char);
        if let Some(tok) = keyword(&first) {
            return Ok(tok);
        }
        let mut segments = vec![first];
        while self.peek() == Some('.') {
            self.pos += 1;
            segments.push(self.lex_segment()?);
        }
        Ok(Tok::Path(segments))
    }

    /// A path segment after a `.`: a field name (keywords allowed, since
    /// JSON keys like `in` are legitimate) or an all-digit array index.
    fn lex_segment(&mut self) -> Result<String, ParseError> {
        let col = self.col();
        match self.peek() {
            Some(c) if is_ident_start(c) => Ok(self.take_while(is_ident_char)),
            Some(c) if c.is_ascii_digit() => {
                let digits = self.take_while(|c| c.is_ascii_digit());
                if self.peek().is_some_and(is_ident_char) {
                    Err(ParseError::new("path segment must be a name or an all-digit index", col))
                } else {
                    Ok(digits)
                }
            }
            _ => Err(ParseError::new("expected a field name or index after '.'", col)),
        }
    }
}

// ---------------------------------------------------------------------------
// Parser (recursive descent, one function per grammar rule)
// ---------------------------------------------------------------------------

struct Parser {
    /// Never empty and always ends with `Eof`; `pos` never moves past it,
    /// which is what makes the indexing in `peek_at` safe.
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn describe(token: &Token) -> String {
    match token.tok {
        Tok::Eof => "end of input".to_owned(),
        _ => format!("'{}'", token.text),
    }
}

/// Collapse a one-element chain to its element so `a` does not become `All([a])`.
fn chain(mut terms: Vec<Expr>, wrap: fn(Vec<Expr>) -> Expr) -> Expr {
    if terms.len() == 1 {
        if let Some(only) = terms.pop() {
            return only;
        }
    }
    wrap(terms)
}

impl Parser {
    fn new(tokens: Vec<Token>) -> Self {
        Parser { tokens, pos: 0, depth: 0 }
    }

    fn peek(&self) -> &Token {
        self.peek_at(0)
    }

    fn peek_at(&self, ahead: usize) -> &Token {
        let last = self.tokens.len() - 1;
        &self.tokens[(self.pos + ahead).min(last)]
    }

    fn next(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn eat(&mut self, tok: &Tok) -> bool {
        let matched = self.peek().tok == *tok;
        if matched {
            self.next();
        }
        matched
    }

    /// Run `f` one nesting level deeper, failing at `col` past [`MAX_DEPTH`].
    fn nested<T>(&mut self, col: usize, f: impl FnOnce(&mut Self) -> Result<T, ParseError>) -> Result<T, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(ParseError::new(format!("expression is nested more than {MAX_DEPTH} levels deep"), col));
        }
        self.depth += 1;
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn parse_condition(mut self) -> Result<Expr, ParseError> {
        if self.peek().tok == Tok::Eof {
            return Err(ParseError::new("empty expression", self.peek().col));
        }
        let expr = self.parse_or()?;
        self.expect_end()?;
        Ok(expr)
    }

    fn expect_end(&self) -> Result<(), ParseError> {
        let token = self.peek();
        match token.tok {
            Tok::Eof => Ok(()),
            Tok::RParen => Err(ParseError::new("unmatched ')'", token.col)),
            _ => Err(ParseError::new(format!("unexpected {} after complete expression", describe(token)), token.col)),
        }
    }

    fn parse_or(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.parse_and()?];
        while self.eat(&Tok::Or) {
            terms.push(self.parse_and()?);
        }
        Ok(chain(terms, Expr::Any))
    }

    fn parse_and(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.parse_unary()?];
        while self.eat(&Tok::And) {
            terms.push(self.parse_unary()?);
        }
        Ok(chain(terms, Expr::All))
    }

    fn parse_unary(&mut self) -> Result<Expr, ParseError> {
        if matches!(self.peek().tok, Tok::Bang | Tok::NotKw) {
            let col = self.next().col;
            let inner = self.nested(col, Self::parse_unary)?;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.parse_comparison()
    }

    fn parse_comparison(&mut self) -> Result<Expr, ParseError> {
        let lhs = Box::new(self.parse_operand()?);
        let expr = match self.peek().tok {
            Tok::Cmp(op) => {
                self.next();
                let rhs = Box::new(self.parse_operand()?);
                Expr::Compare { op, lhs, rhs }
            }
            Tok::In => {
                self.next();
                self.parse_in(lhs, false)?
            }
            Tok::NotKw => {
                self.next();
                if !self.eat(&Tok::In) {
                    let token = self.peek();
                    return Err(ParseError::new(
                        format!("expected 'in' after 'not', found {}", describe(token)),
                        token.col,
                    ));
                }
                self.parse_in(lhs, true)?
            }
            _ => return Ok(*lhs),
        };
        self.reject_chained_comparison()?;
        Ok(expr)
    }

    fn parse_in(&mut self, needle: Box<Expr>, negated: bool) -> Result<Expr, ParseError> {
        let token = self.peek();
        if !matches!(token.tok, Tok::LBracket | Tok::Path(_)) {
            return Err(ParseError::new(
                format!("'in' must be followed by an array literal or a path, found {}", describe(token)),
                token.col,
            ));
        }
        let haystack = Box::new(self.parse_operand()?);
        Ok(Expr::In { negated, needle, haystack })
    }

    /// `a < b < c` has no sensible meaning here; say so instead of reporting
    /// generic trailing garbage.
    fn reject_chained_comparison(&self) -> Result<(), ParseError> {
        let token = self.peek();
        let chained = match token.tok {
            Tok::Cmp(_) | Tok::In => true,
            Tok::NotKw => self.peek_at(1).tok == Tok::In,
            _ => false,
        };
        if chained {
            Err(ParseError::new("comparisons cannot be chained; combine them with '&&' or use parentheses", token.col))
        } else {
            Ok(())
        }
    }

    fn parse_operand(&mut self) -> Result<Expr, ParseError> {
        let token = self.next();
        match token.tok {
            Tok::Lit(value) => Ok(Expr::Literal(value)),
            Tok::Path(path) => Ok(Expr::Path(path)),
            Tok::LParen => self.nested(token.col, |p| p.parse_group(token.col)),
            Tok::LBracket => self.nested(token.col, |p| p.parse_array(token.col)),
            _ => Err(ParseError::new(
                format!("expected a value, path, '[' or '(', found {}", describe(&token)),
                token.col,
            )),
        }
    }

    /// Called after `(`.
    fn parse_group(&mut self, open_col: usize) -> Result<Expr, ParseError> {
        let inner = self.parse_or()?;
        let token = self.next();
        if token.tok == Tok::RParen {
            Ok(inner)
        } else {
            Err(ParseError::new(
                format!("expected ')' to close '(' at column {open_col}, found {}", describe(&token)),
                token.col,
            ))
        }
    }

    /// Called after `[`.
    fn parse_array(&mut self, open_col: usize) -> Result<Expr, ParseError> {
        let mut items = Vec::new();
        if self.eat(&Tok::RBracket) {
            return Ok(Expr::Array(items));
        }
        loop {
            items.push(self.parse_operand()?);
            let token = self.next();
            match token.tok {
                Tok::Comma => {}
                Tok::RBracket => return Ok(Expr::Array(items)),
                _ => {
                    return Err(ParseError::new(
                        format!("expected ',' or ']' in array opened at column {open_col}, found {}", describe(&token)),
                        token.col,
                    ))
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Evaluation
// ---------------------------------------------------------------------------

/// Evaluate to a JSON value, borrowing from the tree or context where possible.
fn eval_expr<'a>(expr: &'a Expr, ctx: &'a Value) -> Cow<'a, Value> {
    let result = match expr {
        Expr::Literal(value) => return Cow::Borrowed(value),
        Expr::Path(path) => return Cow::Borrowed(lookup(ctx, path)),
        Expr::Array(items) => {
            let values = items.iter().map(|item| eval_expr(item, ctx).into_owned());
            return Cow::Owned(Value::Array(values.collect()));
        }
        Expr::Not(inner) => !truthy(&eval_expr(inner, ctx)),
        Expr::All(terms) => terms.iter().all(|t| truthy(&eval_expr(t, ctx))),
        Expr::Any(terms) => terms.iter().any(|t| truthy(&eval_expr(t, ctx))),
        Expr::Compare { op, lhs, rhs } => compare(*op, &eval_expr(lhs, ctx), &eval_expr(rhs, ctx)),
        Expr::In { negated, needle, haystack } => {
            contains(&eval_expr(haystack, ctx), &eval_expr(needle, ctx)) != *negated
        }
    };
    Cow::Owned(Value::Bool(result))
}

/// Walk `path` from the context root; anything unresolvable is `null` (see module docs).
fn lookup<'a>(ctx: &'a Value, path: &[String]) -> &'a Value {
    path.iter().try_fold(ctx, |current, segment| child(current, segment)).unwrap_or(&NULL)
}

fn child<'a>(value: &'a Value, segment: &str) -> Option<&'a Value> {
    match value {
        Value::Object(map) => map.get(segment),
        Value::Array(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
        _ => None,
    }
}

fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

fn compare(op: CmpOp, lhs: &Value, rhs: &Value) -> bool {
    match op {
        CmpOp::Eq => values_equal(lhs, rhs),
        CmpOp::Ne => !values_equal(lhs, rhs),
        CmpOp::Lt => order(lhs, rhs) == Some(Ordering::Less),
        CmpOp::Le => matches!(order(lhs, rhs), Some(Ordering::Less | Ordering::Equal)),
        CmpOp::Gt => order(lhs, rhs) == Some(Ordering::Greater),
        CmpOp::Ge => matches!(order(lhs, rhs), Some(Ordering::Greater | Ordering::Equal)),
    }
}

/// Only numbers and strings are ordered; `None` makes every ordering test false.
fn order(lhs: &Value, rhs: &Value) -> Option<Ordering> {
    match (lhs, rhs) {
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b),
        (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// Like JSON equality, except numbers compare by value so `1 == 1.0`,
/// including inside arrays and objects.
fn values_equal(lhs: &Value, rhs: &Value) -> bool {
    match (lhs, rhs) {
        (Value::Number(a), Value::Number(b)) => compare_numbers(a, b) == Some(Ordering::Equal),
        (Value::Array(a), Value::Array(b)) => a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_equal(x, y)),
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(key, x)| b.get(key).is_some_and(|y| values_equal(x, y)))
        }
        // Same-typed scalars compare directly; differently typed values never match.
        _ => lhs == rhs,
    }
}

fn contains(haystack: &Value, needle: &Value) -> bool {
    match haystack {
        Value::Array(items) => items.iter().any(|item| values_equal(item, needle)),
        _ => false,
    }
}

/// A JSON number widened so that i64 and u64 compare exactly with each other.
enum Num {
    Int(i128),
    Float(f64),
}

impl Num {
    fn of(n: &Number) -> Num {
        if let Some(i) = n.as_i64() {
            Num::Int(i.into())
        } else if let Some(u) = n.as_u64() {
            Num::Int(u.into())
        } else {
            // serde_json numbers are always representable as f64; NaN is a
            // defensive fallback that makes every comparison false.
            Num::Float(n.as_f64().unwrap_or(f64::NAN))
        }
    }

    // Precision loss only matters beyond 2^53, far outside realistic
    // parameter values, and only when the other side is a float anyway.
    #[allow(clippy::cast_precision_loss)]
    fn as_f64(&self) -> f64 {
        match *self {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }
    }
}

fn compare_numbers(a: &Number, b: &Number) -> Option<Ordering> {
    match (Num::of(a), Num::of(b)) {
        (Num::Int(x), Num::Int(y)) => Some(x.cmp(&y)),
        (x, y) => x.as_f64().partial_cmp(&y.as_f64()),
    }
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ctx() -> Value {
        json!({
            "params": {
                "listing_price": 3_500_000,
                "price_f": 2_999_999.5,
                "channel": "email",
                "platform": "instagram",
                "include_drone": false,
                "zero": 0,
                "empty_str": "",
                "empty_arr": [],
                "empty_obj": {},
                "nothing": null,
                "name": "Alice",
                "tags": ["a", "b"],
                "platforms": ["instagram", "x"],
                "items": [{"name": "first"}, {"name": "second"}],
                "numbered": {"0": "zero-key"},
                "big": u64::MAX,
                "in": "keyword-key",
            },
            "steps": {
                "score": {"score": 82}
            }
        })
    }

    fn eval(src: &str) -> bool {
        match Condition::parse(src) {
            Ok(cond) => cond.eval(&ctx()),
            Err(err) => panic!("{src:?} failed to parse: {err}"),
        }
    }

    fn parse_err(src: &str) -> ParseError {
        match Condition::parse(src) {
            Ok(cond) => panic!("{src:?} unexpectedly parsed: {cond:?}"),
            Err(err) => err,
        }
    }

    fn err_col(src: &str) -> usize {
        parse_err(src).column
    }

    fn paths(src: &str) -> Vec<Vec<String>> {
        match Condition::parse(src) {
            Ok(cond) => cond.paths(),
            Err(err) => panic!("{src:?} failed to parse: {err}"),
        }
    }

    fn path(segments: &[&str]) -> Vec<String> {
        segments.iter().map(ToString::to_string).collect()
    }

    // --- examples from the step documentation ---

    #[test]
    fn documented_examples() {
        assert!(eval("params.listing_price > 3000000"));
        assert!(eval("steps.score.score >= 70 && params.channel != 'sms'"));
        assert!(eval("!(params.include_drone) || params.listing_price >= 3e6"));
        assert!(eval("params.platform in ['instagram', 'x']"));
    }

    // --- truthiness ---

    #[test]
    fn falsy_values() {
        for p in ["zero", "empty_str", "empty_arr", "empty_obj", "nothing", "include_drone"] {
            assert!(!eval(&format!("params.{p}")), "params.{p} should be falsy");
        }
        for lit in ["null", "false", "0", "0.0", "''", "\"\"", "[]"] {
            assert!(!eval(lit), "{lit} should be falsy");
        }
    }

    #[test]
    fn truthy_values() {
        for p in ["listing_price", "channel", "tags", "items.0", "steps"] {
            let src = if p == "steps" { p.to_string() } else { format!("params.{p}") };
            assert!(eval(&src), "{src} should be truthy");
        }
        for lit in ["true", "1", "-0.5", "'x'", "[0]", "[false]"] {
            assert!(eval(lit), "{lit} should be truthy");
        }
    }

    // --- logical operators ---

    #[test]
    fn and_operator() {
        assert!(eval("true && true"));
        assert!(!eval("true && false"));
        assert!(!eval("false && true"));
        assert!(eval("true and 1 and 'x'"));
        assert!(!eval("true and 1 and ''"));
    }

    #[test]
    fn or_operator() {
        assert!(eval("false || true"));
        assert!(!eval("false || false"));
        assert!(eval("false or null or 3"));
        assert!(!eval("false or null or 0"));
    }

    #[test]
    fn not_operator() {
        assert!(eval("!false"));
        assert!(!eval("!true"));
        assert!(eval("not params.zero"));
        assert!(eval("!!true"));
        assert!(eval("not not 1"));
        assert!(!eval("!params.listing_price"));
    }

    #[test]
    fn logical_results_are_booleans() {
        // `||` yields `true`, not its operand, so comparing against `true` works.
        assert!(eval("(0 || 5) == true"));
        assert!(eval("(1 && 0) == false"));
        assert!(eval("(!0) == true"));
    }

    // --- comparisons ---

    #[test]
    fn numeric_comparisons() {
        assert!(eval("1 == 1"));
        assert!(!eval("1 == 2"));
        assert!(eval("1 != 2"));
        assert!(!eval("1 != 1"));
        assert!(eval("1 < 2"));
        assert!(!eval("2 < 2"));
        assert!(eval("2 <= 2"));
        assert!(!eval("3 <= 2"));
        assert!(eval("3 > 2"));
        assert!(!eval("2 > 2"));
        assert!(eval("2 >= 2"));
        assert!(!eval("1 >= 2"));
    }

    #[test]
    fn integers_and_floats_compare_numerically() {
        assert!(eval("1 == 1.0"));
        assert!(eval("3000000 == 3e6"));
        assert!(eval("3e6 == 3000000"));
        assert!(eval("2 > 1.5"));
        assert!(eval("params.price_f < params.listing_price"));
        assert!(eval("params.price_f > 2999999"));
        assert!(eval("params.listing_price == 3.5e6"));
        assert!(eval("1.5e-3 == 0.0015"));
        assert!(eval("2E+2 == 200"));
    }

    #[test]
    fn negative_and_large_numbers() {
        assert!(eval("-5 < 0"));
        assert!(eval("-1.5 < -1"));
        assert!(eval("-2e3 == -2000"));
        assert!(eval("params.big > 9223372036854775807"));
        assert!(eval("params.big == 18446744073709551615"));
        assert!(eval("params.big > -1"));
        // Beyond i64: parsed as f64, still ordered correctly.
        assert!(eval("99999999999999999999 > 1"));
    }

    #[test]
    fn string_comparisons() {
        assert!(eval("'apple' < 'banana'"));
        assert!(eval("'B' < 'a'")); // code point order, not locale order
        assert!(eval("'abc' <= 'abc'"));
        assert!(eval("'abd' > 'abc'"));
        assert!(eval("'ab' < 'abc'"));
        assert!(eval("params.channel == \"email\""));
        assert!(eval("params.channel != 'sms'"));
        assert!(eval("params.name >= 'A' && params.name < 'B'"));
    }

    #[test]
    fn bools_and_null_support_only_equality() {
        assert!(eval("true == true"));
        assert!(eval("true != false"));
        assert!(eval("null == null"));
        assert!(!eval("null != null"));
        assert!(!eval("true > false"));
        assert!(!eval("true < false"));
        assert!(!eval("false <= false"));
        assert!(!eval("null >= null"));
        assert!(!eval("null < 1"));
    }

    #[test]
    fn mismatched_types() {
        assert!(!eval("1 == '1'"));
        assert!(eval("1 != '1'"));
        assert!(!eval("'a' < 1"));
        assert!(!eval("'a' >= 1"));
        assert!(!eval("0 == false"));
        assert!(!eval("0 == null"));
        assert!(!eval("'' == null"));
        assert!(eval("true != 1"));
        assert!(!eval("params.tags > 1"));
    }

    #[test]
    fn arrays_and_objects_compare_structurally() {
        assert!(eval("params.tags == ['a', 'b']"));
        assert!(!eval("params.tags == ['b', 'a']"));
        assert!(!eval("params.tags == ['a']"));
        assert!(eval("[1, 2] == [1.0, 2e0]"));
        assert!(eval("params.empty_arr == []"));
        assert!(!eval("params.tags < ['z']"));
        assert!(eval("params.items.0 == params.items.0"));
        assert!(!eval("params.items.0 == params.items.1"));
        assert!(eval("params.items.0 != params.items.1"));
    }

    // --- precedence ---

    #[test]
    fn and_binds_tighter_than_or() {
        assert!(eval("true || false && false"));
        assert!(!eval("(true || false) && false"));
        assert!(eval("false && false || true"));
        assert!(eval("false and false or true"));
    }

    #[test]
    fn not_binds_tighter_than_and_or() {
        assert!(eval("!true || true"));
        assert!(!eval("!(true || true)"));
        assert!(!eval("!false && false"));
    }

    #[test]
    fn comparison_binds_tighter_than_not() {
        // `!1 == 2` is `!(1 == 2)`, not `(!1) == 2`.
        assert!(eval("!1 == 2"));
        assert!(eval("not params.channel == 'sms'"));
        assert!(!eval("not params.platform in ['instagram']"));
        assert!(eval("1 < 2 && 3 > 2 || 1 > 2"));
    }

    #[test]
    fn parentheses_group() {
        assert!(eval("((true))"));
        assert!(!eval("!(1 < 2)"));
        assert!(eval("(params.listing_price) > 3000000"));
        assert!(eval("(1 < 2) == (3 < 4)"));
    }

    // --- paths ---

    #[test]
    fn missing_paths_are_null() {
        assert!(!eval("steps.skipped.score >= 70"));
        assert!(!eval("steps.skipped.score < 70"));
        assert!(eval("steps.skipped.score == null"));
        assert!(eval("steps.skipped.score != 70"));
        assert!(!eval("steps.skipped"));
        assert!(eval("!steps.skipped"));
        assert!(eval("params.nothing == null"));
        assert!(eval("unknown_root == null"));
    }

    #[test]
    fn paths_through_scalars_are_null() {
        assert!(eval("params.listing_price.amount == null"));
        assert!(eval("params.channel.0 == null"));
        assert!(eval("params.nothing.x.y == null"));
    }

    #[test]
    fn numeric_segments_index_arrays() {
        assert!(eval("params.items.0.name == 'first'"));
        assert!(eval("params.items.1.name == 'second'"));
        assert!(eval("params.items.2 == null"));
        assert!(eval("params.tags.1 == 'b'"));
        assert!(eval("params.items.name == null"));
        // A numeric segment still selects an object key of that name.
        assert!(eval("params.numbered.0 == 'zero-key'"));
    }

    #[test]
    fn keywords_are_plain_names_after_a_dot() {
        assert!(eval("params.in == 'keyword-key'"));
        assert_eq!(paths("params.in"), vec![path(&["params", "in"])]);
    }

    #[test]
    fn keywords_are_case_sensitive() {
        // `TRUE` is just a path that does not exist.
        assert!(!eval("TRUE"));
        assert_eq!(paths("TRUE"), vec![path(&["TRUE"])]);
    }

    #[test]
    fn eval_against_non_object_context() {
        let cond = Condition::parse("params.x == null").expect("valid");
        assert!(cond.eval(&Value::Null));
        assert!(cond.eval(&json!([1, 2])));
        assert!(!Condition::parse("params.x").expect("valid").eval(&json!("str")));
    }

    // --- in / not in ---

    #[test]
    fn in_array_literal() {
        assert!(eval("params.platform in ['instagram', 'x']"));
        assert!(!eval("params.channel in ['instagram', 'x']"));
        assert!(!eval("'a' in []"));
        assert!(eval("3 in [1, 2.0, 3.0]"));
        assert!(eval("null in [1, null]"));
        assert!(!eval("'1' in [1]"));
        assert!(eval("[1] in [[1], [2]]"));
    }

    #[test]
    fn in_array_path() {
        assert!(eval("'x' in params.platforms"));
        assert!(eval("params.platform in params.platforms"));
        assert!(!eval("'c' in params.tags"));
        assert!(eval("'b' in params.tags"));
    }

    #[test]
    fn not_in() {
        assert!(eval("params.channel not in ['sms', 'push']"));
        assert!(!eval("params.platform not in params.platforms"));
        assert!(eval("'z' not in []"));
        assert!(!eval("!(params.channel not in ['sms'])"));
    }

    #[test]
    fn in_non_array_contains_nothing() {
        assert!(!eval("'x' in steps.skipped.list"));
        assert!(eval("'x' not in steps.skipped.list"));
        assert!(!eval("'e' in params.channel"));
        assert!(!eval("'score' in steps.score"));
    }

    #[test]
    fn array_literals_may_hold_paths() {
        assert!(eval("'email' in [params.platform, params.channel]"));
        assert!(eval("[params.channel, 1] == ['email', 1]"));
    }

    #[test]
    fn in_combines_with_logic() {
        assert!(eval("params.platform in ['instagram'] && params.channel not in ['sms']"));
        assert!(eval("params.channel in ['sms'] || params.platform in ['instagram']"));
    }

    // --- literals ---

    #[test]
    fn string_escapes() {
        assert!(eval(r#"'it\'s' == "it's""#));
        assert!(eval(r#""say \"hi\"" == 'say "hi"'"#));
        let literal = |src: &str| Condition::parse(src).map(|c| c.root);
        assert_eq!(literal(r"'a\\b'"), Ok(Expr::Literal(json!("a\\b"))));
        assert_eq!(literal(r#""q\"\'""#), Ok(Expr::Literal(json!("q\"'"))));
        assert_eq!(literal(r"'\n\t\r\0'"), Ok(Expr::Literal(json!("\n\t\r\0"))));
        assert!(eval(r"'\n' != 'n'"));
        assert!(eval(r"'\t\r\0' != ''"));
        assert!(eval(r"'\u{e9}' == 'é'"));
        assert!(eval(r"'\u{1F600}' == '😀'"));
        assert!(eval(r"'back\\slash' > 'back'"));
    }

    #[test]
    fn whitespace_is_insignificant() {
        assert!(eval("  params.listing_price\t>\n3000000  "));
        assert!(eval("params.platform in[ 'instagram' ,'x' ]"));
        assert!(eval("1<2&&2>1"));
    }

    // --- parse errors ---

    #[test]
    fn error_empty_input() {
        let err = parse_err("");
        assert_eq!(err.column, 1);
        assert!(err.message.contains("empty"));
        assert_eq!(err_col("   "), 4);
    }

    #[test]
    fn error_display_includes_column() {
        assert_eq!(parse_err("1 == 1 )").to_string(), "unmatched ')' (at column 8)");
    }

    #[test]
    fn error_missing_operand() {
        assert_eq!(err_col("params.x >"), 11);
        assert_eq!(err_col("params.x > && true"), 12);
        assert_eq!(err_col("&& true"), 1);
        assert_eq!(err_col("true ||"), 8);
        assert_eq!(err_col("!"), 2);
    }

    #[test]
    fn error_unbalanced_parens() {
        let err = parse_err("(params.x > 3");
        assert_eq!(err.column, 14);
        assert!(err.message.contains("column 1"), "{}", err.message);
        assert_eq!(err_col("params.x > 3)"), 13);
        assert_eq!(err_col("((true)"), 8);
        assert_eq!(err_col("()"), 2);
        assert_eq!(err_col("(true false)"), 7);
    }

    #[test]
    fn error_trailing_garbage() {
        assert_eq!(err_col("params.x > 3 params.y"), 14);
        assert_eq!(err_col("true false"), 6);
        assert_eq!(err_col("1 == 1 ]"), 8);
    }

    #[test]
    fn error_unknown_characters() {
        assert_eq!(err_col("params.x # 3"), 10);
        assert_eq!(err_col("params.x > $"), 12);
        assert_eq!(err_col("1 + 2"), 3);
        assert_eq!(err_col("a - b"), 3);
        assert_eq!(err_col(".5 > 0"), 1);
        assert_eq!(err_col("params.ü"), 8);
    }

    #[test]
    fn error_columns_count_characters_not_bytes() {
        assert_eq!(err_col("'éé' == x #"), 11);
    }

    #[test]
    fn error_single_char_operators() {
        let err = parse_err("params.x = 3");
        assert_eq!(err.column, 10);
        assert!(err.message.contains("=="));
        assert_eq!(err_col("a & b"), 3);
        assert_eq!(err_col("a | b"), 3);
    }

    #[test]
    fn error_bad_paths() {
        assert_eq!(err_col("params."), 8);
        assert_eq!(err_col("params..x"), 8);
        assert_eq!(err_col("params.items.0abc"), 14);
        assert_eq!(err_col("true.x"), 5);
    }

    #[test]
    fn error_bad_strings() {
        assert_eq!(err_col("'abc"), 1);
        assert_eq!(err_col("x == \"abc'"), 6);
        assert_eq!(err_col(r"'a\q'"), 3);
        assert_eq!(err_col(r"'a\"), 1);
        assert_eq!(err_col(r"'\u{110000}'"), 2);
        assert_eq!(err_col(r"'\u00e9'"), 2);
        assert_eq!(err_col(r"'\u{}'"), 2);
    }

    #[test]
    fn error_bad_numbers() {
        assert_eq!(err_col("3abc"), 1);
        assert_eq!(err_col("1.2.3"), 1);
        assert_eq!(err_col("x > 1."), 7);
        assert_eq!(err_col("x > 1e"), 7);
        assert_eq!(err_col("x > 1e+"), 8);
        assert_eq!(err_col("x > 1e999"), 5);
    }

    #[test]
    fn error_chained_comparisons() {
        let err = parse_err("1 < 2 < 3");
        assert_eq!(err.column, 7);
        assert!(err.message.contains("chained"));
        assert_eq!(err_col("a == b in [1]"), 8);
        assert_eq!(err_col("a in [1] not in [2]"), 10);
    }

    #[test]
    fn error_bad_in() {
        assert_eq!(err_col("x in 3"), 6);
        assert_eq!(err_col("x in 'abc'"), 6);
        assert_eq!(err_col("x in"), 5);
        assert_eq!(err_col("x not 3"), 7);
        assert_eq!(err_col("x not"), 6);
        assert_eq!(err_col("in [1]"), 1);
    }

    #[test]
    fn error_bad_arrays() {
        assert_eq!(err_col("x in [1, 2"), 11);
        assert_eq!(err_col("x in [1 2]"), 9);
        assert_eq!(err_col("x in [1,]"), 9);
        assert_eq!(err_col("x in [,]"), 7);
        let err = parse_err("x in [1 true]");
        assert!(err.message.contains("column 6"), "{}", err.message);
    }

    #[test]
    fn length_limit() {
        let max = format!("{}true", " ".repeat(MAX_LEN - 4));
        assert!(Condition::parse(&max).is_ok());
        let over = format!(" {max}");
        let err = parse_err(&over);
        assert_eq!(err.column, MAX_LEN + 1);
        assert!(err.message.contains("1000"));
        // The limit counts characters, so multi-byte text is not penalised.
        let wide = format!("'{}' != ''", "é".repeat(MAX_LEN - 8));
        assert_eq!(wide.chars().count(), MAX_LEN);
        assert!(Condition::parse(&wide).is_ok());
    }

    #[test]
    fn depth_limit_parentheses() {
        let ok = format!("{}true{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(eval(&ok));
        let deep = format!("{}true{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        let err = parse_err(&deep);
        assert_eq!(err.column, MAX_DEPTH + 1);
        assert!(err.message.contains("nested"));
    }

    #[test]
    fn depth_limit_not_and_brackets() {
        assert!(eval(&format!("{}true", "!".repeat(MAX_DEPTH))));
        assert_eq!(err_col(&format!("{}true", "!".repeat(MAX_DEPTH + 1))), MAX_DEPTH + 1);
        let nested = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(eval(&nested(MAX_DEPTH)));
        assert_eq!(err_col(&nested(MAX_DEPTH + 1)), MAX_DEPTH + 1);
        // Mixed nesting counts every kind of level.
        let mixed = format!("{}{}true{}", "!(".repeat(16), "!", ")".repeat(16));
        assert_eq!(err_col(&mixed), 33);
    }

    #[test]
    fn long_flat_chains_are_fine() {
        // 300 terms: far more than MAX_DEPTH, yet flat, so accepted.
        let all = vec!["1"; 300].join("&&");
        assert!(all.len() <= MAX_LEN);
        assert!(eval(&all));
        let any = format!("{}||1", vec!["0"; 299].join("||"));
        assert!(eval(&any));
    }

    // --- paths() and source() ---

    #[test]
    fn paths_lists_every_read_once_in_order() {
        let got = paths("steps.score.score >= 70 && params.channel != 'sms' || steps.score.score < params.min");
        assert_eq!(
            got,
            vec![path(&["steps", "score", "score"]), path(&["params", "channel"]), path(&["params", "min"]),]
        );
    }

    #[test]
    fn paths_covers_every_position() {
        let got = paths("!(params.a) && params.b in [params.c, 1] && 'x' not in params.d.0");
        assert_eq!(
            got,
            vec![path(&["params", "a"]), path(&["params", "b"]), path(&["params", "c"]), path(&["params", "d", "0"]),]
        );
    }

    #[test]
    fn paths_empty_for_literals() {
        assert!(paths("1 < 2 && 'a' in ['a'] || true").is_empty());
        assert_eq!(paths("flag"), vec![path(&["flag"])]);
    }

    #[test]
    fn source_is_preserved() {
        let src = "  params.x  ==  'y' ";
        let cond = Condition::parse(src).expect("valid");
        assert_eq!(cond.source(), src);
    }

    #[test]
    fn parsed_condition_is_reusable() {
        let cond = Condition::parse("steps.score.score >= 70").expect("valid");
        assert!(cond.eval(&json!({"steps": {"score": {"score": 70}}})));
        assert!(!cond.eval(&json!({"steps": {"score": {"score": 69.9}}})));
        assert!(!cond.eval(&json!({"steps": {}})));
        assert_eq!(cond.clone(), cond);
    }
}
