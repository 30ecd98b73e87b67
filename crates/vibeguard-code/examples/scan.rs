//! Runs the code engine on a folder and prints the findings (development aid).
fn main() {
    let path = std::env::args().nth(1).expect("folder");
    let tree =
        vibeguard_project::ProjectTree::walk(std::path::Path::new(&path), &Default::default())
            .expect("walk");
    let output = vibeguard_code::run(&tree, &|_| true, &vibeguard_code::CodeOptions::default());
    for finding in &output.output.findings {
        println!("{} {} {}", finding.code, finding.location, finding.message);
        for step in &finding.flow {
            println!("    {}:{} {}", step.path, step.span.start_line, step.note);
        }
    }
    for error in &output.output.run.errors {
        println!("error: {error}");
    }
    if std::env::args().any(|a| a == "--routes") {
        for route in &output.routes {
            println!(
                "{} {} {}:{} auth={} limited={} {:?}",
                route.method,
                route.path,
                route.file,
                route.line,
                route.authenticated,
                route.rate_limited,
                route.middleware
            );
        }
    }
}
