"""Sources of metrics: SageMaker jobs, CloudWatch, tuning jobs, local processes and files."""
