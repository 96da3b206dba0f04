//! `--report` and `--cloudformation`, shared by the examples: the key
//! layout as Markdown, or the table as a CloudFormation template, printed
//! from the example's table definition; no request is sent.

use truss_model::{Table, TableDefinition};

/// Handles the command line's first argument when there is one: prints
/// what it asks for and returns `Some` (the example then ends), or `None`
/// without arguments (the example runs).
pub fn print_requested(
    table_name: &str,
    definition: fn(&Table) -> TableDefinition,
) -> Option<Result<(), Box<dyn std::error::Error>>> {
    let flag = std::env::args().nth(1)?;
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .build();
    let definition = definition(&Table::new(
        aws_sdk_dynamodb::Client::from_conf(config),
        table_name,
    ));
    Some(match flag.as_str() {
        "--report" => {
            print!("{}", definition.report());
            Ok(())
        }
        "--cloudformation" => definition
            .cloudformation_yaml("Table")
            .map(|yaml| print!("{yaml}"))
            .map_err(Into::into),
        other => Err(format!("unknown option `{other}`: --report or --cloudformation").into()),
    })
}
