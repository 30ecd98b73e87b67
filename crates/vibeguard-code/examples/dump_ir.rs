//! Prints the program model of a file (development aid).
fn main() {
    let path = std::env::args().nth(1).expect("path");
    let text = std::fs::read_to_string(&path).expect("read");
    let language = vibeguard_code::language::Language::of_path(&path).expect("language");
    let module = vibeguard_code::parse::parse_module(&path, language, text.into()).expect("parse");
    println!(
        "imports: {:#?}\nexports: {:#?}",
        module.imports, module.exports
    );
    for (id, function) in module.functions.iter().enumerate() {
        println!(
            "fn {id} {:?} params={:?} class={:?} parent={:?} decorators={}",
            function.name,
            function.params.iter().map(|p| p.name()).collect::<Vec<_>>(),
            function.class,
            function.parent,
            function.decorators.len()
        );
    }
    for class in &module.classes {
        println!(
            "class {:?} fields={:?} methods={:?}",
            class.name,
            class.fields.iter().map(|f| &f.name).collect::<Vec<_>>(),
            class.methods
        );
    }
    if std::env::args().any(|a| a == "--body") {
        println!("{:#?}", module.functions[1].body);
    }
    println!("errors: {:?}", module.syntax_errors);
}
