"""What `chalice deploy --stage S` made, found on AWS by Chalice's own names and tags, and deleted: needed when a deploy
stopped halfway, because `chalice delete` then knows nothing (it reads .chalice/deployed/S.json, written at the end).

Chalice names a stage's pieces after the app and the stage (app "whereml-bot", stage "dev"):
- Lambda functions whereml-bot-dev (the API) and whereml-bot-dev-<handler>, tagged aws-chalice=...:stage=dev:app=...;
- their IAM roles, whereml-bot-dev-<handler> (or whereml-bot-dev), with the policy file inline;
- the SQS trigger of a handler (an event source mapping) and the schedule of another (whereml-bot-dev-<handler>-event);
- the functions' log groups, /aws/lambda/<function>;
- the REST API, named after the app only: the one whose calls this stage's API function allows, or one no other stage
  claims.
"""
import json

LAMBDA_TRUST = "lambda.amazonaws.com"


def find(aws, app, stage):
    """{kind: [name or id]} of what the stage's deploy made that is still there."""
    prefix = f"{app}-{stage}"
    lambdas = aws.client("lambda")
    functions = [f for page in lambdas.get_paginator("list_functions").paginate() for f in page["Functions"]
                 if _chalice_stage(lambdas, f["FunctionArn"]) == (app, stage)]
    names = [f["FunctionName"] for f in functions]
    iam = aws.client("iam")
    roles = [r["RoleName"] for page in iam.get_paginator("list_roles").paginate() for r in page["Roles"]
             if _ours(r["RoleName"], prefix) and LAMBDA_TRUST in json.dumps(r["AssumeRolePolicyDocument"])]
    events = aws.client("events")
    rules = [rule["Name"] for rule in events.list_rules(NamePrefix=prefix + "-").get("Rules", [])
             if rule["Name"].endswith("-event")]
    logs = aws.client("logs")
    groups = [g["logGroupName"] for page in logs.get_paginator("describe_log_groups").paginate(
        logGroupNamePrefix=f"/aws/lambda/{prefix}") for g in page["logGroups"]
        if _ours(g["logGroupName"][len("/aws/lambda/"):], prefix)]
    mappings = [m["UUID"] for page in lambdas.get_paginator("list_event_source_mappings").paginate()
                for m in page["EventSourceMappings"] if _ours(m["FunctionArn"].split(":function:")[-1], prefix)]
    return {"event source mapping": mappings, "schedule rule": rules, "Lambda function": names, "IAM role": roles,
            "log group": groups, "REST API": _rest_apis(aws, app, stage)}


def delete(aws, app, stage, say=print):
    """Delete what find() finds, in an order AWS accepts; return what is still there as "kind name" lines."""
    found = find(aws, app, stage)
    lambdas, iam, events, logs = (aws.client(name) for name in ("lambda", "iam", "events", "logs"))
    for uuid in found["event source mapping"]:
        lambdas.delete_event_source_mapping(UUID=uuid)
    for rule in found["schedule rule"]:
        targets = [t["Id"] for t in events.list_targets_by_rule(Rule=rule)["Targets"]]
        if targets:
            events.remove_targets(Rule=rule, Ids=targets)
        events.delete_rule(Name=rule)
    for name in found["Lambda function"]:
        lambdas.delete_function(FunctionName=name)
    for role in found["IAM role"]:
        for policy in iam.list_role_policies(RoleName=role)["PolicyNames"]:
            iam.delete_role_policy(RoleName=role, PolicyName=policy)
        for attached in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]:
            iam.detach_role_policy(RoleName=role, PolicyArn=attached["PolicyArn"])
        iam.delete_role(RoleName=role)
    for group in found["log group"]:
        logs.delete_log_group(logGroupName=group)
    for api in found["REST API"]:
        aws.client("apigateway").delete_rest_api(restApiId=api)
    for kind, names in found.items():
        if names:
            say(f"Deleted {len(names)} {kind}{'s' if len(names) > 1 else ''} of chalice stage {stage}: "
                + ", ".join(names))
    return [f"{kind} {name}" for kind, names in find(aws, app, stage).items() for name in names]


def _ours(name, prefix):
    return name == prefix or name.startswith(prefix + "-")


def _chalice_stage(lambdas, arn):
    """(app, stage) of a function Chalice deployed (its aws-chalice tag), else None."""
    tag = lambdas.list_tags(Resource=arn).get("Tags", {}).get("aws-chalice", "")
    fields = dict(part.split("=", 1) for part in tag.split(":") if "=" in part)
    return (fields["app"], fields["stage"]) if "app" in fields and "stage" in fields else None


def _rest_apis(aws, app, stage):
    """Ids of the REST APIs named `app` that belong to `stage`: those its API function lets call it, and those no
    other stage's API function does (a deploy that stopped before granting)."""
    apigateway, lambdas = aws.client("apigateway"), aws.client("lambda")
    named = [api["id"] for page in apigateway.get_paginator("get_rest_apis").paginate() for api in page["items"]
             if api["name"] == app]
    claims = {}
    for page in lambdas.get_paginator("list_functions").paginate():
        for function in page["Functions"]:
            owner = _chalice_stage(lambdas, function["FunctionArn"])
            if owner and owner[0] == app and function["FunctionName"] == f"{app}-{owner[1]}":
                claims[owner[1]] = _allowed_apis(lambdas, function["FunctionName"])
    others = {api for other, apis in claims.items() if other != stage for api in apis}
    return [api for api in named if api in claims.get(stage, set()) or api not in others]


def _allowed_apis(lambdas, function):
    """REST API ids in the function's resource policy (execute-api source ARNs)."""
    try:
        policy = json.loads(lambdas.get_policy(FunctionName=function)["Policy"])
    except lambdas.exceptions.ResourceNotFoundException:
        return set()
    arns = [json.dumps(statement.get("Condition", {})) for statement in policy.get("Statement", [])]
    return {arn.split(":execute-api:")[1].split(":")[2].split("/")[0] for arn in arns if ":execute-api:" in arn}
