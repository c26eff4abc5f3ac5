"""The AWS account itself: credentials, region, the S3 bucket, and a budget that warns before the bill does."""
from botocore.exceptions import ClientError

from workshop.doctor import MMCOMMONS_REGION, NO_CREDENTIALS, NO_REGION, fix, ok

CROSS_REGION = (
    "Multimedia Commons is in us-west-2: `make data SOURCE=mmcommons` from {region} pays S3's inter-region "
    "transfer for every photo read (see aws.amazon.com/s3/pricing, Data Transfer), none from us-west-2"
)
ADD_BUDGET = (
    "add a monthly cost budget with an e-mail alert (Billing console > Budgets > Create budget, "
    "or `aws budgets create-budget --account-id {account} --budget 'BudgetName=whereml,BudgetLimit={{Amount=20,"
    "Unit=USD}},TimeUnit=MONTHLY,BudgetType=COST'` plus --notifications-with-subscribers)"
)
PERIODS = {"DAILY": "day", "MONTHLY": "month", "QUARTERLY": "quarter", "ANNUALLY": "year"}


def credentials(host):
    if host.session.get_credentials() is None:
        return [fix(NO_CREDENTIALS)]
    identity = host.client("sts").get_caller_identity()
    return [ok(f"AWS credentials: account {identity['Account']} as {identity['Arn']}")]


def region(host):
    name = host.session.region_name
    if not name:
        return [fix(NO_REGION)]
    if name != MMCOMMONS_REGION:
        return [ok(f"region {name}; " + CROSS_REGION.format(region=name))]
    return [ok(f"region {name}, where Multimedia Commons is")]


def bucket(host):
    if not host.bucket:
        return [fix("no bucket given: `make doctor BUCKET=name` (the bucket of s3://BUCKET/whereml/...)")]
    if not host.session.region_name:
        return [fix(NO_REGION)]
    s3 = host.client("s3")
    try:
        s3.head_bucket(Bucket=host.bucket)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchBucket"):
            return [fix(f"bucket {host.bucket} does not exist: "
                        f"`aws s3 mb s3://{host.bucket} --region {host.session.region_name}`")]
        return [fix(f"bucket {host.bucket} exists but these credentials cannot use it "
                    f"({error.response['Error']['Code']}): pick a bucket of your own account")]
    # get_bucket_location answers None for us-east-1 and "EU" for the oldest eu-west-1 buckets.
    location = s3.get_bucket_location(Bucket=host.bucket)["LocationConstraint"] or "us-east-1"
    location = "eu-west-1" if location == "EU" else location
    if location != host.session.region_name:
        return [fix(f"bucket {host.bucket} is in {location}, your region is {host.session.region_name}: SageMaker "
                    f"reads data and models from its own region; export AWS_DEFAULT_REGION={location} or use a "
                    f"bucket in {host.session.region_name}")]
    return [ok(f"bucket {host.bucket} in {location}")]


def budget(host):
    account = host.account()
    try:
        budgets = host.client("budgets").describe_budgets(AccountId=account).get("Budgets", [])
    except ClientError as error:
        return [fix(f"cannot read the account's budgets ({error.response['Error']['Code']}): ask its owner "
                    "whether one exists, or " + ADD_BUDGET.format(account=account))]
    if not budgets:
        return [fix("no AWS budget: " + ADD_BUDGET.format(account=account))]
    first = budgets[0]
    limit = first.get("BudgetLimit", {})
    period = PERIODS.get(first["TimeUnit"], first["TimeUnit"].lower())
    amount = f" of {limit['Amount']} {limit['Unit']} a {period}" if limit else ""
    return [ok(f"budget {first['BudgetName']}{amount}" + (f" (and {len(budgets) - 1} more)" if budgets[1:] else ""))]
