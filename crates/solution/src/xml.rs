//! A small element tree over quick-xml, built only for the parts a caller asks for.
//!
//! Solution files never use a DOCTYPE or custom entities, so both are refused: that closes
//! the door on entity-expansion bombs and external entities without configuring anything.
//! Names are compared by local name, ignoring ASCII case and namespace prefixes, because
//! real files differ in letter case (`Other/solution.xml`, `connectionreferences`).

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, XmlVersion};

/// Deeper nesting than this is refused (real files stay below 20).
const MAX_DEPTH: usize = 256;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum XmlError {
    /// A DOCTYPE or an entity that is not one of the five predefined ones.
    Doctype,
    Malformed(String),
    /// More elements than any real file has (see [`Limits`]).
    TooMany {
        what: String,
        limit: usize,
    },
}

/// Caps on how many elements a document may build: what bounds the memory of a parse,
/// since a 4-byte `<a/>` costs about a hundred bytes parsed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    /// Most children of one element.
    pub max_children: usize,
    /// Most elements built in all (dropped subtrees are not counted).
    pub max_elements: usize,
}

impl Limits {
    /// `max_items` children per element, and four times that in all.
    pub fn items(max_items: usize) -> Self {
        Self {
            max_children: max_items,
            max_elements: max_items.saturating_mul(4),
        }
    }
}

impl Element {
    /// Attribute by local name (case-insensitive).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.name.eq_ignore_ascii_case(name))
    }

    /// `xsi:nil="true"` marks an empty value in Dataverse exports.
    pub fn is_nil(&self) -> bool {
        self.attr("nil")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// The trimmed text of a direct child; `None` when absent, nil or empty.
    pub fn child_text(&self, name: &str) -> Option<String> {
        let child = self.child(name)?;
        if child.is_nil() {
            return None;
        }
        let text = child.text.trim();
        (!text.is_empty()).then(|| text.to_string())
    }
}

/// Parses a whole document into a tree.
pub(crate) fn parse(text: &str, limits: Limits) -> Result<Element, XmlError> {
    parse_filtered(text, limits, |_| true)
}

/// Parses a document but builds subtrees only for the root's children whose local name
/// satisfies `keep`; everything else is checked for well-formedness and dropped.
pub(crate) fn parse_filtered(
    text: &str,
    limits: Limits,
    keep: impl Fn(&str) -> bool,
) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Open elements being built; `skip_depth` counts open elements inside a dropped subtree.
    let mut stack: Vec<Element> = Vec::new();
    let mut skip_depth = 0usize;
    let mut built = 0usize;
    let mut root: Option<Element> = None;
    let malformed =
        |e: &dyn std::fmt::Display, pos: u64| XmlError::Malformed(format!("{e} at byte {pos}"));
    loop {
        let event = reader
            .read_event()
            .map_err(|e| malformed(&e, reader.error_position()))?;
        match event {
            Event::DocType(_) => return Err(XmlError::Doctype),
            Event::Start(_) | Event::Empty(_) if root.is_some() => {
                return Err(XmlError::Malformed("content after the root element".into()));
            }
            Event::Start(start) => {
                open(&mut stack, &mut skip_depth, &start, &keep)?;
                count(&stack, skip_depth, &mut built, limits)?;
            }
            Event::Empty(start) => {
                open(&mut stack, &mut skip_depth, &start, &keep)?;
                count(&stack, skip_depth, &mut built, limits)?;
                close(&mut stack, &mut skip_depth, &mut root, limits)?;
            }
            Event::End(_) => close(&mut stack, &mut skip_depth, &mut root, limits)?,
            Event::Text(t) => {
                if skip_depth == 0 {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&t.xml10_content());
                    } else if !t.trim().is_empty() {
                        return Err(XmlError::Malformed("text outside the root element".into()));
                    }
                }
            }
            Event::CData(c) => {
                if skip_depth == 0 {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&c.xml10_content());
                    }
                }
            }
            Event::GeneralRef(r) => {
                let ch = resolve_ref(&r)?;
                if skip_depth == 0 {
                    if let Some(top) = stack.last_mut() {
                        top.text.push(ch);
                    }
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(XmlError::Malformed(
            "the document ends inside an element".into(),
        ));
    }
    root.ok_or_else(|| XmlError::Malformed("no root element".into()))
}

fn open(
    stack: &mut Vec<Element>,
    skip_depth: &mut usize,
    start: &BytesStart<'_>,
    keep: &impl Fn(&str) -> bool,
) -> Result<(), XmlError> {
    let name = local(start.name().0);
    // The root (depth 0) is always built; its children only when kept.
    if *skip_depth > 0 || (stack.len() == 1 && !keep(name)) {
        *skip_depth += 1;
        if stack.len() + *skip_depth > MAX_DEPTH {
            return Err(XmlError::Malformed(format!(
                "elements nested deeper than {MAX_DEPTH}"
            )));
        }
        // Attributes are still checked, so that entities cannot hide in dropped parts.
        for attr in start.attributes() {
            attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
        }
        return Ok(());
    }
    if stack.len() >= MAX_DEPTH {
        return Err(XmlError::Malformed(format!(
            "elements nested deeper than {MAX_DEPTH}"
        )));
    }
    let mut element = Element {
        name: name.to_string(),
        ..Element::default()
    };
    for attr in start.attributes() {
        let attr = attr.map_err(|e| XmlError::Malformed(e.to_string()))?;
        let value = attr
            .normalized_value(XmlVersion::Implicit1_0)
            .map_err(|e| {
                if e.to_string().contains("entity") {
                    XmlError::Doctype
                } else {
                    XmlError::Malformed(e.to_string())
                }
            })?;
        element
            .attrs
            .push((local(attr.key.0).to_string(), value.into_owned()));
    }
    stack.push(element);
    Ok(())
}

/// Counts an element just opened, if it is being built.
fn count(
    stack: &[Element],
    skip_depth: usize,
    built: &mut usize,
    limits: Limits,
) -> Result<(), XmlError> {
    if skip_depth > 0 || stack.is_empty() {
        return Ok(());
    }
    *built = built.saturating_add(1);
    if *built > limits.max_elements {
        return Err(XmlError::TooMany {
            what: "XML elements".into(),
            limit: limits.max_elements,
        });
    }
    Ok(())
}

fn close(
    stack: &mut Vec<Element>,
    skip_depth: &mut usize,
    root: &mut Option<Element>,
    limits: Limits,
) -> Result<(), XmlError> {
    if *skip_depth > 0 {
        *skip_depth -= 1;
        return Ok(());
    }
    if let Some(done) = stack.pop() {
        match stack.last_mut() {
            Some(parent) => {
                if parent.children.len() >= limits.max_children {
                    return Err(XmlError::TooMany {
                        what: format!("<{}> elements in <{}>", done.name, parent.name),
                        limit: limits.max_children,
                    });
                }
                parent.children.push(done)
            }
            None => *root = Some(done),
        }
    }
    Ok(())
}

fn local(qname: &str) -> &str {
    qname.rsplit_once(':').map_or(qname, |(_, l)| l)
}

fn resolve_ref(r: &BytesRef<'_>) -> Result<char, XmlError> {
    // Only character references and the five predefined entities exist in XML without a DTD.
    if r.is_char_ref() {
        return r
            .resolve_char_ref()
            .map_err(|e| XmlError::Malformed(e.to_string()))?
            .ok_or_else(|| XmlError::Malformed("bad character reference".into()));
    }
    match &**r {
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "amp" => Ok('&'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(XmlError::Doctype),
    }
}
