"""The SageMaker execution role: it exists, SageMaker may assume it, and its policies allow what the jobs do.

The policies are read (inline and attached) and each action the workshop's jobs need is looked up in them: Deny
wins, `*` and `?` match as in IAM, and an Allow under a Condition is not counted (its condition cannot be judged
here), so a role that passes here can do the work.
"""
import json
import re
from urllib.parse import unquote

from botocore.exceptions import ClientError

from workshop.doctor import fix, ok
from workshop.paths import ROOT

SAGEMAKER = "sagemaker.amazonaws.com"
POLICY_FOLDER = ROOT / "build" / "doctor"  # where the policy a role lacks is written, for `aws iam put-role-policy`
MXNET_IMAGES = "763104351884"  # the AWS account of SageMaker's framework images (deep learning containers)


def needs(bucket, region, account):
    """(action, a resource it acts on, who needs it): what training, Processing and the endpoint do with the role."""
    obj = f"arn:aws:s3:::{bucket}/whereml/model.tar.gz"
    image = f"arn:aws:ecr:{region}:{MXNET_IMAGES}:repository/mxnet-inference"
    logs = f"arn:aws:logs:{region}:{account}:log-group:/aws/sagemaker/Endpoints/whereml:log-stream:AllTraffic"
    jobs = "training, Processing and the endpoint"
    return [
        ("s3:ListBucket", f"arn:aws:s3:::{bucket}", "training and Processing, to list the data"),
        ("s3:GetObject", obj, jobs),
        ("s3:PutObject", obj, "training and Processing, to write the model and the shards"),
        ("ecr:GetAuthorizationToken", "*", jobs),
        ("ecr:BatchGetImage", image, jobs),
        ("ecr:GetDownloadUrlForLayer", image, jobs),
        ("logs:CreateLogStream", logs, jobs),
        ("logs:PutLogEvents", logs, jobs),
        ("cloudwatch:PutMetricData", "*", "training and the endpoint, for their metrics"),
    ]


def trust(host):
    role = _role(host)
    if isinstance(role, list):
        return role
    for statement in _statements(role["AssumeRolePolicyDocument"]):
        principal = statement.get("Principal")
        services = principal.get("Service") if isinstance(principal, dict) else None
        assumes = any(_matches(p, "sts:AssumeRole", case=False) for p in _as_list(statement.get("Action")))
        if statement.get("Effect") == "Allow" and SAGEMAKER in _as_list(services) and assumes:
            return [ok(f"role {role['RoleName']} trusts {SAGEMAKER}")]
    return [fix(f"role {role['RoleName']} does not trust {SAGEMAKER}: add it to the role's trust relationships "
                f'({{"Effect": "Allow", "Principal": {{"Service": "{SAGEMAKER}"}}, "Action": "sts:AssumeRole"}})')]


def permissions(host):
    role = _role(host)
    if isinstance(role, list):
        return role
    if not host.bucket:
        return [fix("the role's S3 permissions need the bucket: `make doctor BUCKET=name ROLE=arn:...`")]
    documents = _policies(host.client("iam"), role["RoleName"])
    missing = [(action, resource, who) for action, resource, who in needs(host.bucket, host.session.region_name,
                                                                        host.account())
               if not allows(documents, action, resource)]
    if missing:
        path = write_policy(role["RoleName"], missing)
        path = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path  # as `make doctor` runs, from ROOT
        actions = ", ".join(dict.fromkeys(action for action, _, _ in missing))
        return [fix(f"role {role['RoleName']} lacks {actions} (on what: {path}): `aws iam put-role-policy "
                    f"--role-name {role['RoleName']} --policy-name whereml-workshop --policy-document file://{path}`")]
    return [ok(f"role {role['RoleName']} may read and write s3://{host.bucket}, pull the MXNet images, log and "
               "report metrics")]


def write_policy(role_name, missing):
    """build/doctor/<role>-policy.json: an IAM policy allowing each (action, resource, who) of `missing`."""
    resources = {}
    for action, resource, _ in missing:
        resources.setdefault(resource, []).append(action)
    statements = [{"Effect": "Allow", "Action": actions, "Resource": resource}
                  for resource, actions in resources.items()]
    POLICY_FOLDER.mkdir(parents=True, exist_ok=True)
    path = POLICY_FOLDER / f"{role_name}-policy.json"
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": statements}, indent=2) + "\n")
    return path


def allows(documents, action, resource):
    """True when some unconditional Allow of `documents` matches and no Deny does."""
    allowed = False
    for statement in (s for document in documents for s in _statements(document)):
        if not _applies(statement, action, resource):
            continue
        if statement.get("Effect") == "Deny":
            return False
        allowed = allowed or (statement.get("Effect") == "Allow" and not statement.get("Condition"))
    return allowed


def _role(host):
    """The role's description, or the Lines that say why there is none."""
    if not host.role_arn:
        return [fix("no role given: `make doctor ROLE=arn:aws:iam::ACCOUNT:role/NAME` (or export SAGEMAKER_ROLE)")]
    if not re.fullmatch(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+", host.role_arn):
        return [fix(f"{host.role_arn} is no IAM role ARN: give arn:aws:iam::ACCOUNT:role/NAME")]
    name = host.role_arn.rsplit("/", 1)[1]
    try:
        return host.client("iam").get_role(RoleName=name)["Role"]
    except ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchEntity":
            return [fix(f"role {name} does not exist: create it in the IAM console (Roles > Create role > "
                        "SageMaker > SageMaker - Execution), then give its ARN")]
        raise


def _policies(iam, name):
    """The documents of the role's inline and attached policies."""
    documents = []
    for page in iam.get_paginator("list_role_policies").paginate(RoleName=name):
        documents += [iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
                      for policy in page["PolicyNames"]]
    for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=name):
        for attached in page["AttachedPolicies"]:
            version = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]["DefaultVersionId"]
            documents.append(iam.get_policy_version(PolicyArn=attached["PolicyArn"], VersionId=version)
                             ["PolicyVersion"]["Document"])
    return documents


def _statements(document):
    if isinstance(document, str):  # the API sends documents URL-encoded; boto3 usually decodes them already
        document = json.loads(unquote(document))
    return _as_list(document.get("Statement"))


def _applies(statement, action, resource):
    if "NotAction" in statement:
        action_ok = not any(_matches(p, action, case=False) for p in _as_list(statement["NotAction"]))
    else:
        action_ok = any(_matches(p, action, case=False) for p in _as_list(statement.get("Action")))
    if "NotResource" in statement:
        return action_ok and not any(_matches(p, resource) for p in _as_list(statement["NotResource"]))
    return action_ok and any(_matches(p, resource) for p in _as_list(statement.get("Resource", "*")))


def _matches(pattern, text, case=True):
    """IAM's wildcards: * any run of characters, ? one character; actions ignore case, resources do not."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, 0 if case else re.IGNORECASE) is not None


def _as_list(value):
    return value if isinstance(value, list) else [] if value is None else [value]
