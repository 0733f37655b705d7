//! `$filter`: a recursive-descent parser bound to a table's columns, and an
//! evaluator over stored rows (spec §8.4).
//!
//! Supported: `eq ne gt ge lt le`, `and or not`, parentheses, `contains`,
//! `startswith`, `endswith`, single-valued navigation paths (`lookup/column`),
//! and `any`/`all` lambdas on collection-valued navigation properties. String
//! comparisons are case-insensitive; GUIDs are unquoted for Guid and lookup
//! columns and quoted for string columns. Everything else — arithmetic, `has`,
//! other functions, type mismatches, unknown columns — is refused with a
//! message, never ignored.

use serde_json::Value;

use crate::clock;
use crate::error::{ApiError, ApiResult};
use crate::schema::{Column, Entity, Kind, Nav};
use crate::store::records::Record;

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Number(f64),
    Str(String),
    Guid(String),
    DateTime(String),
}

impl Lit {
    fn edm(&self) -> &'static str {
        match self {
            Lit::Null => "null",
            Lit::Bool(_) => "Edm.Boolean",
            Lit::Number(_) => "Edm.Int32",
            Lit::Str(_) => "Edm.String",
            Lit::Guid(_) => "Edm.Guid",
            Lit::DateTime(_) => "Edm.DateTimeOffset",
        }
    }
}

/// How a property path reaches its column.
#[derive(Debug, Clone)]
pub enum Via {
    /// Start from the lambda variable at this depth (0 = the row itself).
    Var(usize),
    /// Follow a lookup (its wire key) into the target table.
    Lookup(String, &'static str),
}

/// One side of a comparison.
#[derive(Debug, Clone)]
pub enum Operand {
    Column {
        via: Vec<Via>,
        column: &'static Column,
    },
    Lit(Lit),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrFn {
    Contains,
    StartsWith,
    EndsWith,
}

/// A bound filter expression.
#[derive(Debug, Clone)]
pub enum Expr {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Cmp(CmpOp, Operand, Operand),
    Str(StrFn, Operand, String),
    Truthy(Operand),
    Const(bool),
    Lambda {
        any: bool,
        via: Vec<Via>,
        nav: &'static Nav,
        body: Box<Expr>,
    },
}

/// What the evaluator needs from the store.
pub trait Resolve {
    /// The row `id` of `set`.
    fn get(&self, set: &str, id: &str) -> Option<Record>;
    /// Rows reached from `row` of `entity` through the collection navigation `nav`.
    fn related(&self, entity: &Entity, row: &Record, nav: &Nav) -> Vec<Record>;
    /// The table served under `set`.
    fn entity(&self, set: &str) -> Option<&'static Entity>;
}

// ---------- lexer ----------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    Comma,
    Colon,
    Slash,
    Word(String),
    Lit(Lit),
}

fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn classify_number(text: &str) -> ApiResult<Lit> {
    if is_guid(text) {
        return Ok(Lit::Guid(text.to_ascii_lowercase()));
    }
    if text.len() >= 10 && text.as_bytes().get(4) == Some(&b'-') {
        return match clock::parse(text) {
            Some(_) => Ok(Lit::DateTime(text.to_string())),
            None => Err(ApiError::bad_query(format!(
                "'{text}' is not a valid date or time"
            ))),
        };
    }
    text.parse::<f64>()
        .map(Lit::Number)
        .map_err(|_| ApiError::bad_query(format!("'{text}' is not a valid literal in $filter")))
}

fn lex(input: &str) -> ApiResult<Vec<Tok>> {
    let chars: Vec<char> = input.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            ' ' | '\t' | '\n' | '\r' => i += 1,
            '(' => {
                out.push(Tok::LParen);
                i += 1;
            }
            ')' => {
                out.push(Tok::RParen);
                i += 1;
            }
            ',' => {
                out.push(Tok::Comma);
                i += 1;
            }
            ':' => {
                out.push(Tok::Colon);
                i += 1;
            }
            '/' => {
                out.push(Tok::Slash);
                i += 1;
            }
            '\'' => {
                let mut s = String::new();
                i += 1;
                loop {
                    match chars.get(i) {
                        None => {
                            return Err(ApiError::bad_query(
                                "unterminated string literal in $filter",
                            ))
                        }
                        Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                            s.push('\'');
                            i += 2;
                        }
                        Some('\'') => {
                            i += 1;
                            break;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            i += 1;
                        }
                    }
                }
                out.push(Tok::Lit(Lit::Str(s)));
            }
            c if c.is_ascii_digit() || c == '-' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || ":.+-".contains(chars[i]))
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                out.push(Tok::Lit(classify_number(&text)?));
            }
            c if c.is_ascii_alphabetic() || c == '_' || c == '$' || c == '@' => {
                let start = i;
                while i < chars.len()
                    && (chars[i].is_ascii_alphanumeric() || "_.$@".contains(chars[i]))
                {
                    i += 1;
                }
                // A GUID may start with a letter: extend across its dashes.
                if chars.get(i) == Some(&'-') && i - start == 8 {
                    let mut j = i;
                    while j < chars.len() && (chars[j].is_ascii_hexdigit() || chars[j] == '-') {
                        j += 1;
                    }
                    let text: String = chars[start..j].iter().collect();
                    if is_guid(&text) {
                        out.push(Tok::Lit(Lit::Guid(text.to_ascii_lowercase())));
                        i = j;
                        continue;
                    }
                }
                let word: String = chars[start..i].iter().collect();
                out.push(match word.as_str() {
                    "true" => Tok::Lit(Lit::Bool(true)),
                    "false" => Tok::Lit(Lit::Bool(false)),
                    "null" => Tok::Lit(Lit::Null),
                    _ => Tok::Word(word),
                });
            }
            other => {
                return Err(ApiError::bad_query(format!(
                    "unexpected character '{other}' in $filter at position {i}"
                )))
            }
        }
    }
    Ok(out)
}

// ---------- parser ----------

struct Parser<'a> {
    toks: Vec<Tok>,
    pos: usize,
    /// Lambda variables in scope: (name, entity); index 0 is the row itself.
    scopes: Vec<(String, &'static Entity)>,
    resolve: &'a dyn Resolve,
    /// Nesting now (parentheses, `not`, lambdas): the parser and the evaluator recurse on it.
    depth: usize,
    /// Conditions joined by `and`/`or` so far: each adds a level to the evaluated tree.
    terms: usize,
}

/// How deep `$filter` may nest (parentheses, `not`, `any`/`all`): a recursive-descent parser
/// needs a bound, or a 10 KB filter of parentheses overflows the stack [I: Dataverse's own
/// limit is not documented; real filters nest a handful of levels].
pub const MAX_FILTER_DEPTH: usize = 32;
/// How many conditions one `$filter` may join with `and`/`or` (the tree is as deep) [I].
pub const MAX_FILTER_TERMS: usize = 500;

/// Parses and binds `$filter` text against `entity`.
pub fn parse(input: &str, entity: &'static Entity, resolve: &dyn Resolve) -> ApiResult<Expr> {
    let toks = lex(input)?;
    if toks.is_empty() {
        return Err(ApiError::bad_query("$filter is empty"));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        scopes: vec![("$it".into(), entity)],
        resolve,
        depth: 0,
        terms: 0,
    };
    let expr = p.or()?;
    if p.pos != p.toks.len() {
        return Err(ApiError::bad_query(format!(
            "unexpected '{}' in $filter; check the syntax near it",
            p.describe(p.pos)
        )));
    }
    Ok(expr)
}

impl Parser<'_> {
    fn describe(&self, pos: usize) -> String {
        match self.toks.get(pos) {
            None => "end of input".into(),
            Some(Tok::Word(w)) => w.clone(),
            Some(Tok::Lit(l)) => format!("{l:?}"),
            Some(t) => format!("{t:?}"),
        }
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x == w)
    }

    fn expect(&mut self, tok: Tok) -> ApiResult<()> {
        if self.toks.get(self.pos) == Some(&tok) {
            self.pos += 1;
            Ok(())
        } else {
            Err(ApiError::bad_query(format!(
                "expected {tok:?} in $filter, found {}",
                self.describe(self.pos)
            )))
        }
    }

    /// Enters one nesting level; refuses past [`MAX_FILTER_DEPTH`].
    fn enter(&mut self) -> ApiResult<()> {
        self.depth += 1;
        if self.depth > MAX_FILTER_DEPTH {
            return Err(ApiError::bad_query(format!(
                "$filter nests more than {MAX_FILTER_DEPTH} levels (parentheses, not, any/all); simplify it"
            )));
        }
        Ok(())
    }

    /// Counts one more joined condition; refuses past [`MAX_FILTER_TERMS`].
    fn joined(&mut self) -> ApiResult<()> {
        self.terms += 1;
        if self.terms > MAX_FILTER_TERMS {
            return Err(ApiError::bad_query(format!(
                "$filter joins more than {MAX_FILTER_TERMS} conditions; split the query"
            )));
        }
        Ok(())
    }

    fn or(&mut self) -> ApiResult<Expr> {
        self.enter()?;
        let mut left = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            self.joined()?;
            left = Expr::Or(Box::new(left), Box::new(self.and()?));
        }
        self.depth -= 1;
        Ok(left)
    }

    fn and(&mut self) -> ApiResult<Expr> {
        let mut left = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            self.joined()?;
            left = Expr::And(Box::new(left), Box::new(self.unary()?));
        }
        Ok(left)
    }

    fn unary(&mut self) -> ApiResult<Expr> {
        if self.peek_word("not") {
            self.pos += 1;
            self.enter()?;
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> ApiResult<Expr> {
        if self.toks.get(self.pos) == Some(&Tok::LParen) {
            self.pos += 1;
            let inner = self.or()?;
            self.expect(Tok::RParen)?;
            return Ok(inner);
        }
        let left = match self.term()? {
            Term::Expr(e) => return Ok(e),
            Term::Operand(o) => o,
        };
        let op = match self.toks.get(self.pos) {
            Some(Tok::Word(w)) => match w.as_str() {
                "eq" => Some(CmpOp::Eq),
                "ne" => Some(CmpOp::Ne),
                "gt" => Some(CmpOp::Gt),
                "ge" => Some(CmpOp::Ge),
                "lt" => Some(CmpOp::Lt),
                "le" => Some(CmpOp::Le),
                "has" | "add" | "sub" | "mul" | "div" | "mod" | "in" => {
                    return Err(ApiError::bad_query(format!(
                        "the operator '{w}' is not supported in $filter"
                    )))
                }
                _ => None,
            },
            _ => None,
        };
        let Some(op) = op else {
            return match left {
                Operand::Column { column, .. } if matches!(column.kind, Kind::Bool) => {
                    Ok(Expr::Truthy(left))
                }
                Operand::Lit(Lit::Bool(b)) => Ok(Expr::Const(b)),
                _ => Err(ApiError::bad_query(format!(
                    "expected a comparison operator (eq, ne, gt, ge, lt, le) in $filter, found {}",
                    self.describe(self.pos)
                ))),
            };
        };
        self.pos += 1;
        let right = match self.term()? {
            Term::Operand(o) => o,
            Term::Expr(_) => {
                return Err(ApiError::bad_query(
                    "a comparison needs a value on its right side",
                ))
            }
        };
        check_types(&left, &right)?;
        Ok(Expr::Cmp(op, left, right))
    }

    fn term(&mut self) -> ApiResult<Term> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Lit(l)) => {
                self.pos += 1;
                Ok(Term::Operand(Operand::Lit(l)))
            }
            Some(Tok::Word(w)) if self.toks.get(self.pos + 1) == Some(&Tok::LParen) => {
                self.pos += 2;
                self.function(&w)
            }
            Some(Tok::Word(_)) => self.path(),
            _ => Err(ApiError::bad_query(format!(
                "expected a column, value or function in $filter, found {}",
                self.describe(self.pos)
            ))),
        }
    }

    fn function(&mut self, name: &str) -> ApiResult<Term> {
        let f = match name {
            "contains" => StrFn::Contains,
            "startswith" => StrFn::StartsWith,
            "endswith" => StrFn::EndsWith,
            other => {
                return Err(ApiError::bad_query(format!(
                    "the function '{other}' is not supported in $filter; use contains, startswith or endswith"
                )))
            }
        };
        let subject = match self.term()? {
            Term::Operand(o @ Operand::Column { column, .. })
                if matches!(column.kind, Kind::String | Kind::Memo) =>
            {
                o
            }
            _ => {
                return Err(ApiError::bad_query(format!(
                    "{name}() needs a string column as its first argument"
                )))
            }
        };
        self.expect(Tok::Comma)?;
        let needle = match self.toks.get(self.pos) {
            Some(Tok::Lit(Lit::Str(s))) => s.clone(),
            _ => {
                return Err(ApiError::bad_query(format!(
                    "{name}() needs a quoted string as its second argument"
                )))
            }
        };
        self.pos += 1;
        self.expect(Tok::RParen)?;
        Ok(Term::Expr(Expr::Str(f, subject, needle)))
    }

    fn path(&mut self) -> ApiResult<Term> {
        let mut via = Vec::new();
        let Some(Tok::Word(first)) = self.toks.get(self.pos).cloned() else {
            unreachable!()
        };
        self.pos += 1;
        let mut entity = self.scopes[0].1;
        let mut name = first;
        if let Some(depth) = self.scopes.iter().position(|(v, _)| *v == name) {
            if depth > 0 || name == "$it" {
                via.push(Via::Var(depth));
                entity = self.scopes[depth].1;
                self.expect(Tok::Slash)?;
                name = self.word()?;
            }
        }
        loop {
            if self.toks.get(self.pos) != Some(&Tok::Slash) {
                let column = entity
                    .column(&name)
                    .ok_or_else(|| unknown_property(entity, &name))?;
                if matches!(column.kind, Kind::File) {
                    return Err(ApiError::bad_query(format!(
                        "file column '{name}' cannot be filtered"
                    )));
                }
                return Ok(Term::Operand(Operand::Column { via, column }));
            }
            self.pos += 1;
            if let Some(lookup) = entity.lookup(&name) {
                let Kind::Lookup(target) = lookup.kind else {
                    unreachable!()
                };
                let target_entity = self.resolve.entity(target).ok_or_else(|| {
                    ApiError::bad_query(format!("'{name}' cannot be followed here"))
                })?;
                via.push(Via::Lookup(lookup.key(), target));
                entity = target_entity;
                name = self.word()?;
                continue;
            }
            if let Some(nav) = entity.nav(&name) {
                let op = self.word()?;
                let any = match op.as_str() {
                    "any" => true,
                    "all" => false,
                    _ => {
                        return Err(ApiError::bad_query(format!(
                            "use any() or all() on the collection '{name}'"
                        )))
                    }
                };
                let target = self.resolve.entity(nav.target()).ok_or_else(|| {
                    ApiError::bad_query(format!("'{name}' cannot be followed here"))
                })?;
                self.expect(Tok::LParen)?;
                let var = self.word()?;
                self.expect(Tok::Colon)?;
                self.scopes.push((var, target));
                let body = self.or();
                self.scopes.pop();
                let body = body?;
                self.expect(Tok::RParen)?;
                return Ok(Term::Expr(Expr::Lambda {
                    any,
                    via,
                    nav,
                    body: Box::new(body),
                }));
            }
            return Err(unknown_property(entity, &name));
        }
    }

    fn word(&mut self) -> ApiResult<String> {
        match self.toks.get(self.pos).cloned() {
            Some(Tok::Word(w)) => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(ApiError::bad_query(format!(
                "expected a name in $filter, found {}",
                self.describe(self.pos)
            ))),
        }
    }
}

enum Term {
    Operand(Operand),
    Expr(Expr),
}

pub fn unknown_property(entity: &Entity, name: &str) -> ApiError {
    ApiError::bad_query(format!(
        "Could not find a property named '{name}' on type '{}'.",
        entity.type_name()
    ))
}

fn operand_edm(o: &Operand) -> &'static str {
    match o {
        Operand::Column { column, .. } => column.kind.edm(),
        Operand::Lit(l) => l.edm(),
    }
}

fn check_types(a: &Operand, b: &Operand) -> ApiResult<()> {
    let (ta, tb) = (operand_edm(a), operand_edm(b));
    let numeric = |t: &str| t == "Edm.Int32";
    if ta == tb || ta == "null" || tb == "null" || (numeric(ta) && numeric(tb)) {
        return Ok(());
    }
    Err(ApiError::bad_query(format!(
        "A binary operator with incompatible types was detected. Found operand types '{ta}' and '{tb}' for operator kind 'Equal'."
    )))
}

// ---------- evaluation ----------

/// Evaluates `expr` for `row` of `entity`.
pub fn matches(expr: &Expr, entity: &'static Entity, row: &Record, resolve: &dyn Resolve) -> bool {
    let mut vars = vec![(entity, row.clone())];
    eval(expr, &mut vars, resolve)
}

fn eval(expr: &Expr, vars: &mut Vec<(&'static Entity, Record)>, r: &dyn Resolve) -> bool {
    match expr {
        Expr::Or(a, b) => eval(a, vars, r) || eval(b, vars, r),
        Expr::And(a, b) => eval(a, vars, r) && eval(b, vars, r),
        Expr::Not(a) => !eval(a, vars, r),
        Expr::Const(b) => *b,
        Expr::Truthy(o) => value(o, vars, r).as_bool().unwrap_or(false),
        Expr::Cmp(op, a, b) => compare(*op, &value(a, vars, r), &value(b, vars, r), a, b),
        Expr::Str(f, subject, needle) => {
            let Some(hay) = value(subject, vars, r).as_str().map(str::to_lowercase) else {
                return false;
            };
            let needle = needle.to_lowercase();
            match f {
                StrFn::Contains => hay.contains(&needle),
                StrFn::StartsWith => hay.starts_with(&needle),
                StrFn::EndsWith => hay.ends_with(&needle),
            }
        }
        Expr::Lambda {
            any,
            via,
            nav,
            body,
        } => {
            let Some((entity, row)) = walk(via, vars, r) else {
                return false;
            };
            let Some(target) = r.entity(nav.target()) else {
                return false;
            };
            let related = r.related(entity, &row, nav);
            let mut test = |row: Record| {
                vars.push((target, row));
                let ok = eval(body, vars, r);
                vars.pop();
                ok
            };
            if *any {
                related.into_iter().any(&mut test)
            } else {
                related.into_iter().all(&mut test)
            }
        }
    }
}

fn walk(
    via: &[Via],
    vars: &[(&'static Entity, Record)],
    r: &dyn Resolve,
) -> Option<(&'static Entity, Record)> {
    let mut current = vars[0].clone();
    for step in via {
        current = match step {
            Via::Var(depth) => vars.get(*depth)?.clone(),
            Via::Lookup(key, target) => {
                let id = current.1.str(key)?.to_string();
                (r.entity(target)?, r.get(target, &id)?)
            }
        };
    }
    Some(current)
}

fn value(o: &Operand, vars: &[(&'static Entity, Record)], r: &dyn Resolve) -> Value {
    match o {
        Operand::Lit(l) => match l {
            Lit::Null => Value::Null,
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Number(n) => serde_json::Number::from_f64(*n)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Lit::Str(s) | Lit::Guid(s) | Lit::DateTime(s) => Value::String(s.clone()),
        },
        Operand::Column { via, column } => walk(via, vars, r)
            .and_then(|(_, row)| row.data.get(&column.key()).cloned())
            .unwrap_or(Value::Null),
    }
}

fn is_time(o: &Operand) -> bool {
    match o {
        Operand::Column { column, .. } => matches!(column.kind, Kind::DateTime),
        Operand::Lit(l) => matches!(l, Lit::DateTime(_)),
    }
}

fn compare(op: CmpOp, a: &Value, b: &Value, oa: &Operand, ob: &Operand) -> bool {
    use std::cmp::Ordering;
    if a.is_null() || b.is_null() {
        let both = a.is_null() && b.is_null();
        return match op {
            CmpOp::Eq => both,
            CmpOp::Ne => !both,
            _ => false,
        };
    }
    let ord: Option<Ordering> = if is_time(oa) || is_time(ob) {
        let ta = a.as_str().and_then(clock::text_to_ms);
        let tb = b.as_str().and_then(clock::text_to_ms);
        ta.zip(tb).map(|(x, y)| x.cmp(&y))
    } else if let (Some(x), Some(y)) = (a.as_f64(), b.as_f64()) {
        x.partial_cmp(&y)
    } else if let (Some(x), Some(y)) = (a.as_str(), b.as_str()) {
        Some(x.to_lowercase().cmp(&y.to_lowercase()))
    } else if let (Some(x), Some(y)) = (a.as_bool(), b.as_bool()) {
        Some(x.cmp(&y))
    } else {
        None
    };
    let Some(ord) = ord else {
        return op == CmpOp::Ne;
    };
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{self, HOST_SCOPE};
    use serde_json::json;

    struct NoStore;
    impl Resolve for NoStore {
        fn get(&self, _: &str, _: &str) -> Option<Record> {
            None
        }
        fn related(&self, _: &Entity, _: &Record, _: &Nav) -> Vec<Record> {
            vec![Record {
                id: "s1".into(),
                version: 1,
                data: json!({"name": "Test"}).as_object().unwrap().clone(),
            }]
        }
        fn entity(&self, set: &str) -> Option<&'static Entity> {
            schema::entity(HOST_SCOPE, set)
        }
    }

    fn run(data: Value) -> Record {
        Record {
            id: "r".into(),
            version: 1,
            data: data.as_object().unwrap().clone(),
        }
    }

    fn eval_on(filter: &str, row: &Record) -> bool {
        let e = parse(filter, &schema::RUNS, &NoStore).unwrap();
        matches(&e, &schema::RUNS, row, &NoStore)
    }

    fn err(filter: &str) -> String {
        parse(filter, &schema::RUNS, &NoStore).unwrap_err().message
    }

    #[test]
    fn compares_strings_case_insensitively_and_guids_unquoted() {
        let row = run(
            json!({"artifactname": "ContosoCore", "stagerunstatus": 200000002,
            "_deploymentstageid_value": "aaaaaaaa-0000-0000-0000-000000000001", "iscanceled": false,
            "createdon": "2026-11-22T09:00:00Z"}),
        );
        assert!(eval_on("artifactname eq 'contosocore'", &row));
        assert!(eval_on(
            "_deploymentstageid_value eq AAAAAAAA-0000-0000-0000-000000000001",
            &row
        ));
        assert!(eval_on(
            "(stagerunstatus eq 200000002 or stagerunstatus eq 200000003) and not iscanceled",
            &row
        ));
        assert!(eval_on(
            "stagerunstatus ge 200000002 and stagerunstatus lt 200000004",
            &row
        ));
        assert!(!eval_on(
            "createdon gt 2026-11-22T08:00:00Z and createdon le 2026-11-22",
            &row
        ));
        assert!(eval_on("createdon gt 2026-11-22T08:00:00Z", &row));
        assert!(eval_on("contains(artifactname,'TOSO') and startswith(artifactname,'con') and endswith(artifactname,'core')", &row));
        assert!(eval_on(
            "errormessage eq null and artifactname ne null",
            &row
        ));
        assert!(!eval_on("artifactname eq 'it''s'", &row));
    }

    #[test]
    fn lambdas_and_nav_paths_bind() {
        let e = parse(
            "deploymentpipeline_deploymentstage/any(s: s/name eq 'test')",
            &schema::PIPELINES,
            &NoStore,
        )
        .unwrap();
        assert!(matches(&e, &schema::PIPELINES, &run(json!({})), &NoStore));
        let e = parse(
            "deploymentpipeline_deploymentstage/all(s: s/name eq 'prod')",
            &schema::PIPELINES,
            &NoStore,
        )
        .unwrap();
        assert!(!matches(&e, &schema::PIPELINES, &run(json!({})), &NoStore));
        assert!(parse("deploymentstageid/name eq 'x'", &schema::RUNS, &NoStore).is_ok());
    }

    #[test]
    fn refuses_what_it_does_not_support() {
        assert!(err("nosuchcolumn eq 1").contains("Could not find a property named 'nosuchcolumn'"));
        assert!(err("_deploymentstageid_value eq 'abc'").contains("incompatible types"));
        assert!(err("artifactname eq 5").contains("incompatible types"));
        assert!(err("stagerunstatus has 1").contains("not supported"));
        assert!(err("tolower(artifactname) eq 'a'").contains("not supported"));
        assert!(err("artifactname eq 'x' and").contains("expected"));
        assert!(err("(artifactname eq 'x'").contains("expected"));
        assert!(err("artifactname eq 'x").contains("unterminated"));
        assert!(err("artifactname").contains("comparison operator"));
        assert!(err("artifactname eq 'x' extra").contains("unexpected"));
        assert!(err("").contains("empty"));
    }
}
