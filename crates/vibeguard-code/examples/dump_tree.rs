//! Prints the tree-sitter tree of a file (development aid).
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let language: tree_sitter::Language = if path.ends_with(".py") {
        tree_sitter_python::LANGUAGE.into()
    } else if path.ends_with(".tsx") {
        tree_sitter_typescript::LANGUAGE_TSX.into()
    } else if path.ends_with(".ts") {
        tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into()
    } else {
        tree_sitter_javascript::LANGUAGE.into()
    };
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).expect("language");
    let tree = parser.parse(&text, None).expect("parse");
    print(tree.root_node(), &text, 0, None);
}

fn print(node: tree_sitter::Node, text: &str, depth: usize, field: Option<&str>) {
    if !node.is_named() {
        return;
    }
    let snippet: String = text[node.byte_range()]
        .chars()
        .take(40)
        .collect::<String>()
        .replace('\n', "⏎");
    println!(
        "{}{}{} [{}]",
        "  ".repeat(depth),
        field.map(|f| format!("{f}: ")).unwrap_or_default(),
        node.kind(),
        snippet
    );
    let mut cursor = node.walk();
    for (i, child) in node.children(&mut cursor).enumerate() {
        print(child, text, depth + 1, node.field_name_for_child(i as u32));
    }
}
