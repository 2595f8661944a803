//! `--sorted` / `json.sort_keys:true`: object members ordered by key, at every depth.
//!
//! Sorting needs a whole object before its first member can be written, so this is the one
//! part of the printer that holds a body in memory (the help says so). The values are parsed
//! into a flat tree whose leaves are spans of the input, so numbers and string escapes keep
//! their text exactly as received, sorted, and written back compactly; the streaming
//! formatter then lays the result out and colours it like any other JSON. Parsing and
//! writing use explicit stacks, so deep nesting cannot overflow the thread's stack.

use std::borrow::Cow;
use std::ops::Range;

/// Marks "no node" in the sibling links.
const NONE: u32 = u32::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Scalar,
    Array,
    Object,
}

/// One value. Children of a container form a linked list in input order.
#[derive(Debug, Clone)]
struct Node {
    kind: Kind,
    /// A scalar's text (string quotes included).
    text: Range<usize>,
    /// The member's key with its quotes, when the parent is an object.
    key: Option<Range<usize>>,
    first: u32,
    last: u32,
    next: u32,
}

/// Append `doc` — one or more JSON values that the validator accepted — to `out`, compact,
/// with object members sorted by key; values are separated by newlines. Keys compare by
/// their decoded text (code point order); equal keys keep their order.
pub fn sorted(doc: &[u8], out: &mut Vec<u8>) {
    let (nodes, roots) = parse(doc);
    for root in roots {
        write(doc, &nodes, root, out);
        out.push(b'\n');
    }
}

/// Build the tree. The input is known to be valid JSON, so the scanner can be lax.
fn parse(doc: &[u8]) -> (Vec<Node>, Vec<u32>) {
    let mut nodes: Vec<Node> = Vec::new();
    let mut roots = Vec::new();
    let mut open: Vec<u32> = Vec::new();
    let mut key: Option<Range<usize>> = None;
    let mut expect_key = false;
    let mut i = 0;
    while i < doc.len() {
        let b = doc[i];
        let (kind, end) = match b {
            b' ' | b'\n' | b'\r' | b'\t' | b':' => {
                i += 1;
                continue;
            }
            b',' => {
                expect_key = open
                    .last()
                    .is_some_and(|&p| nodes[p as usize].kind == Kind::Object);
                i += 1;
                continue;
            }
            b'}' | b']' => {
                open.pop();
                i += 1;
                continue;
            }
            b'"' if expect_key => {
                let end = string_end(doc, i);
                key = Some(i..end);
                expect_key = false;
                i = end;
                continue;
            }
            b'{' => (Kind::Object, i + 1),
            b'[' => (Kind::Array, i + 1),
            b'"' => (Kind::Scalar, string_end(doc, i)),
            _ => (Kind::Scalar, scalar_end(doc, i)),
        };
        let id = nodes.len() as u32;
        nodes.push(Node {
            kind,
            text: i..end,
            key: key.take(),
            first: NONE,
            last: NONE,
            next: NONE,
        });
        match open.last() {
            Some(&parent) => {
                let p = &mut nodes[parent as usize];
                let prev = std::mem::replace(&mut p.last, id);
                if prev == NONE {
                    p.first = id;
                } else {
                    nodes[prev as usize].next = id;
                }
            }
            None => roots.push(id),
        }
        if kind != Kind::Scalar {
            open.push(id);
            expect_key = kind == Kind::Object;
        }
        i = end;
    }
    (nodes, roots)
}

/// Index after the closing quote of the string that starts at `doc[i]`.
fn string_end(doc: &[u8], mut i: usize) -> usize {
    i += 1;
    while i < doc.len() {
        match doc[i] {
            b'"' => return i + 1,
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
    doc.len()
}

/// Index after a number or literal.
fn scalar_end(doc: &[u8], mut i: usize) -> usize {
    while i < doc.len() && !matches!(doc[i], b',' | b']' | b'}' | b' ' | b'\n' | b'\r' | b'\t') {
        i += 1;
    }
    i
}

/// What a key sorts by: its decoded text. Keys without escapes (nearly all) are compared as
/// their UTF-8 bytes, which is code point order; a key whose escapes don't decode (a lone
/// surrogate) sorts by its raw text.
fn sort_key<'a>(doc: &'a [u8], key: &Range<usize>) -> Cow<'a, [u8]> {
    let raw = &doc[key.clone()];
    if !raw.contains(&b'\\') {
        return Cow::Borrowed(&raw[1..raw.len() - 1]);
    }
    match serde_json::from_slice::<String>(raw) {
        Ok(s) => Cow::Owned(s.into_bytes()),
        Err(_) => Cow::Borrowed(raw),
    }
}

/// What is left to write, innermost last.
enum Step {
    Node(u32),
    Comma,
    Close(u8),
}

fn write(doc: &[u8], nodes: &[Node], root: u32, out: &mut Vec<u8>) {
    let mut todo = vec![Step::Node(root)];
    let mut children: Vec<(Cow<[u8]>, u32)> = Vec::new();
    while let Some(step) = todo.pop() {
        let id = match step {
            Step::Node(id) => id,
            Step::Comma => {
                out.push(b',');
                continue;
            }
            Step::Close(b) => {
                out.push(b);
                continue;
            }
        };
        let node = &nodes[id as usize];
        if let Some(key) = &node.key {
            out.extend_from_slice(&doc[key.clone()]);
            out.push(b':');
        }
        let (open, close) = match node.kind {
            Kind::Scalar => {
                out.extend_from_slice(&doc[node.text.clone()]);
                continue;
            }
            Kind::Array => (b'[', b']'),
            Kind::Object => (b'{', b'}'),
        };
        out.push(open);
        todo.push(Step::Close(close));
        children.clear();
        let mut c = node.first;
        while c != NONE {
            let child = &nodes[c as usize];
            let key = match (&child.key, node.kind) {
                (Some(k), Kind::Object) => sort_key(doc, k),
                _ => Cow::Borrowed(&b""[..]),
            };
            children.push((key, c));
            c = child.next;
        }
        if node.kind == Kind::Object {
            children.sort_by(|a, b| a.0.cmp(&b.0));
        }
        // Pushed in reverse so the first child is written first.
        for (n, (_, c)) in children.iter().enumerate().rev() {
            todo.push(Step::Node(*c));
            if n > 0 {
                todo.push(Step::Comma);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(doc: &str) -> String {
        assert!(super::super::json::is_json(doc.as_bytes()), "{doc}");
        let mut out = Vec::new();
        sorted(doc.as_bytes(), &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn sorts_keys_at_every_depth_and_keeps_array_order() {
        let cases = [
            (r#"{"b":1,"a":2}"#, "{\"a\":2,\"b\":1}\n"),
            (
                r#" { "z" : [ {"y":1,"x":2}, 3 ] , "a" : {} } "#,
                "{\"a\":{},\"z\":[{\"x\":2,\"y\":1},3]}\n",
            ),
            (r#"[3,1,2]"#, "[3,1,2]\n"),
            (r#"{"b":1}{"d":1,"c":2}"#, "{\"b\":1}\n{\"c\":2,\"d\":1}\n"),
            ("1\n\"s\"\nnull", "1\n\"s\"\nnull\n"),
            (r#"{"k":"v,]}\"x"}"#, "{\"k\":\"v,]}\\\"x\"}\n"),
            (r#"[[],{},[{}]]"#, "[[],{},[{}]]\n"),
        ];
        for (doc, want) in cases {
            assert_eq!(run(doc), want, "{doc}");
        }
    }

    #[test]
    fn numbers_and_escapes_keep_their_text() {
        let doc = r#"{"f":1.0e+2,"big":12345678901234567890123,"s":"\u00e9\n"}"#;
        assert_eq!(
            run(doc),
            "{\"big\":12345678901234567890123,\"f\":1.0e+2,\"s\":\"\\u00e9\\n\"}\n"
        );
    }

    #[test]
    fn keys_compare_by_decoded_text_and_duplicates_keep_order() {
        // "\u0061" is "a"; "é" sorts after "z" (code point order); equal keys stay in order.
        let doc = r#"{"é":0,"z":1,"\u0062":2,"a":3,"d":"first","d":"second"}"#;
        assert_eq!(
            run(doc),
            "{\"a\":3,\"\\u0062\":2,\"d\":\"first\",\"d\":\"second\",\"z\":1,\"é\":0}\n"
        );
    }

    #[test]
    fn deep_nesting_does_not_recurse() {
        let depth = 4_000;
        let doc = format!("{}{}", "[{\"k\":".repeat(depth), "}]".repeat(depth));
        let doc = doc.replace("\"k\":}", "\"k\":0}");
        let out = run(&doc);
        assert_eq!(out.len(), doc.len() + 1);
    }
}
