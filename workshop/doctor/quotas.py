"""The account's SageMaker Service Quotas against what the workshop's commands ask for with their defaults.

A new account often has 0 for an instance type, and the job or endpoint then fails with ResourceLimitExceeded
after the upload; here each shortfall names its quota and links to the page that requests more.
"""
from workshop import loader
from workshop.doctor import fix, ok
from workshop.paths import ROOT

SOLUTIONS = ROOT / "solutions"
REQUEST_PAGE = "https://{region}.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas/{code}"
ALL_QUOTAS = "https://{region}.console.aws.amazon.com/servicequotas/home/services/sagemaker/quotas"
SERVERLESS_CONCURRENCY = "Maximum total concurrency that can be allocated across all serverless endpoints"


def needs(processing=1):
    """[(quota name, how many, the command asking)] for the defaults of launch.py, prepare.py and deploy.py
    (endpoint_defaults.py)."""
    launch = loader.load(SOLUTIONS / "02_train", "launch").parse_args(["--data", "s3://bucket/whereml/data"])
    prepare = loader.load(SOLUTIONS / "01_data", "prepare").parse_args(
        ["--source", "mmcommons", "--out", "build/data", "--processing", str(processing)])
    endpoint = loader.load(SOLUTIONS / "03_host", "endpoint_defaults")  # not deploy.py: the SDK and MXNet take seconds
    return [
        (f"{launch.instance_type} for training job usage", launch.instance_count, "make train"),
        (f"{prepare.instance_type} for processing job usage", prepare.processing, f"make data PROCESSING={processing}"),
        (f"{endpoint.INSTANCE_TYPE} for endpoint usage", 1, "make deploy"),
        (SERVERLESS_CONCURRENCY, endpoint.SERVERLESS_MAX_CONCURRENCY, "make deploy SERVERLESS=1"),
    ]


def listed(host, operation):
    """{quota name: its ServiceQuota} of SageMaker in the host's region, from list_service_quotas (the account's
    values) or list_aws_default_service_quotas (AWS's defaults)."""
    pages = host.client("service-quotas").get_paginator(operation).paginate(ServiceCode="sagemaker")
    return {quota["QuotaName"]: quota for page in pages for quota in page["Quotas"]}


def quotas(host):
    """One Line per quota the defaults need."""
    region = host.session.region_name
    wanted = needs(host.processing)
    found = listed(host, "list_service_quotas")
    if any(name not in found for name, _, _ in wanted):
        # Service Quotas leaves out a quota whose applied value it does not have: then the default applies.
        found = {**listed(host, "list_aws_default_service_quotas"), **found}
    lines = []
    for name, count, command in wanted:
        quota = found.get(name)
        if quota is None:
            lines.append(fix(f"quota '{name}' is not listed in {region}: find it at "
                             f"{ALL_QUOTAS.format(region=region)} ({command} needs {count})"))
        elif quota["Value"] < count:
            link = REQUEST_PAGE.format(region=region, code=quota["QuotaCode"])
            lines.append(fix(f"quota '{name}' is {quota['Value']:g}, {command} needs {count}: request an increase "
                             f"at {link}"))
        else:
            lines.append(ok(f"quota '{name}' is {quota['Value']:g} ({command} needs {count})"))
    return lines
