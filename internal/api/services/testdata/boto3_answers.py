"""Drives a running Rootward with boto3: every answer must parse with botocore.

Read by TestBoto3ParsesEveryAnswer (boto3_test.go), which passes a JSON document on stdin:
  endpoint, key, secret: where and as whom to call (an admin of a fresh account);
  account: the account's ID;
  served: {"iam": [...], "sts": [...], "organizations": [...]}: the operations Rootward serves
          (refused ones excluded).
It first makes a representative set of calls (creating what the reads need), each with the
values its answer must hold, then calls every served Get/List/Describe operation whose input has
no required member. It prints one JSON document: {"results": [{"call", "ok", "error"}...]}.
An error answer (ClientError) is parsed too: it passes only where the call names that code.
"""

import json
import re
import sys

import boto3
import botocore
import jmespath
from botocore.config import Config
from botocore.exceptions import ClientError

cfg = json.load(sys.stdin)
session = boto3.session.Session(
    aws_access_key_id=cfg["key"], aws_secret_access_key=cfg["secret"], region_name="us-east-1")
clients = {
    svc: session.client(svc, endpoint_url=cfg["endpoint"],
                        config=Config(retries={"max_attempts": 1, "mode": "standard"}))
    for svc in ("iam", "sts", "organizations")
}
account = cfg["account"]
saved = {"account": account}
results = []
called = set()

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
POLICY = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
    "Action": ["s3:GetObject", "iam:List*"], "Resource": "*"}]})
SCP = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
    "Action": "s3:DeleteBucket", "Resource": "*"}]})


def subst(v):
    """Replaces ${name} in strings (recursively) by a value saved from an earlier answer."""
    if isinstance(v, str):
        return re.sub(r"\$\{(\w+)\}", lambda m: str(saved[m.group(1)]), v)
    if isinstance(v, list):
        return [subst(x) for x in v]
    if isinstance(v, dict):
        return {k: subst(x) for k, x in v.items()}
    return v


def call(svc, op, params=None, expect=None, save=None, errors=()):
    """Calls op; checks the answer's values (JMESPath -> value, or -> True for "present"), saves
    values for later calls, and records the outcome."""
    c = clients[svc]
    name = f"{svc}.{op}"
    if op not in c.meta.service_model.operation_names:
        results.append({"call": name, "ok": True, "skipped": "not in this botocore's model"})
        return None
    called.add((svc, op))
    try:
        out = getattr(c, botocore.xform_name(op))(**subst(params or {}))
    except ClientError as e:
        code = e.response.get("Error", {}).get("Code", "")
        ok = code in errors
        results.append({"call": name, "ok": ok, "error": "" if ok else f"ClientError {code}: {e}"})
        return None
    except Exception as e:  # a parse failure (ResponseParserError) or anything else
        results.append({"call": name, "ok": False, "error": f"{type(e).__name__}: {e}"})
        return None
    problems = []
    for path, want in (expect or {}).items():
        got = jmespath.search(path, out)
        if want is True:
            if got in (None, "", [], {}):
                problems.append(f"{path}: missing")
        elif got != subst(want):
            problems.append(f"{path}: got {got!r}, want {subst(want)!r}")
    for key, path in (save or {}).items():
        saved[key] = jmespath.search(path, out)
    if errors:
        problems.append(f"succeeded; want one of {list(errors)}")
    results.append({"call": name, "ok": not problems, "error": "; ".join(problems)})
    return out


arn = "arn:aws:iam::${account}:"
# IAM: entities, credentials, policies, the account's settings.
call("iam", "CreateUser", {"UserName": "bo", "Path": "/b3/", "Tags": [{"Key": "team", "Value": "x"}]},
     {"User.UserName": "bo", "User.Path": "/b3/", "User.Arn": arn + "user/b3/bo", "User.CreateDate": True})
call("iam", "CreateGroup", {"GroupName": "b3-group"}, {"Group.GroupName": "b3-group"})
call("iam", "AddUserToGroup", {"GroupName": "b3-group", "UserName": "bo"})
call("iam", "CreateRole", {"RoleName": "b3-role", "AssumeRolePolicyDocument": TRUST, "Description": "d"},
     {"Role.RoleName": "b3-role", "Role.Description": "d"}, save={"role_arn": "Role.Arn"})
call("iam", "UpdateRole", {"RoleName": "b3-role", "MaxSessionDuration": 7200})
call("iam", "CreatePolicy", {"PolicyName": "b3-policy", "PolicyDocument": POLICY},
     {"Policy.PolicyName": "b3-policy", "Policy.DefaultVersionId": "v1"}, save={"policy_arn": "Policy.Arn"})
call("iam", "CreatePolicyVersion", {"PolicyArn": "${policy_arn}", "PolicyDocument": POLICY, "SetAsDefault": True},
     {"PolicyVersion.VersionId": "v2", "PolicyVersion.IsDefaultVersion": True})
call("iam", "AttachRolePolicy", {"RoleName": "b3-role", "PolicyArn": "${policy_arn}"})
call("iam", "AttachUserPolicy", {"UserName": "bo", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"})
call("iam", "PutUserPolicy", {"UserName": "bo", "PolicyName": "inline", "PolicyDocument": POLICY})
call("iam", "PutRolePermissionsBoundary", {"RoleName": "b3-role", "PermissionsBoundary": "${policy_arn}"})
call("iam", "CreateInstanceProfile", {"InstanceProfileName": "b3-profile"}, {"InstanceProfile.InstanceProfileName": "b3-profile"})
call("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": "b3-profile", "RoleName": "b3-role"})
call("iam", "CreateAccessKey", {"UserName": "bo"}, {"AccessKey.Status": "Active", "AccessKey.SecretAccessKey": True},
     save={"key_id": "AccessKey.AccessKeyId"})
call("iam", "CreateLoginProfile", {"UserName": "bo", "Password": "B3-Passw0rd-Long-Enough!", "PasswordResetRequired": True},
     {"LoginProfile.UserName": "bo", "LoginProfile.PasswordResetRequired": True})
call("iam", "CreateVirtualMFADevice", {"VirtualMFADeviceName": "b3-mfa"}, {"VirtualMFADevice.Base32StringSeed": True},
     save={"mfa": "VirtualMFADevice.SerialNumber"})
call("iam", "CreateOpenIDConnectProvider", {"Url": "https://issuer.example.com", "ClientIDList": ["app"],
     "ThumbprintList": ["1c58a3a8518e8759bf075b76b750d4f2df264fcd"]}, save={"oidc": "OpenIDConnectProviderArn"})
call("iam", "UpdateAccountPasswordPolicy", {"MinimumPasswordLength": 14, "RequireSymbols": True})
call("iam", "CreateAccountAlias", {"AccountAlias": "b3-alias-" + account})
call("iam", "GenerateCredentialReport", {}, {"State": True})
call("iam", "GenerateServiceLastAccessedDetails", {"Arn": arn + "user/b3/bo"}, {"JobId": True}, save={"job": "JobId"})
call("iam", "TagRole", {"RoleName": "b3-role", "Tags": [{"Key": "env", "Value": "prod"}]})
call("iam", "GetUser", {"UserName": "bo"}, {"User.UserName": "bo", "User.Tags[0].Key": "team"})
call("iam", "GetRole", {"RoleName": "b3-role"}, {"Role.MaxSessionDuration": 7200, "Role.PermissionsBoundary.PermissionsBoundaryArn": "${policy_arn}",
     "Role.AssumeRolePolicyDocument.Statement[0].Action": "sts:AssumeRole"})
call("iam", "GetGroup", {"GroupName": "b3-group"}, {"Users[0].UserName": "bo"})
call("iam", "GetPolicy", {"PolicyArn": "${policy_arn}"}, {"Policy.AttachmentCount": 1, "Policy.PermissionsBoundaryUsageCount": 1})
call("iam", "GetPolicyVersion", {"PolicyArn": "${policy_arn}", "VersionId": "v2"}, {"PolicyVersion.Document.Statement[0].Effect": "Allow"})
call("iam", "GetPolicy", {"PolicyArn": "arn:aws:iam::aws:policy/SecurityAudit"}, {"Policy.PolicyName": "SecurityAudit"})
call("iam", "ListPolicyVersions", {"PolicyArn": "${policy_arn}"}, {"length(Versions)": 2})
call("iam", "ListEntitiesForPolicy", {"PolicyArn": "${policy_arn}"}, {"PolicyRoles[0].RoleName": "b3-role"})
call("iam", "ListAttachedRolePolicies", {"RoleName": "b3-role"}, {"AttachedPolicies[0].PolicyName": "b3-policy"})
call("iam", "ListAttachedUserPolicies", {"UserName": "bo"}, {"AttachedPolicies[0].PolicyName": "ReadOnlyAccess"})
call("iam", "ListUserPolicies", {"UserName": "bo"}, {"PolicyNames": ["inline"]})
call("iam", "GetUserPolicy", {"UserName": "bo", "PolicyName": "inline"}, {"PolicyDocument.Statement[0].Action[0]": "s3:GetObject"})
call("iam", "ListGroupsForUser", {"UserName": "bo"}, {"Groups[0].GroupName": "b3-group"})
call("iam", "GetInstanceProfile", {"InstanceProfileName": "b3-profile"}, {"InstanceProfile.Roles[0].RoleName": "b3-role"})
call("iam", "ListInstanceProfilesForRole", {"RoleName": "b3-role"}, {"InstanceProfiles[0].InstanceProfileName": "b3-profile"})
call("iam", "ListAccessKeys", {"UserName": "bo"}, {"AccessKeyMetadata[0].AccessKeyId": "${key_id}"})
call("iam", "GetAccessKeyLastUsed", {"AccessKeyId": "${key_id}"}, {"UserName": "bo"})
call("iam", "GetLoginProfile", {"UserName": "bo"}, {"LoginProfile.UserName": "bo"})
call("iam", "ListMFADevices", {"UserName": "bo"}, {"MFADevices": []})
call("iam", "GetOpenIDConnectProvider", {"OpenIDConnectProviderArn": "${oidc}"}, {"ClientIDList": ["app"], "Url": "issuer.example.com"})
call("iam", "ListRoleTags", {"RoleName": "b3-role"}, {"Tags[0].Key": "env", "IsTruncated": False})
call("iam", "GetServiceLastAccessedDetails", {"JobId": "${job}"}, {"JobStatus": "COMPLETED"})
call("iam", "SimulatePrincipalPolicy", {"PolicySourceArn": arn + "user/b3/bo", "ActionNames": ["s3:GetObject", "iam:CreateUser"]},
     {"EvaluationResults[0].EvalDecision": "allowed", "EvaluationResults[1].EvalDecision": "implicitDeny"})
call("iam", "GetContextKeysForPrincipalPolicy", {"PolicySourceArn": arn + "user/b3/bo"})
call("iam", "ListPoliciesGrantingServiceAccess", {"Arn": arn + "user/b3/bo", "ServiceNamespaces": ["s3"]},
     {"PoliciesGrantingServiceAccess[0].ServiceNamespace": "s3"})
call("iam", "GetAccountPasswordPolicy", {}, {"PasswordPolicy.MinimumPasswordLength": 14, "PasswordPolicy.RequireSymbols": True})
call("iam", "GetUser", {"UserName": "nobody"}, errors=("NoSuchEntity",))
call("iam", "CreateUser", {"UserName": "bo"}, errors=("EntityAlreadyExists",))

# STS.
call("sts", "GetCallerIdentity", {}, {"Account": "${account}"})
call("sts", "GetSessionToken", {"DurationSeconds": 900}, {"Credentials.AccessKeyId": True, "Credentials.Expiration": True})
call("sts", "GetAccessKeyInfo", {"AccessKeyId": "${key_id}"}, {"Account": "${account}"})
call("sts", "GetFederationToken", {"Name": "b3-fed", "Policy": POLICY}, {"FederatedUser.Arn": True, "PackedPolicySize": True})
call("sts", "DecodeAuthorizationMessage", {"EncodedMessage": "eA=="}, errors=("InvalidAuthorizationMessageException",))
call("sts", "AssumeRole", {"RoleArn": "${role_arn}", "RoleSessionName": "b3"}, errors=("AccessDenied",))

# Organizations: an organization with an OU, a member account, a policy.
call("organizations", "CreateOrganization", {"FeatureSet": "ALL"}, {"Organization.MasterAccountId": "${account}"},
     save={"org": "Organization.Id"})
call("organizations", "ListRoots", {}, {"Roots[0].Id": True}, save={"root": "Roots[0].Id"})
call("organizations", "EnableAWSServiceAccess", {"ServicePrincipal": "iam.amazonaws.com"})
call("organizations", "EnablePolicyType", {"RootId": "${root}", "PolicyType": "SERVICE_CONTROL_POLICY"})
call("organizations", "CreateOrganizationalUnit", {"ParentId": "${root}", "Name": "b3-ou"}, {"OrganizationalUnit.Name": "b3-ou"},
     save={"ou": "OrganizationalUnit.Id"})
call("organizations", "CreateAccount", {"AccountName": "b3-member", "Email": "b3-member-" + account + "@example.com"},
     {"CreateAccountStatus.Id": True}, save={"car": "CreateAccountStatus.Id"})
call("organizations", "DescribeCreateAccountStatus", {"CreateAccountRequestId": "${car}"}, {"CreateAccountStatus.State": "SUCCEEDED"},
     save={"member": "CreateAccountStatus.AccountId"})
call("organizations", "MoveAccount", {"AccountId": "${member}", "SourceParentId": "${root}", "DestinationParentId": "${ou}"})
call("organizations", "CreatePolicy", {"Name": "b3-scp", "Description": "d", "Type": "SERVICE_CONTROL_POLICY", "Content": SCP},
     {"Policy.PolicySummary.Name": "b3-scp"}, save={"scp": "Policy.PolicySummary.Id"})
call("organizations", "AttachPolicy", {"PolicyId": "${scp}", "TargetId": "${ou}"})
call("organizations", "TagResource", {"ResourceId": "${member}", "Tags": [{"Key": "env", "Value": "dev"}]})
call("organizations", "DescribeAccount", {"AccountId": "${member}"}, {"Account.Name": "b3-member", "Account.Status": "ACTIVE"})
call("organizations", "ListParents", {"ChildId": "${member}"}, {"Parents[0].Id": "${ou}", "Parents[0].Type": "ORGANIZATIONAL_UNIT"})
call("organizations", "ListChildren", {"ParentId": "${root}", "ChildType": "ORGANIZATIONAL_UNIT"}, {"Children[0].Id": "${ou}"})
call("organizations", "ListAccountsForParent", {"ParentId": "${ou}"}, {"Accounts[0].Id": "${member}"})
call("organizations", "ListPoliciesForTarget", {"TargetId": "${ou}", "Filter": "SERVICE_CONTROL_POLICY"}, {"length(Policies)": 2})
call("organizations", "ListTargetsForPolicy", {"PolicyId": "${scp}"}, {"Targets[0].TargetId": "${ou}"})
call("organizations", "DescribePolicy", {"PolicyId": "${scp}"}, {"Policy.PolicySummary.Type": "SERVICE_CONTROL_POLICY"})
call("organizations", "ListTagsForResource", {"ResourceId": "${member}"}, {"Tags[0].Key": "env"})
call("organizations", "DescribeOrganizationalUnit", {"OrganizationalUnitId": "${ou}"}, {"OrganizationalUnit.Name": "b3-ou"})
call("organizations", "ListPolicies", {"Filter": "SERVICE_CONTROL_POLICY"}, {"length(Policies)": 2})
call("organizations", "DescribeEffectivePolicy", {"PolicyType": "TAG_POLICY", "TargetId": "${member}"},
     errors=("EffectivePolicyNotFoundException",))
call("organizations", "DescribeAccount", {"AccountId": "000000000000"}, errors=("AccountNotFoundException",))
call("iam", "GenerateOrganizationsAccessReport", {"EntityPath": "${org}/${root}/${ou}"}, {"JobId": True}, save={"orgjob": "JobId"})
call("iam", "GetOrganizationsAccessReport", {"JobId": "${orgjob}"}, {"JobStatus": "COMPLETED", "NumberOfServicesAccessible": True})
call("iam", "EnableOutboundWebIdentityFederation", {}, {"IssuerIdentifier": True})
call("sts", "GetWebIdentityToken", {"Audience": ["https://api.example.com"], "SigningAlgorithm": "ES384"},
     {"WebIdentityToken": True, "Expiration": True})

# Every served read operation that needs no input, in the state the calls above made (the
# organization's resource policy is not set, the caller has no password: those reads answer
# their documented errors).
no_input_errors = {
    ("organizations", "DescribeResourcePolicy"): ("ResourcePolicyNotFoundException",),
    # Without UserName, the caller's own login profile: the admin user has none.
    ("iam", "GetLoginProfile"): ("NoSuchEntity",),
}
for svc, c in clients.items():
    model = c.meta.service_model
    for op in model.operation_names:
        if op not in cfg["served"][svc] or not op.startswith(("Get", "List", "Describe")):
            continue
        shape = model.operation_model(op).input_shape
        if shape is not None and shape.required_members:
            continue
        call(svc, op, {}, errors=no_input_errors.get((svc, op), ()))

json.dump({"results": results, "botocore": botocore.__version__}, sys.stdout)
