//! Where an example's requests go, said on its first line of output: the
//! embedded engine by default (nothing leaves the machine), the endpoint in
//! `AWS_ENDPOINT_URL_DYNAMODB` when it is set (DynamoDB Local, through
//! `scripts/with-dynamodb-local`), and the AWS account of the environment
//! only when asked with `--aws` (or when running on AWS Lambda).

use truss_model::local::LocalEngine;

/// The SDK configuration an example builds its clients from, and the
/// embedded engine behind it when there is one (it stops when dropped:
/// keep this alive for the whole run).
pub struct Target {
    pub config: aws_config::SdkConfig,
    _engine: Option<LocalEngine>,
}

/// Chooses the target and prints which it is.
pub async fn connect(example: &str) -> Result<Target, Box<dyn std::error::Error + Send + Sync>> {
    let defaults = aws_config::defaults(aws_config::BehaviorVersion::latest());
    let aws =
        std::env::args().any(|a| a == "--aws") || std::env::var("AWS_LAMBDA_RUNTIME_API").is_ok();
    if aws {
        println!("{example}: using your AWS account (--aws)");
        return Ok(Target {
            config: defaults.load().await,
            _engine: None,
        });
    }
    if let Ok(url) = std::env::var("AWS_ENDPOINT_URL_DYNAMODB") {
        if !url.is_empty() {
            println!("{example}: using the endpoint in AWS_ENDPOINT_URL_DYNAMODB ({url})");
            return Ok(Target {
                config: defaults.load().await,
                _engine: None,
            });
        }
    }
    let engine = LocalEngine::start()?;
    println!(
        "{example}: using the embedded engine at {} (in memory; nothing leaves this machine; \
         AWS_ENDPOINT_URL_DYNAMODB picks another endpoint, --aws your AWS account)",
        engine.endpoint()
    );
    let config = defaults
        .endpoint_url(engine.endpoint())
        .region(aws_config::Region::new("us-east-1"))
        .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
            "local", "local", None, None, "example",
        ))
        .load()
        .await;
    Ok(Target {
        config,
        _engine: Some(engine),
    })
}
